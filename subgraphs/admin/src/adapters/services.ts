import { ServiceCaller, ServiceTokenSource, type Logger } from '@clinicult/kit';
import { countingUrl, type AdminConfig } from '../config.js';
import type { AdminProvisioner, ClinicCounter } from '../domain/ports.js';
import { ClinicPatientCountsDocument } from '../__generated__/patients-operations.js';
import { ClinicStaffCountDocument, ProvisionAdminUserDocument } from '../__generated__/users-operations.js';
import { ClinicVisitCountsDocument } from '../__generated__/visits-operations.js';

/**
 * admin's calls to other services (DESIGN.md: service tokens, every internal call names its clinic),
 * all with a client-credentials token for service 'admin' through the kit's ServiceCaller (one
 * retry on a refused token; errors that name the service and say nothing changed). (A clinic's access reaches auth as an
 * identity event from admin's outbox, domain/clinics.ts, not as a call.)
 */

export interface AdminClients {
  provisioner: AdminProvisioner;
  counter: ClinicCounter;
}

/** The real clients over HTTP: auth at AUTH_URL, users at USERS_URL, patients and visits of the clinic's cluster (countingUrl). */
export function createClients(config: AdminConfig, logger: Logger): AdminClients {
  const caller = new ServiceCaller({
    service: 'admin',
    tokens: ServiceTokenSource.forService('admin', config, config.UPSTREAM_TIMEOUT_MS),
    logger,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
  const users = { name: 'users', url: config.USERS_URL };
  return {
    provisioner: {
      async provisionAdminUser(args, requestId) {
        const data = await caller.call(
          users,
          "provision the clinic's admin",
          ProvisionAdminUserDocument,
          { ...args },
          { clinicId: args.clinicId, ...(requestId ? { requestId } : {}) },
        );
        return data.provisionAdminUser;
      },
    },
    counter: {
      async staffCount(clinicId, requestId) {
        const data = await caller.call(
          users,
          "count the clinic's staff",
          ClinicStaffCountDocument,
          {},
          { clinicId, ...(requestId ? { requestId } : {}) },
        );
        return data.clinicStaffCount;
      },
      async patientCounts(clinicId, cluster, requestId) {
        const data = await caller.call(
          { name: 'patients', url: countingUrl(config, cluster, 'patients') },
          "count the clinic's patients",
          ClinicPatientCountsDocument,
          {},
          { clinicId, ...(requestId ? { requestId } : {}) },
        );
        return data.clinicPatientCounts;
      },
      async visitCounts(clinicId, cluster, since, requestId) {
        const data = await caller.call(
          { name: 'visits', url: countingUrl(config, cluster, 'visits') },
          "count the clinic's visits",
          ClinicVisitCountsDocument,
          { since: since.toISOString() },
          { clinicId, ...(requestId ? { requestId } : {}) },
        );
        return data.clinicVisitCounts;
      },
    },
  };
}
