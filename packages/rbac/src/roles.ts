/**
 * The role → permissions table of DESIGN.md. The single source read by the token issuer (auth)
 * and by every shield rule; printed in docs/architecture.md by `npm run docs:roles`.
 */
export const CLINIC_ROLES = ['ADMIN', 'DOCTOR', 'NURSE', 'OFFICE'] as const;
export type ClinicRole = (typeof CLINIC_ROLES)[number];
export const OPERATOR_ROLE = 'OPERATOR' as const;
export type Role = ClinicRole | typeof OPERATOR_ROLE;

const p = (resourceAction: string) => `clinicult:${resourceAction}`;

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly string[]>> = {
  ADMIN: [
    'user:*', 'clinic:*', 'template:*', 'patient:read', 'visit:read', 'visits:read', 'report:read', 'audit:read', 'display:write', 'integration:write',
  ].map(p),
  DOCTOR: [
    'user:read', 'clinic:read', 'patient:write', 'medical:write', 'visit:consult', 'visits:read', 'template:read', 'report:read',
  ].map(p),
  NURSE: [
    'user:read', 'clinic:read', 'patient:write', 'medical:write', 'visit:triage', 'visits:read', 'template:read',
  ].map(p),
  OFFICE: [
    'user:read', 'clinic:read', 'patient:write', 'visit:frontdesk', 'visits:read', 'template:read', 'report:read',
  ].map(p),
  OPERATOR: ['platform:*'].map(p),
};

/**
 * What a waiting-room display holds (issue 17): the board of first names and initials, nothing
 * else. Not `visit:display`, since an action implies `read` of its resource and would give it the queue.
 */
export const DISPLAY_PERMISSIONS: readonly string[] = [p('display:read')];

export function isClinicRole(value: string): value is ClinicRole {
  return (CLINIC_ROLES as readonly string[]).includes(value);
}

/** The union of the roles' permissions, sorted and without duplicates (a token's `permissions` claim). */
export function permissionsForRoles(roles: readonly Role[]): string[] {
  const all = new Set<string>();
  for (const role of roles) for (const perm of ROLE_PERMISSIONS[role]) all.add(perm);
  return [...all].sort();
}
