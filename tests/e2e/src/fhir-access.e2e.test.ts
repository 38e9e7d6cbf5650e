import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { startPlatform, type Platform } from './platform.js';
import { assertValidFhir, fhirCall, resourcesOf, type FhirResponse } from './fhir-validate.js';

let platform: Platform;
let office: string;
let doctor: string;
let admin: string;
let operator: string;
let patientId: string;
let visitId: string;
let otherClinicPatient: { id: string; mrn: string };

async function call(token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await platform.query(query, variables, token);
  if (response.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(response.errors)}`);
  return response.data!;
}

beforeAll(async () => {
  platform = await startPlatform();
  office = (await platform.login('office@demo.clinicult.test')).token;
  doctor = (await platform.login('doctor@demo.clinicult.test')).token;
  admin = (await platform.login(platform.demo.admin.email)).token;
  operator = (await platform.login(platform.demo.operator.email)).token;
  const nurse = (await platform.login('nurse@demo.clinicult.test')).token;

  patientId = (await call(office, `mutation { registerPatient(input: { givenName: "Secreta", familyName: "Privada", birthDate: "1960-03-03", gender: FEMALE }) { id } }`)).registerPatient.id;
  visitId = (await call(office, `mutation($p: ID!) { checkIn(patientId: $p, reason: "Check-up") { id } }`, { p: patientId })).checkIn.id;
  await call(nurse, `mutation($v: ID!) { startTriage(visitId: $v) { state } }`, { v: visitId });
  await call(nurse, `mutation($v: ID!) { recordVitals(visitId: $v, vitals: { heartRate: 71 }) { state } }`, { v: visitId });

  // a second clinic with a patient of its own: an operator creates it, its ADMIN adds an OFFICE user
  const clinicB = (await call(operator, `mutation { createClinic(input: { name: "Other Clinic", cluster: "eu-1", timeZone: "UTC" }) { id } }`)).createClinic.id;
  await call(operator, `mutation($c: ID!) { provisionClinicAdmin(clinicId: $c, input: { email: "admin@other.clinicult.test", firstName: "Otto", lastName: "Admin" }) { id } }`, { c: clinicB });
  const adminB = (await platform.joinFromMail('admin@other.clinicult.test')).token;
  await call(adminB, `mutation { createUser(input: { email: "office@other.clinicult.test", firstName: "Olga", lastName: "Other", roles: [OFFICE] }) { invitation { id } } }`);
  const officeB = (await platform.joinFromMail('office@other.clinicult.test')).token;
  otherClinicPatient = (await call(officeB, `mutation { registerPatient(input: { givenName: "Ajena", familyName: "Forastera", birthDate: "1977-07-07", gender: FEMALE, phone: "+34 699 999 999" }) { id mrn } }`)).registerPatient;
});
afterAll(async () => {
  await platform?.stop();
});

const fhir = <T = any>(path: string, token: string, options: Omit<Parameters<typeof fhirCall>[2] & object, 'token'> = {}) =>
  fhirCall<T>(platform.gatewayUrl, path, { ...options, token });

function expectOutcome(response: FhirResponse, status: number, code: string): OperationOutcome {
  expect({ status: response.status, type: response.body?.resourceType, code: response.body?.issue?.[0]?.code }).toEqual({ status, type: 'OperationOutcome', code });
  assertValidFhir(response.body);
  return response.body;
}

/** Nothing of the patient in the answer: not a name, not a number. */
function leaksNothing(response: FhirResponse, ...secrets: string[]) {
  const text = JSON.stringify(response.body);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

test('OFFICE reads demographics and encounters, but gets 403 for Observation, Condition and MedicationRequest', async () => {
  expect((await fhir<Patient>(`Patient/${patientId}`, office)).status).toBe(200);
  expect((await fhir(`Encounter/${visitId}`, office)).status).toBe(200);
  for (const path of [
    `Observation?patient=${patientId}`,
    `Observation/${visitId}-hr`,
    `Condition?patient=${patientId}`,
    `Condition/${visitId}-dx0`,
    `MedicationRequest?encounter=${visitId}`,
  ]) {
    const response = await fhir(path, office);
    expectOutcome(response, 403, 'forbidden');
    leaksNothing(response, '71', 'Secreta', 'Privada');
  }
  // the doctor may: the same requests answer
  expect((await fhir(`Observation/${visitId}-hr`, doctor)).body.valueQuantity.value).toBe(71);
  // $everything for OFFICE: the patient and encounters, the medical part left out (and said so)
  const everything = await fhir<Bundle>(`Patient/${patientId}/$everything`, office);
  expect(everything.status).toBe(200);
  assertValidFhir(everything.body);
  expect(resourcesOf(everything.body).map((r) => r.resourceType).sort()).toEqual(['Encounter', 'Patient']);
  expect(JSON.stringify(everything.body.entry!.find((e) => e.search?.mode === 'outcome'))).toContain('medical:read');
  const asDoctor = await fhir<Bundle>(`Patient/${patientId}/$everything`, doctor);
  expect(resourcesOf(asDoctor.body).map((r) => r.resourceType).sort()).toEqual(['Encounter', 'Observation', 'Patient']);
});

test('ADMIN (patient:read only) may read but not create or update a Patient', async () => {
  const read = await fhir<Patient>(`Patient/${patientId}`, admin);
  expect(read.status).toBe(200);
  expectOutcome(await fhir('Patient', admin, { body: { resourceType: 'Patient', name: [{ family: 'Nope', given: ['No'] }], birthDate: '2000-01-01' } }), 403, 'forbidden');
  expectOutcome(await fhir(`Patient/${patientId}`, admin, { method: 'PUT', body: { ...read.body, gender: 'other' } }), 403, 'forbidden');
  expect((await call(doctor, `query($id: ID!) { patient(id: $id) { gender version } }`, { id: patientId })).patient).toEqual({ gender: 'FEMALE', version: 1 });
  expect((await call(doctor, `{ patients(filter: { familyName: "Nope" }) { totalCount } }`)).patients.totalCount).toBe(0);
});

test('an operator token gets 403 for patient data, and the answer leaks nothing', async () => {
  for (const path of [`Patient/${patientId}`, 'Patient?family=Privada', `Encounter/${visitId}`, `Observation?patient=${patientId}`, `Patient/${patientId}/$everything`, 'Practitioner', 'Organization']) {
    const response = await fhir(path, operator);
    expectOutcome(response, 403, 'forbidden');
    leaksNothing(response, 'Secreta', 'Privada');
  }
});

test('another clinic\'s patient is 404 (or absent from searches) and nothing about it leaks', async () => {
  const { id, mrn } = otherClinicPatient;
  const read = await fhir(`Patient/${id}`, doctor);
  expectOutcome(read, 404, 'not-found');
  leaksNothing(read, 'Ajena', 'Forastera', mrn);
  // exactly the answer for an id that does not exist anywhere
  const unknownId = '00000000-0000-4000-8000-000000000000';
  const unknown = await fhir(`Patient/${unknownId}`, doctor);
  expect(JSON.stringify(read.body).replace(id, 'X')).toBe(JSON.stringify(unknown.body).replace(unknownId, 'X'));

  expectOutcome(await fhir(`Patient/${id}/$everything`, doctor), 404, 'not-found');
  expectOutcome(await fhir(`Patient/${id}`, office, { method: 'PUT', body: { resourceType: 'Patient', id, name: [{ family: 'Hijack', given: ['H'] }], birthDate: '1977-07-07' } }), 404, 'not-found');
  for (const path of [`Encounter?patient=${id}`, `Observation?patient=${id}`, `Condition?patient=${id}`, `MedicationRequest?patient=${id}`, `Patient?identifier=${mrn}&family=Forastera`, 'Patient?family=Forastera', 'Patient?phone=699999999']) {
    const response = await fhir<Bundle>(path, doctor);
    expect(response.status).toBe(200);
    expect(response.body.total).toBe(0);
    expect(response.body.entry ?? []).toEqual([]); // (the self link echoes the query, nothing else is said)
  }
  // the other clinic's Organization is unknown here
  const organizations = resourcesOf((await fhir<Bundle>('Organization', doctor)).body).map((o) => o.id);
  expect(organizations).toEqual([platform.clinicId]);
});

test('medical reads through /fhir are audited as api FHIR (same trail as GraphQL)', async () => {
  const read = await fhir(`Observation?patient=${patientId}`, doctor);
  expect(read.status).toBe(200);
  // the audit service consumes the stream: wait for the event to be stored
  const query = `query($p: ID!) { auditLog(patientId: $p, first: 50) { edges { node { action api service fields } } } }`;
  let events: Array<{ action: string; api: string; service: string }> = [];
  for (let attempt = 0; attempt < 50; attempt += 1) {
    events = (await call(admin, query, { p: patientId })).auditLog.edges.map((e: { node: any }) => e.node);
    if (events.some((e) => e.api === 'FHIR')) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(events).toContainEqual(expect.objectContaining({ action: 'patient.read.medical', api: 'FHIR' }));
  // the GraphQL reads made while setting up stay GRAPHQL
  expect(events.some((e) => e.api === 'GRAPHQL')).toBe(true);
});
