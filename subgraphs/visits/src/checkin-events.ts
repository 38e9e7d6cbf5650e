import { hostname } from 'node:os';
import { VISIT_EVENTS, visitCheckedInSchema, type VisitCheckedIn } from '@clinicult/contracts';
import type { EventBus, Subscription } from '@clinicult/events';
import type { Logger } from '@clinicult/kit';
import type { VisitsDb } from './db.js';
import type { HistoryCache } from './domain/history-cache.js';
import { warmHistory } from './domain/history.js';

/** What patients publishes after a check-in (the schema is @clinicult/contracts'). */
function parsePayload(payload: unknown): VisitCheckedIn | null {
  const parsed = visitCheckedInSchema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

/**
 * Warms a patient's history cache when they check in, so history is served from Redis while they
 * are in the clinic. Group `visits` on patients' visit stream; the handler is idempotent (a second
 * delivery stores the same page again). A malformed event is logged and acknowledged; a MySQL error
 * throws, so the bus retries and finally parks it. Redis errors are swallowed by the cache.
 */
export function subscribeCheckIns(options: { bus: EventBus; stream: string; db: VisitsDb; cache: HistoryCache; logger: Logger }): Subscription {
  const { db, cache, logger } = options;
  return options.bus.subscribe({
    stream: options.stream,
    group: 'visits',
    consumer: `${hostname()}-${process.pid}`,
    handler: async (envelope) => {
      if (envelope.type !== VISIT_EVENTS.checkedIn) return;
      const payload = parsePayload(envelope.payload);
      if (!payload || (envelope.clinicId && envelope.clinicId !== payload.clinicId)) {
        logger.warn({ eventId: envelope.id, type: envelope.type }, 'visit.checked_in: malformed payload; ignored');
        return;
      }
      await warmHistory(db, cache, payload.clinicId, payload.patientId);
    },
  });
}
