/**
 * A migration runner compatible with `prisma migrate deploy` for MySQL/MariaDB: it applies the SQL
 * folders of Prisma's layout (`migrations/<name>/migration.sql`) in name order and keeps Prisma's
 * `_prisma_migrations` table exactly as Prisma does, so either tool can take over from the other.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from 'mariadb';
import { openConnection, quoteIdentifier } from './connection.js';
import { splitSqlStatements, type SqlStatement } from './sql-split.js';
import { databaseNameOf, redactUrl } from './url.js';

export const MIGRATIONS_TABLE = '_prisma_migrations';

/** Prisma's own definition of the table for MySQL. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS \`${MIGRATIONS_TABLE}\` (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

export interface MigrateLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface MigrateOptions {
  /** The database URL; the database is created when missing. */
  url: string;
  /** A Prisma migrations folder: `<name>/migration.sql` per migration. */
  migrationsDir: string;
  /** Progress messages (default: silent). `console` fits. */
  logger?: Partial<MigrateLogger>;
  /** How long to wait for another runner on the same database (default 60 s). */
  lockTimeoutSeconds?: number;
}

export type MigrationErrorCode =
  /** A migration's SQL failed now; its row stays with finished_at NULL and the logs. */
  | 'MIGRATION_FAILED'
  /** A failed migration is recorded from an earlier run; nothing is applied until it is resolved. */
  | 'FAILED_MIGRATION_RECORDED'
  /** An applied migration's migration.sql no longer matches its recorded checksum. */
  | 'CHECKSUM_MISMATCH'
  /** Another runner held the migration lock too long. */
  | 'LOCK_TIMEOUT'
  /** The migrations folder is unreadable or a script cannot be parsed. */
  | 'INVALID_MIGRATIONS';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    /** The migrations concerned. */
    readonly migrations: string[] = [],
  ) {
    super(message);
  }
}

export interface LocalMigration {
  /** Folder name, e.g. `20250101000000_init`. */
  name: string;
  /** Absolute path of its migration.sql. */
  sqlPath: string;
  /** The file's bytes. */
  script: Buffer;
  /** sha256 hex of the file's bytes, as Prisma records it. */
  checksum: string;
}

/** A row of `_prisma_migrations`. */
export interface MigrationRecord {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

/** The checksum Prisma stores for a migration script: sha256 of its bytes, lower-case hex. */
export function migrationChecksum(script: Buffer | string): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Whether a script matches a recorded checksum, as Prisma decides it: the file as it is, with CRLF
 * turned into LF or LF into CRLF (git may change line endings), and the legacy checksums written
 * without zero padding by old Prisma versions.
 */
export function scriptMatchesChecksum(script: Buffer | string, checksum: string): boolean {
  const text = typeof script === 'string' ? script : script.toString('utf8');
  const candidates = [
    typeof script === 'string' ? Buffer.from(script, 'utf8') : script,
    Buffer.from(text.replace(/\r\n/g, '\n'), 'utf8'),
    Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8'),
  ];
  return candidates.some((bytes) => {
    const digest = createHash('sha256').update(bytes).digest();
    if (checksum.length === 64) return digest.toString('hex') === checksum;
    return [...digest].map((b) => b.toString(16)).join('') === checksum;
  });
}

/** The migrations of a folder in the order they apply (by folder name). A missing folder has none. */
export function listMigrations(migrationsDir: string): LocalMigration[] {
  if (!existsSync(migrationsDir)) return [];
  let entries;
  try {
    entries = readdirSync(migrationsDir, { withFileTypes: true });
  } catch (error) {
    throw new MigrationError('INVALID_MIGRATIONS', `Cannot read ${migrationsDir}: ${String(error)}`);
  }
  const migrations: LocalMigration[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const sqlPath = path.join(migrationsDir, entry.name, 'migration.sql');
    if (!existsSync(sqlPath)) {
      throw new MigrationError(
        'INVALID_MIGRATIONS',
        `Migration folder ${entry.name} has no migration.sql (in ${migrationsDir})`,
        [entry.name],
      );
    }
    const script = readFileSync(sqlPath);
    migrations.push({ name: entry.name, sqlPath, script, checksum: migrationChecksum(script) });
  }
  return migrations.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The GET_LOCK name used for a database (MySQL caps lock names at 64 characters). */
export function migrationLockName(database: string): string {
  const name = `clinicult_migrate_${database}`;
  return name.length <= 64 ? name : `clinicult_migrate_${migrationChecksum(database).slice(0, 40)}`;
}

export interface MigrationState {
  /** Applied migrations (finished, not rolled back), in the order they were started. */
  applied: string[];
  /** Local migrations not applied yet, in the order they will apply. */
  pending: string[];
  /** Recorded as failed (finished_at and rolled_back_at NULL). */
  failed: { name: string; startedAt: Date; logs: string | null }[];
  /** Applied migrations whose local migration.sql changed since. */
  modified: string[];
  /** Applied migrations with no local folder. */
  missingLocally: string[];
}

function analyse(local: LocalMigration[], rows: MigrationRecord[]): MigrationState {
  const localByName = new Map(local.map((m) => [m.name, m]));
  const live = rows.filter((r) => r.rolled_back_at === null);
  const appliedRows = live.filter((r) => r.finished_at !== null);
  const appliedNames = new Set(appliedRows.map((r) => r.migration_name));
  const failedRows = live.filter((r) => r.finished_at === null);
  const modified = new Set<string>();
  const missing = new Set<string>();
  for (const row of appliedRows) {
    const file = localByName.get(row.migration_name);
    if (!file) missing.add(row.migration_name);
    else if (!scriptMatchesChecksum(file.script, row.checksum)) modified.add(row.migration_name);
  }
  const failedNames = new Set(failedRows.map((r) => r.migration_name));
  return {
    applied: [...new Set(appliedRows.map((r) => r.migration_name))],
    pending: local.filter((m) => !appliedNames.has(m.name) && !failedNames.has(m.name)).map((m) => m.name),
    failed: failedRows.map((r) => ({ name: r.migration_name, startedAt: r.started_at, logs: r.logs })),
    modified: [...modified],
    missingLocally: [...missing],
  };
}

async function readRecords(conn: Connection): Promise<MigrationRecord[]> {
  const rows = (await conn.query(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM \`${MIGRATIONS_TABLE}\` ORDER BY started_at ASC, migration_name ASC`,
  )) as MigrationRecord[];
  return rows.map((r) => ({ ...r, applied_steps_count: Number(r.applied_steps_count) }));
}

async function tableExists(conn: Connection, database: string, table: string): Promise<boolean> {
  const rows = (await conn.query(
    'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, table],
  )) as { n: number }[];
  return Number(rows[0]?.n ?? 0) > 0;
}

async function databaseExists(conn: Connection, database: string): Promise<boolean> {
  const rows = (await conn.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
    database,
  ])) as { n: number }[];
  return Number(rows[0]?.n ?? 0) > 0;
}

function describeFailure(failed: MigrationState['failed']): string {
  return failed
    .map((f) => {
      const firstLog = (f.logs ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
      return `  - ${f.name} (started ${f.startedAt.toISOString()})${firstLog ? `: ${firstLog}` : ''}`;
    })
    .join('\n');
}

const RESOLVE_HINT =
  'Repair the database by hand, then mark the migration rolled back (`node packages/db/dist/cli.js resolve <service> --rolled-back <migration>`, ' +
  'same as `prisma migrate resolve --rolled-back`) so it runs again, or `--applied` if you finished it by hand; a development database can be reset instead.';

async function withLock<T>(
  conn: Connection,
  database: string,
  timeoutSeconds: number,
  fn: () => Promise<T>,
): Promise<T> {
  const lockName = migrationLockName(database);
  const rows = (await conn.query('SELECT GET_LOCK(?, ?) AS got', [lockName, timeoutSeconds])) as {
    got: number | null;
  }[];
  if (Number(rows[0]?.got) !== 1) {
    throw new MigrationError(
      'LOCK_TIMEOUT',
      `Another migration runner held the lock ${lockName} for more than ${timeoutSeconds}s; nothing was applied to ${database}`,
    );
  }
  try {
    return await fn();
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?) AS released', [lockName]).catch(() => undefined);
  }
}

async function closeQuietly(conn: Connection): Promise<void> {
  try {
    await conn.end();
  } catch {
    conn.destroy();
  }
}

function sqlErrorText(error: unknown): { text: string; code: string } {
  const e = error as { sqlMessage?: string; errno?: number; code?: string; message?: string };
  const code = e.errno !== undefined ? `${e.errno}${e.code ? ` (${e.code})` : ''}` : (e.code ?? 'unknown');
  return { text: e.sqlMessage ?? e.message ?? String(error), code };
}

/**
 * Applies the pending migrations of `migrationsDir` to the database of `url` and returns the names
 * applied (in order; `[]` when up to date). Creates the database (utf8mb4_unicode_ci) and the
 * `_prisma_migrations` table when missing. Refuses (MigrationError) while a failed migration is
 * recorded or when an applied migration's file changed. Runners on the same database are serialised
 * with `GET_LOCK('clinicult_migrate_<db>')`, so concurrent starts apply each migration once.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const { url, migrationsDir, logger = {}, lockTimeoutSeconds = 60 } = options;
  const database = databaseNameOf(url);
  const local = listMigrations(migrationsDir);
  const parsed = new Map<string, SqlStatement[]>();
  for (const m of local) {
    try {
      parsed.set(m.name, splitSqlStatements(m.script.toString('utf8')));
    } catch (error) {
      throw new MigrationError(
        'INVALID_MIGRATIONS',
        `Cannot parse ${m.sqlPath}: ${error instanceof Error ? error.message : String(error)}`,
        [m.name],
      );
    }
  }

  const conn = await openConnection(url, { useDatabase: false });
  try {
    return await withLock(conn, database, lockTimeoutSeconds, async () => {
      const db = quoteIdentifier(database);
      await conn.query(`CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await conn.query(`USE ${db}`);
      await conn.query(CREATE_MIGRATIONS_TABLE);
      const state = analyse(local, await readRecords(conn));

      if (state.failed.length > 0) {
        throw new MigrationError(
          'FAILED_MIGRATION_RECORDED',
          `Found failed migrations in ${database}; new migrations will not be applied:\n` +
            `${describeFailure(state.failed)}\n${RESOLVE_HINT}`,
          state.failed.map((f) => f.name),
        );
      }
      if (state.modified.length > 0) {
        throw new MigrationError(
          'CHECKSUM_MISMATCH',
          `Applied migrations were modified after they were applied to ${database} (checksum of migration.sql differs): ` +
            `${state.modified.join(', ')}. Never edit an applied migration: restore the file and add a new migration.`,
          state.modified,
        );
      }
      for (const name of state.missingLocally) {
        logger.warn?.(`${database}: migration ${name} is applied in the database but missing from ${migrationsDir}`);
      }

      const applied: string[] = [];
      const byName = new Map(local.map((m) => [m.name, m]));
      for (const name of state.pending) {
        const migration = byName.get(name)!;
        const statements = parsed.get(name) ?? [];
        const id = randomUUID();
        await conn.query(
          `INSERT INTO \`${MIGRATIONS_TABLE}\` (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, ?, UTC_TIMESTAMP(3), 0)`,
          [id, migration.checksum, name],
        );
        for (const [index, statement] of statements.entries()) {
          try {
            await conn.query(statement.sql);
          } catch (error) {
            const { text, code } = sqlErrorText(error);
            const where = `statement ${index + 1} of ${statements.length} (migration.sql line ${statement.line})`;
            const logs =
              `Migration \`${name}\` failed at ${where}.\n\nDatabase error code: ${code}\n\nDatabase error:\n${text}\n\n` +
              `Statement:\n${statement.sql}\n`;
            await conn
              .query(`UPDATE \`${MIGRATIONS_TABLE}\` SET logs = ? WHERE id = ?`, [logs, id])
              .catch(() => undefined);
            throw new MigrationError(
              'MIGRATION_FAILED',
              `Migration ${name} failed on ${database} at ${where}: ${text}\n` +
                `It is recorded as failed in ${MIGRATIONS_TABLE}; statements before it stay applied (MySQL DDL is not transactional). ${RESOLVE_HINT}`,
              [name],
            );
          }
        }
        await conn.query(
          `UPDATE \`${MIGRATIONS_TABLE}\` SET finished_at = UTC_TIMESTAMP(3), applied_steps_count = 1 WHERE id = ?`,
          [id],
        );
        applied.push(name);
        logger.info?.(`${database}: applied ${name}`);
      }
      return applied;
    });
  } finally {
    await closeQuietly(conn);
  }
}

/** Where a database stands against a migrations folder, without changing anything. */
export async function migrationStatus(options: { url: string; migrationsDir: string }): Promise<MigrationState> {
  const database = databaseNameOf(options.url);
  const local = listMigrations(options.migrationsDir);
  const conn = await openConnection(options.url, { useDatabase: false });
  try {
    const hasTable =
      (await databaseExists(conn, database)) && (await tableExists(conn, database, MIGRATIONS_TABLE));
    if (!hasTable) return analyse(local, []);
    await conn.query(`USE ${quoteIdentifier(database)}`);
    return analyse(local, await readRecords(conn));
  } finally {
    await closeQuietly(conn);
  }
}

export interface ResolveOptions {
  url: string;
  migrationsDir: string;
  migration: string;
  /**
   * `rolled-back`: a failed migration is marked rolled back, so the next run applies it again.
   * `applied`: the migration counts as applied without running it (after finishing it by hand).
   */
  as: 'rolled-back' | 'applied';
  lockTimeoutSeconds?: number;
}

/** The equivalent of `prisma migrate resolve --rolled-back|--applied <migration>`. */
export async function resolveMigration(options: ResolveOptions): Promise<void> {
  const { url, migrationsDir, migration, as, lockTimeoutSeconds = 60 } = options;
  const database = databaseNameOf(url);
  const local = listMigrations(migrationsDir).find((m) => m.name === migration);
  const conn = await openConnection(url, { useDatabase: false });
  try {
    await withLock(conn, database, lockTimeoutSeconds, async () => {
      if (!(await databaseExists(conn, database))) throw new Error(`Database ${database} does not exist`);
      await conn.query(`USE ${quoteIdentifier(database)}`);
      await conn.query(CREATE_MIGRATIONS_TABLE);
      const state = analyse(local ? [local] : [], await readRecords(conn));
      const isFailed = state.failed.some((f) => f.name === migration);
      if (as === 'rolled-back') {
        if (!isFailed) {
          throw new Error(`Migration ${migration} is not in a failed state in ${database}; nothing to roll back`);
        }
        await conn.query(
          `UPDATE \`${MIGRATIONS_TABLE}\` SET rolled_back_at = UTC_TIMESTAMP(3)
            WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL`,
          [migration],
        );
        return;
      }
      if (!local) throw new Error(`Migration ${migration} is not in ${migrationsDir}`);
      if (state.applied.includes(migration)) throw new Error(`Migration ${migration} is already applied to ${database}`);
      await conn.query(
        `UPDATE \`${MIGRATIONS_TABLE}\` SET rolled_back_at = UTC_TIMESTAMP(3)
          WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL`,
        [migration],
      );
      await conn.query(
        `INSERT INTO \`${MIGRATIONS_TABLE}\` (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES (?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), 0)`,
        [randomUUID(), local.checksum, migration],
      );
    });
  } finally {
    await closeQuietly(conn);
  }
}

/** Creates the URL's database when missing (utf8mb4_unicode_ci). */
export async function createDatabase(url: string): Promise<void> {
  const conn = await openConnection(url, { useDatabase: false });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(databaseNameOf(url))} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await closeQuietly(conn);
  }
}

/** Drops the URL's database if it exists. */
export async function dropDatabase(url: string): Promise<void> {
  const conn = await openConnection(url, { useDatabase: false });
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(databaseNameOf(url))}`);
  } finally {
    await closeQuietly(conn);
  }
}

/** Drops the database and migrates it again from scratch. Refuses when NODE_ENV=production. */
export async function resetDatabase(
  options: MigrateOptions & { env?: NodeJS.ProcessEnv },
): Promise<string[]> {
  const env = options.env ?? process.env;
  if (env.NODE_ENV === 'production') {
    throw new Error(`Refusing to reset ${redactUrl(options.url)}: NODE_ENV is production`);
  }
  await dropDatabase(options.url);
  return migrate(options);
}
