import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mysqlQuery, openConnection } from './connection.js';
import {
  MigrationError,
  migrate,
  migrationLockName,
  migrationStatus,
  resolveMigration,
  scriptMatchesChecksum,
} from './migrate.js';
import { databaseNameOf } from './url.js';
import { FIXTURE_MIGRATIONS, INIT, SECOND, Scratch, editFile } from './__tests__/helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

interface Row {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}
const rows = (url: string) =>
  mysqlQuery<Row>(url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name, started_at');

async function expectMigrationError(promise: Promise<unknown>, code: string): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MigrationError);
  expect((error as MigrationError).code).toBe(code);
  return error as MigrationError;
}

describe('migrate', () => {
  it('creates the database, applies every migration in order and records Prisma rows', async () => {
    const url = scratch.url('fresh');
    const messages: string[] = [];
    const applied = await migrate({
      url,
      migrationsDir: FIXTURE_MIGRATIONS,
      logger: { info: (m) => messages.push(m) },
    });
    expect(applied).toEqual([INIT, SECOND]);
    expect(messages).toEqual([expect.stringContaining(`applied ${INIT}`), expect.stringContaining(`applied ${SECOND}`)]);

    const recorded = await rows(url);
    expect(recorded.map((r) => r.migration_name)).toEqual([INIT, SECOND]);
    for (const row of recorded) {
      expect(row.checksum).toBe(sha256(path.join(FIXTURE_MIGRATIONS, row.migration_name, 'migration.sql')));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(Math.abs(row.started_at.getTime() - Date.now())).toBeLessThan(60_000); // stored in UTC
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }

    // The table is Prisma's, column for column.
    const columns = await mysqlQuery<{ name: string; type: string; nullable: string; dflt: string | null; key: string }>(
      url,
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, COLUMN_KEY AS \`key\`
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_prisma_migrations'
        ORDER BY ORDINAL_POSITION`,
    );
    expect(columns.map((c) => [c.name, c.type.replace(/^int\(\d+\)/, 'int'), c.nullable])).toEqual([
      ['id', 'varchar(36)', 'NO'],
      ['checksum', 'varchar(64)', 'NO'],
      ['finished_at', 'datetime(3)', 'YES'],
      ['migration_name', 'varchar(255)', 'NO'],
      ['logs', 'text', 'YES'],
      ['rolled_back_at', 'datetime(3)', 'YES'],
      ['started_at', 'datetime(3)', 'NO'],
      ['applied_steps_count', 'int unsigned', 'NO'],
    ]);
    expect(columns[0]!.key).toBe('PRI');
    expect(columns[6]!.dflt).toMatch(/current_timestamp\(3\)/i);

    const [db] = await mysqlQuery<{ charset: string; collation: string }>(
      url,
      `SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation
         FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`,
      [databaseNameOf(url)],
    );
    expect(db).toEqual({ charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' });

    // The statement splitter kept literals with ';' and quotes intact.
    const names = await mysqlQuery<{ name: string }>(url, 'SELECT name FROM specialties ORDER BY id');
    expect(names.map((n) => n.name)).toEqual(['General; family medicine', 'O\'Brien "quoted" clinic']);

    // Up to date: a second run applies nothing and records nothing.
    expect(await migrate({ url, migrationsDir: FIXTURE_MIGRATIONS })).toEqual([]);
    expect(await rows(url)).toHaveLength(2);
    const status = await migrationStatus({ url, migrationsDir: FIXTURE_MIGRATIONS });
    expect(status).toEqual({ applied: [INIT, SECOND], pending: [], failed: [], modified: [], missingLocally: [] });
  });

  it('applies only the new migrations on a later run', async () => {
    const url = scratch.url('later');
    const copy = scratch.fixtureCopy();
    const later = path.join(copy.migrationsDir, SECOND);
    const moved = scratch.tempDir();
    mkdirSync(path.join(moved, SECOND));
    writeFileSync(path.join(moved, SECOND, 'migration.sql'), readFileSync(path.join(later, 'migration.sql')));
    editFile(path.join(later, 'migration.sql'), /[\s\S]*/, '-- placeholder\n');
    // First only INIT exists…
    const onlyInit = scratch.tempDir();
    mkdirSync(path.join(onlyInit, INIT));
    writeFileSync(path.join(onlyInit, INIT, 'migration.sql'), readFileSync(path.join(FIXTURE_MIGRATIONS, INIT, 'migration.sql')));
    expect(await migrate({ url, migrationsDir: onlyInit })).toEqual([INIT]);
    expect((await migrationStatus({ url, migrationsDir: FIXTURE_MIGRATIONS })).pending).toEqual([SECOND]);
    // …then the full folder brings the second one.
    expect(await migrate({ url, migrationsDir: FIXTURE_MIGRATIONS })).toEqual([SECOND]);
    expect((await rows(url)).map((r) => r.migration_name)).toEqual([INIT, SECOND]);
  });

  it('refuses to continue when an applied migration file changed, but accepts CRLF line endings', async () => {
    const url = scratch.url('checksum');
    const copy = scratch.fixtureCopy();
    expect(await migrate({ url, migrationsDir: copy.migrationsDir })).toEqual([INIT, SECOND]);

    const initSql = path.join(copy.migrationsDir, INIT, 'migration.sql');
    const original = readFileSync(initSql, 'utf8');
    writeFileSync(initSql, original.replace(/\n/g, '\r\n')); // git autocrlf: same migration
    expect(await migrate({ url, migrationsDir: copy.migrationsDir })).toEqual([]);

    writeFileSync(initSql, original.replace('DEFAULT \'UTC\'', "DEFAULT 'Europe/Paris'"));
    mkdirSync(path.join(copy.migrationsDir, '20250103000000_more'));
    writeFileSync(path.join(copy.migrationsDir, '20250103000000_more', 'migration.sql'), 'CREATE TABLE `more` (`id` INT NOT NULL PRIMARY KEY);\n');
    const error = await expectMigrationError(migrate({ url, migrationsDir: copy.migrationsDir }), 'CHECKSUM_MISMATCH');
    expect(error.migrations).toEqual([INIT]);
    expect(error.message).toContain(INIT);
    expect(error.message).toMatch(/modified after they were applied/);
    // Nothing new was applied.
    expect(await rows(url)).toHaveLength(2);
    expect((await migrationStatus({ url, migrationsDir: copy.migrationsDir })).modified).toEqual([INIT]);
  });

  it('records a failing migration, reports it clearly and blocks later runs until resolved', async () => {
    const url = scratch.url('failing');
    const dir = scratch.tempDir();
    const init = path.join(dir, '20250101000000_init');
    const bad = path.join(dir, '20250102000000_bad');
    const after = path.join(dir, '20250103000000_after');
    for (const d of [init, bad, after]) mkdirSync(d);
    writeFileSync(path.join(init, 'migration.sql'), 'CREATE TABLE `t1` (`id` INT NOT NULL, PRIMARY KEY (`id`));\n');
    writeFileSync(
      path.join(bad, 'migration.sql'),
      '-- first statement works\nCREATE TABLE IF NOT EXISTS `t2` (`id` INT NOT NULL PRIMARY KEY);\n\n-- second fails\nALTER TABLE `nope` ADD COLUMN `x` INT;\n',
    );
    writeFileSync(path.join(after, 'migration.sql'), 'CREATE TABLE `t3` (`id` INT NOT NULL PRIMARY KEY);\n');

    const failure = await expectMigrationError(migrate({ url, migrationsDir: dir }), 'MIGRATION_FAILED');
    expect(failure.migrations).toEqual(['20250102000000_bad']);
    expect(failure.message).toMatch(/Migration 20250102000000_bad failed on ct_dbtest_failing_\w+ at statement 2 of 2 \(migration\.sql line 5\)/);
    expect(failure.message).toMatch(/nope/);

    const recorded = await rows(url);
    expect(recorded.map((r) => [r.migration_name, r.finished_at === null, r.applied_steps_count])).toEqual([
      ['20250101000000_init', false, 1],
      ['20250102000000_bad', true, 0],
    ]);
    const failedRow = recorded[1]!;
    expect(failedRow.logs).toMatch(/Database error code: 1146/);
    expect(failedRow.logs).toMatch(/ALTER TABLE `nope` ADD COLUMN `x` INT/);
    expect(failedRow.checksum).toBe(sha256(path.join(bad, 'migration.sql')));

    // A later run refuses, even once the file is fixed, until the failure is resolved.
    writeFileSync(
      path.join(bad, 'migration.sql'),
      'CREATE TABLE IF NOT EXISTS `t2` (`id` INT NOT NULL PRIMARY KEY);\nALTER TABLE `t2` ADD COLUMN `x` INT;\n',
    );
    const blocked = await expectMigrationError(migrate({ url, migrationsDir: dir }), 'FAILED_MIGRATION_RECORDED');
    expect(blocked.migrations).toEqual(['20250102000000_bad']);
    expect(blocked.message).toMatch(/20250102000000_bad \(started .*\): Migration `20250102000000_bad` failed at statement 2/);
    expect((await migrationStatus({ url, migrationsDir: dir })).failed.map((f) => f.name)).toEqual([
      '20250102000000_bad',
    ]);
    const tables = await mysqlQuery<{ n: number }>(
      url,
      "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't3'",
    );
    expect(tables[0]!.n).toBe(0);

    // Resolving it as rolled back lets the fixed migration and the next one run.
    await expect(
      resolveMigration({ url, migrationsDir: dir, migration: '20250101000000_init', as: 'rolled-back' }),
    ).rejects.toThrow(/not in a failed state/);
    await resolveMigration({ url, migrationsDir: dir, migration: '20250102000000_bad', as: 'rolled-back' });
    expect(await migrate({ url, migrationsDir: dir })).toEqual(['20250102000000_bad', '20250103000000_after']);
    const final = await rows(url);
    expect(final.filter((r) => r.migration_name === '20250102000000_bad').map((r) => [r.rolled_back_at !== null, r.finished_at !== null])).toEqual(
      expect.arrayContaining([
        [true, false],
        [false, true],
      ]),
    );
  });

  it('lets two concurrent runners apply each migration once', async () => {
    const url = scratch.url('concurrent');
    const results = await Promise.all([
      migrate({ url, migrationsDir: FIXTURE_MIGRATIONS }),
      migrate({ url, migrationsDir: FIXTURE_MIGRATIONS }),
      migrate({ url, migrationsDir: FIXTURE_MIGRATIONS }),
    ]);
    expect(results.flat().sort()).toEqual([INIT, SECOND]);
    expect(results.filter((r) => r.length === 0)).toHaveLength(2);
    expect((await rows(url)).map((r) => r.migration_name)).toEqual([INIT, SECOND]);
  });

  it('gives up with LOCK_TIMEOUT while another runner holds the lock', async () => {
    const url = scratch.url('locked');
    const holder = await openConnection(url, { useDatabase: false });
    try {
      await holder.query('SELECT GET_LOCK(?, 5)', [migrationLockName(databaseNameOf(url))]);
      await expectMigrationError(
        migrate({ url, migrationsDir: FIXTURE_MIGRATIONS, lockTimeoutSeconds: 1 }),
        'LOCK_TIMEOUT',
      );
    } finally {
      await holder.end();
    }
    expect(await migrate({ url, migrationsDir: FIXTURE_MIGRATIONS })).toEqual([INIT, SECOND]);
  });

  it('refuses a script it cannot parse before touching the database', async () => {
    const url = scratch.url('unparsable');
    const dir = scratch.tempDir();
    mkdirSync(path.join(dir, '20250101000000_bad_quote'));
    writeFileSync(path.join(dir, '20250101000000_bad_quote', 'migration.sql'), "INSERT INTO t VALUES ('oops);\n");
    const error = await expectMigrationError(migrate({ url, migrationsDir: dir }), 'INVALID_MIGRATIONS');
    expect(error.message).toMatch(/unterminated ' quote/);
    const dbs = await mysqlQuery(url.replace(/\/[^/]*$/, '/information_schema'), 'SELECT 1 FROM SCHEMATA WHERE SCHEMA_NAME = ?', [
      databaseNameOf(url),
    ]);
    expect(dbs).toHaveLength(0);
  });

  it('creates an empty database with the migrations table when there is no migrations folder', async () => {
    const url = scratch.url('empty');
    expect(await migrate({ url, migrationsDir: path.join(scratch.tempDir(), 'missing') })).toEqual([]);
    expect(await rows(url)).toEqual([]);
  });
});

describe('scriptMatchesChecksum', () => {
  it('accepts the file, its CRLF/LF twin and legacy unpadded checksums', () => {
    const script = 'CREATE TABLE x (id INT);\nSELECT 1;\n';
    const digest = createHash('sha256').update(script).digest();
    expect(scriptMatchesChecksum(script, digest.toString('hex'))).toBe(true);
    expect(scriptMatchesChecksum(script.replace(/\n/g, '\r\n'), digest.toString('hex'))).toBe(true);
    expect(scriptMatchesChecksum(script, [...digest].map((b) => b.toString(16)).join(''))).toBe(true);
    expect(scriptMatchesChecksum(script + ' ', digest.toString('hex'))).toBe(false);
  });
});
