/**
 * The clinic registry over real HTTP, with the real auth service in-process (service tokens, the
 * identity events it applies and the Redis facts every service reads), a fresh MariaDB database
 * each, and the shared Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { codes, gql, type GraphQLResponse, type TestIssuer } from '@clinicult/testing';
import { clusterStream } from '@clinicult/kit';
import {
  CLINIC_FIELDS,
  createClinic,
  startAdmin,
  testIssuer,
  type AdminUnderTest,
} from './admin.js';
import { startAuth, type AuthUnderTest } from './auth.js';

const TEST_CLUSTER = `t-${randomUUID().slice(0, 8)}`;
// admin writes clinic access changes here and auth reads them: one stream of this file's own
const identity = { IDENTITY_STREAM: `events:identity:test:admin:${randomUUID()}` };

let issuer: TestIssuer;
let auth: AuthUnderTest;
let admin: AdminUnderTest;
let operator: string;
let redis: Redis;

beforeAll(async () => {
  issuer = await testIssuer();
  auth = await startAuth({ issuer, env: identity });
  admin = await startAdmin({ issuer, authUrl: auth.url, clusters: `eu-1,us-1,${TEST_CLUSTER}`, env: identity });
  operator = await issuer.operatorToken();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});

afterAll(async () => {
  await redis?.del(clusterStream(TEST_CLUSTER), identity.IDENTITY_STREAM);
  redis?.disconnect();
  await admin?.stop();
  await auth?.stop();
});

const CLINIC = `query($id: ID!) { clinic(id: $id) { ${CLINIC_FIELDS} } }`;
const CLINICS = `query($search: String, $first: Int, $after: String) {
  clinics(search: $search, first: $first, after: $after) {
    edges { cursor node { id name } } pageInfo { hasNextPage endCursor } totalCount
  }
}`;
const CREATE = `mutation($input: CreateClinicInput!) { createClinic(input: $input) { ${CLINIC_FIELDS} } }`;
const SUSPEND = `mutation($id: ID!, $reason: String) { suspendClinic(id: $id, reason: $reason) { ${CLINIC_FIELDS} } }`;
const REACTIVATE = `mutation($id: ID!) { reactivateClinic(id: $id) { ${CLINIC_FIELDS} } }`;
const PROVISION = `mutation($clinicId: ID!, $input: ProvisionAdminInput!) {
  provisionClinicAdmin(clinicId: $clinicId, input: $input) { id }
}`;

const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;

async function rowsSnapshot() {
  const rows = await admin.service.db.clinic.findMany({ orderBy: { id: 'asc' } });
  return rows.map((r) => ({ ...r }));
}

describe('operators', () => {
  test('create a clinic: trimmed name, canonical time zone, default cluster, ACTIVE', async () => {
    const name = unique('Clínica Norte');
    const response = await gql(admin.url, CREATE, { input: { name: `  ${name}  `, timeZone: 'europe/madrid' } }, { token: operator });
    expect(response.errors).toBeUndefined();
    const clinic = response.data!.createClinic;
    expect(clinic).toMatchObject({
      name,
      status: 'ACTIVE',
      cluster: 'eu-1',
      timeZone: 'Europe/Madrid',
      suspendedReason: null,
      suspendedAt: null,
    });
    expect(clinic.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(clinic.createdAt).toISOString()).toBe(clinic.createdAt);

    const read = await gql(admin.url, CLINIC, { id: clinic.id }, { token: operator });
    expect(read.data!.clinic).toEqual(clinic);
    const stored = await admin.service.db.clinic.findUnique({ where: { id: clinic.id } });
    expect(stored).toMatchObject({ name, cluster: 'eu-1', timeZone: 'Europe/Madrid', status: 'ACTIVE' });
  });

  test('create in another configured cluster', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Clinic West'), cluster: 'us-1', timeZone: 'America/New_York' });
    expect(clinic).toMatchObject({ cluster: 'us-1', timeZone: 'America/New_York' });
  });

  test('list in the stable order (name, id), page with cursors, search ignoring case, count', async () => {
    const tag = randomUUID().slice(0, 6);
    const names = ['Delta', 'alpha', 'Charlie', 'bravo', 'Echo'].map((n) => `${n} ${tag}`);
    for (const name of names) await createClinic(admin.url, operator, { name });
    const expected = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response: GraphQLResponse = await gql(admin.url, CLINICS, { search: tag.toUpperCase(), first: 2, after }, { token: operator });
      expect(response.errors).toBeUndefined();
      const page = response.data!.clinics;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e: { node: { name: string } }) => e.node.name));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);

    const prefix = await gql(admin.url, CLINICS, { search: `CHARLIE ${tag}` }, { token: operator });
    expect(prefix.data!.clinics.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([`Charlie ${tag}`]);
    expect(prefix.data!.clinics.totalCount).toBe(1);

    const all = await gql(admin.url, CLINICS, {}, { token: operator });
    expect(all.data!.clinics.totalCount).toBe(await admin.service.db.clinic.count());
  });

  test('search treats % and _ literally', async () => {
    const tag = randomUUID().slice(0, 6);
    await createClinic(admin.url, operator, { name: `Percent 100% ${tag}` });
    await createClinic(admin.url, operator, { name: `Percent 1000 ${tag}` });
    const response = await gql(admin.url, CLINICS, { search: `100% ${tag}` }, { token: operator });
    expect(response.data!.clinics.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([`Percent 100% ${tag}`]);
    const underscore = await gql(admin.url, CLINICS, { search: `Percent 10_0 ${tag}` }, { token: operator });
    expect(underscore.data!.clinics.totalCount).toBe(0);
  });

  test('provisionClinicAdmin refuses a suspended clinic before calling users', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Provision Suspended') });
    await gql(admin.url, SUSPEND, { id: clinic.id, reason: 'billing' }, { token: operator });
    const response = await gql(
      admin.url,
      PROVISION,
      { clinicId: clinic.id, input: { email: 'boss@example.com', firstName: 'Ana', lastName: 'Ruiz' } },
      { token: operator },
    );
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toMatch(/suspended/);
    await gql(admin.url, REACTIVATE, { id: clinic.id }, { token: operator });
  });
});

describe('suspension', () => {
  test('a suspended clinic\'s staff are refused (CLINIC_SUSPENDED) until it is reactivated; other clinics are not', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Suspend Me') });
    const other = await createClinic(admin.url, operator, { name: unique('Bystander') });
    const staff = await issuer.staffToken(randomUUID(), clinic.id, ['DOCTOR']);
    const otherStaff = await issuer.staffToken(randomUUID(), other.id, ['NURSE']);

    const before = await gql(admin.url, CLINIC, { id: clinic.id }, { token: staff });
    expect(before.errors).toBeUndefined();
    expect(before.data!.clinic.status).toBe('ACTIVE');

    const suspended = await gql(admin.url, SUSPEND, { id: clinic.id, reason: '  unpaid invoices  ' }, { token: operator });
    expect(suspended.errors).toBeUndefined();
    expect(suspended.data!.suspendClinic).toMatchObject({ status: 'SUSPENDED', suspendedReason: 'unpaid invoices' });
    expect(suspended.data!.suspendClinic.suspendedAt).toEqual(expect.any(String));

    const refused = await gql(admin.url, CLINIC, { id: clinic.id }, { token: staff });
    expect(refused.data ?? null).toBeNull();
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.errors![0]!.extensions!.reason).toBe('CLINIC_SUSPENDED');
    expect(refused.errors![0]!.message).toMatch(/suspended/i);

    const bystander = await gql(admin.url, CLINIC, { id: other.id }, { token: otherStaff });
    expect(bystander.errors).toBeUndefined();

    // Suspending again keeps it suspended and only replaces the reason.
    const again = await gql(admin.url, SUSPEND, { id: clinic.id, reason: 'still unpaid' }, { token: operator });
    expect(again.data!.suspendClinic).toMatchObject({
      status: 'SUSPENDED',
      suspendedReason: 'still unpaid',
      suspendedAt: suspended.data!.suspendClinic.suspendedAt,
    });

    const operatorView = await gql(admin.url, CLINIC, { id: clinic.id }, { token: operator });
    expect(operatorView.data!.clinic.status).toBe('SUSPENDED');

    const reactivated = await gql(admin.url, REACTIVATE, { id: clinic.id }, { token: operator });
    expect(reactivated.errors).toBeUndefined();
    expect(reactivated.data!.reactivateClinic).toMatchObject({ status: 'ACTIVE', suspendedReason: null, suspendedAt: null });

    const after = await gql(admin.url, CLINIC, { id: clinic.id }, { token: staff });
    expect(after.errors).toBeUndefined();
    expect(after.data!.clinic).toMatchObject({ id: clinic.id, status: 'ACTIVE' });
  });

  test('clinic events go to the cluster stream: created, suspended, reactivated', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Evented'), cluster: TEST_CLUSTER });
    await gql(admin.url, SUSPEND, { id: clinic.id, reason: 'audit' }, { token: operator });
    await gql(admin.url, SUSPEND, { id: clinic.id }, { token: operator }); // no second event
    await gql(admin.url, REACTIVATE, { id: clinic.id }, { token: operator });

    let events: Array<{ type: string; clinicId: string; source: string; payload: any }> = [];
    for (let i = 0; i < 40 && events.length < 3; i++) {
      const entries = await redis.xrange(clusterStream(TEST_CLUSTER), '-', '+');
      events = entries
        .map(([, fields]) => JSON.parse(fields[fields.indexOf('envelope') + 1]!))
        .filter((e) => e.clinicId === clinic.id);
      if (events.length < 3) await new Promise((r) => setTimeout(r, 100));
    }
    expect(events.map((e) => e.type)).toEqual(['clinic.created', 'clinic.suspended', 'clinic.reactivated']);
    expect(events.every((e) => e.source === 'admin')).toBe(true);
    expect(events[1]!.payload.clinic).toMatchObject({ id: clinic.id, status: 'SUSPENDED', suspendedReason: 'audit', cluster: TEST_CLUSTER });
    expect(events[0]!.payload.clinic).toMatchObject({ name: clinic.name, timeZone: 'Europe/Madrid', status: 'ACTIVE' });
    expect(await admin.service.events.backlog()).toBe(0);
  });
});

describe('clinic roles and other callers', () => {
  test.each(['ADMIN', 'DOCTOR', 'NURSE', 'OFFICE'] as const)('%s gets FORBIDDEN on every operator operation and nothing changes', async (role) => {
    const clinic = await createClinic(admin.url, operator, { name: unique(`Own ${role}`) });
    const token = await issuer.staffToken(randomUUID(), clinic.id, [role]);
    const before = await rowsSnapshot();

    const attempts = [
      gql(admin.url, CLINICS, {}, { token }),
      gql(admin.url, CREATE, { input: { name: unique('Sneaky'), timeZone: 'UTC' } }, { token }),
      gql(admin.url, SUSPEND, { id: clinic.id, reason: 'self' }, { token }),
      gql(admin.url, REACTIVATE, { id: clinic.id }, { token }),
      gql(admin.url, PROVISION, { clinicId: clinic.id, input: { email: 'x@example.com', firstName: 'X', lastName: 'Y' } }, { token }),
      gql(admin.url, `query($id: ID!) { clinicInfo(id: $id) { id status } }`, { id: clinic.id }, { token }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(codes(response)).toEqual(['FORBIDDEN']);
      // null data, or (a nullable root field) the field null
      expect(Object.values(response.data ?? {}).every((v) => v === null)).toBe(true);
    }
    expect(await rowsSnapshot()).toEqual(before);
  });

  test('staff read their own clinic (clinic:read) but get FORBIDDEN for another, existing or not', async () => {
    const own = await createClinic(admin.url, operator, { name: unique('Mine') });
    const other = await createClinic(admin.url, operator, { name: unique('Theirs') });
    const token = await issuer.staffToken(randomUUID(), own.id, ['OFFICE']);

    const mine = await gql(admin.url, CLINIC, { id: own.id }, { token });
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.clinic).toMatchObject({ id: own.id, name: own.name, timeZone: 'Europe/Madrid' });

    const theirs = await gql(admin.url, CLINIC, { id: other.id }, { token });
    const nobody = await gql(admin.url, CLINIC, { id: randomUUID() }, { token });
    for (const response of [theirs, nobody]) {
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(response.data!.clinic).toBeNull();
    }
    // The same answer whether or not the clinic exists: nothing to learn about other ids.
    expect(theirs.errors![0]!.message).toBe(nobody.errors![0]!.message);
  });

  test('a staff token without clinic:read, an unscoped user and a service cannot use clinic(id)', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Perms') });
    const noPermission = await issuer.sign({ sub: randomUUID(), cid: clinic.id, roles: [], permissions: [] });
    const unscoped = await issuer.sign({ sub: randomUUID(), roles: [], permissions: [] });
    const service = await issuer.serviceToken('users');
    for (const token of [noPermission, unscoped, service]) {
      const response = await gql(admin.url, CLINIC, { id: clinic.id }, { token });
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(response.data!.clinic).toBeNull();
    }
  });

  test('an operator asking for an unknown clinic gets null', async () => {
    const response = await gql(admin.url, CLINIC, { id: randomUUID() }, { token: operator });
    expect(response.errors).toBeUndefined();
    expect(response.data!.clinic).toBeNull();
  });

  test('clinicInfo is for services holding clinic-read', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Info'), timeZone: 'Asia/Tokyo' });
    const query = `query($id: ID!) { clinicInfo(id: $id) { id name status cluster timeZone } }`;
    const users = await gql(admin.url, query, { id: clinic.id }, { token: await issuer.serviceToken('users') });
    expect(users.errors).toBeUndefined();
    expect(users.data!.clinicInfo).toEqual({ id: clinic.id, name: clinic.name, status: 'ACTIVE', cluster: 'eu-1', timeZone: 'Asia/Tokyo' });
    const unknown = await gql(admin.url, query, { id: randomUUID() }, { token: await issuer.serviceToken('users') });
    expect(unknown.data!.clinicInfo).toBeNull();

    for (const token of [await issuer.serviceToken('admin'), operator]) {
      const response = await gql(admin.url, query, { id: clinic.id }, { token });
      expect(codes(response)).toEqual(['FORBIDDEN']);
    }
  });
});

describe('bad input', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a one-character name', { name: ' a ', timeZone: 'UTC' }, /^input\.name: must be at least 2 characters/],
    ['a 201-character name', { name: 'x'.repeat(201), timeZone: 'UTC' }, /^input\.name: must be at most 200 characters/],
    ['a name with a line break', { name: 'Two\nLines', timeZone: 'UTC' }, /^input\.name: .*control characters/],
    ['an unknown time zone', { name: 'Valid Name TZ', timeZone: 'Mars/Olympus_Mons' }, /^input\.timeZone: "Mars\/Olympus_Mons" is not an IANA time zone/],
    ['an offset instead of a zone', { name: 'Valid Name Offset', timeZone: '+02:00' }, /^input\.timeZone: /],
    ['an unknown cluster', { name: 'Valid Name Cluster', timeZone: 'UTC', cluster: 'mars-1' }, /^input\.cluster: unknown cluster "mars-1"; use one of: eu-1, us-1/],
  ];

  test.each(cases)('createClinic with %s → BAD_USER_INPUT naming the field, nothing written', async (_label, input, message) => {
    const before = await rowsSnapshot();
    const response = await gql(admin.url, CREATE, { input }, { token: operator });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toMatch(message);
    expect(response.data).toBeNull();
    expect(await rowsSnapshot()).toEqual(before);
  });

  test('a duplicate name, in any case, → BAD_USER_INPUT', async () => {
    const name = unique('Twin Clinic');
    await createClinic(admin.url, operator, { name });
    const before = await rowsSnapshot();
    const response = await gql(admin.url, CREATE, { input: { name: ` ${name.toUpperCase()} `, timeZone: 'UTC' } }, { token: operator });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toMatch(/^input\.name: a clinic named .* already exists/);
    expect(await rowsSnapshot()).toEqual(before);
  });

  test('concurrent creates of one name: one clinic, the others BAD_USER_INPUT', async () => {
    const name = unique('Race');
    const responses = await Promise.all(
      [0, 1, 2].map(() => gql(admin.url, CREATE, { input: { name, timeZone: 'UTC' } }, { token: operator })),
    );
    expect(responses.filter((r) => !r.errors)).toHaveLength(1);
    expect(responses.filter((r) => r.errors).flatMap(codes)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(await admin.service.db.clinic.count({ where: { name } })).toBe(1);
  });

  test.each([
    ['suspendClinic', SUSPEND, { id: randomUUID(), reason: 'x' }],
    ['suspendClinic (not a uuid)', SUSPEND, { id: 'nope' }],
    ['reactivateClinic', REACTIVATE, { id: randomUUID() }],
  ])('%s of an unknown clinic → BAD_USER_INPUT naming the id, nothing written', async (_label, mutation, variables) => {
    const before = await rowsSnapshot();
    const response = await gql(admin.url, mutation, variables, { token: operator });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toMatch(/^id: no clinic with id/);
    expect(await rowsSnapshot()).toEqual(before);
  });

  test('provisionClinicAdmin: unknown clinic and malformed person → BAD_USER_INPUT', async () => {
    const unknown = await gql(
      admin.url,
      PROVISION,
      { clinicId: randomUUID(), input: { email: 'a@example.com', firstName: 'A', lastName: 'B' } },
      { token: operator },
    );
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.errors![0]!.message).toMatch(/^clinicId: no clinic with id/);

    const clinic = await createClinic(admin.url, operator, { name: unique('Provision Input') });
    const badEmail = await gql(
      admin.url,
      PROVISION,
      { clinicId: clinic.id, input: { email: 'not-an-email', firstName: 'A', lastName: 'B' } },
      { token: operator },
    );
    expect(codes(badEmail)).toEqual(['BAD_USER_INPUT']);
    expect(badEmail.errors![0]!.message).toMatch(/^input\.email: /);
    const noName = await gql(
      admin.url,
      PROVISION,
      { clinicId: clinic.id, input: { email: 'a@example.com', firstName: '  ', lastName: 'B' } },
      { token: operator },
    );
    expect(noName.errors![0]!.message).toMatch(/^input\.firstName: /);
  });

  test('a too long suspension reason → BAD_USER_INPUT, clinic stays ACTIVE', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Long Reason') });
    const response = await gql(admin.url, SUSPEND, { id: clinic.id, reason: 'r'.repeat(501) }, { token: operator });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toMatch(/^reason: must be at most 500/);
    expect((await admin.service.db.clinic.findUnique({ where: { id: clinic.id } }))!.status).toBe('ACTIVE');
  });

  test('clinics: first out of range and a foreign cursor → BAD_USER_INPUT', async () => {
    for (const variables of [{ first: 0 }, { first: 101 }, { after: 'bm90IGEgY3Vyc29y' }]) {
      const response = await gql(admin.url, CLINICS, variables, { token: operator });
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.message).toMatch(/^(first|after): /);
    }
  });
});

describe('without a token', () => {
  test.each([
    ['clinic', CLINIC, () => ({ id: randomUUID() })],
    ['clinics', CLINICS, () => ({})],
    ['createClinic', CREATE, () => ({ input: { name: 'Anonymous Clinic', timeZone: 'UTC' } })],
    ['suspendClinic', SUSPEND, () => ({ id: randomUUID() })],
    ['reactivateClinic', REACTIVATE, () => ({ id: randomUUID() })],
    ['_entities', `query($r: [_Any!]!) { _entities(representations: $r) { ... on Clinic { id name } } }`, () => ({ r: [{ __typename: 'Clinic', id: randomUUID() }] })],
    ['_service', `{ _service { sdl } }`, () => ({})],
  ])('%s → UNAUTHENTICATED and no data', async (_label, query, variables) => {
    const before = await rowsSnapshot();
    const response = await gql(admin.url, query, variables());
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data ?? null).toBeNull();
    expect(await rowsSnapshot()).toEqual(before);
  });

  test('a forged token → UNAUTHENTICATED (TOKEN_INVALID)', async () => {
    const response = await gql(admin.url, CLINICS, {}, { token: `${operator.slice(0, -4)}AAAA` });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0]!.extensions!.reason).toBe('TOKEN_INVALID');
    expect(response.data ?? null).toBeNull();
  });
});

describe('federation', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Clinic { id name status timeZone } } }`;

  test('Clinic references resolve through one query per request', async () => {
    const clinics = await Promise.all(['E1', 'E2', 'E3'].map((n) => createClinic(admin.url, operator, { name: unique(n) })));
    const registry = admin.service.registry;
    const byIds = registry.byIds;
    let queries = 0;
    registry.byIds = (ids) => {
      queries++;
      return byIds.call(registry, ids);
    };
    try {
      const representations = [...clinics, clinics[0]!].map((c) => ({ __typename: 'Clinic', id: c.id }));
      representations.push({ __typename: 'Clinic', id: randomUUID() });
      const response = await gql(admin.url, ENTITIES, { r: representations }, { token: operator });
      expect(response.errors).toBeUndefined();
      expect(response.data!._entities.map((e: { id: string } | null) => e?.id ?? null)).toEqual([
        ...clinics.map((c) => c.id),
        clinics[0]!.id,
        null,
      ]);
      expect(queries).toBe(1);
    } finally {
      registry.byIds = byIds;
    }
  });

  test('any signed-in user resolves a clinic\'s id and name (memberships); its details need that clinic', async () => {
    const a = await createClinic(admin.url, operator, { name: unique('Entity A') });
    const b = await createClinic(admin.url, operator, { name: unique('Entity B') });
    const staffOfA = await issuer.staffToken(randomUUID(), a.id, ['DOCTOR']);
    const names = await gql(
      admin.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Clinic { id name } } }`,
      { r: [{ __typename: 'Clinic', id: a.id }, { __typename: 'Clinic', id: b.id }] },
      { token: staffOfA },
    );
    expect(names.errors).toBeUndefined();
    expect(names.data!._entities).toEqual([{ id: a.id, name: a.name }, { id: b.id, name: b.name }]);

    const details = await gql(admin.url, ENTITIES, { r: [{ __typename: 'Clinic', id: a.id }, { __typename: 'Clinic', id: b.id }] }, { token: staffOfA });
    expect(details.data!._entities[0]).toMatchObject({ id: a.id, status: 'ACTIVE' });
    expect(details.data!._entities[1]).toBeNull();
    expect(codes(details).length).toBeGreaterThan(0);
    expect(new Set(codes(details))).toEqual(new Set(['FORBIDDEN']));
  });
});
