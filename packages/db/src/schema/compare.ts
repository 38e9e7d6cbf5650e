import type {
  ColumnDefault,
  ColumnSchema,
  DatabaseSchema,
  ForeignKeySchema,
  IndexColumn,
  IndexSchema,
  ReferentialAction,
  TableSchema,
} from './types.js';

export interface CompareOptions {
  /**
   * Also require index and foreign-key names to match (default true). Names matter to Prisma: a
   * `prisma migrate diff` would rename them. Indexes are always paired by columns and uniqueness first.
   */
  compareNames?: boolean;
  /** Compare table collations when both sides know them (default true). */
  compareCollation?: boolean;
}

export function formatDefault(d: ColumnDefault | null): string {
  if (d === null) return 'no default';
  if (d.kind === 'now') return 'DEFAULT CURRENT_TIMESTAMP';
  if (d.kind === 'value') return `DEFAULT '${d.value}'`;
  return `DEFAULT (${d.sql})`;
}

export function formatIndexColumns(columns: IndexColumn[]): string {
  return `(${columns
    .map((c) => `${c.name}${c.length !== null ? `(${c.length})` : ''}${c.order === 'desc' ? ' DESC' : ''}`)
    .join(', ')})`;
}

function formatIndex(index: IndexSchema): string {
  const kind = index.kind === 'fulltext' ? 'fulltext index' : index.unique ? 'unique index' : 'index';
  return `${kind} \`${index.name}\` ${formatIndexColumns(index.columns)}`;
}

function formatForeignKey(fk: ForeignKeySchema): string {
  return `foreign key \`${fk.name}\` (${fk.columns.join(', ')}) → ${fk.referencedTable}(${fk.referencedColumns.join(', ')})`;
}

const NUMERIC = /^(tinyint|smallint|mediumint|int|bigint|decimal|float|double)/;

function normalizeExpression(sql: string): string {
  let s = sql.toLowerCase().replace(/`/g, '').replace(/\s+/g, '');
  while (s.startsWith('(') && s.endsWith(')')) s = s.slice(1, -1);
  return s;
}

function sameDefault(expected: ColumnDefault | null, actual: ColumnDefault | null, type: string): boolean {
  if (expected === null || actual === null) return expected === actual;
  if (expected.kind === 'now' || actual.kind === 'now') return expected.kind === actual.kind;
  const e = expected.kind === 'value' ? expected.value : expected.sql;
  const a = actual.kind === 'value' ? actual.value : actual.sql;
  if (expected.kind === 'value' && actual.kind === 'value') {
    if (NUMERIC.test(type) && e.trim() !== '' && a.trim() !== '') return Number(e) === Number(a);
    return e === a;
  }
  // An expression on either side: compare loosely (case, backticks, spaces, outer parentheses).
  return normalizeExpression(e) === normalizeExpression(a) || normalizeExpression(e) === normalizeExpression(`'${a}'`);
}

function sameIndexShape(a: IndexSchema, b: IndexSchema): boolean {
  if (a.unique !== b.unique || a.kind !== b.kind || a.columns.length !== b.columns.length) return false;
  return a.columns.every((c, i) => {
    const d = b.columns[i]!;
    return c.name === d.name && c.length === d.length && (a.kind === 'fulltext' || c.order === d.order);
  });
}

/** RESTRICT and NO ACTION behave the same in InnoDB; servers differ in which they report by default. */
function sameAction(a: ReferentialAction, b: ReferentialAction): boolean {
  const norm = (x: ReferentialAction) => (x === 'NO ACTION' ? 'RESTRICT' : x);
  return norm(a) === norm(b);
}

function compareColumns(table: string, expected: ColumnSchema[], actual: ColumnSchema[], out: string[]): void {
  const actualByName = new Map(actual.map((c) => [c.name, c]));
  const expectedNames = new Set(expected.map((c) => c.name));
  for (const e of expected) {
    const a = actualByName.get(e.name);
    const where = `${table}.${e.name}`;
    if (!a) {
      out.push(`${where}: column is missing in the database (expected ${e.type}${e.nullable ? ' NULL' : ' NOT NULL'})`);
      continue;
    }
    if (e.type !== a.type) out.push(`${where}: type is ${a.type} in the database, expected ${e.type}`);
    if (e.nullable !== a.nullable) {
      out.push(
        e.nullable
          ? `${where}: column is NOT NULL in the database but optional (NULL) in schema.prisma`
          : `${where}: column is NULL in the database but required (NOT NULL) in schema.prisma`,
      );
    }
    if (!sameDefault(e.default, a.default, e.type)) {
      out.push(`${where}: ${formatDefault(a.default)} in the database, expected ${formatDefault(e.default)}`);
    }
    if (e.autoIncrement !== a.autoIncrement) {
      out.push(
        e.autoIncrement
          ? `${where}: AUTO_INCREMENT is missing in the database (schema.prisma has @default(autoincrement()))`
          : `${where}: column is AUTO_INCREMENT in the database but not in schema.prisma`,
      );
    }
  }
  for (const a of actual) {
    if (!expectedNames.has(a.name)) out.push(`${table}.${a.name}: column exists in the database but not in schema.prisma`);
  }
}

function compareIndexes(
  table: string,
  expected: IndexSchema[],
  actual: IndexSchema[],
  actualForeignKeys: ForeignKeySchema[],
  compareNames: boolean,
  out: string[],
): void {
  const unmatched = [...actual];
  const take = (predicate: (i: IndexSchema) => boolean): IndexSchema | undefined => {
    const at = unmatched.findIndex(predicate);
    return at < 0 ? undefined : unmatched.splice(at, 1)[0];
  };
  for (const e of expected) {
    const a = take((i) => sameIndexShape(e, i) && i.name === e.name) ?? take((i) => sameIndexShape(e, i));
    if (!a) {
      const sameName = actual.find((i) => i.name === e.name);
      out.push(
        sameName
          ? `${table}: ${formatIndex(e)} differs in the database: it is ${formatIndex(sameName)}`
          : `${table}: ${formatIndex(e)} is missing in the database`,
      );
      if (sameName) {
        const at = unmatched.indexOf(sameName);
        if (at >= 0) unmatched.splice(at, 1);
      }
      continue;
    }
    if (compareNames && a.name !== e.name) {
      out.push(`${table}: ${formatIndex(a)} should be named \`${e.name}\` (as in schema.prisma / Prisma's default)`);
    }
  }
  for (const a of unmatched) {
    // InnoDB creates an index named after a foreign key when no index starts with its columns.
    const implicit = actualForeignKeys.some(
      (fk) =>
        fk.name === a.name &&
        !a.unique &&
        fk.columns.length === a.columns.length &&
        fk.columns.every((c, i) => a.columns[i]?.name === c && a.columns[i]?.length === null),
    );
    if (!implicit) out.push(`${table}: ${formatIndex(a)} exists in the database but not in schema.prisma`);
  }
}

function compareForeignKeys(
  table: string,
  expected: ForeignKeySchema[],
  actual: ForeignKeySchema[],
  compareNames: boolean,
  out: string[],
): void {
  const unmatched = [...actual];
  const sameTarget = (e: ForeignKeySchema, a: ForeignKeySchema) =>
    e.referencedTable === a.referencedTable &&
    e.columns.join('\u0000') === a.columns.join('\u0000') &&
    e.referencedColumns.join('\u0000') === a.referencedColumns.join('\u0000');
  for (const e of expected) {
    let at = unmatched.findIndex((a) => sameTarget(e, a) && a.name === e.name);
    if (at < 0) at = unmatched.findIndex((a) => sameTarget(e, a));
    if (at < 0) {
      out.push(
        `${table}: ${formatForeignKey(e)} ON DELETE ${e.onDelete} ON UPDATE ${e.onUpdate} is missing in the database`,
      );
      continue;
    }
    const a = unmatched.splice(at, 1)[0]!;
    if (compareNames && a.name !== e.name) {
      out.push(`${table}: ${formatForeignKey(a)} should be named \`${e.name}\` (as in schema.prisma / Prisma's default)`);
    }
    if (!sameAction(e.onDelete, a.onDelete)) {
      out.push(`${table}: ${formatForeignKey(e)} is ON DELETE ${a.onDelete} in the database, expected ON DELETE ${e.onDelete}`);
    }
    if (!sameAction(e.onUpdate, a.onUpdate)) {
      out.push(`${table}: ${formatForeignKey(e)} is ON UPDATE ${a.onUpdate} in the database, expected ON UPDATE ${e.onUpdate}`);
    }
  }
  for (const a of unmatched) out.push(`${table}: ${formatForeignKey(a)} exists in the database but not in schema.prisma`);
}

function compareTable(e: TableSchema, a: TableSchema, options: Required<CompareOptions>, out: string[]): void {
  compareColumns(e.name, e.columns, a.columns, out);
  const ePk = e.primaryKey?.join(', ') ?? null;
  const aPk = a.primaryKey?.join(', ') ?? null;
  if (ePk !== aPk) {
    out.push(
      `${e.name}: primary key is ${aPk === null ? 'missing' : `(${aPk})`} in the database, expected ${ePk === null ? 'none' : `(${ePk})`}`,
    );
  }
  compareIndexes(e.name, e.indexes, a.indexes, a.foreignKeys, options.compareNames, out);
  compareForeignKeys(e.name, e.foreignKeys, a.foreignKeys, options.compareNames, out);
  if (options.compareCollation && e.collation && a.collation && e.collation !== a.collation) {
    out.push(`${e.name}: table collation is ${a.collation} in the database, expected ${e.collation}`);
  }
}

/**
 * Lists every difference between an expected structure (usually `describePrismaSchema`) and an
 * actual one (`describeDatabase`), one human-readable line each; `[]` when they match.
 */
export function compareSchema(expected: DatabaseSchema, actual: DatabaseSchema, options: CompareOptions = {}): string[] {
  const opts: Required<CompareOptions> = {
    compareNames: options.compareNames ?? true,
    compareCollation: options.compareCollation ?? true,
  };
  const out: string[] = [];
  const actualByName = new Map(actual.tables.map((t) => [t.name, t]));
  const expectedNames = new Set(expected.tables.map((t) => t.name));
  for (const e of expected.tables) {
    const a = actualByName.get(e.name);
    if (!a) {
      out.push(`${e.name}: table is missing in the database`);
      continue;
    }
    compareTable(e, a, opts, out);
  }
  for (const a of actual.tables) {
    if (!expectedNames.has(a.name)) out.push(`${a.name}: table exists in the database but not in schema.prisma`);
  }
  return out;
}
