import { AUDIT_EVENT_TYPE } from '@clinicult/kit';
import type { EventBus, EventsLogger, Subscription } from '@clinicult/events';
import type { AuditDb } from './db.js';
import { storeAuditEvent, storeAuditEvents } from './domain/events.js';

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
  /** Events per read and INSERT (default 200), and how long a short read waits for more (default 50 ms). */
  batchSize?: number;
  lingerMs?: number;
}

/**
 * Consumes the audit stream in the consumer group `audit` (at-least-once): each event is inserted
 * once by its id, so redeliveries and copies (outbox + Redis) store nothing new. A malformed event
 * fails its handler (InvalidAuditEvent, a poison message): the bus parks it on `<stream>:parked` at once.
 *
 * Events read together are stored with one multi-row INSERT (one statement and one Redis
 * transaction for a batch instead of per event); waiting up to `lingerMs` after a short read lets a
 * steady trickle form batches. An event is in the database at most that much later; the request
 * that caused it never waits for the audit service.
 */
export function startAuditConsumer(options: AuditConsumerOptions): Subscription {
  const { db, logger } = options;
  return options.bus.subscribe({
    stream: options.stream,
    group: options.group,
    consumer: options.consumer,
    ...(options.blockMs !== undefined ? { blockMs: options.blockMs } : {}),
    ...(options.claimIdleMs !== undefined ? { claimIdleMs: options.claimIdleMs } : {}),
    batchSize: options.batchSize ?? 200,
    lingerMs: options.lingerMs ?? 50,
    handleBatch: async (envelopes) => {
      const audit = envelopes.filter((envelope) => envelope.type === AUDIT_EVENT_TYPE);
      if (audit.length < envelopes.length) logger.warn({ skipped: envelopes.length - audit.length }, 'not audit events; skipped');
      if (audit.length > 0) await storeAuditEvents(db, audit);
      logger.debug({ events: audit.length }, 'audit events stored');
    },
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
