/**
 * Service (client-credentials) callers and exactly the internal capabilities each needs; a service
 * that calls no other (visits, audit) is no client and has no key.
 * A service token carries `svc` = the calling service and these `permissions`; internal
 * operations require one `clinicult:service:<capability>` each (never implied by another).
 */
export const SERVICE_CAPABILITIES = {
  /** auth: create credentials, mail invitations, clear second factors (roles, memberships and statuses travel as identity events) */
  credentialsWrite: 'clinicult:service:credentials-write',
  /** users: create a clinic's first ADMIN (operator provisioning through admin) */
  userProvision: 'clinicult:service:user-provision',
  /** admin: read a clinic's status, cluster and time zone */
  clinicRead: 'clinicult:service:clinic-read',
  /** visits: archive a finished or cancelled visit (idempotent by visit id) */
  visitsArchive: 'clinicult:service:visits-archive',
  /** clinic: an active template's current version, copied onto a visit at check-in */
  templateRead: 'clinicult:service:template-read',
  /** users, patients, visits: per-clinic counts for the operators' overview (never rows) */
  clinicCounts: 'clinicult:service:clinic-counts',
  /** users: the profile of an operator, written only by auth's create-operator command */
  operatorProfileWrite: 'clinicult:service:operator-profile-write',
  /**
   * gateway: vouches for a forwarded request (`x-clinicult-edge`): only then does a subgraph believe
   * the client address and the API label the gateway forwards with it
   */
  edge: 'clinicult:service:edge',
  /** users: the display names of a clinic's staff, for the cluster's staff directory (clinic) */
  staffNames: 'clinicult:service:staff-names',
} as const;
export type ServiceCapability = (typeof SERVICE_CAPABILITIES)[keyof typeof SERVICE_CAPABILITIES];

export const SERVICE_CLIENTS = {
  /** clinic-read; operator-profile-write only for the create-operator command run where auth runs */
  auth: [SERVICE_CAPABILITIES.clinicRead, SERVICE_CAPABILITIES.operatorProfileWrite],
  users: [SERVICE_CAPABILITIES.credentialsWrite, SERVICE_CAPABILITIES.clinicRead],
  admin: [SERVICE_CAPABILITIES.userProvision, SERVICE_CAPABILITIES.clinicCounts],
  /** the clinic's time zone (stale visits, local dates in archive snapshots) */
  patients: [SERVICE_CAPABILITIES.clinicRead, SERVICE_CAPABILITIES.visitsArchive, SERVICE_CAPABILITIES.templateRead],
  gateway: [SERVICE_CAPABILITIES.edge],
  /** the staff directory of its cluster: names for the queue board without a cross-region call per request */
  clinic: [SERVICE_CAPABILITIES.staffNames],
} as const satisfies Record<string, readonly string[]>;
export type ServiceName = keyof typeof SERVICE_CLIENTS;

export function servicePermissions(service: string): readonly string[] {
  return (SERVICE_CLIENTS as Record<string, readonly string[]>)[service] ?? [];
}
