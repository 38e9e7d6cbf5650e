import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createRedis, FACTS_HASH, factKeys, type RedisSettings } from '@clinicult/kit';

/**
 * Tests share the machine's Redis; mark the revocation facts as loaded as auth would at start (in
 * another Redis when given: a URL, or the settings of one with TLS). The mark is dated a day ahead:
 * it stands in for auth's heartbeat (FACTS_MAX_AGE_MS) for the whole run of a test without auth.
 */
export async function markSessionFactsReady(settings: string | RedisSettings = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<void> {
  const redis = createRedis(settings, 'test-facts', { lazyConnect: true, enableOfflineQueue: true });
  await redis.connect();
  await redis.hset(FACTS_HASH, factKeys.ready, String(Date.now() + 24 * 3600_000));
  redis.disconnect();
}

/**
 * The first port of the kernel's ephemeral range: every outgoing connection (to MariaDB, Redis, a
 * sibling service) and every `listen(0)` takes its local port from there, so a port found free there
 * can be taken by one of them before the service it was meant for binds it (EADDRINUSE, a platform
 * that fails to start now and then). Test ports come from below it.
 */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && low > 12000) return low;
  } catch {
    // not Linux: the IANA dynamic range
  }
  return 49152;
}

const TEST_PORTS_FROM = 10000;
const testPortsTo = ephemeralRangeStart();
/** where this process looks next (random per process, so two test processes rarely look at the same ports) */
let nextPort = TEST_PORTS_FROM + Math.floor(Math.random() * (testPortsTo - TEST_PORTS_FROM));

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port no one listens on, outside the ephemeral range (see above), never handed out twice by
 * this process.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 1000; tries++) {
    const port = nextPort;
    nextPort = nextPort + 1 >= testPortsTo ? TEST_PORTS_FROM : nextPort + 1;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${TEST_PORTS_FROM} and ${testPortsTo}`);
}

export interface PrivateRedis {
  /** `redis://…`, or `rediss://:password@127.0.0.1:port` with TLS and a password */
  url: string;
  port: number;
  /** the certificate of its throwaway CA (TLS only): what clients trust (REDIS_CA_FILE) */
  caFile?: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * A private redis-server for tests that need Redis to go down, so the shared one is never stopped;
 * with `password` it requires AUTH, with `tls` it speaks only TLS, with a self-signed certificate
 * for 127.0.0.1 made by openssl; `args` are further server options (e.g. `--maxmemory 8mb
 * --maxmemory-policy volatile-lru` for a test that fills it).
 */
export async function startPrivateRedis(port?: number, options: { password?: string; tls?: boolean; args?: string[] } = {}): Promise<PrivateRedis> {
  const chosen = port ?? (await freePort());
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.args ?? [])];
  let caFile: string | undefined;
  if (options.tls) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'redis-tls-'));
    caFile = path.join(dir, 'cert.pem');
    const made = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', path.join(dir, 'key.pem'), '-out', caFile, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
    args.push('--port', '0', '--tls-port', String(chosen), '--tls-cert-file', caFile, '--tls-key-file', path.join(dir, 'key.pem'), '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(chosen));
  }
  if (options.password) args.push('--requirepass', options.password);
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      if (await canConnect(chosen)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`private redis on ${chosen} did not start`);
  };
  const stop = async () => {
    if (!child) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    child = null;
  };
  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const url = `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${chosen}`;
  return { url, port: chosen, ...(caFile ? { caFile } : {}), stop, restart: start };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every key of a Redis by lifetime: streams (durable until consumed), keys with a TTL, and the others. */
export interface RedisKeyCensus {
  streams: string[];
  /** keys with a TTL (ms left): what `volatile-lru` may evict */
  expiring: Array<{ key: string; ttlMs: number }>;
  /** neither a stream nor expiring: never evicted under `volatile-lru`, so each must be bounded */
  persistent: Array<{ key: string; type: string }>;
}

/**
 * Sorts every key (or those matching `match`) of `redis` by lifetime (SCAN, TYPE, PTTL): the
 * guard that every cache key carries a TTL (docs/operations.md, Redis).
 */
export async function redisKeyCensus(redis: Redis, match = '*'): Promise<RedisKeyCensus> {
  const census: RedisKeyCensus = { streams: [], expiring: [], persistent: [] };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.type(key).pttl(key);
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const type = String(replies[2 * i]?.[1]);
      const pttl = Number(replies[2 * i + 1]?.[1]);
      if (type === 'none') return; // expired or evicted meanwhile
      if (type === 'stream') census.streams.push(key);
      else if (pttl > 0) census.expiring.push({ key, ttlMs: pttl });
      else census.persistent.push({ key, type });
    });
  } while (cursor !== '0');
  return census;
}
