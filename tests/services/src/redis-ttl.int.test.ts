import { randomUUID } from 'node:crypto';
import { IDENTITY_EVENTS, IDENTITY_STREAM, VISIT_EVENTS } from '@clinicult/contracts';
import { createEventBus, parkedStream, type EventBus } from '@clinicult/events';
import { createRedis, FACTS_HASH } from '@clinicult/kit';
import { freePort, gql, redisKeyCensus, serviceTokenFromAuth, startPrivateRedis, visitSnapshot, type PrivateRedis } from '@clinicult/testing';
import type { Redis } from 'ioredis';
import { startAuth, type AuthUnderTest } from './auth.js';
import { archived, startWatchedVisits, type VisitsUnderTest } from './visits.js';

/**
 * The guard behind `maxmemory-policy volatile-lru` (docs/operations.md, Redis): Redis may evict
 * only keys with a TTL, so every key the services leave must be a stream (durable until consumed),
 * carry a TTL (cache, counters, idempotency records: evictable), or be on the short list of
 * bounded keys kept on purpose. The real auth and visits (with the kit's identity consumer) run on
 * a private redis-server of this file's own and go through every path that writes a non-stream
 * key: failed logins, password-reset requests, a service's client assertion, identity events (one
 * malformed: parked), archives (the history cache's generation), a check-in (the warmed page) and
 * a history read. Then every key of that Redis is looked at. A new cache key without a TTL fails
 * here once its path runs; add the path to this test when you add a Redis write.
 */

/** Keys without a TTL kept on purpose. Each must be bounded (it is never evicted) and fail closed when lost. */
const PERSISTENT: Record<string, { type: string; why: string }> = {
  [FACTS_HASH]: {
    type: 'hash',
    why: 'revocation facts: one field per user, clinic, cut-off and unexpired revoked token (pruned); lost whole (restart), `ready` goes with it and services ask auth',
  },
};

/** Each family of expiring keys, with the longest TTL it may have. */
const EXPIRING = (prefix: string, historyPrefix: string) =>
  [
    { family: 'login failures (rate-limiter-flexible)', match: new RegExp(`^${prefix}login:fail:(pair|ip|account|delay):`), maxSeconds: 15 * 60 },
    { family: 'password-reset requests', match: new RegExp(`^${prefix}reset:(email|ip):`), maxSeconds: 3600 },
    { family: 'seen client assertions (replay)', match: new RegExp(`^${prefix}client-assertion:[a-z]+:`), maxSeconds: 300 },
    { family: 'history cache entries', match: new RegExp(`^${historyPrefix}:(?!gen:)[^:]+:[^:]+$`), maxSeconds: 3600 },
    { family: 'history cache generations', match: new RegExp(`^${historyPrefix}:gen:`), maxSeconds: 2 * 3600 },
    { family: 'event idempotency records', match: /^events:done:(auth|session-facts|visits):/, maxSeconds: 7 * 24 * 3600 },
  ] as const;

const RATE_LIMIT_PREFIX = `t:ttl:${randomUUID()}:`;
const PASSWORD = 'Correct-Horse-Battery-9';
const clinic = randomUUID();
const patient = randomUUID();

let server: PrivateRedis;
let auth: AuthUnderTest;
let h: VisitsUnderTest;
let redis: Redis;
let bus: EventBus;

beforeAll(async () => {
  server = await startPrivateRedis(undefined, { args: ['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru'] });
  const authPort = await freePort();
  h = await startWatchedVisits({ redisUrl: server.url, authUrl: `http://127.0.0.1:${authPort}` });
  auth = await startAuth({
    port: authPort,
    issuer: h.issuer,
    env: { REDIS_URL: server.url, RATE_LIMIT_KEY_PREFIX: RATE_LIMIT_PREFIX, LOGIN_MAX_FAILURES_PER_ACCOUNT: '2', FACTS_WARM_INTERVAL_MS: '300' },
  });
  redis = createRedis(server.url, 'ttl-guard', { lazyConnect: true, enableOfflineQueue: true });
  await redis.connect();
  bus = createEventBus({ redis, service: 'users' });
});

afterAll(async () => {
  await bus?.close();
  redis?.disconnect();
  await h?.close();
  await auth?.stop();
  await server?.stop();
});

const authGql = (query: string, variables: Record<string, unknown>) => gql(`${auth.url}/graphql`, query, variables);

test('every key the services leave in Redis is a stream, expires, or is a bounded key kept on purpose', async () => {
  // auth: failed logins (counted per pair, address and account; past the free ones the account is delayed)
  const email = `nobody-${randomUUID().slice(0, 8)}@clinic.example`;
  for (let i = 0; i < 3; i++) {
    const r = await authGql('mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: `${PASSWORD}-${i}` });
    expect(r.errors?.[0]?.extensions?.code).toMatch(/UNAUTHENTICATED|TOO_MANY_REQUESTS/);
  }
  // auth: a password-reset request (counted per address and network address, account or not)
  expect((await authGql('mutation ($e: String!) { requestPasswordReset(email: $e) }', { e: email })).data).toEqual({ requestPasswordReset: true });
  // auth: a service (patients) signs in with a client assertion (its jti is remembered against replay)
  const granted = await serviceTokenFromAuth(auth.url, 'patients');
  expect(granted).toMatchObject({ status: 200, body: { access_token: expect.any(String) } });

  // identity events as users publishes them: auth's consumer and the kit's facts consumer (rev:facts) handle one, park a broken one
  const change = await bus.publish(IDENTITY_STREAM, { type: IDENTITY_EVENTS.userAccessChanged, payload: { userId: randomUUID(), active: false, at: new Date().toISOString() } });
  await bus.publish(IDENTITY_STREAM, { type: IDENTITY_EVENTS.userAccessChanged, payload: { userId: '' } });
  expect(await bus.waitUntilHandled('session-facts', change.id, 15_000)).toBe(true);
  expect(await bus.waitUntilHandled('auth', change.id, 15_000)).toBe(true);

  // visits: archives (each invalidates the patient's cached history), a check-in warms it, a read uses it
  for (let i = 0; i < 3; i++) await archived(h, visitSnapshot(clinic, patient, { finishedAt: new Date(Date.UTC(2026, 5, 1 + i, 10)).toISOString() }));
  const checkIn = await bus.publish(h.visitEventsStream, { type: VISIT_EVENTS.checkedIn, clinicId: clinic, payload: { clinicId: clinic, patientId: patient, visitId: randomUUID() } });
  expect(await bus.waitUntilHandled('visits', checkIn.id, 15_000)).toBe(true);
  const doctor = await h.staff(clinic, ['DOCTOR']);
  const read = await gql(h.url, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { visitCount } } }', { r: [{ __typename: 'Patient', id: patient }] }, { token: doctor.token });
  expect(read.data?._entities?.[0]?.visitCount).toBe(3);

  const deadline = Date.now() + 15_000;
  while ((await redis.xlen(parkedStream(IDENTITY_STREAM))) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(await redis.xlen(parkedStream(IDENTITY_STREAM))).toBe(2); // one per group: a stream too

  const census = await redisKeyCensus(redis);
  // nothing without a TTL but the streams and the keys kept on purpose
  expect(census.persistent).toEqual(Object.entries(PERSISTENT).map(([key, { type }]) => ({ key, type })));
  expect(census.streams).toEqual(expect.arrayContaining([IDENTITY_STREAM, parkedStream(IDENTITY_STREAM), h.visitEventsStream]));

  // every expiring key belongs to a known family and lives no longer than that family's bound; every family was written
  const families = EXPIRING(RATE_LIMIT_PREFIX, h.historyCachePrefix);
  const unknown = census.expiring.filter(({ key }) => !families.some((f) => f.match.test(key)));
  expect(unknown).toEqual([]);
  for (const f of families) {
    const keys = census.expiring.filter(({ key }) => f.match.test(key));
    expect({ family: f.family, written: keys.length > 0 }).toEqual({ family: f.family, written: true });
    for (const { key, ttlMs } of keys) expect({ key, withinBound: ttlMs <= f.maxSeconds * 1000 }).toEqual({ key, withinBound: true });
  }
});
