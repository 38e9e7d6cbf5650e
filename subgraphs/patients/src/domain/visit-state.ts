import { CURRENT_VISIT_STATES } from '@clinicult/contracts';
import { badInput } from '@clinicult/kit';
import { CLINIC_ROLES, hasPermission, ROLE_PERMISSIONS } from '@clinicult/rbac';

/**
 * The current visit's state machine (DESIGN.md, "The visit"), declared once. The shield rules
 * (permissions.ts), the domain layer (visits.ts), `CurrentVisit.allowedTransitions` and the docs
 * (`renderTransitionTable`, printed in this package's README) are all derived from this table.
 */
export const VISIT_STATES = CURRENT_VISIT_STATES;
export type VisitState = (typeof VISIT_STATES)[number];

/** Where an archived visit ends (it leaves this service's current-visit table). */
export type ArchiveStatus = 'FINISHED' | 'CANCELLED';

export const VISIT_FRONTDESK = 'clinicult:visit:frontdesk';
export const VISIT_TRIAGE = 'clinicult:visit:triage';
export const VISIT_CONSULT = 'clinicult:visit:consult';

export interface VisitOperationRule {
  /** the mutation's name in schema/patients.graphql */
  readonly name: string;
  /** states it may start from; null = the patient has no current visit (checkIn) */
  readonly from: readonly (VisitState | null)[];
  /** the state afterwards: a new state, `same` (recordings), or archived */
  readonly to: VisitState | 'same' | ArchiveStatus;
  readonly permission: string;
  /** the calling user becomes the visit's nurse / doctor */
  readonly assigns?: 'nurse' | 'doctor';
  /** what else must hold, for the docs (checked in visits.ts) */
  readonly note?: string;
}

export const VISIT_OPERATIONS = [
  { name: 'checkIn', from: [null], to: 'WAITING', permission: VISIT_FRONTDESK, note: 'reason, template; one current visit per patient' },
  { name: 'startTriage', from: ['WAITING'], to: 'TRIAGE', permission: VISIT_TRIAGE, assigns: 'nurse', note: 'assigns the calling nurse' },
  { name: 'recordVitals', from: ['TRIAGE'], to: 'same', permission: VISIT_TRIAGE, note: 'plausible ranges per unit' },
  { name: 'recordIntake', from: ['TRIAGE'], to: 'same', permission: VISIT_TRIAGE, note: "the intake template's answers" },
  { name: 'sendToDoctor', from: ['TRIAGE'], to: 'READY_FOR_DOCTOR', permission: VISIT_TRIAGE, note: 'at least one vital sign recorded' },
  {
    name: 'setVisitPriority',
    from: ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR'],
    to: 'same',
    permission: VISIT_TRIAGE,
    note: 'URGENT visits come first on the board',
  },
  {
    name: 'startConsultation',
    from: ['READY_FOR_DOCTOR'],
    to: 'WITH_DOCTOR',
    permission: VISIT_CONSULT,
    assigns: 'doctor',
    note: 'assigns the calling doctor',
  },
  {
    name: 'recordConsultation',
    from: ['WITH_DOCTOR'],
    to: 'same',
    permission: VISIT_CONSULT,
    note: "notes, diagnoses (ICD-10), prescriptions, the note template's answers",
  },
  { name: 'completeConsultation', from: ['WITH_DOCTOR'], to: 'CHECKOUT', permission: VISIT_CONSULT },
  { name: 'finishVisit', from: ['CHECKOUT'], to: 'FINISHED', permission: VISIT_FRONTDESK, note: 'archived (outbox) in one transaction' },
  {
    name: 'cancelVisit',
    from: ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR'],
    to: 'CANCELLED',
    permission: VISIT_FRONTDESK,
    note: 'archived (outbox) in one transaction, with the reason',
  },
] as const satisfies readonly VisitOperationRule[];

export type VisitOperation = (typeof VISIT_OPERATIONS)[number]['name'];
/** Operations on an existing visit (all but checkIn). */
export type VisitTransition = Exclude<VisitOperation, 'checkIn'>;

const BY_NAME = new Map<string, VisitOperationRule>(VISIT_OPERATIONS.map((op) => [op.name, op]));

export function operationRule(name: VisitOperation): VisitOperationRule {
  return BY_NAME.get(name)!;
}

/** The operations that may start from a state (null: no current visit). */
export function operationsFrom(state: VisitState | null): VisitOperation[] {
  return VISIT_OPERATIONS.filter((op) => (op.from as readonly (VisitState | null)[]).includes(state)).map((op) => op.name);
}

/** Of the operations allowed from `state`, those the caller's permissions allow. */
export function allowedOperations(state: VisitState | null, permissions: readonly string[]): VisitOperation[] {
  return operationsFrom(state).filter((name) => hasPermission(permissions, operationRule(name).permission));
}

/** Is `name` allowed from `state`? (the state half of the rule; the permission is the shield's) */
export function isAllowedFrom(name: VisitOperation, state: VisitState | null): boolean {
  return (operationRule(name).from as readonly (VisitState | null)[]).includes(state);
}

/** The state after `name` from `state`, or the archive status. */
export function nextState(name: VisitOperation, state: VisitState): VisitState | ArchiveStatus {
  const { to } = operationRule(name);
  return to === 'same' ? state : to;
}

const describeFrom = (from: readonly (VisitState | null)[]) => from.map((s) => s ?? 'no current visit').join(', ');

/**
 * Refuses an operation that the visit's state does not allow: BAD_USER_INPUT naming the state, the
 * states the operation is allowed from and what may be done now.
 */
export function assertAllowedFrom(name: VisitTransition, state: VisitState): void {
  if (isAllowedFrom(name, state)) return;
  const rule = operationRule(name);
  const now = operationsFrom(state);
  throw badInput(
    `visit is in ${state}; ${name} is allowed from ${describeFrom(rule.from)}. ` +
      (now.length > 0 ? `From ${state}: ${now.join(', ')}.` : `Nothing is allowed from ${state}.`),
    [],
    { state, operation: name, allowedFrom: rule.from, allowedNow: now },
  );
}

/** The clinic roles whose permissions include `permission` (for messages and docs). */
export function rolesHolding(permission: string): string[] {
  return CLINIC_ROLES.filter((role) => hasPermission(ROLE_PERMISSIONS[role], permission));
}

/** The table as markdown, for the docs (README.md of this package shows it; a test keeps them equal). */
export function renderTransitionTable(): string {
  const rows = VISIT_OPERATIONS.map((op) => {
    const rule = op as VisitOperationRule;
    const from = rule.from.map((s) => s ?? '—').join(', ');
    const to = rule.to === 'same' ? '(unchanged)' : rule.to === 'FINISHED' || rule.to === 'CANCELLED' ? `(archived, ${rule.to.toLowerCase()})` : rule.to;
    const permission = rule.permission.replace(/^clinicult:/, '');
    return `| ${from} | ${to} | ${rule.name} | ${permission} (${rolesHolding(rule.permission).join(', ')}) | ${rule.note ?? ''} |`;
  });
  return ['| from | to | operation | permission (roles) | notes |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
