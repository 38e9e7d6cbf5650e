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

/** The cluster (region) of a clinic, for users' audit events, which belong to the audit service of that cluster. */
export function clinicClusters(directory: ClinicDirectory): (clinicId: string) => Promise<string | null> {
  return async (clinicId) => (await directory.info(clinicId, {}))?.cluster ?? null;
}
