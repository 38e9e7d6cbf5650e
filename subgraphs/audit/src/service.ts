import type { EventBus, Subscription } from '@clinicult/events';
import { redisConnected, runService, type RunningService, type ServiceOverrides } from '@clinicult/kit';
import type { AuditConfig } from './config.js';
import { startAuditConsumer } from './consumer.js';
import { createDb, type AuditDb } from './db.js';
import { rules } from './permissions.js';
import { resolvers, type AuditContext } from './resolvers.js';

export interface AuditServiceOverrides extends Pick<ServiceOverrides, 'issuers' | 'redis' | 'logger'> {
  /** Subscription timing (tests): how long a read blocks, when a pending event is taken over. */
  blockMs?: number;
  claimIdleMs?: number;
}

export type RunningAuditService = RunningService & { db: AuditDb; events: EventBus; consumer: Subscription };

/** The audit subgraph (port 4007): stores the audit stream append-only and answers `auditLog`. */
export function startAuditService(config: AuditConfig, overrides: AuditServiceOverrides = {}): Promise<RunningAuditService> {
  return runService({
    name: 'audit',
    config,
    // audit only consumes: no outbox (it publishes nothing)
    outbox: false,
    database: createDb,
    resolvers,
    rules,
    overrides,
    assemble: async ({ db, redis, logger, events }) => {
      // Give the connection a moment to come up so the consumer's first round does not log a spurious
      // error; if Redis is down the consumer retries with backoff and /readyz reports it.
      await redisConnected(redis, 1000);
      // the bus stops it (after the event in hand) when the service stops
      const consumer = startAuditConsumer({
        bus: events.bus,
        db,
        stream: config.AUDIT_STREAM,
        group: config.AUDIT_GROUP,
        consumer: config.AUDIT_CONSUMER,
        logger,
        ...(overrides.blockMs !== undefined ? { blockMs: overrides.blockMs } : {}),
        ...(overrides.claimIdleMs !== undefined ? { claimIdleMs: overrides.claimIdleMs } : {}),
      });
      return {
        createContext: (base): AuditContext => ({ ...base, db }),
        // its callers (tests) read the bus's stats
        exposed: { events: events.bus, consumer },
      };
    },
  });
}
