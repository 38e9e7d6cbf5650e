/**
 * Test harness: audit in-process on port 0 over a fresh MariaDB database and a stream of its own,
 * tokens from a test issuer, and a "recording service": the kit's audit trail on an event bus, as
 * patients or users use it.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTestDatabase, mysqlQuery, type TestDatabase } from '@clinicult/db';
import { createEventBus, type EventBus, type OutboxStore } from '@clinicult/events';
import { createAuditTrail, createRedis, type AuditTrail, type BaseContext } from '@clinicult/kit';
import type { Caller, ClinicRole } from '@clinicult/rbac';
import {
  AUDIT_EVENT_FIELDS,
  AUDIT_LOG,
  auditLog,
  createTestIssuer,
  markSessionFactsReady,
  removeAuditStream,
  sleep,
  waitFor,
  type TestIssuer,
} from '@clinicult/testing';
import { loadAuditConfig, type AuditConfig } from '../config.js';
import { startAuditService, type RunningAuditService } from '../service.js';

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export { sleep, waitFor };

/** A unique stream per test file: tests never touch the real `events:audit` nor each other's. */
export function testStream(): string {
  return `events:audit:test:${randomUUID()}`;
}

/** createRedis fails fast (no offline queue): wait until it is connected. */
export function whenReady(redis: Redis): Promise<void> {
  return new Promise((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
}

export interface AuditUnderTest {
  service: RunningAuditService;
  url: string;
  database: TestDatabase;
  config: AuditConfig;
  /** Rows stored in audit's database. */
  rows(where?: string, params?: unknown[]): Promise<Array<Record<string, any>>>;
  stop(): Promise<void>;
}

export async function startAudit(options: { issuer: TestIssuer; stream: string; redisUrl?: string }): Promise<AuditUnderTest> {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await markSessionFactsReady(redisUrl);
  const database = await createTestDatabase('audit');
  const config = loadAuditConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    AUTH_URL: 'http://127.0.0.1:9', // nothing listens: session facts come from Redis
    AUDIT_STREAM: options.stream,
    // a group of its own too: its idempotency keys (events:done:<group>:<id>) are removed on stop
    AUDIT_GROUP: `audit-test-${randomUUID()}`,
    AUDIT_CONSUMER: `test-${randomUUID()}`,
    // and an identity stream of its own: other runs' identity changes never reach its bus (whose counts tests read)
    IDENTITY_STREAM: `t:audit:identity:${randomUUID()}`,
  });
  try {
    const service = await startAuditService(config, { issuers: [options.issuer.trusted], blockMs: 200, claimIdleMs: 1000 });
    return {
      service,
      url: `${service.url}/graphql`,
      database,
      config,
      rows: (where = '1 = 1', params = []) => mysqlQuery(database.url, `SELECT * FROM AuditEvent WHERE ${where} ORDER BY occurredAt, id`, params),
      async stop() {
        await service.stop();
        await database.drop();
        await removeAuditStream(redisUrl, options.stream, config.AUDIT_GROUP).catch(() => undefined);
        const redis = createRedis(redisUrl, 'audit-test-cleanup', { lazyConnect: true, enableOfflineQueue: true });
        await redis.del(config.IDENTITY_STREAM, `${config.IDENTITY_STREAM}:parked`).catch(() => undefined);
        redis.disconnect();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** A service that records audit events with the kit, as patients or users do. */
export interface Recorder {
  bus: EventBus;
  trail: AuditTrail;
  redis: Redis;
  record(caller: Caller, event: Parameters<AuditTrail['record']>[1], requestId?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startRecorder(options: { stream: string; service?: string; redisUrl?: string; outbox?: OutboxStore }): Promise<Recorder> {
  const service = options.service ?? 'patients';
  const redis = createRedis(options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `${service}-test`);
  await whenReady(redis);
  const bus = createEventBus({ redis, service, logger: silentLogger, ...(options.outbox ? { outbox: options.outbox } : {}) });
  const trail = createAuditTrail({ bus, service, logger: silentLogger, stream: options.stream });
  return {
    bus,
    trail,
    redis,
    record: (caller, event, requestId = randomUUID()) => {
      const ctx: BaseContext = { caller, requestId, logger: silentLogger, clientIp: '127.0.0.1', viaEdge: false };
      return trail.record(ctx, event);
    },
    async close() {
      await trail.drain();
      await bus.close();
      redis.disconnect();
    },
  };
}

const facts = () => ({ token: 't', jti: randomUUID(), issuedAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000), mfa: false });

export function staffCaller(userId: string, clinicId: string, roles: ClinicRole[] = ['DOCTOR']): Caller {
  return { kind: 'staff', userId, clinicId, roles, permissions: [], ...facts() };
}

export { AUDIT_EVENT_FIELDS, AUDIT_LOG, auditLog };

export async function newIssuer(): Promise<TestIssuer> {
  return createTestIssuer();
}
