import {
  allow,
  forbidden,
  hasPermission,
  isAuthenticated,
  operatorCan,
  rule,
  SERVICE_CAPABILITIES,
  serviceCan,
  unauthenticated,
  type Caller,
  type CallerContext,
  type IRule,
  type IRules,
} from '@clinicult/rbac';

/**
 * Who may do what in admin (deny by default; DESIGN.md, security model):
 *
 * - `clinics`, `createClinic`, `suspendClinic`, `reactivateClinic`, `provisionClinicAdmin`:
 *   platform operators only (clinic roles, even ADMIN, get FORBIDDEN).
 * - `clinic(id)`: operators, or staff of that very clinic holding `clinicult:clinic:read`. Staff
 *   asking for another clinic get FORBIDDEN whether or not it exists, decided from the token
 *   before any lookup, so the answer does not reveal which ids exist.
 * - `clinicInfo(id)`: services holding `clinicult:service:clinic-read` (internal).
 * - `Clinic.overview`, `globalTemplates`, `globalTemplate`: operators (clinicult:platform:read);
 *   `updateClinic` and the global template mutations: operators (clinicult:platform:write). Clinic
 *   roles, even ADMIN, get FORBIDDEN (a null overview with the error beside the rest of the clinic).
 * - `Clinic.id` and `Clinic.name` resolve for any signed-in caller: users' `me.memberships
 *   { clinic { name } }` names every clinic one belongs to, including for a user who has not
 *   chosen a clinic yet. The other fields (status, cluster, time zone, suspension, dates) need an
 *   operator, a clinic-read service, or staff of that clinic with clinic:read.
 */

export const CLINIC_READ = 'clinicult:clinic:read';

function denyAnonymous(caller: Caller) {
  return caller.kind === 'anonymous' ? unauthenticated('This operation needs a signed-in user or service.') : null;
}

/** Operators, or staff of the clinic named by the `id` argument who hold clinic:read. */
export const operatorOrOwnClinicStaff: IRule = rule('operator-or-own-clinic', { cache: 'strict' })(
  (_parent, args: { id?: unknown }, ctx: CallerContext) => {
    const { caller } = ctx;
    const anon = denyAnonymous(caller);
    if (anon) return anon;
    if (caller.kind === 'operator' && hasPermission(caller.permissions, 'clinicult:platform:read')) return true;
    if (caller.kind === 'unscoped') return forbidden('Choose a clinic first (switchClinic).');
    if (caller.kind !== 'staff') return forbidden('Only platform operators and the clinic\'s own staff may read a clinic.');
    if (!hasPermission(caller.permissions, CLINIC_READ)) return forbidden(`This needs the permission ${CLINIC_READ}.`);
    if (args.id !== caller.clinicId) return forbidden('Staff may read only their own clinic.');
    return true;
  },
);

/** A clinic's details: operators, clinic-read services, or staff of the parent clinic. */
export const clinicDetails: IRule = rule('clinic-details', { cache: 'strict' })(
  (parent: { id?: unknown }, _args, ctx: CallerContext) => {
    const { caller } = ctx;
    const anon = denyAnonymous(caller);
    if (anon) return anon;
    if (caller.kind === 'operator' && hasPermission(caller.permissions, 'clinicult:platform:read')) return true;
    if (caller.kind === 'service' && caller.permissions.includes(SERVICE_CAPABILITIES.clinicRead)) return true;
    if (caller.kind === 'staff' && parent.id === caller.clinicId && hasPermission(caller.permissions, CLINIC_READ)) return true;
    return forbidden("Only platform operators and the clinic's own staff may read this clinic's details.");
  },
);

// graphql-shield refuses two rule instances with one name: build each rule once, then reuse it.
const operatorRead = operatorCan('read');
const operatorWrite = operatorCan('write');

export const rules: IRules = {
  Query: {
    clinic: operatorOrOwnClinicStaff,
    clinics: operatorRead,
    clinicInfo: serviceCan(SERVICE_CAPABILITIES.clinicRead),
    globalTemplates: operatorRead,
    globalTemplate: operatorRead,
  },
  Mutation: {
    createClinic: operatorWrite,
    suspendClinic: operatorWrite,
    reactivateClinic: operatorWrite,
    provisionClinicAdmin: operatorWrite,
    updateClinic: operatorWrite,
    createGlobalTemplate: operatorWrite,
    updateGlobalTemplate: operatorWrite,
    retireGlobalTemplate: operatorWrite,
  },
  Clinic: {
    '*': clinicDetails,
    id: isAuthenticated,
    name: isAuthenticated,
    overview: operatorRead,
  },
  ClinicConnection: allow,
  ClinicEdge: allow,
  PageInfo: allow,
  Invitation: allow,
  User: allow,
  ClinicInfo: allow,
  // reached only through the operator-ruled fields above
  ClinicOverview: allow,
  GlobalTemplate: allow,
  GlobalTemplateConnection: allow,
  GlobalTemplateEdge: allow,
  TemplateField: allow,
};
