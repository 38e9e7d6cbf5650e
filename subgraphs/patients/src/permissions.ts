import { and, can, forbidden, hasPermission, isAuthenticated, rule, SERVICE_CAPABILITIES, serviceCan, unauthenticated, type CallerContext, type IRule, type IRules } from '@clinicult/rbac';
import { MEDICAL_PATIENT_FIELDS } from './domain/validation.js';
import { rolesHolding, VISIT_OPERATIONS } from './domain/visit-state.js';

/**
 * Who may call what (graphql-shield; anything not listed is denied). Tenant rules — which clinic's
 * rows a caller sees — live in the domain layer, which puts the caller's clinic in every WHERE.
 *
 * - patients: read with clinicult:patient:read, register/update with clinicult:patient:write;
 *   medical fields are ruled field by field with clinicult:medical:read, so OFFICE and ADMIN get
 *   the demographics with a FORBIDDEN error (and null) on each medical field they ask for. Writing
 *   medical fields needs clinicult:medical:write, checked in domain/patients.ts per field given.
 * - the visit: reads with clinicult:visit:read; each operation with the permission of its row in
 *   the transition table (domain/visit-state.ts), the same table that checks the states.
 */
export const PATIENT_READ = 'clinicult:patient:read';
export const PATIENT_WRITE = 'clinicult:patient:write';
export const VISIT_READ = 'clinicult:visit:read';
export const MEDICAL_READ = 'clinicult:medical:read';

const readPatients = can(PATIENT_READ);
const writePatients = can(PATIENT_WRITE);
const readVisits = can(VISIT_READ);
const readMedical = can(MEDICAL_READ);
const readVisitMedical = and(readVisits, readMedical);

/** An operation of the visit table: its permission, with a message naming the roles that hold it. */
function visitOperation(name: string, permission: string): IRule {
  return rule(`visit-operation:${name}`, { cache: 'contextual' })((_p, _a, ctx: CallerContext) => {
    const { caller } = ctx;
    if (caller.kind === 'anonymous') return unauthenticated('This operation needs a signed-in user.');
    if (caller.kind === 'unscoped') return forbidden('Choose a clinic first (switchClinic).');
    if (caller.kind !== 'staff') return forbidden(`Only clinic staff may ${name}.`);
    if (hasPermission(caller.permissions, permission)) return true;
    return forbidden(`${name} needs ${permission} (${rolesHolding(permission).join(' or ') || 'no clinic role'}); your roles: ${caller.roles.join(', ') || 'none'}.`);
  });
}

const visitOperations = Object.fromEntries(VISIT_OPERATIONS.map((op) => [op.name, visitOperation(op.name, op.permission)]));

/** The medical fields of each type (DESIGN.md: allergies, conditions, medications, vitals, notes, diagnoses, prescriptions, answers). */
export const PATIENT_MEDICAL_FIELDS = MEDICAL_PATIENT_FIELDS;
export const VISIT_MEDICAL_FIELDS = ['vitals', 'intakeAnswers', 'notes', 'diagnoses', 'prescriptions', 'templateAnswers'] as const;

export const rules: IRules = {
  Query: {
    patient: readPatients,
    patients: readPatients,
    currentVisit: readVisits,
    queue: readVisits,
    queueSize: readVisits,
    // a waiting-room display (display:read), or its clinic's ADMIN (display:write implies it)
    waitingRoom: can('clinicult:display:read'),
    // internal: admin's overview (counts, never rows), for the clinic named by the call
    clinicPatientCounts: serviceCan(SERVICE_CAPABILITIES.clinicCounts),
  },
  Mutation: {
    registerPatient: writePatients,
    updatePatient: writePatients,
    ...visitOperations,
  },
  // Reached through a ruled root field or `_entities` (which the kit rules): the type rules hold for both.
  Patient: {
    '*': readPatients,
    ...Object.fromEntries(PATIENT_MEDICAL_FIELDS.map((f) => [f, readMedical])),
    currentVisit: readVisits,
  },
  CurrentVisit: {
    '*': readVisits,
    ...Object.fromEntries(VISIT_MEDICAL_FIELDS.map((f) => [f, readVisitMedical])),
    patient: and(readVisits, readPatients),
  },
  Address: isAuthenticated,
  EmergencyContact: isAuthenticated,
  Allergy: isAuthenticated,
  Identifier: isAuthenticated,
  // reached only through Patient.versions (patient:read)
  PatientVersion: isAuthenticated,
  PatientConnection: isAuthenticated,
  PatientEdge: isAuthenticated,
  PageInfo: isAuthenticated,
  Vitals: isAuthenticated,
  Diagnosis: isAuthenticated,
  Prescription: isAuthenticated,
  TimelineEntry: isAuthenticated,
  WaitingRoom: isAuthenticated,
  WaitingRoomEntry: isAuthenticated,
  PatientCounts: isAuthenticated,
  TemplateVersion: isAuthenticated,
  TemplateField: isAuthenticated,
  User: isAuthenticated,
};
