import { remoteCode, ServiceCaller, type CallerTokens, type Logger } from '@clinicult/kit';
import type { ClinicDirectory } from '../domain/ports.js';
import { ClinicInfoDocument } from '../__generated__/admin-operations.js';

/** Asks admin's internal `clinicInfo` (schema/admin.graphql) with users' service token; an unknown clinic is null. */
export function createClinicDirectory(adminUrl: string, tokens: CallerTokens, logger: Logger): ClinicDirectory {
  const caller = new ServiceCaller({ service: 'users', tokens, logger });
  const admin = { name: 'admin', url: adminUrl };
  return {
    async info(clinicId, ctx) {
      try {
        const data = await caller.call(admin, 'look up the clinic', ClinicInfoDocument, { id: clinicId }, { clinicId, ...(ctx.requestId ? { requestId: ctx.requestId } : {}) });
        return data.clinicInfo;
      } catch (error) {
        if (remoteCode(error) === 'NOT_FOUND') return null;
        throw error;
      }
    },
  };
}

/**
 * The cluster (region) of a clinic, for users' audit events, which belong to the audit service of
 * that cluster. A clinic's cluster never changes once it exists, so each answer is kept for the
 * process's lifetime (bounded: the oldest is forgotten past `max`).
 */
export function clinicClusters(directory: ClinicDirectory, max = 10_000): (clinicId: string) => Promise<string | null> {
  const known = new Map<string, string>();
  return async (clinicId) => {
    const held = known.get(clinicId);
    if (held) return held;
    const info = await directory.info(clinicId, {});
    if (!info) return null;
    if (known.size >= max) known.delete(known.keys().next().value!);
    known.set(clinicId, info.cluster);
    return info.cluster;
  };
}
