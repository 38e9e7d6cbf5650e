import { randomUUID } from 'node:crypto';
import { createEventBus, type EventBus } from '@clinicult/events';
import { gql } from '@clinicult/testing';
import { VISIT_EVENTS } from '@clinicult/contracts';
import { archived, auditEvents, snapshotOf, startHarness, type Staff, type VisitsHarness } from './__tests__/harness.js';

/**
 * The per-patient history cache: a `visit.checked_in` event (as patients publishes it) warms the
 * patient's first page in Redis; that page and the visit count are then served with no SQL on
 * HistoricVisit, gated and audited exactly as from MySQL; archiving a new visit drops the entry
 * before answering, so the next read shows the new visit.
 */
let h: VisitsHarness;
let bus: EventBus;
const clinic = randomUUID();
const clinicB = randomUUID();
const patient = randomUUID();
let office: Staff;
let doctor: Staff;
let doctorB: Staff;
const BASE = Date.parse('2026-09-01T08:00:00.000Z');
const instant = (i: number) => new Date(BASE + i * 3_600_000).toISOString();

beforeAll(async () => {
  h = await startHarness();
  office = await h.staff(clinic, ['OFFICE']);
  doctor = await h.staff(clinic, ['DOCTOR']);
  doctorB = await h.staff(clinicB, ['DOCTOR']);
  for (let i = 0; i < 25; i++) await archived(h, snapshotOf(clinic, patient, { finishedAt: instant(i) }));
  await archived(h, snapshotOf(clinicB, patient, { finishedAt: instant(50) }));
  bus = createEventBus({ redis: h.redis, service: 'patients' });
});

afterAll(async () => {
  await bus?.close();
  await h?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (clinicId = clinic, patientId = patient) => `${h.historyCachePrefix}:${clinicId}:${patientId}`;

async function waitForKey(k: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await h.redis.exists(k)) === 0) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${k}`);
    await sleep(50);
  }
}

function checkedIn(clinicId = clinic, patientId = patient, id = randomUUID()) {
  return bus.publish(h.visitEventsStream, { id, type: VISIT_EVENTS.checkedIn, clinicId, payload: { clinicId, patientId, visitId: randomUUID() } });
}

const HISTORY = `query ($r: [_Any!]!, $first: Int) { _entities(representations: $r) { ... on Patient { id visitCount
  history(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id finishedAt status reason localDate
  doctor { id } timeline { to at } notes diagnoses { code } vitals { temperatureC } } } } } } }`;

async function history(who: Staff, first?: number, patientId = patient) {
  const r = await gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id: patientId }], ...(first ? { first } : {}) }, { token: who.token });
  return r;
}

const historicVisitSql = () => h.queries.filter((q) => /HistoricVisit/.test(q));

test('a checked-in event warms the first page; history and visitCount are then served with no SQL on HistoricVisit', async () => {
  // from MySQL (no entry yet): the reference answer
  expect(await h.redis.exists(key())).toBe(0);
  h.queries.length = 0;
  const fromDb = await history(doctor);
  expect(fromDb.errors).toBeUndefined();
  expect(historicVisitSql().length).toBeGreaterThan(0); // the counting sees what MySQL answers
  await h.redis.del(key()); // the read above stored it; start again from nothing
  const event = randomUUID();
  await checkedIn(clinic, patient, event);
  await waitForKey(key());
  const stored = JSON.parse((await h.redis.get(key()))!);
  expect(stored.rows).toHaveLength(20);
  expect(stored.count).toBe(25);
  expect(await h.redis.ttl(key())).toBeGreaterThan(3500);

  h.queries.length = 0;
  const before = (await auditEvents(h, 'patient.read.medical')).length;
  const cached = await history(doctor);
  expect(cached.errors).toBeUndefined();
  expect(historicVisitSql()).toEqual([]);
  expect(cached.data).toEqual(fromDb.data);
  const page = cached.data!._entities[0];
  expect(page.visitCount).toBe(25);
  expect(page.history).toMatchObject({ totalCount: 25, pageInfo: { hasNextPage: true } });
  expect(page.history.edges[0].node).toMatchObject({ finishedAt: instant(24), notes: 'Cefalea tensional', diagnoses: [{ code: 'G44.2' }] });
  // a cache hit is audited like a MySQL read: one event, every visit read
  const audited = (await auditEvents(h, 'patient.read.medical')).slice(before);
  expect(audited).toEqual([
    expect.objectContaining({
      patientId: patient,
      clinicId: clinic,
      actorId: doctor.id,
      fields: ['visit.diagnoses', 'visit.notes', 'visit.vitals'],
      details: { visitIds: expect.arrayContaining(page.history.edges.map((e: any) => e.node.id)) },
    }),
  ]);

  // smaller first pages come from the same entry
  h.queries.length = 0;
  const five = (await history(doctor, 5)).data!._entities[0].history;
  expect(historicVisitSql()).toEqual([]);
  expect(five.edges.map((e: any) => e.node.id)).toEqual(page.history.edges.slice(0, 5).map((e: any) => e.node.id));
  expect(five.pageInfo).toEqual({ hasNextPage: true, endCursor: page.history.edges[4].cursor });

  // the same event delivered again changes nothing (idempotent)
  await checkedIn(clinic, patient, event);
  expect((await history(doctor)).data).toEqual(fromDb.data);
});

test('medical gating is the same for cache hits: an office user gets null + FORBIDDEN and no audit event', async () => {
  await waitForKey(key());
  h.queries.length = 0;
  const before = (await auditEvents(h, 'patient.read.medical')).length;
  const r = await history(office);
  expect(historicVisitSql()).toEqual([]);
  expect(r.errors?.every((e: any) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  expect(r.data!._entities[0].history.edges[0].node).toMatchObject({ notes: null, diagnoses: null, vitals: null, reason: 'Dolor de cabeza' });
  expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([]);
});

test('another clinic never sees the entry: same patient id, its own history', async () => {
  const r = await history(doctorB);
  expect(r.data!._entities[0].visitCount).toBe(1);
  expect(r.data!._entities[0].history.edges).toHaveLength(1);
  expect(await h.redis.exists(key(clinicB))).toBe(1);
});

test('archiving a new visit drops the entry before answering; the next read shows it', async () => {
  await checkedIn();
  await waitForKey(key());
  const newest = await archived(h, snapshotOf(clinic, patient, { finishedAt: instant(30) }));
  expect(await h.redis.exists(key())).toBe(0);
  const r = (await history(doctor)).data!._entities[0];
  expect(r.visitCount).toBe(26);
  expect(r.history.totalCount).toBe(26);
  expect(r.history.edges[0].node.id).toBe(newest);
  expect(r.history.edges).toHaveLength(20);
  // stored again, with the new visit
  expect(JSON.parse((await h.redis.get(key()))!).rows[0].id).toBe(newest);
  // a duplicate delivery does not drop it
  const again = await h.archive(snapshotOf(clinic, patient, { visitId: newest, finishedAt: instant(30) }));
  expect(again.data!.archiveVisit.duplicate).toBe(true);
  expect(await h.redis.exists(key())).toBe(1);
});

test('a malformed checked-in event is ignored, not retried', async () => {
  await bus.publish(h.visitEventsStream, { type: VISIT_EVENTS.checkedIn, clinicId: clinic, payload: { clinicId: clinic } });
  const other = randomUUID();
  await checkedIn(clinic, other);
  await waitForKey(key(clinic, other));
  expect(JSON.parse((await h.redis.get(key(clinic, other)))!)).toMatchObject({ rows: [], count: 0, hasNextPage: false });
  expect(await h.redis.xlen(`${h.visitEventsStream}:parked`)).toBe(0);
});
