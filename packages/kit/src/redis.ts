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
