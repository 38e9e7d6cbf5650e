import { Redis } from 'ioredis';
import { startPatientsService, type PatientsConfig } from '@clinicult/patients-service';
import { clusterStream, FACTS_HASH, factKeys, stateOf } from '@clinicult/kit';
import { FACTS_MAX_AGE_MS, startRegions, type Regions } from './regions.js';

/**
 * Regions (issue 16): two clusters on one machine, each with its own Redis server and databases,
 * and the platform plane (auth, users, admin) serving both. What a clinic keeps stays in its
 * cluster; what ends a session reaches every cluster; one cluster's outage is its own.
 */
let regions: Regions;

beforeAll(async () => {
  regions = await startRegions();
}, 300_000);
afterAll(async () => {
  await regions?.stop();
});

const PATIENTS = `query { patients(first: 5) { edges { node { id givenName } } } }`;
const WHOAMI_CLINIC = `query { clinicSettings { visitReasons } }`;

async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

async function factOf(redisUrl: string, field: string): Promise<string | null> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    return await redis.hget(FACTS_HASH, field);
  } finally {
    redis.disconnect();
  }
}

describe('a clinic lives in its own cluster', () => {
  test("sign-in names the clinic's region and its API; each clinic's rows are only in its cluster's databases", async () => {
    const { clusters, clinics } = regions;
    const doctor = await regions.login(regions.demo.staff.find((s: { role: string }) => s.role === 'DOCTOR')!.email, 'us-1');
    expect(doctor.clinicId).toBe(clinics.madrid);
    // signed in at us-1's gateway, told to go to eu-1's
    expect(doctor.apiUrl).toBe(clusters['eu-1'].apiUrl);
    const bostonAdmin = await regions.login(regions.demo.secondClinic.admin.email, 'eu-1');
    expect(bostonAdmin.apiUrl).toBe(clusters['us-1'].apiUrl);

    const eu = clusters['eu-1'].services()!;
    const us = clusters['us-1'].services()!;
    // the demo's patients of Madrid, in eu-1 only
    expect(await eu.patients.db.patient.count({ where: { clinicId: clinics.madrid } })).toBeGreaterThan(10);
    expect(await us.patients.db.patient.count()).toBe(0);
    // each clinic's settings and templates (from clinic.created on its own cluster's stream) only at home
    expect(await eu.clinic.db.template.count({ where: { clinicId: clinics.madrid } })).toBeGreaterThan(0);
    expect(await eu.clinic.db.template.count({ where: { clinicId: clinics.boston } })).toBe(0);
    expect(await us.clinic.db.template.count({ where: { clinicId: clinics.boston } })).toBeGreaterThan(0);
    expect(await us.clinic.db.template.count({ where: { clinicId: clinics.madrid } })).toBe(0);
    // the audit trail of Madrid's medical reads, in eu-1's audit database only
    const read = await regions.query('eu-1', PATIENTS, {}, doctor.token);
    expect(read.errors).toBeUndefined();
    await waitFor('the read audited in eu-1', () => eu.audit.db.auditEvent.count({ where: { clinicId: clinics.madrid } }), (n) => n > 0);
    expect(await us.audit.db.auditEvent.count({ where: { clinicId: clinics.madrid } })).toBe(0);
    // the platform's own audit events (users: invitations, memberships) reach the audit service of the clinic's cluster
    const platformActions = (db: typeof eu.audit.db, clinicId: string) =>
      db.auditEvent.findMany({ where: { clinicId, service: 'users' }, select: { action: true } }).then((rows) => new Set(rows.map((r) => r.action)));
    await waitFor("users' events about Boston in us-1's audit", () => platformActions(us.audit.db, clinics.boston), (actions) => actions.size === 3);
    expect(await platformActions(us.audit.db, clinics.boston)).toEqual(new Set(['invitation.created', 'invitation.accepted', 'membership.added']));
    expect([...(await platformActions(eu.audit.db, clinics.madrid))]).toEqual(expect.arrayContaining(['invitation.created', 'membership.added']));
    expect((await platformActions(eu.audit.db, clinics.boston)).size).toBe(0);
    expect((await platformActions(us.audit.db, clinics.madrid)).size).toBe(0);
    // auth's: each sign-in to a clinic, in the trail of the clinic's cluster, the person as the actor
    const signIns = (db: typeof eu.audit.db, clinicId: string) => db.auditEvent.findMany({ where: { clinicId, service: 'auth', action: 'session.started' } });
    await waitFor("Boston's sign-ins in us-1's audit", () => signIns(us.audit.db, clinics.boston), (rows) => rows.some((r) => r.actorId === bostonAdmin.userId));
    expect((await signIns(us.audit.db, clinics.boston)).every((r) => r.actorKind === 'staff' && r.targetUserId === r.actorId)).toBe(true);
    await waitFor("Madrid's sign-ins in eu-1's audit", () => signIns(eu.audit.db, clinics.madrid), (rows) => rows.some((r) => r.actorId === doctor.userId));
    expect(await signIns(eu.audit.db, clinics.boston)).toEqual([]);
    expect(await signIns(us.audit.db, clinics.madrid)).toEqual([]);
  });

  test("a token of one region's clinic is refused by the other region's gateway, naming the right one (GraphQL and FHIR)", async () => {
    const { clusters } = regions;
    const doctor = await regions.login(regions.demo.staff.find((s: { role: string }) => s.role === 'DOCTOR')!.email);
    const refused = await regions.query('us-1', PATIENTS, {}, doctor.token);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'WRONG_REGION', cluster: 'eu-1', apiUrl: clusters['eu-1'].apiUrl });
    expect(refused.errors?.[0]?.message).toContain(clusters['eu-1'].apiUrl);
    // a us-1 service asked directly refuses it as well (every subgraph checks, not only the gateway)
    const direct = await fetch(`${clusters['us-1'].services()!.patients.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${doctor.token}` },
      body: JSON.stringify({ query: PATIENTS }),
    });
    expect(((await direct.json()) as { errors: Array<{ extensions: { reason: string } }> }).errors[0]!.extensions.reason).toBe('WRONG_REGION');
    const fhir = await fetch(`${clusters['us-1'].gatewayUrl}/fhir/Patient`, { headers: { authorization: `Bearer ${doctor.token}` } });
    expect(fhir.status).toBe(421);
    const outcome = (await fhir.json()) as { resourceType: string; issue: Array<{ code: string; details: { text: string } }> };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]!.details.text).toContain(clusters['eu-1'].apiUrl);
    // at home it is served
    expect((await regions.query('eu-1', PATIENTS, {}, doctor.token)).errors).toBeUndefined();
  });
});

describe('the hole the region check closes', () => {
  test("without CLUSTER (as before regions), a us-1 service takes a Madrid token and writes Madrid's patient into us-1's database; with it, refused and nothing written", async () => {
    const { clusters, clinics } = regions;
    const office = await regions.login(regions.demo.staff.find((s: { role: string }) => s.role === 'OFFICE')!.email);
    const us = clusters['us-1'].services()!;
    const register = (url: string, familyName: string) =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${office.token}` },
        body: JSON.stringify({
          query: 'mutation($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }',
          variables: { i: { givenName: 'Out', familyName, birthDate: '1990-01-01' } },
        }),
      }).then((r) => r.json() as Promise<{ data?: { registerPatient: { id: string } } | null; errors?: Array<{ extensions: { reason?: string } }> }>);
    // the attack: us-1's patients database behind a service that does not know its cluster
    const { CLUSTER: _ignored, ...unawareConfig } = us.patients.runtime.config as PatientsConfig;
    const unaware = await startPatientsService({ ...unawareConfig, PORT: 0, OPS_PORT: 0 });
    try {
      const written = await register(unaware.url, 'OutOfRegion');
      expect(written.errors).toBeUndefined();
      expect(await us.patients.db.patient.count({ where: { clinicId: clinics.madrid, familyName: 'OutOfRegion' } })).toBe(1);
    } finally {
      await unaware.stop();
      await us.patients.db.patient.deleteMany({ where: { clinicId: clinics.madrid, familyName: 'OutOfRegion' } });
    }
    // the fix: us-1's own patients service (CLUSTER=us-1) refuses before reading or writing anything
    const refused = await register(us.patients.url, 'Refused');
    expect(refused.errors?.[0]?.extensions.reason).toBe('WRONG_REGION');
    expect(await us.patients.db.patient.count({ where: { clinicId: clinics.madrid } })).toBe(0);
  });
});

describe('what ends a session reaches every cluster', () => {
  test("an operator's suspension of a us-1 clinic is in both clusters' facts and refuses its sessions; reactivation lets them in again", async () => {
    const { clusters, clinics } = regions;
    const bostonAdmin = await regions.login(regions.demo.secondClinic.admin.email, 'us-1');
    expect((await regions.query('us-1', WHOAMI_CLINIC, {}, bostonAdmin.token)).errors).toBeUndefined();
    const operator = await regions.operator();
    const suspended = await regions.query('eu-1', `mutation($id: ID!) { suspendClinic(id: $id, reason: "e2e regions") { status } }`, { id: clinics.boston }, operator.token);
    expect(suspended.errors).toBeUndefined();
    for (const cluster of Object.values(clusters)) {
      await waitFor(`the suspension in ${cluster.name}'s Redis`, () => factOf(cluster.redis.url, factKeys.clinicStatus(clinics.boston)), (v) => stateOf(v) === 'SUSPENDED');
    }
    const refused = await regions.query('us-1', WHOAMI_CLINIC, {}, bostonAdmin.token);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLINIC_SUSPENDED' });

    await regions.query('eu-1', `mutation($id: ID!) { reactivateClinic(id: $id) { status } }`, { id: clinics.boston }, operator.token);
    await waitFor('the reactivation in us-1', () => factOf(clusters['us-1'].redis.url, factKeys.clinicStatus(clinics.boston)), (v) => stateOf(v) === 'ACTIVE');
    const again = await regions.login(regions.demo.secondClinic.admin.email, 'us-1');
    expect((await regions.query('us-1', WHOAMI_CLINIC, {}, again.token)).errors).toBeUndefined();
  });
});

describe("one cluster's outage is its own", () => {
  test("eu-1's Redis stopped: us-1 serves as usual and gets its clinic events at once; eu-1 still answers reads, and its events wait for it, in order", async () => {
    const { clusters, clinics } = regions;
    const doctor = await regions.login(regions.demo.staff.find((s: { role: string }) => s.role === 'DOCTOR')!.email);
    const bostonAdmin = await regions.login(regions.demo.secondClinic.admin.email, 'us-1');
    const operator = await regions.operator();
    await clusters['eu-1'].redis.stop();
    try {
      // eu-1: sessions checked with auth instead of the facts, history from MySQL
      const read = await regions.query('eu-1', PATIENTS, {}, doctor.token);
      expect(read.errors).toBeUndefined();
      expect(read.data!.patients.edges.length).toBeGreaterThan(0);
      expect((await regions.query('us-1', WHOAMI_CLINIC, {}, bostonAdmin.token)).errors).toBeUndefined();

      // a clinic event for each cluster: us-1's is delivered while eu-1's waits in admin's outbox
      const rename = `mutation($id: ID!, $name: String!) { updateClinic(id: $id, input: { name: $name }) { name } }`;
      expect((await regions.query('us-1', rename, { id: clinics.madrid, name: 'Demo Clinic Madrid' }, operator.token)).errors).toBeUndefined();
      expect((await regions.query('us-1', rename, { id: clinics.boston, name: 'Demo Clinic Boston MA' }, operator.token)).errors).toBeUndefined();
      const usRedis = new Redis(clusters['us-1'].redis.url);
      try {
        await waitFor(
          "Boston's clinic.updated in us-1",
          async () => (await usRedis.xrange(clusterStream('us-1'), '-', '+')).map(([, fields]) => fields.join(' ')),
          (entries) => entries.some((e) => e.includes('clinic.updated') && e.includes('Demo Clinic Boston MA')),
        );
      } finally {
        usRedis.disconnect();
      }
      const waiting = await regions.admin.db.$queryRawUnsafe<Array<{ n: bigint }>>(
        'SELECT COUNT(*) AS n FROM event_outbox WHERE stream = ?',
        clusterStream('eu-1'),
      );
      expect(Number(waiting[0]!.n)).toBeGreaterThan(0);
    } finally {
      await clusters['eu-1'].redis.restart();
    }
    // eu-1 back (empty, as a Redis restarted without persistence): auth rewrites its facts, admin's relay delivers what waited
    await waitFor('the facts rewritten in eu-1', () => factOf(clusters['eu-1'].redis.url, factKeys.ready), (v) => v !== null);
    const euRedis = new Redis(clusters['eu-1'].redis.url);
    try {
      await waitFor(
        "Madrid's clinic.updated in eu-1",
        async () => (await euRedis.xrange(clusterStream('eu-1'), '-', '+')).map(([, fields]) => fields.join(' ')),
        (entries) => entries.some((e) => e.includes('clinic.updated') && e.includes('Demo Clinic Madrid')),
        15_000,
      );
    } finally {
      euRedis.disconnect();
    }
    expect((await regions.query('eu-1', PATIENTS, {}, doctor.token)).errors).toBeUndefined();
  });

  test("eu-1's services stopped while an operator suspends an eu-1 clinic: the suspension holds on their first request after the restart", async () => {
    const { clusters, clinics } = regions;
    const doctor = await regions.login(regions.demo.staff.find((s: { role: string }) => s.role === 'DOCTOR')!.email);
    const operator = await regions.operator();
    await clusters['eu-1'].stopServices();
    try {
      const suspended = await regions.query('us-1', `mutation($id: ID!) { suspendClinic(id: $id, reason: "e2e regions, eu-1 down") { status } }`, { id: clinics.madrid }, operator.token);
      expect(suspended.data?.suspendClinic.status).toBe('SUSPENDED');
    } finally {
      await clusters['eu-1'].startServices();
    }
    try {
      const first = await regions.query('eu-1', PATIENTS, {}, doctor.token);
      expect(first.data ?? null).toBeNull();
      expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLINIC_SUSPENDED' });
    } finally {
      await regions.query('us-1', `mutation($id: ID!) { reactivateClinic(id: $id) { status } }`, { id: clinics.madrid }, operator.token);
    }
  });
});

describe("the cluster's staff directory", () => {
  test("the queue board's staff names come from the cluster: with users (the platform plane) stopped, eu-1 still names its nurses and doctors", async () => {
    const QUEUE = `query { queue { id state nurse { id displayName } doctor { id displayName } } }`;
    const doctor = await regions.login(regions.demo.staff.find((s: { role: string }) => s.role === 'DOCTOR')!.email);
    const names = (data: { queue: Array<{ nurse: { displayName: string } | null; doctor: { displayName: string } | null }> }) =>
      [...new Set(data.queue.flatMap((v) => [v.nurse?.displayName, v.doctor?.displayName]).filter(Boolean))].sort();
    const before = await regions.query('eu-1', QUEUE, {}, doctor.token);
    expect(before.errors).toBeUndefined();
    expect(names(before.data as never)).toEqual(['Daniel Ortega', 'Nuria Vidal']);
    // kept in eu-1's clinic database, for Madrid only
    const eu = regions.clusters['eu-1'].services()!;
    expect(await eu.clinic.db.staffMember.count({ where: { clinicId: regions.clinics.madrid } })).toBeGreaterThanOrEqual(2);
    expect(await regions.clusters['us-1'].services()!.clinic.db.staffMember.count({ where: { clinicId: regions.clinics.madrid } })).toBe(0);
    await regions.stopUsers();
    try {
      const during = await regions.query('eu-1', QUEUE, {}, doctor.token);
      expect(during.errors).toBeUndefined();
      expect(names(during.data as never)).toEqual(['Daniel Ortega', 'Nuria Vidal']);
    } finally {
      await regions.startUsers();
    }
  });
});

describe('the platform plane cut off', () => {
  test("auth gone: the clusters serve while its heartbeat is fresh, then refuse (fail closed), and serve again once it is back", async () => {
    const doctor = await regions.login(regions.demo.staff.find((s: { role: string }) => s.role === 'DOCTOR')!.email);
    // (every service on the way has auth's signing keys by now: one that starts while auth is down cannot verify a token)
    expect((await regions.query('eu-1', PATIENTS, {}, doctor.token)).errors).toBeUndefined();
    await regions.stopAuth();
    try {
      // the facts are whole and fresh: a session is checked in the cluster's own Redis
      expect((await regions.query('eu-1', PATIENTS, {}, doctor.token)).errors).toBeUndefined();
      // no heartbeat for longer than the bound: the facts may lack a revocation; auth cannot say: refused
      await new Promise((r) => setTimeout(r, FACTS_MAX_AGE_MS + 500));
      const refused = await regions.query('eu-1', PATIENTS, {}, doctor.token);
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_UNVERIFIABLE' });
    } finally {
      await regions.startAuth();
    }
    await waitFor('eu-1 serving again', async () => (await regions.query('eu-1', PATIENTS, {}, doctor.token)).errors, (errors) => errors === undefined);
  });
});
