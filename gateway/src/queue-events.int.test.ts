import { randomUUID } from 'node:crypto';
import { VISIT_EVENTS } from '@clinicult/contracts';
import { createEventBus, type EventBus } from '@clinicult/events';
import { FACTS_HASH, factKeys } from '@clinicult/kit';
import { markSessionFactsReady, openEventStream } from '@clinicult/testing';
import { startEchoStack } from './__tests__/harness.js';

// The queue push (GET /events/queue) against the real gateway and Redis: visit events published on
// the visits stream become "queue changed" for the open streams of that clinic only; the session is
// checked again while the stream is open; a caller who may not read the queue gets no stream.

const stream = `events:visits:test:${randomUUID()}`;
let stack: Awaited<ReturnType<typeof startEchoStack>>;
let bus: EventBus;
let url: string;

beforeAll(async () => {
  await markSessionFactsReady();
  stack = await startEchoStack({
    VISIT_EVENTS_STREAM: stream,
    QUEUE_EVENTS_RECHECK_MS: '1000',
    QUEUE_EVENTS_COALESCE_MS: '300',
    QUEUE_EVENTS_MAX_PER_USER: '2',
  });
  bus = createEventBus({ redis: stack.gateway.runtime.redis, service: 'patients-test' });
  url = `${stack.gateway.url}/events/queue`;
  await stack.gateway.queuePush.ready;
});

afterAll(async () => {
  await bus?.close();
  await stack?.gateway.runtime.redis.del(stream);
  await stack?.stop();
});

const changed = (clinicId: string) => bus.publish(stream, { type: VISIT_EVENTS.changed, clinicId, payload: { clinicId, visitId: randomUUID() } });
const jtiOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;

test("a visit change reaches every open board of that clinic, and no other clinic's", async () => {
  const [clinicA, clinicB] = [randomUUID(), randomUUID()];
  const nurse = await openEventStream(url, await stack.issuer.staffToken(randomUUID(), clinicA, ['NURSE']));
  const office = await openEventStream(url, await stack.issuer.staffToken(randomUUID(), clinicA, ['OFFICE']));
  const elsewhere = await openEventStream(url, await stack.issuer.staffToken(randomUUID(), clinicB, ['DOCTOR']));
  expect([nurse.status, office.status, elsewhere.status]).toEqual([200, 200, 200]);
  await Promise.all([nurse.next('ready'), office.next('ready'), elsewhere.next('ready')]);

  await changed(clinicA);
  const pushed = await nurse.next('queue', 2000);
  await office.next('queue', 2000);
  // the event says that something changed, never what: no patient, no visit
  expect(Object.keys(JSON.parse(pushed.data))).toEqual(['at']);
  // check-ins count too; other event types do not
  await bus.publish(stream, { type: VISIT_EVENTS.checkedIn, clinicId: clinicA, payload: { clinicId: clinicA, patientId: randomUUID(), visitId: randomUUID() } });
  await nurse.next('queue', 2000, 2);
  await bus.publish(stream, { type: 'visit.something_else', clinicId: clinicB, payload: null });
  await new Promise((r) => setTimeout(r, 500));
  expect(elsewhere.events.filter((e) => e.event === 'queue')).toHaveLength(0);
  for (const s of [nurse, office, elsewhere]) s.close();
});

test('a burst of changes is one push (then one more for what came after the first)', async () => {
  const clinic = randomUUID();
  const board = await openEventStream(url, await stack.issuer.staffToken(randomUUID(), clinic, ['NURSE']));
  await board.next('ready');
  await Promise.all(Array.from({ length: 20 }, () => changed(clinic)));
  await board.next('queue', 2000, 1);
  await new Promise((r) => setTimeout(r, 800));
  const pushes = board.events.filter((e) => e.event === 'queue').length;
  expect(pushes).toBeGreaterThanOrEqual(1);
  expect(pushes).toBeLessThanOrEqual(2);
  board.close();
});

test('no token, a bad token, an operator or a service: no stream, and the reason', async () => {
  const none = await openEventStream(url);
  expect([none.status, none.refusal?.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
  const forged = await openEventStream(url, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
  expect([forged.status, forged.refusal?.errors?.[0]?.extensions?.reason]).toEqual([401, 'TOKEN_INVALID']);
  for (const token of [await stack.issuer.operatorToken(), await stack.issuer.serviceToken('patients')]) {
    const refused = await openEventStream(url, token);
    expect([refused.status, refused.refusal?.errors?.[0]?.extensions?.code]).toEqual([403, 'FORBIDDEN']);
  }
  expect(stack.gateway.queuePush.connections()).toBe(0);
});

test('a session revoked while the stream is open ends it within the re-check interval, with the reason', async () => {
  const token = await stack.issuer.staffToken(randomUUID(), randomUUID(), ['DOCTOR']);
  const board = await openEventStream(url, token);
  await board.next('ready');
  await stack.gateway.runtime.redis.hset(FACTS_HASH, factKeys.revokedJti(jtiOf(token)), String(Date.now() + 60_000));
  const ended = await board.next('session-ended', 3000);
  expect(JSON.parse(ended.data)).toMatchObject({ reason: 'SESSION_REVOKED' });
  await board.ended;
  // and it cannot open again
  expect((await openEventStream(url, token)).status).toBe(401);
});

test('one person may hold a bounded number of streams; closing one frees its place', async () => {
  const userId = randomUUID();
  const clinic = randomUUID();
  const token = await stack.issuer.staffToken(userId, clinic, ['OFFICE']);
  const first = await openEventStream(url, token);
  const second = await openEventStream(url, await stack.issuer.staffToken(userId, clinic, ['OFFICE']));
  const third = await openEventStream(url, token);
  expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
  first.close();
  await new Promise((r) => setTimeout(r, 200));
  const again = await openEventStream(url, token);
  expect(again.status).toBe(200);
  second.close();
  again.close();
});
