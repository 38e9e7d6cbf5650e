import { randomUUID } from 'node:crypto';
import { codes, gql, fieldPaths } from '@clinicult/testing';
import { ARCHIVE, snapshotOf, startHarness, type VisitsHarness } from './__tests__/harness.js';

/**
 * The internal archiveVisit over real HTTP and MariaDB, called as patients' relay calls it: stores a
 * visit once, answers a replay with duplicate: true, refuses other clinics, other callers and poison.
 */
let h: VisitsHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const rows = (id: string) => h.db.historicVisit.count({ where: { id } });

test('stores the visit once; a replay answers duplicate: true and changes nothing', async () => {
  const snapshot = snapshotOf(clinicA, randomUUID(), { diagnoses: [{ code: 'j06.9', description: 'IRA' }, { code: 'J06.9' }, { code: 'R50.9' }] });
  const first = await h.archive(snapshot);
  expect(first.errors).toBeUndefined();
  expect(first.data!.archiveVisit).toEqual({ visitId: snapshot.visitId, archivedAt: expect.any(String), duplicate: false });
  const stored = await h.db.historicVisit.findUniqueOrThrow({ where: { id: snapshot.visitId } });
  expect(stored).toMatchObject({
    clinicId: clinicA,
    patientId: snapshot.patientId,
    status: 'FINISHED',
    reason: 'Dolor de cabeza',
    doctorId: 'doctor-user',
    finishedAt: new Date(snapshot.finishedAt),
    localDate: new Date('2026-11-27T00:00:00.000Z'),
    timeZone: 'Europe/Madrid',
    notes: 'Cefalea tensional',
    version: 7,
  });
  expect(JSON.parse(stored.snapshot)).toEqual(snapshot);
  const codesOf = async () => (await h.db.visitDiagnosis.findMany({ where: { visitId: snapshot.visitId }, orderBy: { code: 'asc' } })).map((d) => d.code);
  expect(await codesOf()).toEqual(['J06.9', 'R50.9']);

  for (const replay of [snapshot, { ...snapshot, notes: 'changed on the way' }]) {
    const again = await h.archive(replay);
    expect(again.errors).toBeUndefined();
    expect(again.data!.archiveVisit).toEqual({ visitId: snapshot.visitId, archivedAt: first.data!.archiveVisit.archivedAt, duplicate: true });
  }
  expect(await rows(snapshot.visitId)).toBe(1);
  expect(await h.db.historicVisit.findUniqueOrThrow({ where: { id: snapshot.visitId } })).toEqual(stored);
  expect(await codesOf()).toEqual(['J06.9', 'R50.9']);
});

test('deliveries racing for the same visit: exactly one stores it', async () => {
  const snapshot = snapshotOf(clinicA, randomUUID(), { status: 'CANCELLED', cancelReason: 'Se fue', finishedAt: '2026-11-27T09:00:00.000Z' });
  const results = await Promise.all(Array.from({ length: 6 }, () => h.archive(snapshot)));
  expect(results.flatMap(codes)).toEqual([]);
  expect(results.map((r) => r.data!.archiveVisit.duplicate).filter((d) => !d)).toHaveLength(1);
  expect(await rows(snapshot.visitId)).toBe(1);
});

test('a snapshot of another clinic than the call names is FORBIDDEN; nothing stored', async () => {
  const snapshot = snapshotOf(clinicB, randomUUID());
  const r = await h.archive(snapshot, clinicA);
  expect(codes(r)).toEqual(['FORBIDDEN']);
  expect(r.errors![0]!.message).toMatch(/another clinic/);
  // even when the snapshot is malformed otherwise: the clinic is checked first
  expect(codes(await h.archive({ ...snapshot, finishedAt: 'yesterday' }, clinicA))).toEqual(['FORBIDDEN']);
  // no clinic named at all
  const token = await h.issuer.serviceToken('patients', ['clinicult:service:visits-archive']);
  const unnamed = await gql(h.url, ARCHIVE, { s: snapshot }, { token });
  expect(codes(unnamed)).toEqual(['FORBIDDEN']);
  expect(unnamed.errors![0]!.message).toMatch(/x-clinicult-clinic-id/);
  expect(await rows(snapshot.visitId)).toBe(0);
});

test('staff, operators and services without the capability are FORBIDDEN; no token is UNAUTHENTICATED', async () => {
  const snapshot = snapshotOf(clinicA, randomUUID());
  for (const roles of [['ADMIN'], ['DOCTOR'], ['OFFICE'], ['NURSE']] as const) {
    const staff = await h.staff(clinicA, [...roles]);
    const r = await gql(h.url, ARCHIVE, { s: snapshot }, { token: staff.token, headers: { 'x-clinicult-clinic-id': clinicA } });
    expect(codes(r)).toEqual(['FORBIDDEN']);
  }
  expect(codes(await h.archive(snapshot, clinicA, await h.issuer.operatorToken()))).toEqual(['FORBIDDEN']);
  expect(codes(await h.archive(snapshot, clinicA, await h.issuer.serviceToken('users')))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(h.url, ARCHIVE, { s: snapshot }))).toEqual(['UNAUTHENTICATED']);
  expect(await rows(snapshot.visitId)).toBe(0);
});

test.each([
  [{ finishedAt: 'yesterday' }, 'snapshot.finishedAt', /snapshot\.finishedAt: must be an ISO 8601 instant/],
  [{ status: 'DONE' }, 'snapshot.status', /snapshot\.status: must be FINISHED or CANCELLED/],
  [{ timeZone: 'Mars/Olympus' }, 'snapshot.timeZone', /snapshot\.timeZone: must be an IANA time zone/],
  [{ localDate: '2026-02-30' }, 'snapshot.localDate', /YYYY-MM-DD/],
  [{ snapshotVersion: 2 }, 'snapshot.snapshotVersion', /snapshot version 1 only/],
  [{ finishedAt: '2000-01-01T00:00:00.000Z' }, 'snapshot.finishedAt', /must not be before checkedInAt/],
  [{ diagnoses: [{ description: 'no code' }] }, 'snapshot.diagnoses[0].code', /snapshot\.diagnoses\[0\]\.code/],
  [{ patientId: undefined }, 'snapshot.patientId', /snapshot\.patientId/],
])('a poison snapshot %j is BAD_USER_INPUT naming %s; nothing stored', async (patch, field, message) => {
  const snapshot: Record<string, any> = { ...snapshotOf(clinicA, randomUUID()), ...patch };
  const r = await h.archive(snapshot);
  expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  expect(r.errors![0]!.message).toMatch(message);
  expect(fieldPaths(r.errors![0]!)).toContain(field);
  expect(await rows(snapshot.visitId)).toBe(0);
});

test('archiveVisit is not something a client can discover: it is @inaccessible in the supergraph', async () => {
  const { readFileSync } = await import('node:fs');
  const supergraph = readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8');
  expect(supergraph).toMatch(/archiveVisit\(snapshot: JSON!\): ArchiveReceipt! @inaccessible @join__field\(graph: VISITS\)/);
});
