import { hostname } from 'node:os';
import type { EventBus, Subscription } from '@clinicult/events';
import type { Logger } from '@clinicult/kit';
import type { VisitsDb } from './db.js';
import type { HistoryCache } from './domain/history-cache.js';
import { warmHistory } from './domain/history.js';

/** What patients publishes after a check-in (subgraphs/patients/src/domain/visits.ts, `checkIn`). */
export const VISIT_CHECKED_IN = 'visit.checked_in';

export interface CheckedInPayload {
  clinicId: string;
  patientId: string;
  visitId: string;
}

function parsePayload(payload: unknown): CheckedInPayload | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  const ok = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 36;
  return ok(p.clinicId) && ok(p.patientId) && ok(p.visitId) ? { clinicId: p.clinicId, patientId: p.patientId, visitId: p.visitId } : null;
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
      if (envelope.type !== VISIT_CHECKED_IN) return;
      const payload = parsePayload(envelope.payload);
      if (!payload || (envelope.clinicId && envelope.clinicId !== payload.clinicId)) {
        logger.warn({ eventId: envelope.id, type: envelope.type }, 'visit.checked_in: malformed payload; ignored');
        return;
      }
      await warmHistory(db, cache, payload.clinicId, payload.patientId);
    },
  });
}
