import type { Caller, StaffCaller } from '@clinicult/rbac';
import { forbiddenError } from './errors.js';

/**
 * The clinic every staff query is scoped by (DESIGN.md, tenants). Data layers take this id as an
 * argument and put it in every WHERE, so cross-clinic access is impossible, not merely unlisted.
 */
export function requireClinicId(caller: Caller): string {
  if (caller.kind === 'staff') return caller.clinicId;
  if (caller.kind === 'service' && caller.clinicId) return caller.clinicId;
  throw forbiddenError('This operation acts within one clinic; sign in to a clinic first.');
}

export function requireStaff(caller: Caller): StaffCaller {
  if (caller.kind !== 'staff') throw forbiddenError('Only clinic staff may do this.');
  return caller;
}
