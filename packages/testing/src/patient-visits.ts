import type { Role } from '@clinicult/rbac';
import { gql, type GraphQLResponse } from './graphql.js';

/**
 * Arrange helpers for the tests of patients' API (its own and those with other services beside it):
 * real API calls, failing the test on any error. `h` is anything with patients' GraphQL URL.
 */
interface PatientsApi {
  url: string;
}
/** A staff member of a clinic, with their token. */
export interface Staff {
  id: string;
  roles: Role[];
  token: string;
}

let counter = 0;

/** A minimal valid registration input (distinct names each call). */
export function personInput(patch: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    givenName: `Given${counter}`,
    familyName: `Family${counter}`,
    birthDate: '1980-01-15',
    gender: 'FEMALE',
    ...patch,
  };
}

export async function ok<T = Record<string, any>>(
  h: PatientsApi,
  staff: Staff,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const r: GraphQLResponse<T> = await gql<T>(h.url, query, variables, { token: staff.token });
  if (r.errors || !r.data) throw new Error(`${query.slice(0, 80)}… failed: ${JSON.stringify(r.errors)}`);
  return r.data;
}

export async function registerPatient(h: PatientsApi, office: Staff, patch: Record<string, unknown> = {}): Promise<string> {
  const data = await ok<{ registerPatient: { id: string } }>(
    h,
    office,
    'mutation ($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }',
    { i: personInput(patch) },
  );
  return data.registerPatient.id;
}

export interface Team {
  office: Staff;
  nurse: Staff;
  doctor: Staff;
}

export const STEPS = ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT'] as const;

/** A new patient checked in and taken to `state` through the real operations. */
export async function visitIn(
  h: PatientsApi,
  team: Team,
  state: (typeof STEPS)[number],
  options: { templateId?: string } = {},
): Promise<{ patientId: string; visitId: string }> {
  const patientId = await registerPatient(h, team.office);
  const { checkIn } = await ok<{ checkIn: { id: string } }>(
    h,
    team.office,
    'mutation ($p: ID!, $t: ID) { checkIn(patientId: $p, reason: "Dolor de cabeza", templateId: $t) { id } }',
    { p: patientId, t: options.templateId ?? null },
  );
  const v = { v: checkIn.id };
  const reach = (s: (typeof STEPS)[number]) => STEPS.indexOf(state) >= STEPS.indexOf(s);
  if (reach('TRIAGE')) {
    await ok(h, team.nurse, 'mutation ($v: ID!) { startTriage(visitId: $v) { id } }', v);
    await ok(h, team.nurse, 'mutation ($v: ID!) { recordVitals(visitId: $v, vitals: { temperatureC: 37.9, heartRate: 92 }) { id } }', v);
  }
  if (reach('READY_FOR_DOCTOR')) await ok(h, team.nurse, 'mutation ($v: ID!) { sendToDoctor(visitId: $v) { id } }', v);
  if (reach('WITH_DOCTOR')) await ok(h, team.doctor, 'mutation ($v: ID!) { startConsultation(visitId: $v) { id } }', v);
  if (reach('CHECKOUT')) await ok(h, team.doctor, 'mutation ($v: ID!) { completeConsultation(visitId: $v) { id } }', v);
  return { patientId, visitId: checkIn.id };
}

type Rows = Record<'patient' | 'currentVisit' | 'archiveOutbox' | 'mrnCounter', { findMany(args: any): Promise<unknown> }>;

/** Everything a clinic has in patients' database, for "nothing changed" comparisons. */
export async function clinicSnapshot(h: { db: Rows }, clinicId: string): Promise<string> {
  const [patients, visits, archive, counter] = await Promise.all([
    h.db.patient.findMany({ where: { clinicId }, orderBy: { id: 'asc' } }),
    h.db.currentVisit.findMany({ where: { clinicId }, orderBy: { id: 'asc' } }),
    h.db.archiveOutbox.findMany({ where: { clinicId }, orderBy: { visitId: 'asc' } }),
    h.db.mrnCounter.findMany({ where: { clinicId } }),
  ]);
  return JSON.stringify({ patients, visits, archive, counter });
}
