import type { Redis } from 'ioredis';
import { createEventBus, createPrismaOutbox, type EventBus, type SqlClient } from '@clinicult/events';
import { createAuditTrail, type AuditTrail } from './audit.js';
import type { Logger } from './logger.js';

export interface ServiceEvents {
  bus: EventBus;
  audit: AuditTrail;
  /** Waits for audit events in flight, stops the relay and the bus (call before closing the database). */
  close(): Promise<void>;
}

/** The events of a service that only consumes (it publishes nothing, so it has no outbox). */
export interface ConsumingEvents {
  bus: EventBus;
  /** Stops the bus's subscriptions (call before closing the database). */
  close(): Promise<void>;
}

export function createConsumingEvents(options: { service: string; redis: Redis; logger: Logger }): ConsumingEvents {
  const bus = createEventBus(options);
  return { bus, close: () => bus.close() };
}

/**
 * Every service's event plumbing, written once: a bus whose outbox is the service's own
 * `event_outbox` table (so nothing is lost while Redis is down), its relay, and the audit trail.
 */
export function createServiceEvents(options: {
  service: string;
  redis: Redis;
  db: SqlClient;
  logger: Logger;
  /** tests use streams of their own */
  auditStream?: string;
  relayIntervalMs?: number;
}): ServiceEvents {
  const bus = createEventBus({ redis: options.redis, service: options.service, outbox: createPrismaOutbox(options.db), logger: options.logger });
  const relay = bus.startOutboxRelay(options.relayIntervalMs ?? 1000);
  const audit = createAuditTrail({
    bus,
    service: options.service,
    logger: options.logger,
    ...(options.auditStream ? { stream: options.auditStream } : {}),
  });
  return {
    bus,
    audit,
    async close() {
      await audit.drain();
      await relay.stop();
      await bus.close();
    },
  };
}
