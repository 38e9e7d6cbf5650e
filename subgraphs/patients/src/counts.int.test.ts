import { randomUUID } from 'node:crypto';
import { SERVICE_CAPABILITIES } from '@clinicult/rbac';
import { codes, gql } from '@clinicult/testing';
import { startHarness, type PatientsHarness } from './__tests__/harness.js';
import { registerPatient, visitIn, type Team } from './__tests__/visits.js';

/**
 * `clinicPatientCounts` (internal, for admin's operator overview): a service token holding
 * clinicult:service:clinic-counts, the clinic named in x-clinicult-clinic-id, counts only — over
 * real HTTP and a real MariaDB database. Operators themselves get no patient rows.
 */
const QUERY = '{ clinicPatientCounts { patients currentVisits lastActivityAt } }';

let h: PatientsHarness;
let clinicA: string;
let clinicB: string;
let teamA: Team;
let adminToken: string;

const named = (clinicId: string) => ({ 'x-clinicult-clinic-id': clinicId });

beforeAll(async () => {
  h = await startHarness();
  clinicA = await h.admin.createClinic(`Counts A ${randomUUID().slice(0, 6)}`, 'Europe/Madrid');
  clinicB = await h.admin.createClinic(`Counts B ${randomUUID().slice(0, 6)}`, 'America/New_York');
  teamA = { office: await h.staff(clinicA, ['OFFICE']), nurse: await h.staff(clinicA, ['NURSE']), doctor: await h.staff(clinicA, ['DOCTOR']) };
  const teamB = { office: await h.staff(clinicB, ['OFFICE']), nurse: await h.staff(clinicB, ['NURSE']), doctor: await h.staff(clinicB, ['DOCTOR']) };
  // clinic A: 3 patients, 2 of them in a visit; clinic B: 1 patient, in a visit
  await registerPatient(h, teamA.office);
  await visitIn(h, teamA, 'WAITING');
  await visitIn(h, teamA, 'TRIAGE');
  await visitIn(h, teamB, 'WAITING');
  adminToken = await h.issuer.serviceToken('admin');
});

afterAll(async () => {
  await h?.close();
});

async function counts(clinicId: string) {
  const response = await gql(h.url, QUERY, {}, { token: adminToken, headers: named(clinicId) });
  expect(response.errors).toBeUndefined();
  return response.data!.clinicPatientCounts as { patients: number; currentVisits: number; lastActivityAt: string | null };
}

test("admin's service token counts the named clinic only, in one SQL statement", async () => {
  h.queries.length = 0;
  const a = await counts(clinicA);
  expect(h.queries).toHaveLength(1);
  expect(a).toMatchObject({ patients: 3, currentVisits: 2 });
  expect(await counts(clinicB)).toMatchObject({ patients: 1, currentVisits: 1 });
  expect(await counts(randomUUID())).toEqual({ patients: 0, currentVisits: 0, lastActivityAt: null });
});

test('lastActivityAt is the latest patient change or current-visit change of that clinic', async () => {
  const [latestPatient] = await h.db.$queryRaw<Array<{ at: Date }>>`SELECT MAX(updatedAt) AS at FROM Patient WHERE clinicId = ${clinicA}`;
  const [latestVisit] = await h.db.$queryRaw<Array<{ at: Date }>>`SELECT MAX(updatedAt) AS at FROM CurrentVisit WHERE clinicId = ${clinicA}`;
  const expected = Math.max(new Date(latestPatient!.at).getTime(), new Date(latestVisit!.at).getTime());
  expect(Date.parse((await counts(clinicA)).lastActivityAt!)).toBe(expected);

  // a visit step moves it (the visit's updatedAt), and only in its own clinic
  const before = await counts(clinicB);
  const { visitId } = await visitIn(h, teamA, 'WAITING');
  await gql(h.url, 'mutation ($v: ID!) { startTriage(visitId: $v) { id } }', { v: visitId }, { token: teamA.nurse.token });
  const visit = await h.db.currentVisit.findUniqueOrThrow({ where: { id: visitId } });
  const after = await counts(clinicA);
  expect(Date.parse(after.lastActivityAt!)).toBe(visit.updatedAt.getTime());
  expect(after).toMatchObject({ patients: 4, currentVisits: 3 });
  expect(await counts(clinicB)).toEqual(before);

  // a patient change later than every visit change wins
  const patient = await h.db.patient.findFirstOrThrow({ where: { clinicId: clinicA } });
  const later = new Date(visit.updatedAt.getTime() + 60_000);
  await h.db.$executeRaw`UPDATE Patient SET updatedAt = ${later} WHERE id = ${patient.id}`;
  expect(Date.parse((await counts(clinicA)).lastActivityAt!)).toBe(later.getTime());
});

test('staff, operators and services without clinic-counts get FORBIDDEN', async () => {
  const tokens = [
    (await h.staff(clinicA, ['ADMIN'])).token,
    teamA.office.token,
    await h.issuer.operatorToken(),
    await h.issuer.serviceToken('patients'),
    await h.issuer.serviceToken('visits'),
    await h.issuer.serviceToken('admin', [SERVICE_CAPABILITIES.userProvision]),
  ];
  for (const token of tokens) {
    const response = await gql(h.url, QUERY, {}, { token, headers: named(clinicA) });
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(response.data ?? null).toBeNull();
  }
  const anonymous = await gql(h.url, QUERY, {}, { headers: named(clinicA) });
  expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
});

test('no clinic named, or not a clinic id → BAD_USER_INPUT naming the header', async () => {
  const none = await gql(h.url, QUERY, {}, { token: adminToken });
  expect(codes(none)).toEqual(['BAD_USER_INPUT']);
  expect(none.errors![0]!.message).toMatch(/x-clinicult-clinic-id/);
  const garbage = await gql(h.url, QUERY, {}, { token: adminToken, headers: named('not-a-clinic') });
  expect(codes(garbage)).toEqual(['BAD_USER_INPUT']);
});

test("operators get no patient or visit rows (FORBIDDEN), and admin's counting token gets none either", async () => {
  const patient = await h.db.patient.findFirstOrThrow({ where: { clinicId: clinicA } });
  const visit = await h.db.currentVisit.findFirstOrThrow({ where: { clinicId: clinicA } });
  const reads: Array<[string, Record<string, unknown>]> = [
    ['query ($id: ID!) { patient(id: $id) { id givenName } }', { id: patient.id }],
    ['{ patients { totalCount edges { node { id } } } }', {}],
    ['query ($id: ID!) { currentVisit(id: $id) { id state } }', { id: visit.id }],
    ['{ queue { id state } }', {}],
  ];
  for (const token of [await h.issuer.operatorToken(), adminToken]) {
    for (const [query, variables] of reads) {
      const response = await gql(h.url, query, variables, { token, headers: named(clinicA) });
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(Object.values(response.data ?? {}).every((v) => v === null)).toBe(true);
    }
  }
});
