import { randomUUID } from 'node:crypto';
import { SERVICE_CAPABILITIES } from '@clinicult/rbac';
import { codes, gql } from '@clinicult/testing';
import { archived, snapshotOf, startHarness, type VisitsHarness } from './__tests__/harness.js';

/**
 * `clinicVisitCounts(since)` (internal, for admin's operator overview): a service token holding
 * clinicult:service:clinic-counts, the clinic named in x-clinicult-clinic-id, counts only — over
 * real HTTP and a real MariaDB database. Operators themselves get no visit rows.
 */
const QUERY = 'query ($since: DateTime!) { clinicVisitCounts(since: $since) { archived lastFinishedAt } }';
const CLINIC_A = randomUUID();
const CLINIC_B = randomUUID();
const SINCE = '2026-11-01T00:00:00.000Z';

let h: VisitsHarness;
let adminToken: string;
let visitA: string;

const named = (clinicId: string) => ({ 'x-clinicult-clinic-id': clinicId });

beforeAll(async () => {
  h = await startHarness();
  const patient = randomUUID();
  // clinic A: two before SINCE, one exactly at it, two after (one cancelled); clinic B: one after
  await archived(h, snapshotOf(CLINIC_A, patient, { finishedAt: '2026-10-15T10:00:00.000Z' }));
  await archived(h, snapshotOf(CLINIC_A, patient, { finishedAt: '2026-10-31T23:59:59.999Z' }));
  await archived(h, snapshotOf(CLINIC_A, patient, { finishedAt: SINCE }));
  visitA = await archived(h, snapshotOf(CLINIC_A, patient, { finishedAt: '2026-11-20T09:30:00.000Z' }));
  await archived(h, snapshotOf(CLINIC_A, randomUUID(), { finishedAt: '2026-11-03T12:00:00.000Z', status: 'CANCELLED', cancelReason: 'left' }));
  await archived(h, snapshotOf(CLINIC_B, randomUUID(), { finishedAt: '2026-12-01T08:00:00.000Z' }));
  adminToken = await h.issuer.serviceToken('admin');
});

afterAll(async () => {
  await h?.close();
});

async function counts(clinicId: string, since = SINCE) {
  const response = await gql(h.url, QUERY, { since }, { token: adminToken, headers: named(clinicId) });
  expect(response.errors).toBeUndefined();
  return response.data!.clinicVisitCounts as { archived: number; lastFinishedAt: string | null };
}

test("admin's service token counts the named clinic's visits since the instant, in one SQL statement", async () => {
  h.queries.length = 0;
  expect(await counts(CLINIC_A)).toEqual({ archived: 3, lastFinishedAt: '2026-11-20T09:30:00.000Z' });
  expect(h.queries).toHaveLength(1);
  expect(await counts(CLINIC_A, '2026-01-01T00:00:00Z')).toEqual({ archived: 5, lastFinishedAt: '2026-11-20T09:30:00.000Z' });
  expect(await counts(CLINIC_A, '2026-11-20T09:30:00.001Z')).toEqual({ archived: 0, lastFinishedAt: '2026-11-20T09:30:00.000Z' });
  expect(await counts(CLINIC_B)).toEqual({ archived: 1, lastFinishedAt: '2026-12-01T08:00:00.000Z' });
  expect(await counts(randomUUID())).toEqual({ archived: 0, lastFinishedAt: null });
});

test('the count reads an index that starts with clinicId, never the whole table', async () => {
  // (with a handful of rows the optimizer may pick any clinicId-first index; at scale (clinicId, finishedAt))
  const plan = await h.db.$queryRawUnsafe<Array<{ type: string; key: string | null }>>(
    'EXPLAIN SELECT COUNT(*) FROM `HistoricVisit` WHERE clinicId = ? AND finishedAt >= ?',
    CLINIC_A,
    new Date(SINCE),
  );
  expect(plan[0]!.key).toMatch(/^HistoricVisit_clinicId_/);
  expect(plan[0]!.type).not.toBe('ALL');
});

test('staff, operators and services without clinic-counts get FORBIDDEN', async () => {
  const tokens = [
    (await h.staff(CLINIC_A, ['ADMIN'])).token,
    (await h.staff(CLINIC_A, ['DOCTOR'])).token,
    await h.issuer.operatorToken(),
    await h.issuer.serviceToken('patients', [SERVICE_CAPABILITIES.visitsArchive, SERVICE_CAPABILITIES.clinicRead]),
    await h.issuer.serviceToken('admin', [SERVICE_CAPABILITIES.userProvision]),
  ];
  for (const token of tokens) {
    const response = await gql(h.url, QUERY, { since: SINCE }, { token, headers: named(CLINIC_A) });
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(response.data ?? null).toBeNull();
  }
  const anonymous = await gql(h.url, QUERY, { since: SINCE }, { headers: named(CLINIC_A) });
  expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
});

test('no clinic named, or not a clinic id, or no valid instant → BAD_USER_INPUT', async () => {
  const none = await gql(h.url, QUERY, { since: SINCE }, { token: adminToken });
  expect(codes(none)).toEqual(['BAD_USER_INPUT']);
  expect(none.errors![0]!.message).toMatch(/x-clinicult-clinic-id/);
  const garbage = await gql(h.url, QUERY, { since: SINCE }, { token: adminToken, headers: named('x') });
  expect(codes(garbage)).toEqual(['BAD_USER_INPUT']);
  const badSince = await gql(h.url, QUERY, { since: 'last month' }, { token: adminToken, headers: named(CLINIC_A) });
  expect(codes(badSince)).toEqual(['BAD_USER_INPUT']);
});

test("operators get no visit rows (FORBIDDEN), and admin's counting token gets none either", async () => {
  const reads: Array<[string, Record<string, unknown>]> = [
    ['query ($id: ID!) { visit(id: $id) { id reason } }', { id: visitA }],
    ['{ visits { totalCount edges { node { id } } } }', {}],
    ['{ visitReport(from: "2026-11-01", to: "2026-11-30") { cancellations } }', {}],
  ];
  for (const token of [await h.issuer.operatorToken(), adminToken]) {
    for (const [query, variables] of reads) {
      const response = await gql(h.url, query, variables, { token, headers: named(CLINIC_A) });
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(Object.values(response.data ?? {}).every((v) => v === null)).toBe(true);
    }
  }
});
