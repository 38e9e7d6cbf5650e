import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createEventBus, parseStreamFields, type EventBus, type EventsLogger } from '@clinicult/events';
import { AUDIT_STREAM, clusterStream, createAuditTrail, createRedis, type Logger } from '@clinicult/kit';
import type { Caller } from '@clinicult/rbac';
import { redisKeyCensus, startPrivateRedis, type PrivateRedis } from '@clinicult/testing';
import type { HistoricVisitRow } from './db.js';
import { createHistoryCache, type CachedHistory } from './domain/history-cache.js';

/**
 * Redis that never drops an event (docs/operations.md, Redis). A private redis-server with
 * `--maxmemory 8mb` takes audit events (the kit's audit trail) and cluster events through the real
 * bus, then the real history cache writes ten-kilobyte entries until far more than maxmemory has
 * been written. Under `volatile-lru` (what Clinicult runs) only keys with a TTL are evicted: every
 * stream entry and consumer group is still there, a consumer reads every event, the cache was
 * evicted, and Redis refused no write. The same fill under `allkeys-lru` (what it ran before)
 * evicts the streams: that case shows the policy is what keeps the events.
 */

const MAXMEMORY = 8 * 1024 * 1024;
const AUDIT_EVENTS = 1500;
const CLUSTER_EVENTS = 500;
const CLUSTER = 'eu-1';
const CLUSTER_STREAM = clusterStream(CLUSTER);
const HISTORY_PREFIX = 'visits:history';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Recorded {
  level: string;
  msg: string;
  fields: unknown;
}

/** A logger (kit and events shape) that keeps its warn and error lines. */
function recordingLogger(): { logger: Logger & EventsLogger; lines: Recorded[] } {
  const lines: Recorded[] = [];
  const at = (level: string) => (fields: unknown, msg?: string) => void lines.push({ level, msg: String(msg ?? fields), fields });
  const logger = { debug() {}, info() {}, trace() {}, warn: at('warn'), error: at('error'), fatal: at('fatal') } as unknown as Logger & EventsLogger;
  (logger as unknown as { child: () => unknown }).child = () => logger;
  return { logger, lines };
}

async function info(redis: Redis, section: string): Promise<Record<string, string>> {
  const text = await redis.info(section);
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((line) => line.includes(':') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}

const evictedKeys = async (redis: Redis) => Number((await info(redis, 'stats')).evicted_keys);
const usedMemory = async (redis: Redis) => Number((await info(redis, 'memory')).used_memory);

/** A first history page as the cache stores it: 20 rows, about 10 kB of JSON. */
function historyEntry(clinicId: string, patientId: string): CachedHistory {
  const rows = Array.from({ length: 20 }, (_, i) => ({
    id: randomUUID(),
    clinicId,
    patientId,
    status: 'FINISHED',
    reason: 'Control',
    checkedInAt: new Date(Date.UTC(2026, 0, 1 + i, 8)),
    finishedAt: new Date(Date.UTC(2026, 0, 1 + i, 9)),
    localDate: new Date(Date.UTC(2026, 0, 1 + i)),
    timeZone: 'Europe/Madrid',
    notes: `Nota ${i}: `.padEnd(400, 'x'),
    diagnoses: [{ code: 'G44.2', description: 'Cefalea tensional' }],
  })) as unknown as HistoricVisitRow[];
  return { rows, hasNextPage: true, count: 40, addenda: {} };
}

interface Setup {
  server: PrivateRedis;
  redis: Redis;
  bus: EventBus;
  busLines: Recorded[];
  cacheLines: Recorded[];
  published: { audit: string[]; cluster: string[] };
  stop(): Promise<void>;
}

/**
 * A private Redis under `policy`, the consumer groups `audit` and `clinic` created by subscribing
 * (as the audit and clinic services do), then the events published: audit events through the
 * kit's audit trail, cluster events as admin's relay publishes them. No outbox: a refused XADD
 * would fail the publish instead of hiding in one.
 */
async function setUp(policy: 'volatile-lru' | 'allkeys-lru'): Promise<Setup> {
  const server = await startPrivateRedis(undefined, { args: ['--maxmemory', String(MAXMEMORY), '--maxmemory-policy', policy] });
  const redis = createRedis(server.url, `eviction-${policy}`, { lazyConnect: true, enableOfflineQueue: true });
  await redis.connect();
  const { logger: busLogger, lines: busLines } = recordingLogger();
  const bus = createEventBus({ redis, service: 'patients', logger: busLogger });
  for (const [stream, group] of [[AUDIT_STREAM, 'audit'], [CLUSTER_STREAM, 'clinic']] as const) {
    const groupOnly = bus.subscribe({ stream, group, consumer: `${group}-1`, handler: () => undefined });
    await groupOnly.ready;
    await groupOnly.stop();
  }

  const trail = createAuditTrail({ bus, service: 'patients', logger: busLogger });
  const clinicId = randomUUID();
  const caller: Caller = { kind: 'staff', userId: randomUUID(), clinicId, roles: ['DOCTOR'], permissions: [], token: 't', jti: 'j', issuedAt: new Date(), expiresAt: new Date(), mfa: false };
  for (let i = 0; i < AUDIT_EVENTS; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        trail.record(
          { caller, requestId: `req-${i + j}`, logger: busLogger },
          { action: 'patient.read.medical', patientId: randomUUID(), fields: ['allergies', 'visit.notes'], details: { visitIds: [randomUUID()] } },
        ),
      ),
    );
  }
  for (let i = 0; i < CLUSTER_EVENTS; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        bus.publish(CLUSTER_STREAM, { type: 'clinic.created', clinicId: randomUUID(), payload: { name: `Clínica ${i + j}`, timeZone: 'Europe/Madrid', cluster: CLUSTER } }),
      ),
    );
  }
  const ids = async (stream: string) =>
    ((await redis.xrange(stream, '-', '+')) as Array<[string, string[]]>).map(([, fields]) => parseStreamFields(fields).id);
  const published = { audit: await ids(AUDIT_STREAM), cluster: await ids(CLUSTER_STREAM) };
  expect(published.audit).toHaveLength(AUDIT_EVENTS);
  expect(published.cluster).toHaveLength(CLUSTER_EVENTS);
  expect(await usedMemory(redis)).toBeLessThan(MAXMEMORY); // the streams fit: maxmemory is sized for them

  // Redis's LRU clock ticks in seconds: let the streams be idle longer than any cache entry will be
  await sleep(2100);
  const { lines: cacheLines } = recordingLogger();
  return {
    server,
    redis,
    bus,
    busLines,
    cacheLines,
    published,
    async stop() {
      await bus.close();
      redis.disconnect();
      await server.stop();
    },
  };
}

/**
 * Writes history entries through the real cache (fill: the generation read and the stored page
 * with its TTL; every tenth patient invalidated: the generation key) until `enough` says so or
 * `maxBytes` have been written (`enough` is asked once `minBytes` are). Resolves to what was written.
 */
async function fillCache(
  s: Setup,
  limits: { minBytes: number; maxBytes: number; enough?: () => Promise<boolean> },
): Promise<{ entries: number; bytes: number }> {
  const { minBytes, maxBytes, enough } = limits;
  const { logger } = recordingLogger();
  const cacheLogger = { ...logger, warn: (f: unknown, m?: string) => void s.cacheLines.push({ level: 'warn', msg: String(m), fields: f }), error: (f: unknown, m?: string) => void s.cacheLines.push({ level: 'error', msg: String(m), fields: f }) } as unknown as Logger;
  const cache = createHistoryCache({ redis: s.redis, ttlSeconds: 3600, logger: cacheLogger, prefix: HISTORY_PREFIX });
  const clinicId = randomUUID();
  let bytes = 0;
  let entries = 0;
  while (bytes < maxBytes) {
    const patientId = randomUUID();
    const entry = historyEntry(clinicId, patientId);
    bytes += JSON.stringify(entry).length;
    await cache.fill(clinicId, patientId, async () => entry);
    if (entries % 10 === 0) await cache.invalidate(clinicId, randomUUID());
    entries++;
    if (enough && entries % 100 === 0 && bytes > minBytes && (await enough())) break;
  }
  return { entries, bytes };
}

const auditLength = (redis: Redis) => redis.xlen(AUDIT_STREAM);
const clusterLength = (redis: Redis) => redis.xlen(CLUSTER_STREAM);

async function groupsOf(redis: Redis, stream: string): Promise<string[]> {
  try {
    const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
    return groups.map((g) => String(g[g.indexOf('name') + 1]));
  } catch {
    return []; // ERR no such key: the stream is gone, its groups with it
  }
}

/** Reads `stream` as `group` with the real subscription until `expected` events came (then a moment more for extras); the envelope ids read. */
async function consume(bus: EventBus, stream: string, group: string, expected: number): Promise<string[]> {
  const seen: string[] = [];
  const sub = bus.subscribe({ stream, group, consumer: `${group}-1`, blockMs: 200, batchSize: 100, handler: (env) => void seen.push(env.id) });
  await sub.ready;
  const deadline = Date.now() + 15_000;
  while (seen.length < expected && Date.now() < deadline) await sleep(50);
  await sleep(300);
  await sub.stop();
  return seen;
}

test('volatile-lru: filled far past maxmemory, the cache is evicted and every stream entry, group and event survives; no write refused', async () => {
  const s = await setUp('volatile-lru');
  try {
    const started = Date.now();
    const { entries, bytes } = await fillCache(s, { minBytes: 4 * MAXMEMORY, maxBytes: 4 * MAXMEMORY });
    expect(bytes).toBeGreaterThanOrEqual(4 * MAXMEMORY);

    // the cache was evicted: far fewer entries remain than were written, Redis counted the evictions
    expect(await evictedKeys(s.redis)).toBeGreaterThan(500);
    const left = await redisKeyCensus(s.redis, `${HISTORY_PREFIX}:*`);
    expect(left.expiring.length).toBeLessThan(entries / 2);
    expect(Number((await info(s.redis, 'memory')).maxmemory)).toBe(MAXMEMORY);

    // no write was refused: no OOM error reply at all, no lost audit event, no cache write failed
    expect((await info(s.redis, 'errorstats')).errorstat_OOM).toBeUndefined();
    expect(s.busLines).toEqual([]);
    expect(s.cacheLines).toEqual([]);

    // the streams are intact: the same entries, in order, and their consumer groups
    expect(await auditLength(s.redis)).toBe(AUDIT_EVENTS);
    expect(await clusterLength(s.redis)).toBe(CLUSTER_EVENTS);
    expect(await groupsOf(s.redis, AUDIT_STREAM)).toEqual(['audit']);
    expect(await groupsOf(s.redis, CLUSTER_STREAM)).toEqual(['clinic']);
    // every key left is a stream or expires: nothing else could have been evicted
    const census = await redisKeyCensus(s.redis);
    expect(census.persistent).toEqual([]);
    expect(census.streams.sort()).toEqual([AUDIT_STREAM, CLUSTER_STREAM].sort());

    // and a consumer of each group reads every event published (its done marks evict cache entries, never events)
    expect(await consume(s.bus, AUDIT_STREAM, 'audit', AUDIT_EVENTS)).toEqual(s.published.audit);
    expect(await consume(s.bus, CLUSTER_STREAM, 'clinic', CLUSTER_EVENTS)).toEqual(s.published.cluster);
    for (const [stream, group] of [[AUDIT_STREAM, 'audit'], [CLUSTER_STREAM, 'clinic']] as const) {
      expect(((await s.redis.xpending(stream, group)) as unknown[])[0]).toBe(0); // every one handled and acknowledged
    }
    expect((await info(s.redis, 'errorstats')).errorstat_OOM).toBeUndefined();
    expect(s.busLines).toEqual([]);
    console.info(`volatile-lru: ${entries} history entries (${(bytes / 1e6).toFixed(1)} MB) through 8 MB in ${Date.now() - started} ms; ${await evictedKeys(s.redis)} keys evicted, every event kept`);
  } finally {
    await s.stop();
  }
});

test('allkeys-lru (the policy before): the same fill evicts the event streams and their groups — events are lost', async () => {
  const s = await setUp('allkeys-lru');
  try {
    const damaged = async () => (await auditLength(s.redis)) < AUDIT_EVENTS && (await clusterLength(s.redis)) < CLUSTER_EVENTS;
    const { entries, bytes } = await fillCache(s, { minBytes: MAXMEMORY, maxBytes: 12 * MAXMEMORY, enough: damaged });
    expect(await evictedKeys(s.redis)).toBeGreaterThan(0);
    // the least recently used keys are the streams, written before the cache and idle since
    const auditLeft = await auditLength(s.redis);
    const clusterLeft = await clusterLength(s.redis);
    expect(auditLeft).toBeLessThan(AUDIT_EVENTS);
    expect(clusterLeft).toBeLessThan(CLUSTER_EVENTS);
    expect(await groupsOf(s.redis, AUDIT_STREAM)).toEqual([]); // the audit service's group went with its stream
    // a consumer finds nothing of what was published: those audit events are gone for good
    const read = await consume(s.bus, AUDIT_STREAM, 'audit', auditLeft);
    expect(read.filter((id) => s.published.audit.includes(id))).toHaveLength(auditLeft);
    console.info(`allkeys-lru: after ${entries} history entries (${(bytes / 1e6).toFixed(1)} MB), ${AUDIT_EVENTS - auditLeft} of ${AUDIT_EVENTS} audit events and ${CLUSTER_EVENTS - clusterLeft} of ${CLUSTER_EVENTS} cluster events lost`);
  } finally {
    await s.stop();
  }
});
