import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mysqlQuery } from '../connection.js';
import { migrate } from '../migrate.js';
import { SchemaMismatchError, assertMigratedMatchesSchema, checkMigratedSchema } from '../testing.js';
import { databaseUrlFor } from '../url.js';
import { FIXTURE_MIGRATIONS, FIXTURE_SCHEMA, INIT, Scratch, editFile } from '../__tests__/helpers.js';
import { compareSchema } from './compare.js';
import { describeDatabase } from './describe-database.js';
import { describePrismaSchema } from './describe-prisma.js';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

const SERVICE = 'dbfixture';

async function throwawayDatabases(): Promise<string[]> {
  const rows = await mysqlQuery<{ name: string }>(
    databaseUrlFor(SERVICE).replace(/\/[^/]*$/, '/information_schema'),
    "SELECT SCHEMA_NAME AS name FROM SCHEMATA WHERE SCHEMA_NAME LIKE 'ct\\_dbfixture\\_%'",
  );
  return rows.map((r) => r.name);
}

describe('schema check: migrated database vs schema.prisma', () => {
  it('passes for migrations that match the schema, and drops its throwaway database', async () => {
    const before = await throwawayDatabases();
    expect(
      await checkMigratedSchema({ service: SERVICE, schemaPath: FIXTURE_SCHEMA, migrationsDir: FIXTURE_MIGRATIONS }),
    ).toEqual([]);
    await assertMigratedMatchesSchema({ service: SERVICE, schemaPath: FIXTURE_SCHEMA, migrationsDir: FIXTURE_MIGRATIONS });
    expect(await throwawayDatabases()).toEqual(before);
  });

  it('reads MariaDB/MySQL quirks into the same shape as schema.prisma', async () => {
    const url = scratch.url('describe');
    await migrate({ url, migrationsDir: FIXTURE_MIGRATIONS });
    const actual = await describeDatabase(url);
    expect(['mariadb', 'mysql']).toContain(actual.source);
    expect(actual.tables.map((t) => t.name)).not.toContain('_prisma_migrations');
    const patients = actual.tables.find((t) => t.name === 'patients')!;
    const col = (name: string) => patients.columns.find((c) => c.name === name)!;
    expect(col('extra').type).toBe('json'); // MariaDB: longtext + CHECK (json_valid(`extra`))
    expect(col('created_at').default).toEqual({ kind: 'now' }); // current_timestamp(3) / CURRENT_TIMESTAMP(3)
    expect(col('status').default).toEqual({ kind: 'value', value: 'ACTIVE' });
    expect(col('visit_count').type).toBe('int'); // int(11) on MariaDB
    expect(col('email').default).toBeNull(); // MariaDB's 'NULL'
    const referrals = actual.tables.find((t) => t.name === 'referrals')!;
    // InnoDB's implicit index for the foreign key shows up in the database…
    expect(referrals.indexes.map((i) => i.name)).toEqual(['referrals_patient_fk']);
    // …and is not reported as a difference.
    expect(compareSchema(await describePrismaSchema(FIXTURE_SCHEMA), actual)).toEqual([]);
  });

  it('reports a migration that omits an index', async () => {
    const copy = scratch.fixtureCopy();
    editFile(
      path.join(copy.migrationsDir, INIT, 'migration.sql'),
      "    INDEX `patients_clinic_id_created_at_idx`(`clinic_id`, `created_at` DESC),\n",
      '',
    );
    const expected = 'patients: index `patients_clinic_id_created_at_idx` (clinic_id, created_at DESC) is missing in the database';
    expect(await checkMigratedSchema({ service: SERVICE, ...copy })).toEqual([expected]);
    const error = await assertMigratedMatchesSchema({ service: SERVICE, ...copy }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as SchemaMismatchError).differences).toEqual([expected]);
    expect((error as Error).message).toContain(`(1 difference):\n  - ${expected}`);
  });

  it('reports a column that is nullable on one side and required on the other', async () => {
    const copy = scratch.fixtureCopy();
    const init = path.join(copy.migrationsDir, INIT, 'migration.sql');
    editFile(init, '`email` VARCHAR(191) NULL,', '`email` VARCHAR(191) NOT NULL,');
    editFile(init, '`mrn` VARCHAR(32) NOT NULL,', '`mrn` VARCHAR(32) NULL,');
    expect(await checkMigratedSchema({ service: SERVICE, ...copy })).toEqual([
      'patients.mrn: column is NULL in the database but required (NOT NULL) in schema.prisma',
      'patients.email: column is NOT NULL in the database but optional (NULL) in schema.prisma',
    ]);
  });

  it('reports types, defaults, foreign-key actions, names, missing columns and stray tables', async () => {
    const copy = scratch.fixtureCopy();
    const drift = path.join(copy.migrationsDir, '20250103000000_drift');
    mkdirSync(drift);
    writeFileSync(
      path.join(drift, 'migration.sql'),
      [
        'ALTER TABLE `clinics` MODIFY `name` VARCHAR(100) NOT NULL;',
        "ALTER TABLE `clinics` ALTER COLUMN `time_zone` SET DEFAULT 'Europe/Paris';",
        'ALTER TABLE `patient_tags` DROP FOREIGN KEY `patient_tags_patient_id_fkey`;',
        'ALTER TABLE `patient_tags` ADD CONSTRAINT `patient_tags_patient_id_fkey` FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;',
        'ALTER TABLE `specialties` RENAME INDEX `specialties_name_key` TO `specialties_name_unique`;',
        'ALTER TABLE `referrals` DROP COLUMN `score`;',
        'CREATE TABLE `stray` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;',
        '',
      ].join('\n'),
    );
    expect(await checkMigratedSchema({ service: SERVICE, ...copy })).toEqual([
      'clinics.name: type is varchar(100) in the database, expected varchar(200)',
      "clinics.time_zone: DEFAULT 'Europe/Paris' in the database, expected DEFAULT 'UTC'",
      'patient_tags: foreign key `patient_tags_patient_id_fkey` (patient_id) → patients(id) is ON DELETE RESTRICT in the database, expected ON DELETE CASCADE',
      'referrals.score: column is missing in the database (expected double NULL)',
      "specialties: unique index `specialties_name_unique` (name) should be named `specialties_name_key` (as in schema.prisma / Prisma's default)",
      'stray: table exists in the database but not in schema.prisma',
    ]);
  });

  it('reports a schema.prisma change that has no migration yet', async () => {
    const copy = scratch.fixtureCopy();
    editFile(copy.schemaPath, '  notes       String?       @db.Text\n', '  notes       String?       @db.Text\n  phone       String?       @db.VarChar(40)\n');
    editFile(copy.schemaPath, '  @@map("clinics")', '  @@index([name])\n  @@map("clinics")');
    expect(await checkMigratedSchema({ service: SERVICE, ...copy })).toEqual([
      'clinics: index `clinics_name_idx` (name) is missing in the database',
      'patients.phone: column is missing in the database (expected varchar(40) NULL)',
    ]);
  });
});
