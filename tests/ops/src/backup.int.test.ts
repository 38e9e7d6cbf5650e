// npm run db:backup / db:restore (scripts/backup.mjs, scripts/restore.mjs) against seven databases of
// the test's own (clinicult_bktest_<random>_<service>, never the real clinicult_*), migrated by the
// real runner and reached as a user of the test's own whose password needs quoting: seed, back up,
// wipe, restore, and the same rows — patients, visits, the audit trail — read back, with audit's
// append-only triggers in force again. Uses the local MariaDB (DESIGN.md: root without password).
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DATABASE_SERVICES, hasCommand, root, run } from './repo.js';

const suffix = randomBytes(3).toString('hex');
const dbName = (service: string) => `clinicult_bktest_${suffix}_${service}`;
const NAMES = DATABASE_SERVICES.map(dbName);
const USER = `bktest_${suffix}`;
// quotes, a backslash, a hash (a comment in an option file), a space and a semicolon
const PASSWORD = `b"k\\p #'w ${suffix};`;

// The server the test administers (creates the user, seeds, wipes): where auth's database lives by default.
const admin = new URL(process.env.DATABASE_URL_AUTH?.trim() || 'mysql://root@127.0.0.1:3306/clinicult_auth');
const adminHost = admin.hostname || '127.0.0.1';
const adminPort = admin.port || '3306';
const clientBinary = hasCommand('mariadb') ? 'mariadb' : 'mysql';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'clinicult-bktest-'));
const tmpDir = path.join(scratch, 'tmp'); // TMPDIR of the scripts: their option files must be gone afterwards
const backupFile = path.join(scratch, 'clinicult.sql.gz');

/** The scripts' environment: the seven test databases, as the test user. */
function scriptEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmpDir, BACKUP_DATABASE_URL: '' };
  for (const service of DATABASE_SERVICES) {
    env[`DATABASE_URL_${service.toUpperCase()}`] =
      `mysql://${USER}:${encodeURIComponent(PASSWORD)}@${adminHost}:${adminPort}/${dbName(service)}`;
  }
  return { ...env, ...extra };
}

const sqlString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** Runs SQL as the administrating user; rows as tab-separated fields (batch mode). */
function sql(statements: string, options: { allowError?: boolean } = {}): { rows: string[][]; status: number | null; stderr: string } {
  const result = spawnSync(
    clientBinary,
    ['--protocol=TCP', '-h', adminHost, '-P', adminPort, '-u', decodeURIComponent(admin.username || 'root'), '--batch', '--skip-column-names', '--default-character-set=utf8mb4'],
    { input: statements, encoding: 'utf8', env: { ...process.env, MYSQL_PWD: decodeURIComponent(admin.password) }, timeout: 30_000 },
  );
  if (result.status !== 0 && !options.allowError) throw new Error(`SQL failed: ${result.stderr}\n${statements.slice(0, 500)}`);
  const rows = result.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  return { rows, status: result.status, stderr: result.stderr };
}

/** Every row of every base table of the seven databases, sorted: { 'db.table': rows }. */
function readAll(): Record<string, string[][]> {
  const tables = sql(
    `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (${NAMES.map(sqlString).join(', ')}) AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1, 2`,
  ).rows;
  const all: Record<string, string[][]> = {};
  for (const [schema, table] of tables) {
    const rows = sql(`SELECT * FROM \`${schema}\`.\`${table}\``).rows;
    all[`${schema}.${table}`] = rows.sort((a, b) => (a.join('\t') < b.join('\t') ? -1 : 1));
  }
  return all;
}

const existingTestDatabases = () =>
  sql(`SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${NAMES.map(sqlString).join(', ')}) ORDER BY 1`).rows.map((r) => r[0]);

function dropTestDatabases(): void {
  sql(NAMES.map((name) => `DROP DATABASE IF EXISTS \`${name}\`;`).join('\n'));
}

const CLINIC = 'c0ffee00-0000-4000-8000-00000000b001';
const P1 = 'a0000000-0000-4000-8000-000000000001';
const P2 = 'a0000000-0000-4000-8000-000000000002';
const P3 = 'a0000000-0000-4000-8000-000000000003';
const DOCTOR = 'd0000000-0000-4000-8000-000000000001';
const NURSE = 'd0000000-0000-4000-8000-000000000002';
const V1 = 'b0000000-0000-4000-8000-000000000001';
const V2 = 'b0000000-0000-4000-8000-000000000002';
const V3 = 'b0000000-0000-4000-8000-000000000003';

/** A clinic, its patients (one in a visit now), finished visits with vitals and diagnoses, audit events. */
function seed(): void {
  const db = (service: string) => `\`${dbName(service)}\``;
  sql(`
    INSERT INTO ${db('clinic')}.ClinicSettings (clinicId, address, phone, openingHours, visitReasons, createdAt, updatedAt)
      VALUES ('${CLINIC}', 'Calle Mayor 1, Madrid', '+34 600 000 001', '{"mon":[["09:00","17:00"]]}', '["check-up","fever"]',
              '2027-01-02 08:00:00.125', '2027-01-02 08:00:00.125');

    INSERT INTO ${db('patients')}.Patient (id, clinicId, mrn, nationalId, givenName, familyName, birthDate, gender, phone, phoneDigits,
        email, address, allergies, chronicConditions, currentMedications, medicalNotes, version, createdBy, createdAt, updatedAt) VALUES
      ('${P1}', '${CLINIC}', 'MRN-000001', 'X1234567L', 'José', 'Núñez', '1980-02-29', 'MALE', '+34 611 22 33 44', '34611223344',
       'jose@example.org', '{"city":"Madrid","line":"Calle Sol 2"}', '["penicillin"]', '["asthma"]', '[{"name":"salbutamol","dose":"100 µg"}]',
       'Line one\\nline two\\ttabbed, a backslash \\\\ and O''Brien''s quote', 3, '${NURSE}', '2027-01-02 09:00:00.001', '2027-01-05 10:30:00.999'),
      ('${P2}', '${CLINIC}', 'MRN-000002', NULL, 'Zoë', '李', '1975-12-31', 'FEMALE', NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, 1, '${NURSE}', '2027-01-03 09:00:00.000', '2027-01-03 09:00:00.000'),
      ('${P3}', '${CLINIC}', 'MRN-000003', NULL, 'Ana', 'García', '2019-06-15', 'UNKNOWN', '600000003', '600000003',
       NULL, NULL, '[]', NULL, NULL, 'Paediatric', 1, '${NURSE}', '2027-01-04 09:00:00.000', '2027-01-04 09:00:00.000');
    INSERT INTO ${db('patients')}.MrnCounter (clinicId, lastValue) VALUES ('${CLINIC}', 3);
    INSERT INTO ${db('patients')}.CurrentVisit (id, clinicId, patientId, state, reason, checkedInBy, nurseId, vitals, diagnoses, timeline,
        version, checkedInAt, stateChangedAt, updatedAt) VALUES
      ('${V3}', '${CLINIC}', '${P3}', 'TRIAGE', 'fever', '${NURSE}', '${NURSE}', '{"temperatureC":38.6,"heartRate":112,"weightKg":18.2}', NULL,
       '[{"state":"WAITING","at":"2027-01-06T08:00:00.000Z"},{"state":"TRIAGE","at":"2027-01-06T08:10:00.000Z"}]',
       2, '2027-01-06 08:00:00.000', '2027-01-06 08:10:00.000', '2027-01-06 08:10:00.000');

    INSERT INTO ${db('visits')}.HistoricVisit (id, clinicId, patientId, status, reason, cancelReason, checkedInBy, nurseId, doctorId, finishedBy,
        checkedInAt, finishedAt, localDate, timeZone, timeline, vitals, notes, diagnoses, prescriptions, version, snapshotVersion, snapshot,
        archivedAt, searchText) VALUES
      ('${V1}', '${CLINIC}', '${P1}', 'FINISHED', 'cough for a week', NULL, '${NURSE}', '${NURSE}', '${DOCTOR}', '${DOCTOR}',
       '2027-01-05 09:00:00.000', '2027-01-05 09:40:00.500', '2027-01-05', 'Europe/Madrid', '[{"state":"CHECKOUT","at":"2027-01-05T09:40:00.500Z"}]',
       '{"systolic":128,"diastolic":84,"heartRate":88,"temperatureC":37.9,"spo2":96}', 'Acute bronchitis; rest and fluids.',
       '[{"code":"J20.9","description":"Acute bronchitis, unspecified"},{"code":"R05","description":"Cough"}]',
       '[{"drug":"ibuprofen","dose":"400 mg","frequency":"every 8 h"}]', 5, 1, '{"visit":"${V1}","v":5}', '2027-01-05 09:40:01.000',
       'cough for a week acute bronchitis'),
      ('${V2}', '${CLINIC}', '${P2}', 'CANCELLED', 'check-up', 'patient left', '${NURSE}', NULL, NULL, '${NURSE}',
       '2027-01-05 11:00:00.000', '2027-01-05 11:05:00.000', '2027-01-05', 'Europe/Madrid', '[]', NULL, NULL, NULL, NULL, 1, 1,
       '{"visit":"${V2}","v":1}', '2027-01-05 11:05:00.100', 'check-up');
    INSERT INTO ${db('visits')}.VisitDiagnosis (visitId, clinicId, code, finishedAt) VALUES
      ('${V1}', '${CLINIC}', 'J20.9', '2027-01-05 09:40:00.500'), ('${V1}', '${CLINIC}', 'R05', '2027-01-05 09:40:00.500');
    INSERT INTO ${db('visits')}.VisitAddendum (id, visitId, clinicId, text, byUserId, createdAt) VALUES
      ('e0000000-0000-4000-8000-000000000001', '${V1}', '${CLINIC}', 'Chest X-ray normal.', '${DOCTOR}', '2027-01-06 12:00:00.000');

    INSERT INTO ${db('audit')}.AuditEvent (id, clinicId, actorId, actorKind, action, patientId, targetUserId, fields, api, service, requestId,
        details, occurredAt, recordedAt) VALUES
      ('f0000000-0000-4000-8000-000000000001', '${CLINIC}', '${NURSE}', 'staff', 'patient.create', '${P1}', NULL, '["givenName","familyName","allergies"]',
       'graphql', 'patients', 'req-1', NULL, '2027-01-02 09:00:00.001', '2027-01-02 09:00:00.010'),
      ('f0000000-0000-4000-8000-000000000002', '${CLINIC}', '${DOCTOR}', 'staff', 'patient.read.medical', '${P1}', NULL, '["allergies","medicalNotes"]',
       'fhir', 'patients', 'req-2', '{"source":"cache","note":"Núñez"}', '2027-01-05 09:05:00.000', '2027-01-05 09:05:00.020'),
      ('f0000000-0000-4000-8000-000000000003', '${CLINIC}', '${DOCTOR}', 'staff', 'visit.finish', '${P1}', NULL, '["diagnoses","prescriptions"]',
       'graphql', 'visits', 'req-3', NULL, '2027-01-05 09:40:00.500', '2027-01-05 09:40:00.600'),
      ('f0000000-0000-4000-8000-000000000004', NULL, 'operator-1', 'operator', 'membership.changed', NULL, '${NURSE}', NULL,
       'graphql', 'admin', 'req-4', '{"role":"NURSE"}', '2027-01-01 12:00:00.000', '2027-01-01 12:00:00.003');
  `);
}

/** A write after the backup: a patient and an audit event (which, append-only, no DELETE can remove). */
function writeAfterBackup(tag: string): void {
  sql(`
    INSERT INTO \`${dbName('patients')}\`.Patient (id, clinicId, mrn, givenName, familyName, birthDate, version, createdAt, updatedAt)
      VALUES (UUID(), '${CLINIC}', 'MRN-${tag}', 'After', 'Backup', '2000-01-01', 1, NOW(3), NOW(3));
    INSERT INTO \`${dbName('audit')}\`.AuditEvent (id, clinicId, actorId, actorKind, action, patientId, api, service, requestId, occurredAt)
      VALUES (UUID(), '${CLINIC}', '${NURSE}', 'staff', 'patient.create.${tag}', NULL, 'graphql', 'patients', 'req-${tag}', NOW(3));
  `);
}

function expectTmpClean(): void {
  expect(readdirSync(tmpDir)).toEqual([]);
}

function expectNoSecrets(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
  }
}

const backup = (args: string[], env = scriptEnv()) => run(process.execPath, ['scripts/backup.mjs', ...args], env);
const restore = (args: string[], env = scriptEnv()) => run(process.execPath, ['scripts/restore.mjs', ...args], env);

/** The state before the backup, which every restore must bring back exactly. */
let seeded: Record<string, string[][]>;

beforeAll(() => {
  mkdirSync(tmpDir);
  dropTestDatabases();
  sql(`
    DROP USER IF EXISTS '${USER}'@'%';
    CREATE USER '${USER}'@'%' IDENTIFIED BY ${sqlString(PASSWORD)};
    GRANT ALL PRIVILEGES ON \`clinicult\\_bktest\\_${suffix}\\_%\`.* TO '${USER}'@'%';
  `);
  // the real migration runner, as the test user (so the audit triggers' definer is that user)
  const migrated = run(process.execPath, ['packages/db/dist/cli.js', 'migrate'], scriptEnv());
  expect(migrated.stderr).toBe('');
  expect(migrated.status).toBe(0);
  expect(existingTestDatabases()).toEqual([...NAMES].sort());
  seed();
  seeded = readAll();
}, 60_000);

afterAll(() => {
  dropTestDatabases();
  sql(`DROP USER IF EXISTS '${USER}'@'%';`, { allowError: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('npm run db:backup / db:restore', () => {
  test('the seed is in place (so that equal row sets below mean something)', () => {
    expect(seeded[`${dbName('patients')}.Patient`]).toHaveLength(3);
    expect(seeded[`${dbName('patients')}.CurrentVisit`]).toHaveLength(1);
    expect(seeded[`${dbName('visits')}.HistoricVisit`]).toHaveLength(2);
    expect(seeded[`${dbName('visits')}.VisitDiagnosis`]).toHaveLength(2);
    expect(seeded[`${dbName('audit')}.AuditEvent`]).toHaveLength(4);
    expect(seeded[`${dbName('clinic')}.ClinicSettings`]).toHaveLength(1);
    for (const name of NAMES) expect(seeded[`${name}._prisma_migrations`]!.length).toBeGreaterThan(0);
  });

  test('backup writes one gzip snapshot of the seven databases, a manifest, its size and sha256', () => {
    const result = backup(['--out', backupFile]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const bytes = readFileSync(backupFile);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(result.stdout).toContain(`Backup written: ${backupFile}`);
    expect(result.stdout).toContain(`sha256  ${sha256}`);
    expect(result.stdout).toContain(`(${bytes.length} bytes, gzip)`);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);

    const manifest = JSON.parse(readFileSync(`${backupFile}.json`, 'utf8')) as {
      sha256: string;
      bytes: number;
      server: { version: string };
      tool: { arguments: string[] };
      databases: { service: string; name: string; migrations: string[]; triggers: string[]; tables: string[] }[];
    };
    expect(manifest.sha256).toBe(sha256);
    expect(manifest.bytes).toBe(bytes.length);
    expect(manifest.server.version).toMatch(/\d+\.\d+/);
    expect(manifest.tool.arguments).toEqual(expect.arrayContaining(['--single-transaction', '--routines', '--triggers', '--events', '--hex-blob']));
    expect(manifest.tool.arguments.slice(-8)).toEqual(['--databases', ...NAMES]);
    expect(manifest.databases.map((d) => [d.service, d.name])).toEqual(DATABASE_SERVICES.map((s) => [s, dbName(s)]));
    for (const db of manifest.databases) {
      // every migration of prisma/<service>/migrations, as the runner applied them
      const local = readdirSync(path.join(root, 'prisma', db.service, 'migrations'), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      expect(db.migrations).toEqual(local);
    }
    expect(manifest.databases.find((d) => d.service === 'audit')!.triggers).toEqual(['AuditEvent.AuditEvent_no_delete', 'AuditEvent.AuditEvent_no_update']);

    // one dump of all seven, in one transaction; the audit triggers inside; complete
    const dump = gunzipSync(bytes).toString('utf8');
    for (const name of NAMES) expect(dump).toContain(`CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`${name}\``);
    expect(dump).toMatch(/CREATE\*\/ \/\*!50017 DEFINER=[^*]*\*\/ \/\*!50003 TRIGGER `AuditEvent_no_update`/);
    expect(dump).toContain('Núñez');
    expect(dump.trimEnd()).toMatch(/-- Dump completed on .*$/);
    expectNoSecrets(result.stdout, result.stderr, readFileSync(`${backupFile}.json`, 'utf8'), dump.slice(0, 2000));
    expectTmpClean();
  });

  test('restore without --yes verifies the file, lists what it would drop, and changes nothing', () => {
    writeAfterBackup('A');
    const before = readAll();
    expect(before).not.toEqual(seeded);
    const result = restore([backupFile]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('ok: ');
    for (const name of NAMES) expect(result.stdout).toContain(`DROP DATABASE ${name} (exists:`);
    expect(result.stderr).toContain('Run again with --yes');
    expect(readAll()).toEqual(before);
    expectTmpClean();
  });

  test('a corrupted, truncated or unverifiable file is refused before anything is dropped', () => {
    const before = readAll();
    const bytes = readFileSync(backupFile);
    const manifest = readFileSync(`${backupFile}.json`, 'utf8');
    const variant = (name: string, content: Buffer, manifestText: string | null) => {
      const file = path.join(scratch, name);
      writeFileSync(file, content);
      if (manifestText !== null) writeFileSync(`${file}.json`, manifestText);
      return file;
    };
    const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0xff;
    const refitted = JSON.stringify({
      ...JSON.parse(manifest),
      bytes: truncated.length,
      sha256: createHash('sha256').update(truncated).digest('hex'),
    });
    const cases: [string, string, RegExp][] = [
      ['truncated', variant('truncated.sql.gz', truncated, manifest), /bytes, the manifest says[\s\S]*sha256 \(checksum\)/],
      ['one byte changed', variant('flipped.sql.gz', flipped, manifest), /sha256 \(checksum\) is [0-9a-f]{64}, the manifest says/],
      ['truncated, manifest made to match', variant('refitted.sql.gz', truncated, refitted), /not a complete gzip stream/],
      ['no manifest', variant('orphan.sql.gz', bytes, null), /no manifest/],
    ];
    for (const [, file, reason] of cases) {
      const result = restore([file, '--yes']);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(reason);
      expect(result.stderr).toContain('Nothing was dropped');
      expect(result.stdout).not.toContain('dropped');
    }
    expect(readAll()).toEqual(before);
    expectTmpClean();
  });

  test('wipe, restore: the same patients, visits and audit trail read back, append-only again', () => {
    dropTestDatabases();
    expect(existingTestDatabases()).toEqual([]);

    const result = restore([backupFile, '--yes']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Restore complete');
    expect(result.stdout).toMatch(new RegExp(`${dbName('patients')}: \\d+ rows in 7 tables[\\s\\S]*Patient 3`));
    expect(result.stdout).toMatch(new RegExp(`${dbName('audit')}: \\d+ rows in 2 tables, 2 triggers[\\s\\S]*AuditEvent 4`));
    expectNoSecrets(result.stdout, result.stderr);
    expectTmpClean();

    // every row of every table, byte for byte as seeded (the write after the backup is gone)
    expect(readAll()).toEqual(seeded);

    // the audit trail is append-only again: its triggers are back and refuse UPDATE and DELETE
    const triggers = sql(
      `SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${dbName('audit')}' ORDER BY 1`,
    ).rows;
    expect(triggers).toEqual([
      ['AuditEvent_no_delete', 'BEFORE', 'DELETE'],
      ['AuditEvent_no_update', 'BEFORE', 'UPDATE'],
    ]);
    const update = sql(`UPDATE \`${dbName('audit')}\`.AuditEvent SET action = 'tampered' WHERE id = 'f0000000-0000-4000-8000-000000000002';`, { allowError: true });
    expect(update.status).not.toBe(0);
    expect(update.stderr).toContain('AuditEvent is append-only: rows cannot be updated');
    const del = sql(`DELETE FROM \`${dbName('audit')}\`.AuditEvent;`, { allowError: true });
    expect(del.stderr).toContain('AuditEvent is append-only: rows cannot be deleted');
    expect(readAll()).toEqual(seeded);

    // the migration runner sees its own history: every service up to date, checksums intact
    const status = run(process.execPath, ['packages/db/dist/cli.js', 'status'], scriptEnv());
    expect(status.stderr).toBe('');
    expect(status.status).toBe(0);
    expect(status.stdout.trim().split('\n')).toHaveLength(7);
    expect(status.stdout).not.toMatch(/[1-9]\d* pending/);
  });

  test('restore over live data replaces it, rows the audit triggers would never let go included', () => {
    writeAfterBackup('B');
    expect(readAll()).not.toEqual(seeded);
    const result = restore([backupFile, '--yes']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readAll()).toEqual(seeded);
  });

  test('without mariadb-dump and mariadb on PATH it uses mysqldump and mysql; no credentials on any command line', () => {
    const real = (names: string[]) => {
      for (const name of names) {
        for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
          const file = path.join(dir, name);
          if (dir && existsSync(file)) return file;
        }
      }
      throw new Error(`none of ${names.join(', ')} on PATH`);
    };
    const bin = path.join(scratch, 'bin');
    const log = path.join(scratch, 'log');
    mkdirSync(bin);
    mkdirSync(log);
    // wrappers that record their arguments and the option file's mode, then run the real tool
    for (const [name, target] of [
      ['mysqldump', real(['mariadb-dump', 'mysqldump'])],
      ['mysql', real(['mariadb', 'mysql'])],
    ] as const) {
      const wrapper = path.join(bin, name);
      writeFileSync(
        wrapper,
        `#!/bin/sh
PATH=/usr/bin:/bin
printf '%s %s\\n' "${name}" "$*" >> "$BKTEST_LOG/args"
case "$1" in --defaults-extra-file=*)
  f="\${1#--defaults-extra-file=}"
  stat -c %a "$f" >> "$BKTEST_LOG/modes"
  grep -c '^password=' "$f" >> "$BKTEST_LOG/password-lines";;
esac
exec "${target}" "$@"
`,
      );
      chmodSync(wrapper, 0o755);
    }
    const env = scriptEnv({ PATH: bin, BKTEST_LOG: log });
    const backupsDir = path.join(root, 'var', 'backups');
    const created = [path.join(root, 'var'), backupsDir].filter((dir) => !existsSync(dir));
    const result = backup([], env); // no --out: var/backups/clinicult-<UTC>.sql.gz
    const written = /^Backup written: (.*)$/m.exec(result.stdout)?.[1];
    try {
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('with mysqldump');
      expect(path.dirname(written!)).toBe(backupsDir);
      expect(path.basename(written!)).toMatch(/^clinicult-\d{8}T\d{6}Z\.sql\.gz$/);
      expect(run('git', ['check-ignore', '-q', path.relative(root, written!)]).status).toBe(0);
      expect(existsSync(`${written}.json`)).toBe(true);

      // and the mysql client for a dry-run restore of it
      const dryRun = restore([written!], env);
      expect(dryRun.status).toBe(1);
      expect(dryRun.stderr).toContain('--yes');
    } finally {
      if (written) {
        rmSync(written, { force: true });
        rmSync(`${written}.json`, { force: true });
      }
      for (const dir of created.reverse()) {
        try {
          rmdirSync(dir); // only when empty: never what others keep there
        } catch {}
      }
    }

    const args = readFileSync(path.join(log, 'args'), 'utf8').trim().split('\n');
    expect(args.some((l) => l.startsWith('mysqldump --defaults-extra-file=') && l.includes('--single-transaction'))).toBe(true);
    expect(args.some((l) => l.startsWith('mysql --defaults-extra-file='))).toBe(true);
    expectNoSecrets(args.join('\n'), result.stdout);
    expect(args.join('\n')).not.toMatch(/--password|\s-p/);
    // every client run got its credentials from an option file of mode 0600, holding the password
    const modes = readFileSync(path.join(log, 'modes'), 'utf8').trim().split('\n');
    expect(new Set(modes)).toEqual(new Set(['600']));
    expect(new Set(readFileSync(path.join(log, 'password-lines'), 'utf8').trim().split('\n'))).toEqual(new Set(['1']));
    expectTmpClean();
  });

  test('refuses databases on different servers, or behind different users, and says what to do', () => {
    const split = backup(['--out', path.join(scratch, 'never.sql.gz')], scriptEnv({ DATABASE_URL_VISITS: `mysql://root@127.0.0.1:1/${dbName('visits')}` }));
    expect(split.status).toBe(1);
    expect(split.stderr).toContain('The seven databases are not on one server');
    expect(split.stderr).toContain(`127.0.0.1:1: visits`);
    expect(split.stderr).toContain('back up each server on its own');
    expect(existsSync(path.join(scratch, 'never.sql.gz'))).toBe(false);

    const users = restore([backupFile, '--yes'], scriptEnv({ DATABASE_URL_AUDIT: `mysql://audit:x@${adminHost}:${adminPort}/${dbName('audit')}` }));
    expect(users.status).toBe(1);
    expect(users.stderr).toContain('BACKUP_DATABASE_URL=');

    const renamed = restore([backupFile, '--yes'], scriptEnv({ DATABASE_URL_AUDIT: `mysql://${USER}:${encodeURIComponent(PASSWORD)}@${adminHost}:${adminPort}/clinicult_bktest_${suffix}_other` }));
    expect(renamed.status).toBe(1);
    expect(renamed.stderr).toContain(`audit: here clinicult_bktest_${suffix}_other, in the backup ${dbName('audit')}`);
    expect(readAll()).toEqual(seeded);
  });
});
