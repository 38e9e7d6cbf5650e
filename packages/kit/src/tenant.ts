import type { Caller, StaffCaller } from '@clinicult/rbac';
import { badInput, forbiddenError } from './errors.js';

/**
 * The clinic every staff query is scoped by (DESIGN.md, tenants). Data layers take this id as an
 * argument and put it in every WHERE, so cross-clinic access is impossible, not merely unlisted.
 */
/** The clinic a caller acts in: staff and clients always, a service when the call names one; else null. */
export function callerClinicId(caller: Caller): string | null {
  if (caller.kind === 'staff' || caller.kind === 'client' || caller.kind === 'service') return caller.clinicId;
  return null;
}

export function requireClinicId(caller: Caller): string {
  if (caller.kind === 'staff' || caller.kind === 'client') return caller.clinicId;
  if (caller.kind === 'service' && caller.clinicId) return caller.clinicId;
  throw forbiddenError('This operation acts within one clinic; sign in to a clinic first.');
}

export function requireStaff(caller: Caller): StaffCaller {
  if (caller.kind !== 'staff') throw forbiddenError('Only clinic staff may do this.');
  return caller;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The clinic an internal call names (header `x-clinicult-clinic-id`, DESIGN.md: every internal call
 * names the clinic it acts for): services only; a missing or malformed id is BAD_USER_INPUT.
 */
export function requireNamedClinic(caller: Caller): string {
  if (caller.kind !== 'service') throw forbiddenError('This is an internal operation for services.');
  const clinicId = caller.clinicId;
  if (!clinicId) {
    throw badInput('Name the clinic in the x-clinicult-clinic-id header.', ['x-clinicult-clinic-id']);
  }
  if (!UUID.test(clinicId)) {
    throw badInput(`x-clinicult-clinic-id: "${clinicId}" is not a clinic id (a UUID).`, ['x-clinicult-clinic-id']);
  }
  return clinicId;
}
