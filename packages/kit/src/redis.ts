import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection that fails fast: Redis only holds what may be lost or rebuilt, so callers
 * fall back (to MySQL, to auth, to the outbox) instead of waiting on a queue of offline commands.
 */
export function createRedis(url: string, name: string, overrides: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
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
