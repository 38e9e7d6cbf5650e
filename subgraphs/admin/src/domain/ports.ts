// What admin's domain needs of other services, as interfaces; the implementations over HTTP are
// in ../adapters/services.ts (users creates a clinic's first ADMIN; users, patients and visits
// count for the overview), and tests may hand in their own.

/** The invitation users made (its status and delivery come from users and auth through the gateway). */
export interface ProvisionedInvitation {
  id: string;
}

export interface ProvisionAdminArgs {
  clinicId: string;
  email: string;
  firstName: string;
  lastName: string;
  /** the operator who invites */
  invitedBy: string;
}

/** users' `provisionAdminUser`: the invitation of the clinic's first ADMIN (the link goes by email only). */
export interface AdminProvisioner {
  provisionAdminUser(args: ProvisionAdminArgs, requestId?: string): Promise<ProvisionedInvitation>;
}

/** The services that answer the clinic overview's counts (internal, clinicult:service:clinic-counts). */
export type CountingService = 'users' | 'patients' | 'visits';

export interface PatientCountsAnswer {
  patients: number;
  currentVisits: number;
  lastActivityAt: string | null;
}

export interface VisitCountsAnswer {
  archived: number;
  lastFinishedAt: string | null;
}

/**
 * The overview's counts, each from the service that owns the rows (a number or two and an instant,
 * never rows), with admin's service token naming the clinic. Each call may fail on its own.
 */
export interface ClinicCounter {
  staffCount(clinicId: string, requestId?: string): Promise<number>;
  /** from the patients service of the clinic's cluster */
  patientCounts(clinicId: string, cluster: string, requestId?: string): Promise<PatientCountsAnswer>;
  /** from the visits service of the clinic's cluster */
  visitCounts(clinicId: string, cluster: string, since: Date, requestId?: string): Promise<VisitCountsAnswer>;
}
