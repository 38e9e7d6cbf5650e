import { AUDIT_EVENT_TYPE } from '@clinicult/kit';
import type { EventBus, EventsLogger, Subscription } from '@clinicult/events';
import type { AuditDb } from './db.js';
import { storeAuditEvent } from './domain/events.js';

export interface AuditConsumerOptions {
  bus: EventBus;
  db: AuditDb;
  stream: string;
  group: string;
  consumer: string;
  logger: EventsLogger;
  /** Overrides of the subscription's timing (tests). */
  blockMs?: number;
  claimIdleMs?: number;
}

/**
 * Consumes the audit stream in the consumer group `audit` (at-least-once): each event is inserted
 * once by its id, so redeliveries and copies (outbox + Redis) store nothing new. A malformed event
 * fails its handler; the bus retries it and then parks it on `<stream>:parked`.
 */
export function startAuditConsumer(options: AuditConsumerOptions): Subscription {
  const { db, logger } = options;
  return options.bus.subscribe({
    stream: options.stream,
    group: options.group,
    consumer: options.consumer,
    ...(options.blockMs !== undefined ? { blockMs: options.blockMs } : {}),
    ...(options.claimIdleMs !== undefined ? { claimIdleMs: options.claimIdleMs } : {}),
    handler: async (envelope) => {
      if (envelope.type !== AUDIT_EVENT_TYPE) {
        logger.warn({ eventId: envelope.id, type: envelope.type }, 'not an audit event; skipped');
        return;
      }
      const outcome = await storeAuditEvent(db, envelope);
      logger.debug({ eventId: envelope.id, outcome }, `audit event ${outcome}`);
    },
  });
}
