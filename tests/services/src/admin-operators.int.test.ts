/**
 * The rest of the operators' plane over real HTTP, a fresh MariaDB database and the shared Redis:
 * updateClinic (clinic.updated on the clinic's cluster stream) and the global template catalogue
 * (template.published on EVERY cluster's stream), and a table-driven proof that every operator
 * operation refuses clinic roles, unscoped users and services (FORBIDDEN) and anonymous callers
 * (UNAUTHENTICATED), changing nothing.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseStreamFields, type EventEnvelope } from '@clinicult/events';
import { clusterStream } from '@clinicult/kit';
import { codes, fieldPaths, gql, type GraphQLResponse, type TestIssuer } from '@clinicult/testing';
import { CLINIC_FIELDS, createClinic, startAdmin, testIssuer, type AdminUnderTest } from './admin.js';
import { startAuth, type AuthUnderTest } from './auth.js';

const tag = randomUUID().slice(0, 8);
const CLUSTERS = [`t-${tag}-a`, `t-${tag}-b`, `t-${tag}-c`];

let issuer: TestIssuer;
let auth: AuthUnderTest;
let admin: AdminUnderTest;
let operator: string;
let operatorId: `${string}-${string}-${string}-${string}-${string}`;
let redis: Redis;

beforeAll(async () => {
  issuer = await testIssuer();
  auth = await startAuth({ issuer });
  admin = await startAdmin({ issuer, authUrl: auth.url, clusters: CLUSTERS.join(',') });
  operatorId = randomUUID();
  operator = await issuer.operatorToken(operatorId);
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});

afterAll(async () => {
  await redis?.del(...CLUSTERS.map(clusterStream));
  redis?.disconnect();
  await admin?.stop();
  await auth?.stop();
});

const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;

const TEMPLATE_FIELDS = 'id name kind version retired publishedAt createdAt fields { key label type required options unit min max help }';
const UPDATE_CLINIC = `mutation($id: ID!, $input: UpdateClinicInput!) { updateClinic(id: $id, input: $input) { ${CLINIC_FIELDS} } }`;
const CREATE_TEMPLATE = `mutation($input: TemplateInput!) { createGlobalTemplate(input: $input) { ${TEMPLATE_FIELDS} } }`;
const UPDATE_TEMPLATE = `mutation($id: ID!, $input: TemplateInput!) { updateGlobalTemplate(id: $id, input: $input) { ${TEMPLATE_FIELDS} } }`;
const RETIRE_TEMPLATE = `mutation($id: ID!) { retireGlobalTemplate(id: $id) { ${TEMPLATE_FIELDS} } }`;
const TEMPLATE = `query($id: ID!) { globalTemplate(id: $id) { ${TEMPLATE_FIELDS} } }`;
const TEMPLATES = `query($includeRetired: Boolean, $first: Int, $after: String) {
  globalTemplates(includeRetired: $includeRetired, first: $first, after: $after) {
    edges { cursor node { id name version retired } } pageInfo { hasNextPage endCursor } totalCount
  }
}`;

const intake = (name: string) => ({
  name,
  kind: 'INTAKE',
  fields: [
    { key: 'chiefComplaint', label: 'Chief complaint', type: 'TEXT', required: true },
    { key: 'pain', label: 'Pain (0-10)', type: 'NUMBER', min: 0, max: 10, unit: 'points' },
    { key: 'smoker', label: 'Smoker', type: 'CHOICE', options: ['never', 'former', 'current'], help: 'Ask gently' },
  ],
});

/** The stored shape: every attribute present, null where the type has none (TemplateFieldDef). */
const INTAKE_FIELDS = [
  { key: 'chiefComplaint', label: 'Chief complaint', type: 'TEXT', required: true, options: null, unit: null, min: null, max: null, help: null },
  { key: 'pain', label: 'Pain (0-10)', type: 'NUMBER', required: false, options: null, unit: 'points', min: 0, max: 10, help: null },
  { key: 'smoker', label: 'Smoker', type: 'CHOICE', required: false, options: ['never', 'former', 'current'], unit: null, min: null, max: null, help: 'Ask gently' },
];

async function ok(query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await gql(admin.url, query, variables, { token: operator });
  if (response.errors || !response.data) throw new Error(`${query.slice(0, 60)}… failed: ${JSON.stringify(response.errors)}`);
  return response.data;
}

/** Every event on a stream, oldest first. Events are flushed right after commit; wait briefly for them. */
async function streamEvents(stream: string, until: (events: EventEnvelope<any>[]) => boolean = () => true): Promise<EventEnvelope<any>[]> {
  let events: EventEnvelope<any>[] = [];
  for (let i = 0; i < 50; i++) {
    const entries = (await redis.xrange(stream, '-', '+')) as Array<[string, string[]]>;
    events = entries.map(([, fields]) => parseStreamFields(fields) as EventEnvelope<any>);
    if (until(events)) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
  return events;
}

const templateEvents = (events: EventEnvelope<any>[], id: string) =>
  events.filter((e) => e.type === 'template.published' && e.payload?.template?.id === id);

/** Waits until the outbox is empty, then returns each cluster's template.published events for `id`. */
async function publicationsOf(id: string): Promise<EventEnvelope<any>[][]> {
  await drained();
  return Promise.all(CLUSTERS.map(async (c) => templateEvents(await streamEvents(clusterStream(c)), id)));
}

/** Waits (briefly) until the outbox has been flushed to Redis: a snapshot taken then is stable. */
async function drained() {
  for (let i = 0; i < 50 && (await admin.service.events.backlog()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
}

async function rowsSnapshot() {
  await drained();
  const [clinics, templates, versions, outbox] = await Promise.all([
    admin.service.db.clinic.findMany({ orderBy: { id: 'asc' } }),
    admin.service.db.globalTemplate.findMany({ orderBy: { id: 'asc' } }),
    admin.service.db.globalTemplateVersion.count(),
    admin.service.db.eventOutbox.count(),
  ]);
  return { clinics, templates, versions, outbox };
}

describe('updateClinic', () => {
  test('renames and moves the time zone, validated like createClinic; clinic.updated on its cluster', async () => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Before'), cluster: CLUSTERS[1] });
    const name = unique('After');
    const data = await ok(UPDATE_CLINIC, { id: clinic.id, input: { name: `  ${name} `, timeZone: 'america/new_york' } });
    expect(data.updateClinic).toMatchObject({ id: clinic.id, name, timeZone: 'America/New_York', cluster: CLUSTERS[1], status: 'ACTIVE' });
    expect(await admin.service.db.clinic.findUnique({ where: { id: clinic.id } })).toMatchObject({ name, timeZone: 'America/New_York' });

    // only the name; then only the time zone
    await ok(UPDATE_CLINIC, { id: clinic.id, input: { name: `${name} II` } });
    await ok(UPDATE_CLINIC, { id: clinic.id, input: { timeZone: 'Asia/Tokyo' } });
    // nothing changes: no event
    await ok(UPDATE_CLINIC, { id: clinic.id, input: { timeZone: 'Asia/Tokyo' } });

    const events = await streamEvents(clusterStream(CLUSTERS[1]!), (all) => all.filter((e) => e.clinicId === clinic.id).length >= 4);
    const mine = events.filter((e) => e.clinicId === clinic.id);
    expect(mine.map((e) => e.type)).toEqual(['clinic.created', 'clinic.updated', 'clinic.updated', 'clinic.updated']);
    expect(mine[1]!.payload).toEqual({
      clinic: { id: clinic.id, name, status: 'ACTIVE', cluster: CLUSTERS[1], timeZone: 'America/New_York', suspendedReason: null },
      by: operatorId,
      at: expect.any(String),
    });
    expect(mine[3]!.payload.clinic).toMatchObject({ name: `${name} II`, timeZone: 'Asia/Tokyo' });
    expect(mine.every((e) => e.source === 'admin')).toBe(true);
    // on its own cluster's stream only
    for (const other of [CLUSTERS[0]!, CLUSTERS[2]!]) {
      expect((await streamEvents(clusterStream(other))).filter((e) => e.clinicId === clinic.id)).toEqual([]);
    }
  });

  test.each([
    ['an empty input', {}, /^input: give a new name, a new timeZone, or both/],
    ['a one-character name', { name: ' x ' }, /^input\.name: must be at least 2 characters/],
    ['a name with a line break', { name: 'Two\nLines' }, /^input\.name: .*control characters/],
    ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, /^input\.timeZone: "Mars\/Olympus_Mons" is not an IANA time zone/],
    ['an offset', { timeZone: '+01:00' }, /^input\.timeZone: /],
  ])('%s → BAD_USER_INPUT naming the field, nothing written', async (_label, input, message) => {
    const clinic = await createClinic(admin.url, operator, { name: unique('Strict') });
    const before = await rowsSnapshot();
    const response = await gql(admin.url, UPDATE_CLINIC, { id: clinic.id, input }, { token: operator });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toMatch(message);
    expect(await rowsSnapshot()).toEqual(before);
  });

  test("another clinic's name (in any case) or an unknown id → BAD_USER_INPUT, nothing written", async () => {
    const taken = await createClinic(admin.url, operator, { name: unique('Taken') });
    const clinic = await createClinic(admin.url, operator, { name: unique('Wants It') });
    const before = await rowsSnapshot();
    const duplicate = await gql(admin.url, UPDATE_CLINIC, { id: clinic.id, input: { name: taken.name.toUpperCase() } }, { token: operator });
    expect(codes(duplicate)).toEqual(['BAD_USER_INPUT']);
    expect(duplicate.errors![0]!.message).toMatch(/^input\.name: a clinic named .* already exists/);
    const unknown = await gql(admin.url, UPDATE_CLINIC, { id: randomUUID(), input: { name: 'Whatever Name' } }, { token: operator });
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.errors![0]!.message).toMatch(/^id: no clinic with id/);
    expect(await rowsSnapshot()).toEqual(before);

    // its own name in another case is a rename, not a duplicate
    const recased = await ok(UPDATE_CLINIC, { id: clinic.id, input: { name: clinic.name.toLowerCase() } });
    expect(recased.updateClinic.name).toBe(clinic.name.toLowerCase());
  });
});

describe('global templates', () => {
  test('create → v1, update → v2 (kind kept), retire: each puts exactly one template.published on every cluster', async () => {
    const created = (await ok(CREATE_TEMPLATE, { input: intake(unique('General intake')) })).createGlobalTemplate;
    expect(created).toMatchObject({ kind: 'INTAKE', version: 1, retired: false, fields: INTAKE_FIELDS });
    let perCluster = await publicationsOf(created.id);
    for (const events of perCluster) {
      expect(events).toHaveLength(1);
      expect(events[0]!.clinicId).toBeNull();
      expect(events[0]!.source).toBe('admin');
      expect(events[0]!.payload).toEqual({
        template: {
          id: created.id,
          name: created.name,
          kind: 'INTAKE',
          version: 1,
          fields: INTAKE_FIELDS,
          retired: false,
          publishedAt: created.publishedAt,
        },
        by: operatorId,
        at: expect.any(String),
      });
    }

    const v2Input = { ...intake(unique('General intake v2')), fields: [INTAKE_FIELDS[0], { key: 'fever', label: 'Fever', type: 'BOOLEAN', required: true }] };
    const updated = (await ok(UPDATE_TEMPLATE, { id: created.id, input: v2Input })).updateGlobalTemplate;
    expect(updated).toMatchObject({ id: created.id, name: v2Input.name, version: 2, retired: false, createdAt: created.createdAt });
    expect(updated.fields[1]).toEqual({ key: 'fever', label: 'Fever', type: 'BOOLEAN', required: true, options: null, unit: null, min: null, max: null, help: null });
    perCluster = await publicationsOf(created.id);
    for (const events of perCluster) {
      expect(events.map((e) => e.payload.template.version)).toEqual([1, 2]);
      expect(events[1]!.payload.template).toEqual({
        id: created.id,
        name: v2Input.name,
        kind: 'INTAKE',
        version: 2,
        fields: updated.fields,
        retired: false,
        publishedAt: updated.publishedAt,
      });
    }

    const retired = (await ok(RETIRE_TEMPLATE, { id: created.id })).retireGlobalTemplate;
    expect(retired).toMatchObject({ id: created.id, version: 2, retired: true, fields: updated.fields });
    // retiring again changes and publishes nothing
    await ok(RETIRE_TEMPLATE, { id: created.id });
    perCluster = await publicationsOf(created.id);
    for (const events of perCluster) {
      expect(events.map((e) => [e.payload.template.version, e.payload.template.retired])).toEqual([
        [1, false],
        [2, false],
        [2, true],
      ]);
      expect(events[2]!.payload.template).toMatchObject({ name: v2Input.name, fields: updated.fields, publishedAt: updated.publishedAt });
    }

    // both versions are kept
    const versions = await admin.service.db.globalTemplateVersion.findMany({ where: { templateId: created.id }, orderBy: { version: 'asc' } });
    expect(versions.map((v) => [v.version, v.name, v.kind, v.createdBy])).toEqual([
      [1, created.name, 'INTAKE', operatorId],
      [2, v2Input.name, 'INTAKE', operatorId],
    ]);
    expect(versions[0]!.fields).toEqual(INTAKE_FIELDS);
    expect((await ok(TEMPLATE, { id: created.id })).globalTemplate).toEqual(retired);
  });

  test('read one; list in the stable order with keyset pages; retired ones only when asked for', async () => {
    const prefix = randomUUID().slice(0, 6);
    const names = ['Delta', 'alpha', 'Charlie', 'bravo'].map((n) => `${prefix} ${n}`);
    const ids: string[] = [];
    for (const name of names) ids.push((await ok(CREATE_TEMPLATE, { input: intake(name) })).createGlobalTemplate.id);
    await ok(RETIRE_TEMPLATE, { id: ids[2] }); // Charlie

    const collect = async (includeRetired: boolean) => {
      const seen: string[] = [];
      let after: string | null = null;
      let total = 0;
      for (let pages = 0; pages < 50; pages++) {
        const response: GraphQLResponse = await gql(admin.url, TEMPLATES, { includeRetired, first: 2, after }, { token: operator });
        expect(response.errors).toBeUndefined();
        const page = response.data!.globalTemplates;
        total = page.totalCount;
        seen.push(...page.edges.map((e: { node: { name: string } }) => e.node.name));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      return { mine: seen.filter((n) => n.startsWith(prefix)), seen, total };
    };
    const active = await collect(false);
    expect(active.mine).toEqual([`${prefix} alpha`, `${prefix} bravo`, `${prefix} Delta`]);
    expect(active.total).toBe(active.seen.length);
    expect(active.total).toBe(await admin.service.db.globalTemplate.count({ where: { retired: false } }));
    const all = await collect(true);
    expect(all.mine).toEqual([`${prefix} alpha`, `${prefix} bravo`, `${prefix} Charlie`, `${prefix} Delta`]);
    expect(all.total).toBe(await admin.service.db.globalTemplate.count());

    expect((await ok(TEMPLATE, { id: randomUUID() })).globalTemplate).toBeNull();
    const bad = await gql(admin.url, TEMPLATES, { after: 'nonsense' }, { token: operator });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    const tooMany = await gql(admin.url, TEMPLATES, { first: 101 }, { token: operator });
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
  });

  const badInputs: Array<[string, unknown, RegExp]> = [
    ['a CHOICE field with one option', { ...intake('Bad'), fields: [intake('x').fields[0], intake('x').fields[1], { key: 'k', label: 'K', type: 'CHOICE', options: ['only'] }] }, /^input\.fields\[2\]\.options: /],
    ['a duplicate key', { ...intake('Bad'), fields: [intake('x').fields[0], { ...intake('x').fields[0], label: 'Again' }] }, /^input\.fields\[1\]\.key: .*unique/],
    ['a unit on a TEXT field', { ...intake('Bad'), fields: [{ key: 'a', label: 'A', type: 'TEXT', unit: 'kg' }] }, /^input\.fields\[0\]\.unit: /],
    ['no fields', { ...intake('Bad'), fields: [] }, /^input\.fields: /],
    ['an empty name', { ...intake('Bad'), name: '   ' }, /^input\.name: /],
    ['a key that is a sentence', { ...intake('Bad'), fields: [{ key: 'Chief complaint', label: 'A', type: 'TEXT' }] }, /^input\.fields\[0\]\.key: /],
  ];

  test.each(badInputs)('create with %s → BAD_USER_INPUT naming the field, nothing written or published', async (_label, input, message) => {
    const before = await rowsSnapshot();
    const response = await gql(admin.url, CREATE_TEMPLATE, { input }, { token: operator });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toMatch(message);
    expect(fieldPaths(response.errors![0]!)).toEqual([expect.stringMatching(/^input\./)]);
    expect(await rowsSnapshot()).toEqual(before);
  });

  test('update: the kind cannot change, a retired template cannot change, unknown ids and bad fields are refused — no version, no event', async () => {
    const created = (await ok(CREATE_TEMPLATE, { input: intake(unique('Fixed kind')) })).createGlobalTemplate;
    const retired = (await ok(CREATE_TEMPLATE, { input: intake(unique('Gone')) })).createGlobalTemplate;
    await ok(RETIRE_TEMPLATE, { id: retired.id });
    await publicationsOf(created.id);
    const before = await rowsSnapshot();
    const streamsBefore = await Promise.all(CLUSTERS.map((c) => redis.xlen(clusterStream(c))));

    const attempts: Array<[Record<string, unknown>, RegExp]> = [
      [{ id: created.id, input: { ...intake('As note'), kind: 'NOTE' } }, /^input\.kind: a template's kind cannot change/],
      [{ id: retired.id, input: intake('Revived') }, /^id: .* is retired/],
      [{ id: randomUUID(), input: intake('Nobody') }, /^id: no global template/],
      [{ id: created.id, input: { ...intake('Broken'), fields: [{ key: 'n', label: 'N', type: 'NUMBER', min: 5, max: 1 }] } }, /^input\.fields\[0\]\.max: /],
    ];
    for (const [variables, message] of attempts) {
      const response = await gql(admin.url, UPDATE_TEMPLATE, variables, { token: operator });
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.message).toMatch(message);
    }
    const unknownRetire = await gql(admin.url, RETIRE_TEMPLATE, { id: randomUUID() }, { token: operator });
    expect(codes(unknownRetire)).toEqual(['BAD_USER_INPUT']);

    expect(await rowsSnapshot()).toEqual(before);
    expect(await Promise.all(CLUSTERS.map((c) => redis.xlen(clusterStream(c))))).toEqual(streamsBefore);
  });
});

describe('who may', () => {
  let clinic: { id: string; name: string };
  let template: { id: string };

  beforeAll(async () => {
    clinic = await createClinic(admin.url, operator, { name: unique('Guarded') });
    template = (await ok(CREATE_TEMPLATE, { input: intake(unique('Guarded template')) })).createGlobalTemplate;
  });

  /** Every operator operation, with valid arguments (an operator would succeed with each). */
  const operations = (): Array<[string, string, Record<string, unknown>]> => [
    ['clinics', '{ clinics { totalCount } }', {}],
    ['globalTemplates', '{ globalTemplates { totalCount } }', {}],
    ['globalTemplate', 'query($id: ID!) { globalTemplate(id: $id) { id } }', { id: template.id }],
    ['createClinic', 'mutation($input: CreateClinicInput!) { createClinic(input: $input) { id } }', { input: { name: unique('Sneaky'), timeZone: 'UTC' } }],
    ['updateClinic', 'mutation($id: ID!) { updateClinic(id: $id, input: { name: "Renamed By Staff" }) { id } }', { id: clinic.id }],
    ['suspendClinic', 'mutation($id: ID!) { suspendClinic(id: $id) { id } }', { id: clinic.id }],
    ['reactivateClinic', 'mutation($id: ID!) { reactivateClinic(id: $id) { id } }', { id: clinic.id }],
    [
      'provisionClinicAdmin',
      'mutation($id: ID!) { provisionClinicAdmin(clinicId: $id, input: { email: "x@example.com", firstName: "X", lastName: "Y" }) { id } }',
      { id: clinic.id },
    ],
    ['createGlobalTemplate', 'mutation($input: TemplateInput!) { createGlobalTemplate(input: $input) { id } }', { input: intake('Staff template') }],
    ['updateGlobalTemplate', 'mutation($id: ID!, $input: TemplateInput!) { updateGlobalTemplate(id: $id, input: $input) { id } }', { id: template.id, input: intake('Staff edit') }],
    ['retireGlobalTemplate', 'mutation($id: ID!) { retireGlobalTemplate(id: $id) { id } }', { id: template.id }],
  ];

  const callers: Array<[string, () => Promise<string | undefined>, string]> = [
    ['ADMIN', () => issuer.staffToken(randomUUID(), clinic.id, ['ADMIN']), 'FORBIDDEN'],
    ['DOCTOR', () => issuer.staffToken(randomUUID(), clinic.id, ['DOCTOR']), 'FORBIDDEN'],
    ['NURSE', () => issuer.staffToken(randomUUID(), clinic.id, ['NURSE']), 'FORBIDDEN'],
    ['OFFICE', () => issuer.staffToken(randomUUID(), clinic.id, ['OFFICE', 'DOCTOR', 'ADMIN']), 'FORBIDDEN'],
    ['an unscoped user', () => issuer.sign({ sub: randomUUID(), roles: [], permissions: [] }), 'FORBIDDEN'],
    ["admin's own service token", () => issuer.serviceToken('admin'), 'FORBIDDEN'],
    ['no token', async () => undefined, 'UNAUTHENTICATED'],
  ];

  test.each(callers)('%s is refused every operator operation, and nothing changes', async (_who, tokenFor, code) => {
    const token = await tokenFor();
    const before = await rowsSnapshot();
    const streamsBefore = await Promise.all(CLUSTERS.map((c) => redis.xlen(clusterStream(c))));
    for (const [name, query, variables] of operations()) {
      const response = await gql(admin.url, query, variables, token ? { token } : {});
      expect([name, codes(response)]).toEqual([name, [code]]);
      expect(Object.values(response.data ?? {}).every((v) => v === null)).toBe(true);
    }
    // the overview too (the clinic itself is readable by its own staff; its overview is not)
    const overview = await gql(admin.url, 'query($id: ID!) { clinic(id: $id) { overview { staffCount } } }', { id: clinic.id }, token ? { token } : {});
    expect(codes(overview)).toEqual([code]);
    expect(overview.data?.clinic?.overview ?? null).toBeNull();
    expect(await rowsSnapshot()).toEqual(before);
    expect(await Promise.all(CLUSTERS.map((c) => redis.xlen(clusterStream(c))))).toEqual(streamsBefore);
  });

  test('an operator reaches every one of them', async () => {
    for (const [name, query, variables] of operations()) {
      if (name === 'provisionClinicAdmin') continue; // needs users (provisioning.int.test.ts)
      const response = await gql(admin.url, query, variables, { token: operator });
      expect([name, response.errors]).toEqual([name, undefined]);
    }
  });
});
