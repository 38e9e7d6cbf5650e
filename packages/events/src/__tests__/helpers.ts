// Shared test plumbing: unique names, cleanup, a throwaway MariaDB database and a private redis-server.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import * as mariadb from 'mariadb';
import { OUTBOX_TABLE_SQL, type SqlClient } from '../outbox.js';
import type { EventsLogger } from '../util.js';

export const silentLogger: EventsLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function uniq(prefix: string): string {
  return `t:events:${prefix}:${randomBytes(5).toString('hex')}`;
}

export function newRedis(options: RedisOptions = {}): Redis {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, ...options });
  redis.on('error', () => undefined); // connection errors are expected in outage tests
  return redis;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Deletes streams (and their :parked twins) and every idempotency key of the given groups. */
export async function cleanupRedis(redis: Redis, streams: string[], groups: string[]): Promise<void> {
  const keys = streams.flatMap((s) => [s, `${s}:parked`]);
  for (const group of groups) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `events:done:${group}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
  }
  if (keys.length > 0) await redis.del(...keys);
}

export async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  const summary = (await redis.xpending(stream, group)) as unknown[];
  return Number(summary[0] ?? 0);
}

/** A throwaway database with the outbox table, behind a Prisma-shaped stand-in over the mariadb driver. */
export interface TestDatabase {
  name: string;
  prisma: SqlClient;
  /** Runs fn in a transaction, committing unless it throws (then rolls back and rethrows). */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

type Queryable = Pick<mariadb.Connection, 'query'>;

function prismaLike(db: Queryable): SqlClient {
  return {
    async $executeRawUnsafe(sql, ...values) {
      const result = (await db.query(sql, values)) as { affectedRows?: number };
      return result.affectedRows ?? 0;
    },
    async $queryRawUnsafe(sql, ...values) {
      return db.query(sql, values);
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ct_events_${randomBytes(6).toString('hex')}`;
  const admin = await mariadb.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const pool = mariadb.createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: name, connectionLimit: 4 });
  await pool.query(OUTBOX_TABLE_SQL);
  return {
    name,
    prisma: prismaLike(pool),
    async transaction(fn) {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        try {
          const result = await fn(prismaLike(conn));
          await conn.commit();
          return result;
        } catch (err) {
          await conn.rollback();
          throw err;
        }
      } finally {
        await conn.release();
      }
    },
    async drop() {
      await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await pool.end();
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A private, non-persistent redis-server we may kill (never the shared one). */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 5000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${out}`));
      });
    });
    child.removeAllListeners('exit');
    child.stdout?.removeAllListeners('data');
    child.stdout?.resume();
  }

  /** SIGKILL: an outage, not a clean shutdown. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
