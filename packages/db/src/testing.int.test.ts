import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mysqlExecute, mysqlQuery } from './connection.js';
import { createTestDatabase } from './testing.js';
import { databaseUrlFor } from './url.js';
import { FIXTURE_MIGRATIONS, INIT, SECOND, Scratch } from './__tests__/helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

const exists = async (name: string) =>
  (
    await mysqlQuery(databaseUrlFor('dbfixture').replace(/\/[^/]*$/, '/information_schema'), 'SELECT 1 FROM SCHEMATA WHERE SCHEMA_NAME = ?', [name])
  ).length === 1;

describe('createTestDatabase', () => {
  it('creates a uniquely named migrated database and drops it', async () => {
    const a = await createTestDatabase('dbfixture', { migrate: true, migrationsDir: FIXTURE_MIGRATIONS });
    const b = await createTestDatabase('dbfixture', { migrationsDir: FIXTURE_MIGRATIONS });
    try {
      expect(a.name).toMatch(/^ct_dbfixture_[0-9a-f]{8}$/);
      expect(a.name).not.toBe(b.name);
      expect(a.url).toBe(`mysql://root@127.0.0.1:3306/${a.name}`);
      expect(a.applied).toEqual([INIT, SECOND]);
      await mysqlExecute(a.url, "INSERT INTO clinics (id, name) VALUES ('c1', 'North')");
      const [{ n }] = (await mysqlQuery<{ n: number }>(a.url, 'SELECT COUNT(*) AS n FROM clinics')) as [{ n: number }];
      expect(n).toBe(1); // COUNT(*) comes back as a number, not a BigInt
      expect(await mysqlQuery(b.url, 'SELECT * FROM clinics')).toEqual([]); // isolated
      const [clinic] = await mysqlQuery<{ name: string; created_at: Date; time_zone: string }>(
        a.url,
        'SELECT name, created_at, time_zone FROM clinics WHERE id = ?',
        ['c1'],
      );
      expect(clinic).toMatchObject({ name: 'North', time_zone: 'UTC' });
      expect(clinic!.created_at).toBeInstanceOf(Date);
    } finally {
      await a.drop();
      await b.drop();
      await a.drop(); // twice is fine
    }
    expect(await exists(a.name)).toBe(false);
    expect(await exists(b.name)).toBe(false);
  });

  it('can create an empty database', async () => {
    const db = await createTestDatabase('dbfixture', { migrate: false });
    try {
      expect(db.applied).toEqual([]);
      expect(await mysqlQuery(db.url, 'SHOW TABLES')).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('drops the database again when its migrations fail', async () => {
    const dir = scratch.tempDir();
    mkdirSync(path.join(dir, '20250101000000_bad'));
    writeFileSync(path.join(dir, '20250101000000_bad', 'migration.sql'), 'CREATE TABLE broken (;\n');
    const before = await mysqlQuery<{ name: string }>(
      databaseUrlFor('dbfixture').replace(/\/[^/]*$/, '/information_schema'),
      "SELECT SCHEMA_NAME AS name FROM SCHEMATA WHERE SCHEMA_NAME LIKE 'ct\\_dbfixture\\_%'",
    );
    await expect(createTestDatabase('dbfixture', { migrationsDir: dir })).rejects.toThrow(/20250101000000_bad failed/);
    const after = await mysqlQuery<{ name: string }>(
      databaseUrlFor('dbfixture').replace(/\/[^/]*$/, '/information_schema'),
      "SELECT SCHEMA_NAME AS name FROM SCHEMATA WHERE SCHEMA_NAME LIKE 'ct\\_dbfixture\\_%'",
    );
    expect(after).toEqual(before);
  });
});
