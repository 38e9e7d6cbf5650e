/** One description shape for both sides of the schema check: the database and schema.prisma. */

export type ColumnDefault =
  /** CURRENT_TIMESTAMP(n) — Prisma's `@default(now())`. */
  | { kind: 'now' }
  /** A literal, as MySQL stores it (booleans as '0'/'1', enums by their database value). */
  | { kind: 'value'; value: string }
  /** Any other expression — Prisma's `@default(dbgenerated("…"))`. */
  | { kind: 'expression'; sql: string };

export interface ColumnSchema {
  name: string;
  /**
   * Normalised MySQL column type, lower-case: `varchar(191)`, `int`, `int unsigned`, `bigint`,
   * `tinyint(1)`, `datetime(3)`, `date`, `text`, `longtext`, `json`, `decimal(10,2)`, `double`,
   * `enum('A','B')`… Integer display widths are dropped except `tinyint(1)`; MariaDB's JSON alias
   * (longtext + json_valid CHECK) reads as `json`.
   */
  type: string;
  nullable: boolean;
  /** `null`: no default (a NULL default counts as none). */
  default: ColumnDefault | null;
  autoIncrement: boolean;
}

export interface IndexColumn {
  name: string;
  order: 'asc' | 'desc';
  /** Prefix length (`@@index([title(length: 10)])`), or null. */
  length: number | null;
}

export interface IndexSchema {
  name: string;
  unique: boolean;
  kind: 'btree' | 'fulltext';
  columns: IndexColumn[];
}

export type ReferentialAction = 'CASCADE' | 'RESTRICT' | 'NO ACTION' | 'SET NULL' | 'SET DEFAULT';

export interface ForeignKeySchema {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface TableSchema {
  name: string;
  columns: ColumnSchema[];
  /** Primary key columns in order, or null when the table has none. */
  primaryKey: string[] | null;
  /** Indexes other than the primary key. */
  indexes: IndexSchema[];
  foreignKeys: ForeignKeySchema[];
  /** Table collation (`utf8mb4_unicode_ci`); null when unknown or not prescribed. */
  collation: string | null;
}

export interface DatabaseSchema {
  /** Where the description came from: `mariadb`/`mysql` (a live database) or `prisma` (schema.prisma). */
  source: 'mariadb' | 'mysql' | 'prisma';
  tables: TableSchema[];
}
