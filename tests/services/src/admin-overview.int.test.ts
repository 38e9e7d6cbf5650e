/**
 * The operators' clinic overview against the real services, all in-process over real HTTP: auth
 * (admin's service token by client credentials), users, patients and visits (each on a fresh
 * database, answering their internal count operations), and admin. Operators get counts only; the
 * rows stay where they are (an operator querying patients or visits directly is refused there).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { codes, gql, type TestIssuer } from '@clinicult/testing';
import {
  createClinic,
  deadUrl,
  startAdmin,
  startCountingPatients,
  startCountingUsers,
  startCountingVisits,
  testIssuer,
  type AdminUnderTest,
  type CountingServiceUnderTest,
} from './admin.js';
import { startAuth, type AuthUnderTest } from './auth.js';
import { startOfMonthIn } from './clock.js';

let issuer: TestIssuer;
let auth: AuthUnderTest;
let users: CountingServiceUnderTest;
let patients: CountingServiceUnderTest;
let visits: CountingServiceUnderTest;
let admin: AdminUnderTest;
let operator: string;

beforeAll(async () => {
  issuer = await testIssuer();
  auth = await startAuth({ issuer });
  // the counting services never call admin in these tests
  const nowhere = await deadUrl();
  users = await startCountingUsers({ issuer, authUrl: auth.url, adminUrl: nowhere });
  patients = await startCountingPatients({ issuer, authUrl: auth.url, adminUrl: nowhere });
  visits = await startCountingVisits({ issuer, authUrl: auth.url });
  admin = await startAdmin({
    issuer,
    authUrl: auth.url,
    usersUrl: users.url,
    env: { PATIENTS_URL: patients.url, VISITS_URL: visits.url },
  });
  operator = await issuer.operatorToken();
});

afterAll(async () => {
  await admin?.stop();
  await visits?.stop();
  await patients?.stop();
  await users?.stop();
  await auth?.stop();
});

const OVERVIEW_FIELDS = 'staffCount patientCount currentVisits visitsThisMonth lastActivityAt unavailable';
const CLINIC_OVERVIEW = `query($id: ID!) { clinic(id: $id) { id name overview { ${OVERVIEW_FIELDS} } } }`;

const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;
/** DATETIME(3) in UTC, as Prisma stores instants. */
const sqlTime = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');

async function addStaff(clinicId: string, status: 'ACTIVE' | 'INVITED' | 'DEACTIVATED' = 'ACTIVE') {
  const id = randomUUID();
  await users.sql(
    'INSERT INTO `User` (id, email, firstName, lastName, status, updatedAt) VALUES (?, ?, ?, ?, ?, NOW(3))',
    id,
    `${id}@example.org`,
    'Ana',
    'Ruiz',
    status,
  );
  await users.sql('INSERT INTO `Membership` (userId, clinicId, roles, updatedAt) VALUES (?, ?, ?, NOW(3))', id, clinicId, '["DOCTOR"]');
}

async function addPatient(clinicId: string, updatedAt: Date, visitUpdatedAt?: Date) {
  const id = randomUUID();
  await patients.sql(
    'INSERT INTO `Patient` (id, clinicId, mrn, givenName, familyName, birthDate, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    id,
    clinicId,
    `MRN-${id.slice(0, 8)}`,
    'Luis',
    'Gómez',
    '1980-01-15',
    sqlTime(updatedAt),
    sqlTime(updatedAt),
  );
  if (visitUpdatedAt) {
    await patients.sql(
      'INSERT INTO `CurrentVisit` (id, clinicId, patientId, reason, checkedInBy, timeline, checkedInAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      randomUUID(),
      clinicId,
      id,
      'Control',
      randomUUID(),
      '[]',
      sqlTime(visitUpdatedAt),
      sqlTime(visitUpdatedAt),
    );
  }
}

async function addArchivedVisit(clinicId: string, finishedAt: Date, timeZone: string) {
  const checkedInAt = new Date(finishedAt.getTime() - 30 * 60_000);
  await visits.sql(
    'INSERT INTO `HistoricVisit` (id, clinicId, patientId, status, reason, checkedInBy, finishedBy, checkedInAt, finishedAt, localDate, timeZone, timeline, version, snapshotVersion, snapshot) ' +
      "VALUES (?, ?, ?, 'FINISHED', 'Control', ?, ?, ?, ?, ?, ?, '[]', 1, 1, '{}')",
    randomUUID(),
    clinicId,
    randomUUID(),
    randomUUID(),
    randomUUID(),
    sqlTime(checkedInAt),
    sqlTime(finishedAt),
    finishedAt.toISOString().slice(0, 10),
    timeZone,
  );
}

async function overviewOf(id: string, token = operator) {
  const response = await gql(admin.url, CLINIC_OVERVIEW, { id }, { token });
  expect(response.errors).toBeUndefined();
  return response.data!.clinic.overview as {
    staffCount: number;
    patientCount: number;
    currentVisits: number;
    visitsThisMonth: number;
    lastActivityAt: string | null;
    unavailable: string[];
  };
}

describe('figures', () => {
  test("counts from users, patients and visits, scoped to the clinic, 'this month' in the clinic's time zone", async () => {
    const now = new Date();
    const zone = 'Pacific/Auckland';
    const clinic = await createClinic(admin.url, operator, { name: unique('Overview Auckland'), timeZone: zone });
    const other = await createClinic(admin.url, operator, { name: unique('Overview Other'), timeZone: 'America/Los_Angeles' });

    // users: 2 working staff (one still invited) + 1 deactivated; another clinic's staff
    await addStaff(clinic.id);
    await addStaff(clinic.id, 'INVITED');
    await addStaff(clinic.id, 'DEACTIVATED');
    await addStaff(other.id);

    // patients: 3, two of them in a visit; the latest change is a visit step an hour ago
    const latestPatientActivity = new Date(now.getTime() - 60 * 60_000);
    await addPatient(clinic.id, new Date(now.getTime() - 5 * 86_400_000));
    await addPatient(clinic.id, new Date(now.getTime() - 3 * 3600_000), new Date(now.getTime() - 2 * 3600_000));
    await addPatient(clinic.id, new Date(now.getTime() - 4 * 3600_000), latestPatientActivity);
    await addPatient(other.id, now, now);

    // visits: the month began at local midnight in Auckland (UTC+12/+13), not at UTC midnight
    const monthStart = startOfMonthIn(zone, now);
    await addArchivedVisit(clinic.id, new Date(monthStart.getTime() - 60_000), zone); // last month, locally
    await addArchivedVisit(clinic.id, monthStart, zone); // the first instant of this month
    await addArchivedVisit(clinic.id, new Date(Math.min(monthStart.getTime() + 60_000, now.getTime())), zone);
    await addArchivedVisit(clinic.id, new Date(now.getTime() - 40 * 86_400_000), zone); // long ago
    await addArchivedVisit(other.id, now, 'America/Los_Angeles');

    expect(await overviewOf(clinic.id)).toEqual({
      staffCount: 2,
      patientCount: 3,
      currentVisits: 2,
      visitsThisMonth: 2,
      // the visits' last finished visit is older than the patients' last visit step
      lastActivityAt: latestPatientActivity.toISOString(),
      unavailable: [],
    });

    // a visit finished after every patient change becomes the last activity
    const finishedNow = new Date(now.getTime() - 1000);
    await addArchivedVisit(clinic.id, finishedNow, zone);
    const after = await overviewOf(clinic.id);
    expect(after.visitsThisMonth).toBe(3);
    expect(after.lastActivityAt).toBe(finishedNow.toISOString());
  });

  test('a clinic with nothing yet: zeros and no last activity', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Overview Empty') });
    expect(await overviewOf(clinic.id)).toEqual({
      staffCount: 0,
      patientCount: 0,
      currentVisits: 0,
      visitsThisMonth: 0,
      lastActivityAt: null,
      unavailable: [],
    });
  });

  test('a clinics page makes one set of calls per clinic, however often the request asks', async () => {
    const tag = randomUUID().slice(0, 6);
    for (const n of ['A', 'B', 'C']) await createClinic(admin.url, operator, { name: `Paged ${n} ${tag}` });
    users.statements.length = 0;
    patients.statements.length = 0;
    visits.statements.length = 0;
    const response = await gql(
      admin.url,
      `query($search: String) { clinics(search: $search, first: 10) {
        edges { node { id a: overview { staffCount } b: overview { patientCount unavailable } c: overview { visitsThisMonth } } }
      } }`,
      { search: tag },
      { token: operator },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.clinics.edges).toHaveLength(3);
    // one statement per clinic in each service (the counts are one SQL statement each)
    expect(users.statements).toHaveLength(3);
    expect(patients.statements).toHaveLength(3);
    expect(visits.statements).toHaveLength(3);
  });
});

describe('who sees it', () => {
  test.each(['ADMIN', 'DOCTOR', 'NURSE', 'OFFICE'] as const)(
    "%s of the clinic reads the clinic but gets a null overview with FORBIDDEN, and no service is asked",
    async (role) => {
      const clinic = await createClinic(admin.url, operator, { name: unique(`Overview ${role}`) });
      const token = await issuer.staffToken(randomUUID(), clinic.id, [role]);
      users.statements.length = 0;
      const response = await gql(admin.url, CLINIC_OVERVIEW, { id: clinic.id }, { token });
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(response.errors![0]!.path).toEqual(['clinic', 'overview']);
      expect(response.data!.clinic).toEqual({ id: clinic.id, name: clinic.name, overview: null });
      expect(users.statements).toHaveLength(0);
    },
  );

  test('operators get no patient or visit rows from the services themselves (FORBIDDEN at each subgraph)', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Rows') });
    await addPatient(clinic.id, new Date(), new Date());
    const headers = { 'x-clinicult-clinic-id': clinic.id };
    const reads: Array<[CountingServiceUnderTest, string]> = [
      [patients, '{ patients { totalCount edges { node { id givenName } } } }'],
      [patients, '{ queue { id state } }'],
      [visits, '{ visits { totalCount edges { node { id } } } }'],
      [users, '{ users { totalCount edges { node { id email } } } }'],
    ];
    for (const [service, query] of reads) {
      const response = await gql(`${service.url}/graphql`, query, {}, { token: operator, headers });
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(Object.values(response.data ?? {}).every((v) => v === null)).toBe(true);
    }
    // and the internal counts are not theirs to call either
    const counts = await gql(`${patients.url}/graphql`, '{ clinicPatientCounts { patients } }', {}, { token: operator, headers });
    expect(codes(counts)).toEqual(['FORBIDDEN']);
  });
});

describe('clusters: each clinic counted by the patients and visits of its own region (CLUSTER_SERVICES)', () => {
  let regional: AdminUnderTest;

  beforeAll(async () => {
    // eu-1's patients and visits answer at PATIENTS_URL/VISITS_URL; us-1's are down
    const down = await deadUrl();
    regional = await startAdmin({
      issuer,
      authUrl: auth.url,
      usersUrl: users.url,
      env: {
        PATIENTS_URL: patients.url,
        VISITS_URL: visits.url,
        CLUSTER_SERVICES: JSON.stringify({ 'us-1': { patients: down, visits: down } }),
        UPSTREAM_TIMEOUT_MS: '1000',
      },
    });
  });
  afterAll(async () => {
    await regional?.stop();
  });

  test("an unreachable cluster's clinics list patients and visits as unavailable; the other cluster's answer; no error", async () => {
    const madrid = await createClinic(regional.url, operator, { name: unique('Madrid'), cluster: 'eu-1' });
    const boston = await createClinic(regional.url, operator, { name: unique('Boston'), cluster: 'us-1', timeZone: 'America/New_York' });
    for (const clinic of [madrid, boston]) {
      await addStaff(clinic.id);
      await addPatient(clinic.id, new Date());
    }
    const response = await gql(
      regional.url,
      `query($a: ID!, $b: ID!) { a: clinic(id: $a) { overview { ${OVERVIEW_FIELDS} } } b: clinic(id: $b) { overview { ${OVERVIEW_FIELDS} } } }`,
      { a: madrid.id, b: boston.id },
      { token: operator },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.a.overview).toMatchObject({ staffCount: 1, patientCount: 1, unavailable: [] });
    // staff are global (users, the platform plane): still counted; the regional figures are not
    expect(response.data!.b.overview).toEqual({ staffCount: 1, patientCount: 0, currentVisits: 0, visitsThisMonth: 0, lastActivityAt: null, unavailable: ['patients', 'visits'] });
  });

  test('refuses a cluster it does not place clinics in, and an address list that is not JSON', async () => {
    const { loadAdminConfig } = await import('@clinicult/admin-service');
    expect(() => loadAdminConfig({ CLUSTERS: 'eu-1', CLUSTER_SERVICES: '{"mars-1": {"patients": "http://x:1"}}' })).toThrow(/CLUSTER_SERVICES: mars-1 not in CLUSTERS/);
    expect(() => loadAdminConfig({ CLUSTER_SERVICES: 'eu-1=http://x' })).toThrow(/CLUSTER_SERVICES/);
    expect(() => loadAdminConfig({ CLUSTER_SERVICES: '{"eu-1": {"patient": "http://x:1"}}' })).toThrow(/CLUSTER_SERVICES/);
  });
});

describe('a service that cannot answer', () => {
  let hanging: Server;
  const sockets = new Set<Socket>();
  let slowAdmin: AdminUnderTest;

  beforeAll(async () => {
    // accepts connections and never answers: patients "too slow"
    hanging = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as { port: number }).port;
    slowAdmin = await startAdmin({
      issuer,
      authUrl: auth.url,
      usersUrl: users.url,
      env: { PATIENTS_URL: `http://127.0.0.1:${port}`, VISITS_URL: await deadUrl(), UPSTREAM_TIMEOUT_MS: '1000' },
    });
  });

  afterAll(async () => {
    await slowAdmin?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hanging?.close(resolve));
  });

  test('its figures are 0 and it is listed in unavailable; the others still answer; no error', async () => {
    const clinic = await createClinic(slowAdmin.url, operator, { name: unique('Partly') });
    await addStaff(clinic.id);
    const response = await gql(slowAdmin.url, CLINIC_OVERVIEW, { id: clinic.id }, { token: operator });
    expect(response.errors).toBeUndefined();
    expect(response.data!.clinic.overview).toEqual({
      staffCount: 1,
      patientCount: 0,
      currentVisits: 0,
      visitsThisMonth: 0,
      lastActivityAt: null,
      unavailable: ['patients', 'visits'],
    });
  });

  test('a stopped service appears in unavailable', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Stopped') });
    await addStaff(clinic.id);
    await addPatient(clinic.id, new Date());
    await visits.stop();
    const overview = await overviewOf(clinic.id);
    expect(overview).toMatchObject({ staffCount: 1, patientCount: 1, visitsThisMonth: 0, unavailable: ['visits'] });
  });
});
