import { randomUUID } from 'node:crypto';
import { freePort, gql, startPrivateRedis, visitSnapshot as snapshotOf } from '@clinicult/testing';
import { startAuth, type AuthUnderTest } from './auth.js';
import { archived, startWatchedVisits, type Staff, type VisitsUnderTest } from './visits.js';

/**
 * Redis down (a private redis-server, never the shared one): the history cache is skipped and every
 * history query answers the same from MySQL, quickly and without errors; archiving still works.
 * While Redis is down the kit confirms sessions with auth: the real auth runs beside visits.
 */
let privateRedis: Awaited<ReturnType<typeof startPrivateRedis>>;
let redisUp = false;
let auth: AuthUnderTest;
let h: VisitsUnderTest;
let doctor: Staff;
const clinic = randomUUID();
const patient = randomUUID();
const BASE = Date.parse('2026-08-01T08:00:00.000Z');
const instant = (i: number) => new Date(BASE + i * 3_600_000).toISOString();

beforeAll(async () => {
  privateRedis = await startPrivateRedis();
  redisUp = true;
  const authPort = await freePort();
  h = await startWatchedVisits({ redisUrl: privateRedis.url, authUrl: `http://127.0.0.1:${authPort}` });
  auth = await startAuth({ port: authPort, issuer: h.issuer });
  doctor = await h.staff(clinic, ['DOCTOR']);
  for (let i = 0; i < 23; i++) await archived(h, snapshotOf(clinic, patient, { finishedAt: instant(i) }));
});

afterAll(async () => {
  if (privateRedis && !redisUp) await privateRedis.restart();
  await h?.close();
  await privateRedis?.stop();
  await auth?.stop();
});

const HISTORY = `query ($r: [_Any!]!, $first: Int) { _entities(representations: $r) { ... on Patient { id visitCount
  history(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id finishedAt notes diagnoses { code } } } } } } }`;

const history = (first?: number) =>
  gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id: patient }], ...(first ? { first } : {}) }, { token: doctor.token });

test('with Redis stopped, the same answers come from MySQL, quickly and without errors', async () => {
  const cold = await history();
  expect(cold.errors).toBeUndefined();
  const key = `${h.historyCachePrefix}:${clinic}:${patient}`;
  expect(await h.redis.exists(key)).toBe(1);
  h.queries.length = 0;
  const cached = await history();
  expect(h.queries.filter((q) => /HistoricVisit/.test(q))).toEqual([]);
  expect(cached.data).toEqual(cold.data);
  const small = await history(5);

  await privateRedis.stop();
  redisUp = false;
  for (let i = 0; i < 3; i++) {
    h.queries.length = 0;
    const started = Date.now();
    const down = await history();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(down.errors).toBeUndefined();
    expect(down.data).toEqual(cold.data);
    expect(h.queries.filter((q) => /HistoricVisit/.test(q)).length).toBeGreaterThan(0); // from MySQL
  }
  expect((await history(5)).data).toEqual(small.data);

  // archiving still answers (the entry cannot be dropped: logged) and reads show the new visit
  const newest = await archived(h, snapshotOf(clinic, patient, { finishedAt: instant(40) }));
  const after = await history();
  expect(after.errors).toBeUndefined();
  expect(after.data!._entities[0]).toMatchObject({ visitCount: 24, history: { totalCount: 24 } });
  expect(after.data!._entities[0].history.edges[0].node.id).toBe(newest);
  expect(h.logs.some((l) => /history cache/.test(String(l.msg)))).toBe(true);
});
