import { readFileSync } from 'node:fs';
import { foreignKeyName, nonUniqueIndexName, uniqueIndexName } from './naming.js';
import type {
  ColumnDefault,
  ColumnSchema,
  DatabaseSchema,
  ForeignKeySchema,
  IndexSchema,
  ReferentialAction,
  TableSchema,
} from './types.js';

/* The subset of Prisma's DMMF (datamodel part) read here. */
interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  hasDefaultValue: boolean;
  default?: unknown;
  isUpdatedAt?: boolean;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
}
interface DmmfEnum {
  name: string;
  values: { name: string; dbName: string | null }[];
  dbName?: string | null;
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: { name: string; sortOrder?: 'asc' | 'desc'; length?: number }[];
}
interface DmmfDatamodel {
  enums: DmmfEnum[];
  models: DmmfModel[];
  indexes?: DmmfIndex[];
}
type GetDmmf = (options: { datamodel: string }) => Promise<{ datamodel: DmmfDatamodel }>;

let getDmmfPromise: Promise<GetDmmf> | undefined;

/** Loads `getDMMF` from @prisma/internals lazily (a CommonJS package; large, so only when needed). */
function loadGetDmmf(): Promise<GetDmmf> {
  getDmmfPromise ??= import('@prisma/internals').then((mod) => {
    const m = mod as unknown as { getDMMF?: GetDmmf; default?: { getDMMF?: GetDmmf } };
    const fn = m.getDMMF ?? m.default?.getDMMF;
    if (typeof fn !== 'function') throw new Error('@prisma/internals does not export getDMMF');
    return fn;
  });
  return getDmmfPromise;
}

export interface DescribePrismaOptions {
  /** Collation expected for every table (Prisma's migrations use utf8mb4_unicode_ci); null: not checked. */
  collation?: string | null;
}

/** Reads a Prisma schema file and derives the MySQL structure `prisma migrate` would create for it. */
export async function describePrismaSchema(
  schemaPath: string,
  options: DescribePrismaOptions = {},
): Promise<DatabaseSchema> {
  return describePrismaSchemaText(readFileSync(schemaPath, 'utf8'), options);
}

/** As `describePrismaSchema`, from the schema's text. */
export async function describePrismaSchemaText(
  text: string,
  options: DescribePrismaOptions = {},
): Promise<DatabaseSchema> {
  const getDMMF = await loadGetDmmf();
  const { datamodel } = await getDMMF({ datamodel: text });
  return schemaFromDatamodel(datamodel, text, options.collation === undefined ? 'utf8mb4_unicode_ci' : options.collation);
}

const ACTIONS: Record<string, ReferentialAction> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

function quoteSqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function nativeColumnType(native: string, args: string[]): string {
  const [a0, a1] = args;
  switch (native) {
    case 'VarChar':
      return `varchar(${a0})`;
    case 'Char':
      return `char(${a0})`;
    case 'TinyText':
    case 'Text':
    case 'MediumText':
    case 'LongText':
    case 'TinyBlob':
    case 'Blob':
    case 'MediumBlob':
    case 'LongBlob':
    case 'Date':
    case 'Double':
    case 'Float':
    case 'Json':
    case 'Year':
    case 'SmallInt':
    case 'MediumInt':
    case 'BigInt':
      return native.toLowerCase();
    case 'Int':
      return 'int';
    case 'UnsignedInt':
      return 'int unsigned';
    case 'UnsignedSmallInt':
      return 'smallint unsigned';
    case 'UnsignedMediumInt':
      return 'mediumint unsigned';
    case 'UnsignedBigInt':
      return 'bigint unsigned';
    case 'UnsignedTinyInt':
      return 'tinyint unsigned';
    case 'TinyInt':
      return a0 === '1' ? 'tinyint(1)' : 'tinyint';
    case 'Decimal':
      return a0 === undefined ? 'decimal(10,0)' : `decimal(${a0},${a1 ?? '0'})`;
    case 'DateTime':
    case 'Timestamp':
    case 'Time': {
      const base = native.toLowerCase();
      return a0 === undefined || a0 === '0' ? base : `${base}(${a0})`;
    }
    case 'Bit':
      return `bit(${a0 ?? '1'})`;
    case 'Binary':
      return `binary(${a0 ?? '1'})`;
    case 'VarBinary':
      return `varbinary(${a0})`;
    default:
      return `${native.toLowerCase()}${args.length ? `(${args.join(',')})` : ''}`;
  }
}

const DEFAULT_TYPES: Record<string, string> = {
  String: 'varchar(191)',
  Boolean: 'tinyint(1)',
  Int: 'int',
  BigInt: 'bigint',
  Float: 'double',
  Decimal: 'decimal(65,30)',
  DateTime: 'datetime(3)',
  Json: 'json',
  Bytes: 'longblob',
};

function columnType(field: DmmfField, enums: Map<string, DmmfEnum>): string {
  if (field.kind === 'enum') {
    const e = enums.get(field.type);
    if (!e) throw new Error(`Unknown enum ${field.type}`);
    return `enum(${e.values.map((v) => quoteSqlString(v.dbName ?? v.name)).join(',')})`;
  }
  if (field.nativeType) return nativeColumnType(field.nativeType[0], field.nativeType[1] ?? []);
  const t = DEFAULT_TYPES[field.type];
  if (!t) throw new Error(`Field ${field.name}: unsupported Prisma type ${field.type}`);
  return t;
}

function formatDateLiteral(value: string, type: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (type === 'date') return iso.slice(0, 10);
  const precision = Number(/\((\d)\)/.exec(type)?.[1] ?? 0);
  const base = iso.slice(0, 19).replace('T', ' ');
  return precision > 0 ? `${base}.${iso.slice(20, 23).padEnd(precision, '0').slice(0, precision)}` : base;
}

function columnDefault(
  field: DmmfField,
  type: string,
  enums: Map<string, DmmfEnum>,
): { default: ColumnDefault | null; autoIncrement: boolean } {
  if (!field.hasDefaultValue || field.default === undefined || field.default === null) {
    return { default: null, autoIncrement: false };
  }
  const d = field.default;
  if (typeof d === 'object' && !Array.isArray(d) && 'name' in d) {
    const fn = d as { name: string; args?: unknown[] };
    switch (fn.name) {
      case 'autoincrement':
        return { default: null, autoIncrement: true };
      case 'now':
        return { default: { kind: 'now' }, autoIncrement: false };
      case 'dbgenerated': {
        const sql = fn.args?.[0];
        return { default: typeof sql === 'string' ? { kind: 'expression', sql } : null, autoIncrement: false };
      }
      default:
        // uuid(), cuid(), nanoid(), ulid(): generated by the client, no database default.
        return { default: null, autoIncrement: false };
    }
  }
  if (field.kind === 'enum') {
    const value = enums.get(field.type)?.values.find((v) => v.name === d);
    return { default: { kind: 'value', value: value?.dbName ?? String(d) }, autoIncrement: false };
  }
  if (typeof d === 'boolean') return { default: { kind: 'value', value: d ? '1' : '0' }, autoIncrement: false };
  if (field.type === 'DateTime' && typeof d === 'string') {
    return { default: { kind: 'value', value: formatDateLiteral(d, type) }, autoIncrement: false };
  }
  return { default: { kind: 'value', value: typeof d === 'string' ? d : JSON.stringify(d) }, autoIncrement: false };
}

/** `map:` names of `@relation(...)` attributes, by `Model.field` (DMMF leaves them out). */
export function relationConstraintNames(text: string): Map<string, string> {
  const names = new Map<string, string>();
  const lines = text.split(/\r?\n/).map(stripLineComment);
  let model: string | null = null;
  for (const line of lines) {
    if (model === null) {
      const m = /^\s*model\s+(\w+)\s*\{/.exec(line);
      if (m?.[1]) model = m[1];
      continue;
    }
    if (/^\s*\}\s*$/.test(line)) {
      model = null;
      continue;
    }
    const field = /^\s*(\w+)\s+\S+/.exec(line);
    const at = line.indexOf('@relation(');
    if (!field?.[1] || at < 0) continue;
    const args = balancedArgs(line, at + '@relation'.length);
    const map = /\bmap\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(args);
    if (map?.[1] !== undefined) names.set(`${model}.${field[1]}`, map[1]);
  }
  return names;
}

function stripLineComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) {
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** The text inside the parentheses that open at `open` (respecting strings). */
function balancedArgs(line: string, open: number): string {
  let depth = 0;
  let inString = false;
  for (let i = open; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return line.slice(open + 1, i);
  }
  return line.slice(open + 1);
}

function schemaFromDatamodel(datamodel: DmmfDatamodel, text: string, collation: string | null): DatabaseSchema {
  if (!datamodel.indexes) throw new Error('This version of getDMMF gives no datamodel.indexes; update @prisma/internals');
  const relationModePrisma = /^\s*relationMode\s*=\s*"prisma"/m.test(text);
  const relationMaps = relationConstraintNames(text);
  const enums = new Map(datamodel.enums.map((e) => [e.name, e]));
  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableName = (m: DmmfModel) => m.dbName ?? m.name;
  const fieldOf = (m: DmmfModel, name: string): DmmfField => {
    const f = m.fields.find((x) => x.name === name);
    if (!f) throw new Error(`Model ${m.name} has no field ${name}`);
    return f;
  };
  const columnName = (m: DmmfModel, name: string) => {
    const f = fieldOf(m, name);
    return f.dbName ?? f.name;
  };

  const tables: TableSchema[] = [];
  for (const model of datamodel.models) {
    const table = tableName(model);
    const columns: ColumnSchema[] = [];
    for (const field of model.fields) {
      if (field.kind !== 'scalar' && field.kind !== 'enum') continue;
      if (field.isList) throw new Error(`${model.name}.${field.name}: scalar lists are not supported on MySQL`);
      const type = columnType(field, enums);
      const { default: def, autoIncrement } = columnDefault(field, type, enums);
      columns.push({ name: field.dbName ?? field.name, type, nullable: !field.isRequired, default: def, autoIncrement });
    }

    let primaryKey: string[] | null = null;
    const indexes: IndexSchema[] = [];
    for (const idx of datamodel.indexes.filter((i) => i.model === model.name)) {
      const cols = idx.fields.map((f) => columnName(model, f.name));
      if (idx.type === 'id') {
        primaryKey = cols;
        continue;
      }
      const unique = idx.type === 'unique';
      const kind = idx.type === 'fulltext' ? 'fulltext' : 'btree';
      indexes.push({
        name: idx.dbName ?? (unique ? uniqueIndexName(table, cols) : nonUniqueIndexName(table, cols)),
        unique,
        kind,
        columns: idx.fields.map((f) => ({
          name: columnName(model, f.name),
          order: kind === 'fulltext' ? 'asc' : (f.sortOrder ?? 'asc'),
          length: f.length ?? null,
        })),
      });
    }

    const foreignKeys: ForeignKeySchema[] = [];
    if (!relationModePrisma) {
      for (const field of model.fields) {
        if (field.kind !== 'object' || !field.relationFromFields?.length) continue;
        const target = models.get(field.type);
        if (!target) throw new Error(`${model.name}.${field.name}: unknown model ${field.type}`);
        const cols = field.relationFromFields.map((f) => columnName(model, f));
        const optional = field.relationFromFields.some((f) => !fieldOf(model, f).isRequired);
        foreignKeys.push({
          name: relationMaps.get(`${model.name}.${field.name}`) ?? foreignKeyName(table, cols),
          columns: cols,
          referencedTable: tableName(target),
          referencedColumns: (field.relationToFields ?? []).map((f) => columnName(target, f)),
          onDelete: ACTIONS[field.relationOnDelete ?? ''] ?? (optional ? 'SET NULL' : 'RESTRICT'),
          onUpdate: ACTIONS[field.relationOnUpdate ?? ''] ?? 'CASCADE',
        });
      }
    }

    tables.push({ name: table, columns, primaryKey, indexes, foreignKeys, collation });
  }

  // Implicit many-to-many relations: a join table `_<relation>` with columns A and B.
  const relationSides = new Map<string, { model: DmmfModel; field: DmmfField }[]>();
  for (const model of datamodel.models) {
    for (const field of model.fields) {
      if (field.kind !== 'object' || !field.relationName) continue;
      const sides = relationSides.get(field.relationName) ?? [];
      sides.push({ model, field });
      relationSides.set(field.relationName, sides);
    }
  }
  for (const [relation, sides] of relationSides) {
    if (sides.length !== 2 || !sides.every((s) => s.field.isList && !s.field.relationFromFields?.length)) continue;
    const [first, second] = [...sides].sort((a, b) => (a.model.name < b.model.name ? -1 : a.model.name > b.model.name ? 1 : 0));
    const sideColumn = (side: { model: DmmfModel } | undefined, name: 'A' | 'B'): ColumnSchema & { ref: { table: string; column: string } } => {
      const target = side!.model;
      const idFields = target.fields.filter((f) => f.isId);
      if (idFields.length !== 1) throw new Error(`Implicit many-to-many ${relation}: ${target.name} needs a single-field @id`);
      const id = idFields[0]!;
      return {
        name,
        type: columnType(id, enums),
        nullable: false,
        default: null,
        autoIncrement: false,
        ref: { table: tableName(target), column: id.dbName ?? id.name },
      };
    };
    const a = sideColumn(first, 'A');
    const b = sideColumn(second, 'B');
    const join = `_${relation}`;
    tables.push({
      name: join,
      columns: [a, b].map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, default: c.default, autoIncrement: c.autoIncrement })),
      primaryKey: null,
      indexes: [
        {
          name: `${join}_AB_unique`,
          unique: true,
          kind: 'btree',
          columns: [
            { name: 'A', order: 'asc', length: null },
            { name: 'B', order: 'asc', length: null },
          ],
        },
        { name: `${join}_B_index`, unique: false, kind: 'btree', columns: [{ name: 'B', order: 'asc', length: null }] },
      ],
      foreignKeys: relationModePrisma
        ? []
        : [a, b].map((c) => ({
            name: `${join}_${c.name}_fkey`,
            columns: [c.name],
            referencedTable: c.ref.table,
            referencedColumns: [c.ref.column],
            onDelete: 'CASCADE' as const,
            onUpdate: 'CASCADE' as const,
          })),
      collation,
    });
  }

  tables.sort((x, y) => x.name.localeCompare(y.name));
  for (const t of tables) {
    t.indexes.sort((a, b) => a.name.localeCompare(b.name));
    t.foreignKeys.sort((a, b) => a.name.localeCompare(b.name));
  }
  return { source: 'prisma', tables };
}
