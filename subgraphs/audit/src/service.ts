import { createEventBus, type EventBus, type Subscription } from '@clinicult/events';
import {
  createLogger,
  createRedis,
  loadSubgraphSchema,
  startSubgraph,
  type Logger,
  type RunningService,
  type TrustedIssuer,
} from '@clinicult/kit';
import type { Redis } from 'ioredis';
import type { AuditConfig } from './config.js';
import { startAuditConsumer } from './consumer.js';
import { createDb, type AuditDb } from './db.js';
import { rules } from './permissions.js';
import { resolvers, type AuditContext } from './resolvers.js';

export interface AuditServiceOverrides {
  /** Extra trusted token issuers (tests). */
  issuers?: TrustedIssuer[];
  /** A Redis connection owned by the caller (left open on stop). */
  redis?: Redis;
  logger?: Logger;
  /** Subscription timing (tests): how long a read blocks, when a pending event is taken over. */
  blockMs?: number;
  claimIdleMs?: number;
}

export type RunningAuditService = RunningService & { db: AuditDb; events: EventBus; consumer: Subscription };

function connected(redis: Redis, timeoutMs: number): Promise<void> {
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

/** The audit subgraph (port 4007): stores the audit stream append-only and answers `auditLog`. */
export async function startAuditService(config: AuditConfig, overrides: AuditServiceOverrides = {}): Promise<RunningAuditService> {
  const logger = overrides.logger ?? createLogger('audit', config.LOG_LEVEL);
  const redis = overrides.redis ?? createRedis(config, 'audit');
  const db = createDb(config.DATABASE_URL);
  // audit only consumes: no outbox (it publishes nothing)
  const events = createEventBus({ redis, service: 'audit', logger });
  // Give the connection a moment to come up so the consumer's first round does not log a spurious
  // error; if Redis is down the consumer retries with backoff and /readyz reports it.
  await connected(redis, 1000);
  const consumer = startAuditConsumer({
    bus: events,
    db,
    stream: config.AUDIT_STREAM,
    group: config.AUDIT_GROUP,
    consumer: config.AUDIT_CONSUMER,
    logger,
    ...(overrides.blockMs !== undefined ? { blockMs: overrides.blockMs } : {}),
    ...(overrides.claimIdleMs !== undefined ? { claimIdleMs: overrides.claimIdleMs } : {}),
  });

  const closeOwnResources = async () => {
    await events.close(); // stops the consumer after the event in hand
    await db.$disconnect();
    if (!overrides.redis) redis.disconnect();
  };

  let service: RunningService;
  try {
    service = await startSubgraph<AuditContext>({
      name: 'audit',
      port: config.PORT,
      config,
      typeDefs: loadSubgraphSchema('audit'),
      resolvers,
      rules,
      createContext: (base) => ({ ...base, db }),
      readiness: { database: () => db.$queryRaw`SELECT 1` },
      logger,
      redis,
      onShutdown: [closeOwnResources],
      ...(overrides.issuers ? { issuers: overrides.issuers } : {}),
    });
  } catch (error) {
    await closeOwnResources().catch(() => undefined);
    throw error;
  }
  return { ...service, db, events, consumer };
}
