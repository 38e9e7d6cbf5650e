import { randomUUID } from 'node:crypto';
import { createTestDatabase, mysqlQuery } from '@clinicult/db';
import { gql } from '@clinicult/testing';
import { startHarness, type Staff, type VisitsHarness } from '../__tests__/harness.js';
import { seedVisits, visitsPerPatient, type SeedResult } from './visits-seed.js';

/**
 * The generator behind `npm run seed:visits` and the benchmark: a few hundred visits written
 * straight into a migrated database answer through the real visits service exactly as the
 * database holds them (history, counts, the diagnosis index, reports), with local dates in the
 * clinic's zone; a second run appends without touching the first.
 */
let h: VisitsHarness;
let first: SeedResult;
let doctor: Staff;
const clinic = randomUUID();
const other = randomUUID();

beforeAll(async () => {
  const database = await createTestDatabase('visits');
  // migrate: true on a migrated database (nothing to apply) as the script does by default
  first = await seedVisits({ url: database.url, clinicId: clinic, count: 300, patients: 20, seed: 42, batchSize: 64 });
  await seedVisits({ url: database.url, clinicId: other, count: 50, seed: 7 });
  h = await startHarness({ database });
  doctor = await h.staff(clinic, ['DOCTOR']);
});

afterAll(async () => {
  await h?.close();
});

const sql = <T = Record<string, any>>(query: string, params: unknown[] = []) => mysqlQuery<T>(h.database.url, query, params);

const HISTORY = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { id visitCount history(first: 100) {
  totalCount edges { node { id status reason cancelReason localDate timeZone checkedInAt finishedAt doctor { id } nurse { id }
  timeline { from to at } vitals { temperatureC } diagnoses { code } prescriptions { drug } notes addenda { text } } } } } } }`;

test('the rows written: counts per run, every patient has visits, skewed, a diagnosis row per distinct code', async () => {
  expect(first).toMatchObject({ visits: 300, patients: 20 });
  expect(first.patientIds).toHaveLength(20);
  const perPatient = await sql<{ patientId: string; n: number }>('SELECT patientId, COUNT(*) AS n FROM HistoricVisit WHERE clinicId = ? GROUP BY patientId', [clinic]);
  expect(perPatient.map((p) => p.patientId).sort()).toEqual([...first.patientIds].sort());
  expect(perPatient.reduce((s, p) => s + Number(p.n), 0)).toBe(300);
  const counts = perPatient.map((p) => Number(p.n));
  expect(Math.max(...counts)).toBeGreaterThan(2 * Math.min(...counts));
  const [dx] = await sql<{ n: number }>('SELECT COUNT(*) AS n FROM VisitDiagnosis WHERE clinicId = ?', [clinic]);
  expect(Number(dx!.n)).toBe(first.diagnoses);
  // finished visits have 1..3 codes, cancelled none; the JSON and the index agree
  const rows = await sql<{ id: string; status: string; diagnoses: unknown; codes: string | null }>(
    `SELECT v.id, v.status, v.diagnoses, GROUP_CONCAT(d.code ORDER BY d.code) AS codes FROM HistoricVisit v
     LEFT JOIN VisitDiagnosis d ON d.visitId = v.id WHERE v.clinicId = ? GROUP BY v.id, v.status, v.diagnoses`,
    [clinic],
  );
  for (const row of rows) {
    const listed = row.diagnoses === null ? [] : (typeof row.diagnoses === 'string' ? JSON.parse(row.diagnoses) : row.diagnoses) as Array<{ code: string }>;
    expect(row.codes?.split(',') ?? []).toEqual(listed.map((d) => d.code).sort());
    if (row.status === 'CANCELLED') expect(listed).toEqual([]);
    else expect(listed.length).toBeGreaterThanOrEqual(1);
  }
  const cancelled = rows.filter((r) => r.status === 'CANCELLED').length;
  expect(cancelled).toBeGreaterThan(0);
  expect(cancelled).toBeLessThan(60);
});

test('visitsPerPatient: sums to the count, at least one each', () => {
  let x = 1;
  const rng = () => ((x = (x * 48271) % 2147483647) / 2147483647);
  const out = visitsPerPatient(1000, 37, rng);
  expect(out.reduce((s, n) => s + n, 0)).toBe(1000);
  expect(Math.min(...out)).toBeGreaterThanOrEqual(1);
});

test('history through the real service: every visit of a patient, newest first, as stored; local dates in the clinic zone', async () => {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
  for (const patientId of first.patientIds.slice(0, 5)) {
    const r = await gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id: patientId }] }, { token: doctor.token });
    expect(r.errors).toBeUndefined();
    const p = r.data!._entities[0];
    const ids = await sql<{ id: string }>('SELECT id FROM HistoricVisit WHERE clinicId = ? AND patientId = ? ORDER BY finishedAt DESC, id DESC', [clinic, patientId]);
    expect(p.visitCount).toBe(ids.length);
    expect(p.history.totalCount).toBe(ids.length);
    expect(p.history.edges.map((e: any) => e.node.id)).toEqual(ids.map((x) => x.id));
    for (const { node } of p.history.edges) {
      expect(node.timeZone).toBe('Europe/Madrid');
      const parts = Object.fromEntries(fmt.formatToParts(new Date(node.checkedInAt)).map((x) => [x.type, x.value]));
      expect(node.localDate).toBe(`${parts.year}-${parts.month}-${parts.day}`);
      expect(Number(parts.hour)).toBeGreaterThanOrEqual(8);
      expect(Number(parts.hour)).toBeLessThanOrEqual(20);
      expect(node.timeline[0]).toMatchObject({ from: null, to: 'WAITING', at: node.checkedInAt });
      expect(node.timeline.at(-1)).toMatchObject({ to: node.status, at: node.finishedAt });
      if (node.status === 'FINISHED') {
        expect(node.timeline.map((t: any) => t.to)).toEqual(['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT', 'FINISHED']);
        expect(node).toMatchObject({ cancelReason: null, doctor: { id: expect.any(String) }, vitals: { temperatureC: expect.any(Number) } });
        expect(node.diagnoses.length).toBeGreaterThanOrEqual(1);
        expect(node.notes).toEqual(expect.any(String));
      } else {
        expect(node).toMatchObject({ cancelReason: expect.any(String), doctor: null, diagnoses: null, prescriptions: null });
      }
    }
  }
});

test('the diagnosis index answers visits(filter: { diagnosisCode }) and the report agrees with the rows', async () => {
  const [top] = await sql<{ code: string; n: number }>('SELECT code, COUNT(*) AS n FROM VisitDiagnosis WHERE clinicId = ? GROUP BY code ORDER BY n DESC, code LIMIT 1', [clinic]);
  const r = await gql(h.url, 'query ($c: String) { visits(filter: { diagnosisCode: $c }) { totalCount } }', { c: top!.code }, { token: doctor.token });
  expect(r.errors).toBeUndefined();
  expect(r.data!.visits.totalCount).toBe(Number(top!.n));
  const [range] = await sql<{ lo: string; hi: string }>("SELECT DATE_FORMAT(MAX(localDate) - INTERVAL 200 DAY, '%Y-%m-%d') AS lo, DATE_FORMAT(MAX(localDate), '%Y-%m-%d') AS hi FROM HistoricVisit WHERE clinicId = ?", [clinic]);
  const [inRange] = await sql<{ n: number }>('SELECT COUNT(*) AS n FROM HistoricVisit WHERE clinicId = ? AND localDate BETWEEN ? AND ?', [clinic, range!.lo, range!.hi]);
  const report = await gql(h.url, 'query ($f: Date!, $t: Date!) { visitReport(from: $f, to: $t) { perDay { finished cancelled } } }', { f: range!.lo, t: range!.hi }, { token: doctor.token });
  expect(report.errors).toBeUndefined();
  const total = report.data!.visitReport.perDay.reduce((s: number, d: any) => s + d.finished + d.cancelled, 0);
  expect(total).toBe(Number(inRange!.n));
  expect(total).toBeGreaterThan(0);
});

test('another clinic’s seeded visits stay there; a second run appends without touching the first', async () => {
  const mine = await gql(h.url, '{ visits { totalCount } }', {}, { token: doctor.token });
  expect(mine.data!.visits.totalCount).toBe(300);
  const before = await sql<{ id: string; snapshot: string }>('SELECT id, snapshot FROM HistoricVisit WHERE clinicId = ? ORDER BY id', [clinic]);
  const more = await seedVisits({ url: h.database.url, clinicId: clinic, count: 40, patients: 4, migrate: false });
  expect(more.patientIds.some((id) => first.patientIds.includes(id))).toBe(false);
  const after = await sql<{ id: string; snapshot: string }>('SELECT id, snapshot FROM HistoricVisit WHERE clinicId = ? ORDER BY id', [clinic]);
  expect(after).toHaveLength(340);
  const afterById = new Map(after.map((r) => [r.id, r.snapshot]));
  for (const row of before) expect(afterById.get(row.id)).toBe(row.snapshot);
  const otherDoctor = await h.staff(other, ['DOCTOR']);
  expect((await gql(h.url, '{ visits { totalCount } }', {}, { token: otherDoctor.token })).data!.visits.totalCount).toBe(50);
});

test('every row has its searchText, so visits(filter: { text }) finds seeded visits through the full-text index', async () => {
  const [missing] = await sql<{ n: number }>('SELECT COUNT(*) AS n FROM HistoricVisit WHERE searchText IS NULL');
  expect(Number(missing!.n)).toBe(0);
  const [expected] = await sql<{ n: number }>(
    "SELECT COUNT(*) AS n FROM HistoricVisit WHERE clinicId = ? AND (reason LIKE '%dolor%' OR notes LIKE '%dolor%' OR LOWER(JSON_EXTRACT(diagnoses, '$[*].description')) LIKE '%dolor%')",
    [clinic],
  );
  expect(Number(expected!.n)).toBeGreaterThan(0);
  const r = await gql(h.url, '{ visits(filter: { text: "DOLOR" }, first: 5) { totalCount edges { node { id reason } } } }', {}, { token: doctor.token });
  expect(r.errors).toBeUndefined();
  expect(r.data!.visits.totalCount).toBe(Number(expected!.n));
});
