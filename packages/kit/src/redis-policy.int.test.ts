import { startPrivateRedis, type PrivateRedis } from '@clinicult/testing';
import { baseConfigSchema, loadConfig } from './config.js';
import { createRedis, readEvictionPolicy, watchEvictionPolicy } from './redis.js';
import { createRuntime } from './server.js';

/**
 * The kit's start-up check of Redis's eviction policy (docs/operations.md, Redis): the event
 * streams have no TTL, so an allkeys-* policy may evict them; the kit says so at error level on
 * every (re)connect, warns when Redis will not tell (CONFIG disabled, as on managed Redis), and is
 * quiet under volatile-lru. Each case on a private redis-server of its own.
 */
const config = loadConfig(baseConfigSchema, { NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_URL: 'http://127.0.0.1:9' });

function recordingLogger() {
  const lines: Array<{ level: 'error' | 'warn' | 'debug'; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: 'error' | 'warn' | 'debug') => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, logger: { error: at('error'), warn: at('warn'), debug: at('debug') } };
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const servers: PrivateRedis[] = [];
let allkeys: PrivateRedis;
let volatile: PrivateRedis;
let managed: PrivateRedis;

beforeAll(async () => {
  allkeys = await startPrivateRedis(undefined, { args: ['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru'] });
  servers.push(allkeys);
  volatile = await startPrivateRedis(undefined, { args: ['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru'] });
  servers.push(volatile);
  // as on a managed Redis: CONFIG is not available to clients
  managed = await startPrivateRedis(undefined, { args: ['--rename-command', 'CONFIG', ''] });
  servers.push(managed);
});

afterAll(async () => {
  for (const server of servers) await server.stop();
});

function connect(url: string) {
  return createRedis(url, 'kit-policy-test', { lazyConnect: true, enableOfflineQueue: true });
}

test('reads the policy: allkeys-* unsafe, volatile-lru safe, unknown when CONFIG is refused', async () => {
  const clients = [connect(allkeys.url), connect(volatile.url), connect(managed.url)];
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const [a, v, m] = await Promise.all(clients.map((c) => readEvictionPolicy(c)));
    expect(a).toEqual({ policy: 'allkeys-lru', safe: false });
    expect(v).toEqual({ policy: 'volatile-lru', safe: true });
    expect(m).toMatchObject({ policy: null, safe: null, error: expect.stringMatching(/unknown command/i) });
  } finally {
    for (const c of clients) c.disconnect();
  }
});

test('an allkeys-lru Redis is logged as an error at connect and again after a reconnect; volatile-lru stays quiet', async () => {
  const { lines, logger } = recordingLogger();
  const unsafe = connect(allkeys.url);
  const safe = connect(volatile.url);
  try {
    watchEvictionPolicy(unsafe, logger);
    watchEvictionPolicy(unsafe, logger); // one watcher per connection
    watchEvictionPolicy(safe, logger);
    await Promise.all([unsafe.connect(), safe.connect()]);
    await until(() => lines.filter((l) => l.level === 'error').length === 1 && lines.some((l) => l.level === 'debug'), 'the checks');
    const [error] = lines.filter((l) => l.level === 'error');
    expect(error).toMatchObject({ fields: { maxmemoryPolicy: 'allkeys-lru' }, msg: expect.stringMatching(/evict the event streams.*volatile-lru/) });
    expect(lines.filter((l) => l.level === 'debug')).toEqual([expect.objectContaining({ fields: { maxmemoryPolicy: 'volatile-lru' } })]);

    // a restarted Redis is checked again
    await allkeys.stop();
    await allkeys.restart();
    await until(() => lines.filter((l) => l.level === 'error').length === 2, 'the check after the reconnect', 10_000);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  } finally {
    unsafe.disconnect();
    safe.disconnect();
  }
});

test('a Redis that refuses CONFIG: one warning, and the kit starts all the same', async () => {
  const { lines, logger } = recordingLogger();
  const redis = connect(managed.url);
  try {
    watchEvictionPolicy(redis, logger);
    await redis.connect();
    await until(() => lines.length > 0, 'the warning');
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/could not read Redis maxmemory-policy/) })]);
    expect(await redis.ping()).toBe('PONG');
  } finally {
    redis.disconnect();
  }
});

test('every service runtime checks its Redis (createRuntime: the subgraphs and the gateway)', async () => {
  const { lines, logger } = recordingLogger();
  const full = { ...logger, info() {}, trace() {}, fatal() {}, child: () => full, level: 'debug' } as unknown as Parameters<typeof createRuntime>[0]['logger'];
  const runtime = createRuntime({ name: 'kit-policy-test', config: { ...config, REDIS_URL: allkeys.url }, logger: full });
  try {
    await until(() => lines.some((l) => l.level === 'error'), 'the error line');
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ fields: { maxmemoryPolicy: 'allkeys-lru' } });
  } finally {
    runtime.redis.disconnect();
  }
});
