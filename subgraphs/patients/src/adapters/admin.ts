import { remoteCode, ServiceCaller, type Logger } from '@clinicult/kit';
import { ClinicTimeZoneDocument } from '../__generated__/admin-operations.js';
import { isTimeZone } from '../domain/clinic-time.js';
import type { ClinicDirectory, TokenSource } from '../domain/ports.js';

export const FALLBACK_TIME_ZONE = 'UTC';

interface Cached {
  timeZone: string;
  expiresAt: number;
}

/**
 * Asks admin's internal `clinicInfo(id)` (schema/admin.graphql, service token naming the clinic)
 * and keeps each clinic's zone in memory for `ttlMs`. When admin cannot answer, the last known
 * zone is used (and asked again after `retryMs`); a clinic never seen falls back to UTC, logged.
 */
export function createClinicDirectory(options: {
  adminUrl: string;
  tokens: TokenSource;
  logger: Logger;
  ttlMs: number;
  timeoutMs?: number;
  retryMs?: number;
}): ClinicDirectory {
  const admin = { name: 'admin', url: options.adminUrl };
  const caller = new ServiceCaller({ service: 'patients', tokens: options.tokens, logger: options.logger, timeoutMs: options.timeoutMs ?? 3000 });
  const cache = new Map<string, Cached>();
  const pending = new Map<string, Promise<string>>();
  const retryMs = options.retryMs ?? 30_000;

  async function ask(clinicId: string, requestId?: string): Promise<string> {
    try {
      const data = await caller.call(admin, "read the clinic's time zone", ClinicTimeZoneDocument, { id: clinicId }, {
        clinicId,
        ...(requestId ? { requestId } : {}),
      });
      const zone = data.clinicInfo?.timeZone;
      if (!zone || !isTimeZone(zone)) {
        options.logger.warn({ clinicId, zone }, `admin knows no usable time zone for this clinic; using ${FALLBACK_TIME_ZONE}`);
        cache.set(clinicId, { timeZone: FALLBACK_TIME_ZONE, expiresAt: Date.now() + retryMs });
        return FALLBACK_TIME_ZONE;
      }
      cache.set(clinicId, { timeZone: zone, expiresAt: Date.now() + options.ttlMs });
      return zone;
    } catch (error) {
      const known = cache.get(clinicId)?.timeZone ?? FALLBACK_TIME_ZONE;
      options.logger.warn({ err: error, code: remoteCode(error), clinicId, reqId: requestId }, `could not ask admin for the clinic's time zone; using ${known}`);
      cache.set(clinicId, { timeZone: known, expiresAt: Date.now() + retryMs });
      return known;
    }
  }

  return {
    async timeZone(clinicId, ctx = {}) {
      const hit = cache.get(clinicId);
      if (hit && hit.expiresAt > Date.now()) return hit.timeZone;
      let inFlight = pending.get(clinicId);
      if (!inFlight) {
        inFlight = ask(clinicId, ctx.requestId).finally(() => pending.delete(clinicId));
        pending.set(clinicId, inFlight);
      }
      return inFlight;
    },
  };
}

/** A fixed map (tests, or a deployment without admin). */
export function staticClinicDirectory(zones: Record<string, string>, fallback = FALLBACK_TIME_ZONE): ClinicDirectory {
  return { timeZone: async (clinicId) => zones[clinicId] ?? fallback };
}
