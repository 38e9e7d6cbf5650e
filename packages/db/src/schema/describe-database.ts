import { openConnection } from '../connection.js';
import { MIGRATIONS_TABLE } from '../migrate.js';
import { databaseNameOf } from '../url.js';
import type {
  ColumnDefault,
  ColumnSchema,
  DatabaseSchema,
  ForeignKeySchema,
  IndexSchema,
  ReferentialAction,
  TableSchema,
} from './types.js';

export interface DescribeDatabaseOptions {
  /** Tables left out (default: `_prisma_migrations`). */
  ignoreTables?: string[];
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  column_type: string;
  data_type: string;
  is_nullable: string;
  column_default: string | null;
  extra: string | null;
}

interface StatRow {
  table_name: string;
  index_name: string;
  non_unique: number | string;
  seq_in_index: number;
  column_name: string | null;
  collation: string | null;
  sub_part: number | null;
  index_type: string;
}

interface FkRow {
  table_name: string;
  constraint_name: string;
  column_name: string;
  referenced_table_name: string;
  referenced_column_name: string;
  update_rule: string;
  delete_rule: string;
}

const INTEGER_WITH_WIDTH = /^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/;

/** Normalises information_schema COLUMN_TYPE so MySQL 8 and MariaDB read the same. */
export function normalizeColumnType(columnType: string): string {
  const trimmed = columnType.trim();
  // ENUM/SET values keep their case and spacing: only the keyword is lower-cased.
  const enumMatch = /^(enum|set)\s*(\(.*\))$/is.exec(trimmed);
  if (enumMatch) return `${enumMatch[1]!.toLowerCase()}${enumMatch[2]!}`;
  let t = trimmed.toLowerCase().replace(/\s+/g, ' ');
  t = t.replace(/ zerofill$/, '');
  if (!t.startsWith('tinyint(1)')) t = t.replace(INTEGER_WITH_WIDTH, '$1');
  t = t.replace(/^integer\b/, 'int');
  t = t.replace(/^(datetime|timestamp|time)\(0\)/, '$1');
  t = t.replace(/^year\(4\)/, 'year');
  t = t.replace(/^decimal\((\d+)\)$/, 'decimal($1,0)');
  t = t.replace(/^(decimal|numeric)\((\d+), ?(\d+)\)/, 'decimal($2,$3)');
  t = t.replace(/^bool(ean)?$/, 'tinyint(1)');
  return t;
}

/** Unquotes a MariaDB string literal ('it''s' → it's, backslash escapes too). */
function unquoteLiteral(literal: string): string {
  const inner = literal.slice(1, -1);
  return inner.replace(/''/g, "'").replace(/\\(.)/g, (_m, c: string) => {
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', Z: '\x1a' };
    return map[c] ?? c;
  });
}

function normalizeDefault(
  raw: string | null,
  extra: string,
  flavour: 'mariadb' | 'mysql',
): ColumnDefault | null {
  if (raw === null) return null;
  const value = String(raw);
  if (/^(current_timestamp|now)(\(\d*\))?$/i.test(value.trim())) return { kind: 'now' };
  if (flavour === 'mariadb') {
    // MariaDB ≥10.2.7 quotes literals, shows NULL as NULL and expressions as written.
    if (value === 'NULL') return null;
    if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      return { kind: 'value', value: unquoteLiteral(value) };
    }
    if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value)) return { kind: 'value', value };
    if (/^b'[01]*'$/i.test(value)) return { kind: 'value', value };
    return { kind: 'expression', sql: value };
  }
  // MySQL 8: literals unquoted; expression defaults are flagged DEFAULT_GENERATED in EXTRA.
  if (/default_generated/i.test(extra)) return { kind: 'expression', sql: value };
  return { kind: 'value', value };
}

function referentialAction(rule: string): ReferentialAction {
  const r = rule.toUpperCase();
  if (r === 'CASCADE' || r === 'RESTRICT' || r === 'NO ACTION' || r === 'SET NULL' || r === 'SET DEFAULT') return r;
  return 'NO ACTION';
}

/**
 * Reads a live database's structure from information_schema: tables (base tables only), columns
 * (normalised type, nullability, default, auto_increment), primary key, indexes with ordered columns
 * (direction and prefix length), foreign keys with their actions, and table collation.
 */
export async function describeDatabase(url: string, options: DescribeDatabaseOptions = {}): Promise<DatabaseSchema> {
  const schema = databaseNameOf(url);
  const ignore = new Set(options.ignoreTables ?? [MIGRATIONS_TABLE]);
  const conn = await openConnection(url, { useDatabase: false });
  try {
    const versionRows = (await conn.query('SELECT VERSION() AS v')) as { v: string }[];
    const flavour: 'mariadb' | 'mysql' = /mariadb/i.test(versionRows[0]?.v ?? '') ? 'mariadb' : 'mysql';

    const tableRows = (await conn.query(
      `SELECT TABLE_NAME AS table_name, TABLE_COLLATION AS table_collation
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
      [schema],
    )) as { table_name: string; table_collation: string | null }[];

    const columnRows = (await conn.query(
      `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type,
              DATA_TYPE AS data_type, IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default, EXTRA AS extra
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?
        ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [schema],
    )) as ColumnRow[];

    const statRows = (await conn.query(
      `SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique, SEQ_IN_INDEX AS seq_in_index,
              COLUMN_NAME AS column_name, COLLATION AS collation, SUB_PART AS sub_part, INDEX_TYPE AS index_type
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?
        ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      [schema],
    )) as StatRow[];

    const fkRows = (await conn.query(
      `SELECT k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS constraint_name, k.COLUMN_NAME AS column_name,
              k.REFERENCED_TABLE_NAME AS referenced_table_name, k.REFERENCED_COLUMN_NAME AS referenced_column_name,
              r.UPDATE_RULE AS update_rule, r.DELETE_RULE AS delete_rule
         FROM information_schema.KEY_COLUMN_USAGE k
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
        WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
        ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
      [schema],
    )) as FkRow[];

    // MariaDB's JSON is an alias of LONGTEXT with CHECK (json_valid(`col`)).
    const jsonColumns = new Set<string>();
    if (flavour === 'mariadb') {
      try {
        const checkRows = (await conn.query(
          `SELECT tc.TABLE_NAME AS table_name, cc.CHECK_CLAUSE AS check_clause
             FROM information_schema.TABLE_CONSTRAINTS tc
             JOIN information_schema.CHECK_CONSTRAINTS cc
               ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
              AND cc.TABLE_NAME = tc.TABLE_NAME
            WHERE tc.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE = 'CHECK'`,
          [schema],
        )) as { table_name: string; check_clause: string }[];
        for (const row of checkRows) {
          const m = /^\s*json_valid\(\s*`?([^`()]+)`?\s*\)\s*$/i.exec(row.check_clause);
          if (m?.[1]) jsonColumns.add(`${row.table_name}.${m[1]}`);
        }
      } catch {
        // information_schema.CHECK_CONSTRAINTS missing (old server): JSON columns read as longtext.
      }
    }

    const tables = new Map<string, TableSchema>();
    for (const row of tableRows) {
      if (ignore.has(row.table_name)) continue;
      tables.set(row.table_name, {
        name: row.table_name,
        columns: [],
        primaryKey: null,
        indexes: [],
        foreignKeys: [],
        collation: row.table_collation ?? null,
      });
    }

    for (const row of columnRows) {
      const table = tables.get(row.table_name);
      if (!table) continue;
      const extra = row.extra ?? '';
      let type = normalizeColumnType(row.column_type);
      if (type === 'longtext' && jsonColumns.has(`${row.table_name}.${row.column_name}`)) type = 'json';
      const column: ColumnSchema = {
        name: row.column_name,
        type,
        nullable: row.is_nullable === 'YES',
        default: normalizeDefault(row.column_default, extra, flavour),
        autoIncrement: /auto_increment/i.test(extra),
      };
      table.columns.push(column);
    }

    const indexes = new Map<string, IndexSchema & { table: string }>();
    for (const row of statRows) {
      const table = tables.get(row.table_name);
      if (!table) continue;
      if (row.index_name === 'PRIMARY') {
        table.primaryKey = [...(table.primaryKey ?? []), row.column_name ?? '?'];
        continue;
      }
      const key = `${row.table_name}\u0000${row.index_name}`;
      let index = indexes.get(key);
      if (!index) {
        index = {
          table: row.table_name,
          name: row.index_name,
          unique: Number(row.non_unique) === 0,
          kind: row.index_type.toUpperCase() === 'FULLTEXT' ? 'fulltext' : 'btree',
          columns: [],
        };
        indexes.set(key, index);
      }
      index.columns.push({
        name: row.column_name ?? '(expression)',
        order: row.collation === 'D' ? 'desc' : 'asc',
        length: row.sub_part === null || row.sub_part === undefined ? null : Number(row.sub_part),
      });
    }
    for (const { table: tableName, ...index } of indexes.values()) tables.get(tableName)?.indexes.push(index);

    const fks = new Map<string, ForeignKeySchema & { table: string }>();
    for (const row of fkRows) {
      if (!tables.has(row.table_name)) continue;
      const key = `${row.table_name}\u0000${row.constraint_name}`;
      let fk = fks.get(key);
      if (!fk) {
        fk = {
          table: row.table_name,
          name: row.constraint_name,
          columns: [],
          referencedTable: row.referenced_table_name,
          referencedColumns: [],
          onDelete: referentialAction(row.delete_rule),
          onUpdate: referentialAction(row.update_rule),
        };
        fks.set(key, fk);
      }
      fk.columns.push(row.column_name);
      fk.referencedColumns.push(row.referenced_column_name);
    }
    for (const { table: tableName, ...fk } of fks.values()) tables.get(tableName)?.foreignKeys.push(fk);

    const sorted = [...tables.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const t of sorted) {
      t.indexes.sort((a, b) => a.name.localeCompare(b.name));
      t.foreignKeys.sort((a, b) => a.name.localeCompare(b.name));
    }
    return { source: flavour, tables: sorted };
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
