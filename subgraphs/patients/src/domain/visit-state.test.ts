import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { permissionsForRoles } from '@clinicult/rbac';
import {
  allowedOperations,
  assertAllowedFrom,
  isAllowedFrom,
  nextState,
  operationsFrom,
  renderTransitionTable,
  rolesHolding,
  VISIT_OPERATIONS,
  VISIT_STATES,
} from './visit-state.js';

/**
 * DESIGN.md, "The visit", written out row by row, plus issue 17's setVisitPriority (the nurse
 * changes a visit's priority until the doctor calls the patient in): the table must say the same.
 */
const DESIGN: Record<string, { from: Array<string | null>; to: string; permission: string }> = {
  checkIn: { from: [null], to: 'WAITING', permission: 'clinicult:visit:frontdesk' },
  startTriage: { from: ['WAITING'], to: 'TRIAGE', permission: 'clinicult:visit:triage' },
  recordVitals: { from: ['TRIAGE'], to: 'same', permission: 'clinicult:visit:triage' },
  recordIntake: { from: ['TRIAGE'], to: 'same', permission: 'clinicult:visit:triage' },
  sendToDoctor: { from: ['TRIAGE'], to: 'READY_FOR_DOCTOR', permission: 'clinicult:visit:triage' },
  setVisitPriority: { from: ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR'], to: 'same', permission: 'clinicult:visit:triage' },
  startConsultation: { from: ['READY_FOR_DOCTOR'], to: 'WITH_DOCTOR', permission: 'clinicult:visit:consult' },
  recordConsultation: { from: ['WITH_DOCTOR'], to: 'same', permission: 'clinicult:visit:consult' },
  completeConsultation: { from: ['WITH_DOCTOR'], to: 'CHECKOUT', permission: 'clinicult:visit:consult' },
  finishVisit: { from: ['CHECKOUT'], to: 'FINISHED', permission: 'clinicult:visit:frontdesk' },
  cancelVisit: { from: ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR'], to: 'CANCELLED', permission: 'clinicult:visit:frontdesk' },
};

test('the table is exactly DESIGN.md', () => {
  expect(Object.fromEntries(VISIT_OPERATIONS.map((op) => [op.name, { from: [...op.from], to: op.to, permission: op.permission }]))).toEqual(DESIGN);
});

test('startTriage assigns the nurse, startConsultation the doctor, nothing else assigns', () => {
  expect(VISIT_OPERATIONS.filter((op) => 'assigns' in op).map((op) => [op.name, (op as { assigns: string }).assigns])).toEqual([
    ['startTriage', 'nurse'],
    ['startConsultation', 'doctor'],
  ]);
});

test('every state is reached and can be left', () => {
  for (const state of VISIT_STATES) {
    expect(VISIT_OPERATIONS.some((op) => op.to === state)).toBe(true);
    expect(operationsFrom(state).some((name) => nextState(name, state) !== state)).toBe(true);
  }
});

test('operations from each state', () => {
  expect(operationsFrom(null)).toEqual(['checkIn']);
  expect(operationsFrom('WAITING')).toEqual(['startTriage', 'setVisitPriority', 'cancelVisit']);
  expect(operationsFrom('TRIAGE')).toEqual(['recordVitals', 'recordIntake', 'sendToDoctor', 'setVisitPriority', 'cancelVisit']);
  expect(operationsFrom('READY_FOR_DOCTOR')).toEqual(['setVisitPriority', 'startConsultation', 'cancelVisit']);
  expect(operationsFrom('WITH_DOCTOR')).toEqual(['recordConsultation', 'completeConsultation']);
  expect(operationsFrom('CHECKOUT')).toEqual(['finishVisit']);
  expect(isAllowedFrom('cancelVisit', 'WITH_DOCTOR')).toBe(false);
  expect(nextState('recordVitals', 'TRIAGE')).toBe('TRIAGE');
  expect(nextState('cancelVisit', 'TRIAGE')).toBe('CANCELLED');
});

test('what each role may do from a state (a DOCTOR+ADMIN may do what either may)', () => {
  expect(allowedOperations('TRIAGE', permissionsForRoles(['NURSE']))).toEqual(['recordVitals', 'recordIntake', 'sendToDoctor', 'setVisitPriority']);
  expect(allowedOperations('WAITING', permissionsForRoles(['OFFICE']))).toEqual(['cancelVisit']);
  expect(allowedOperations('TRIAGE', permissionsForRoles(['OFFICE']))).toEqual(['cancelVisit']);
  expect(allowedOperations('READY_FOR_DOCTOR', permissionsForRoles(['ADMIN']))).toEqual([]);
  expect(allowedOperations('READY_FOR_DOCTOR', permissionsForRoles(['DOCTOR', 'ADMIN']))).toEqual(['startConsultation']);
  expect(rolesHolding('clinicult:visit:frontdesk')).toEqual(['OFFICE']);
  expect(rolesHolding('clinicult:visit:triage')).toEqual(['NURSE']);
  expect(rolesHolding('clinicult:visit:consult')).toEqual(['DOCTOR']);
});

test('a wrong state is BAD_USER_INPUT naming the state, where the operation is allowed from, and what is allowed now', () => {
  let error: any;
  try {
    assertAllowedFrom('startConsultation', 'TRIAGE');
  } catch (e) {
    error = e;
  }
  expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', state: 'TRIAGE', allowedFrom: ['READY_FOR_DOCTOR'] });
  expect(error.message).toBe(
    'visit is in TRIAGE; startConsultation is allowed from READY_FOR_DOCTOR. From TRIAGE: recordVitals, recordIntake, sendToDoctor, setVisitPriority, cancelVisit.',
  );
  expect(() => assertAllowedFrom('cancelVisit', 'CHECKOUT')).toThrow(
    'visit is in CHECKOUT; cancelVisit is allowed from WAITING, TRIAGE, READY_FOR_DOCTOR. From CHECKOUT: finishVisit.',
  );
  expect(() => assertAllowedFrom('startTriage', 'WAITING')).not.toThrow();
});

test('the table printed for the docs is the one in README.md', () => {
  const table = renderTransitionTable();
  expect(table.split('\n')).toHaveLength(VISIT_OPERATIONS.length + 2);
  expect(table).toContain('| WAITING, TRIAGE, READY_FOR_DOCTOR | (archived, cancelled) | cancelVisit | visit:frontdesk (OFFICE) |');
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  expect(readme).toContain(table);
});
