import { randomUUID } from 'node:crypto';
import { codes, gql } from '@clinicult/testing';
import { Prisma } from './db.js';
import { decodeCursor } from './domain/cursor.js';
import { historyKeysQuery } from './domain/history.js';
import { archived, snapshotOf, startHarness, type Staff, type VisitsHarness } from './__tests__/harness.js';

/**
 * Patient.history and Patient.visitCount, contributed to the Patient entity (reached through
 * `_entities`, as the gateway does): newest first, keyset pages stable over equal finishedAt values,
 * date ranges, per-clinic counts, and the index the history query uses.
 */
let h: VisitsHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();
const patient = randomUUID();
const other = randomUUID();
let office: Staff;
let officeB: Staff;
const ids: string[] = [];
const BASE = Date.parse('2026-10-01T08:00:00.000Z');
const instant = (i: number) => new Date(BASE + i * 3_600_000).toISOString();

beforeAll(async () => {
  h = await startHarness();
  office = await h.staff(clinicA, ['OFFICE']);
  officeB = await h.staff(clinicB, ['OFFICE']);
  // 45 visits of one patient over 15 instants: three visits finished at each
  for (let i = 0; i < 45; i++) ids.push(await archived(h, snapshotOf(clinicA, patient, { finishedAt: instant(Math.floor(i / 3)) })));
  for (let i = 0; i < 20; i++) await archived(h, snapshotOf(clinicA, other, { finishedAt: instant(i) }));
  // the same patient id in another clinic (ids are not secrets): never mixed in
  for (let i = 0; i < 3; i++) await archived(h, snapshotOf(clinicB, patient, { finishedAt: instant(100 + i) }));
});

afterAll(async () => {
  await h?.close();
});

const HISTORY = `query ($r: [_Any!]!, $first: Int, $after: String, $from: DateTime, $to: DateTime) {
  _entities(representations: $r) { ... on Patient { id visitCount history(first: $first, after: $after, from: $from, to: $to) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id finishedAt status patient { id } } } } } } }`;

async function history(who: Staff, variables: Record<string, unknown> = {}, id = patient) {
  const r = await gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id }], ...variables }, { token: who.token });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!._entities[0];
}

test('newest first; pages of 10 over 45 visits with equal finishedAt values: no repeats, no misses', async () => {
  const whole = await history(office, { first: 100 });
  expect(whole.visitCount).toBe(45);
  expect(whole.history.totalCount).toBe(45);
  expect(whole.history.pageInfo.hasNextPage).toBe(false);
  const order: string[] = whole.history.edges.map((e: any) => e.node.id);
  expect([...order].sort()).toEqual([...ids].sort());
  const times = whole.history.edges.map((e: any) => Date.parse(e.node.finishedAt));
  expect(times).toEqual([...times].sort((x, y) => y - x));
  expect(whole.history.edges[0].node).toMatchObject({ finishedAt: instant(14), status: 'FINISHED', patient: { id: patient } });

  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: any = (await history(office, { first: 10, after })).history;
    pages += 1;
    seen.push(...page.edges.map((e: any) => e.node.id));
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(pages).toBe(5);
  expect(seen).toEqual(order);
});

test('from (inclusive) and to (exclusive) on finishedAt', async () => {
  const r = await history(office, { first: 100, from: instant(3), to: instant(5) });
  expect(r.history.totalCount).toBe(6);
  expect(new Set(r.history.edges.map((e: any) => e.node.finishedAt))).toEqual(new Set([instant(3), instant(4)]));
  const bad = await gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id: patient }], from: instant(5), to: instant(5) }, { token: office.token });
  expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  expect(bad.errors![0]!.message).toMatch(/^from: must be before to/);
  const cursor = await gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id: patient }], after: 'nope' }, { token: office.token });
  expect(codes(cursor)).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id: patient }], first: 101 }, { token: office.token }))).toEqual(['BAD_USER_INPUT']);
});

test('each clinic sees only its own visits of the patient', async () => {
  const b = await history(officeB, { first: 100 });
  expect(b.visitCount).toBe(3);
  expect(b.history.totalCount).toBe(3);
  expect(b.history.edges.every((e: any) => !ids.includes(e.node.id))).toBe(true);
  const nobody = await history(office, {}, randomUUID());
  expect(nobody).toMatchObject({ visitCount: 0, history: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
});

test('visitCount of many patients is one SQL query', async () => {
  h.queries.length = 0;
  const r = await gql(
    h.url,
    'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { id visitCount } } }',
    { r: [patient, other, randomUUID()].map((id) => ({ __typename: 'Patient', id })) },
    { token: office.token },
  );
  expect(r.data!._entities.map((p: any) => p.visitCount)).toEqual([45, 20, 0]);
  expect(h.queries).toHaveLength(1);
});

test('history needs clinicult:visits:read: operators and services are FORBIDDEN', async () => {
  const operator = await h.issuer.operatorToken();
  const r = await gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id: patient }] }, { token: operator });
  expect(codes(r)).toContain('FORBIDDEN');
});

test('EXPLAIN: the history page query reads the (clinicId, patientId, finishedAt, id) index, newest first', async () => {
  await h.db.$executeRawUnsafe('ANALYZE TABLE HistoricVisit');
  const whole = await history(office, { first: 12 });
  const after = decodeCursor(whole.history.pageInfo.endCursor);
  for (const options of [{ take: 21 }, { take: 11, after }, { take: 11, after, from: new Date(instant(2)), to: new Date(instant(9)) }]) {
    const plan = await h.db.$queryRaw<Array<Record<string, unknown>>>(Prisma.sql`EXPLAIN ${historyKeysQuery(clinicA, patient, options)}`);
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ table: 'HistoricVisit', key: 'HistoricVisit_clinicId_patientId_finishedAt_id_idx' });
    // no filesort: the index gives the order
    expect(String(plan[0]!.Extra ?? '')).not.toMatch(/filesort/i);
  }
});
