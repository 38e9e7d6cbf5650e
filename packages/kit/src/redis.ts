import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import type { BaseConfig } from './config.js';

/** Where Redis is: `REDIS_URL` (`redis://:password@host:6379`, or `rediss://` for TLS) and the CA that signed its certificate. */
export type RedisSettings = Pick<BaseConfig, 'REDIS_URL' | 'REDIS_CA_FILE'>;

/**
 * A Redis connection that fails fast: Redis only holds what may be lost or rebuilt, so callers
 * fall back (to MySQL, to auth, to the outbox) instead of waiting on a queue of offline commands.
 * `rediss://` speaks TLS and checks the server's certificate (against REDIS_CA_FILE when set, else
 * the system's CAs); a password in the URL authenticates (AUTH).
 */
export function createRedis(settings: string | RedisSettings, name: string, overrides: RedisOptions = {}): Redis {
  const { REDIS_URL: url, REDIS_CA_FILE: caFile } = typeof settings === 'string' ? { REDIS_URL: settings, REDIS_CA_FILE: undefined } : settings;
  const tls = url.startsWith('rediss://') ? { tls: caFile ? { ca: readFileSync(caFile) } : {} } : {};
  const redis = new Redis(url, {
    ...tls,
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: 1000,
    // keep reconnecting in the background, at most every 2 s
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
    ...overrides,
  });
  // Without a listener ioredis prints every failed reconnect; readiness reports the state instead.
  redis.on('error', () => {});
  return redis;
}

/**
 * Resolves once `redis` is connected, or after `timeoutMs` anyway: a moment's grace at start, so the
 * first requests and consumers find Redis up; one that is down stops nothing (readiness reports it).
 */
export function redisConnected(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}

/**
 * Policies under which Redis, out of memory, evicts keys that have no TTL. The event streams
 * (`events:audit`, `events:cluster:<cluster>`, `events:identity`, …, with their consumer groups)
 * have none, so under these an evicted stream loses events, audit events among them. Every cache
 * key carries a TTL, so `volatile-lru` (or `noeviction`) evicts only the cache (docs/operations.md).
 */
export const UNSAFE_EVICTION_POLICIES: readonly string[] = ['allkeys-lru', 'allkeys-lfu', 'allkeys-random'];

/** What Redis says of its eviction policy: safe, unsafe (allkeys-*), or unknown (CONFIG refused, e.g. on a managed Redis). */
export type EvictionPolicy = { policy: string; safe: boolean } | { policy: null; safe: null; error: string };

/** Reads `maxmemory-policy` with CONFIG GET. Never rejects: a refused or failed CONFIG answers `safe: null`. */
export async function readEvictionPolicy(redis: Redis): Promise<EvictionPolicy> {
  try {
    const reply: unknown = await redis.config('GET', 'maxmemory-policy');
    // RESP2 shape ['maxmemory-policy', 'volatile-lru'], or a map under RESP3
    const policy = Array.isArray(reply) ? reply[1] : (reply as Record<string, unknown> | null)?.['maxmemory-policy'];
    if (typeof policy !== 'string') return { policy: null, safe: null, error: `unexpected CONFIG GET reply: ${JSON.stringify(reply)}` };
    return { policy, safe: !UNSAFE_EVICTION_POLICIES.includes(policy) };
  } catch (error) {
    return { policy: null, safe: null, error: error instanceof Error ? error.message : String(error) };
  }
}

const watchedPolicies = new WeakSet<Redis>();

/** What the watcher logs with (a pino Logger is one). */
export type PolicyLogger = Record<'error' | 'warn' | 'debug', (fields: Record<string, unknown>, msg: string) => void>;

/**
 * Checks the eviction policy each time `redis` (re)connects — a restarted or failed-over Redis may
 * run another configuration — and logs an error under an allkeys-* policy, a warning when Redis
 * will not say (CONFIG disabled, as on many managed Redis services). It never refuses to start:
 * the kit starts without Redis on purpose (readiness reports it, the outbox keeps events), so a
 * refusal could only come later, as a crash of every service on reconnect; the log line (and the
 * operator's check of the policy, docs/operations.md) is the guard. One watcher per connection.
 */
export function watchEvictionPolicy(redis: Redis, logger: PolicyLogger): void {
  if (watchedPolicies.has(redis)) return;
  watchedPolicies.add(redis);
  let warnedUnknown = false;
  const check = async () => {
    const found = await readEvictionPolicy(redis);
    if (found.safe === false) {
      logger.error(
        { maxmemoryPolicy: found.policy },
        `Redis runs maxmemory-policy ${found.policy}: under memory pressure it may evict the event streams and lose events (audit events among them); run volatile-lru (docs/operations.md, Redis)`,
      );
    } else if (found.safe === null && !warnedUnknown) {
      warnedUnknown = true;
      logger.warn(
        { err: found.error },
        'could not read Redis maxmemory-policy (CONFIG GET refused?); make sure it is volatile-lru or noeviction, never allkeys-* (docs/operations.md, Redis)',
      );
    } else if (found.safe) {
      logger.debug({ maxmemoryPolicy: found.policy }, 'Redis eviction policy keeps the event streams');
    }
  };
  redis.on('ready', () => void check());
  if (redis.status === 'ready') void check();
}
