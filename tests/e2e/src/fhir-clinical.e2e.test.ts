import { eventually } from '@clinicult/testing';
import type { AllergyIntolerance, Bundle, Condition, Encounter, MedicationRequest, MedicationStatement, Observation, Organization, Patient, Practitioner } from '@medplum/fhirtypes';
import { startPlatform, type Platform } from './platform.js';
import { assertValidFhir, fhirCall, resourcesOf, type FhirResponse } from './fhir-validate.js';

let platform: Platform;
let office: string;
let nurse: { token: string; userId: string };
let doctor: { token: string; userId: string };

beforeAll(async () => {
  platform = await startPlatform();
  office = (await platform.login('office@demo.clinicult.test')).token;
  nurse = await platform.login('nurse@demo.clinicult.test');
  doctor = await platform.login('doctor@demo.clinicult.test');
});
afterAll(async () => {
  await platform?.stop();
});

const fhir = <T = any>(path: string, token = doctor.token) => fhirCall<T>(platform.gatewayUrl, path, { token });

async function ok<T>(path: string, token = doctor.token): Promise<T> {
  const response = await fhir<T>(path, token);
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
  expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
  assertValidFhir(response.body as any);
  return response.body;
}

async function call(token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await platform.query(query, variables, token);
  if (response.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(response.errors)}`);
  return response.data!;
}

const codeOf = (o: Observation) => o.code.coding![0]!.code;

function expectVitals(observations: Observation[], patientId: string, visitId: string, status: string) {
  const byCode = Object.fromEntries(observations.map((o) => [codeOf(o), o]));
  expect(Object.keys(byCode).sort()).toEqual(['2708-6', '29463-7', '8302-2', '8310-5', '85354-9', '8867-4', '9279-1'].sort());
  const value = (code: string) => byCode[code]!.valueQuantity;
  expect(value('8310-5')).toEqual({ value: 38.4, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' });
  expect(value('8867-4')).toEqual({ value: 96, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' });
  expect(value('9279-1')).toMatchObject({ value: 18, code: '/min' });
  expect(value('2708-6')).toMatchObject({ value: 97, code: '%' });
  expect(value('29463-7')).toMatchObject({ value: 72.5, code: 'kg' });
  expect(value('8302-2')).toMatchObject({ value: 171, code: 'cm' });
  const bp = byCode['85354-9']!;
  expect(bp.valueQuantity).toBeUndefined();
  expect(bp.component!.map((c: NonNullable<Observation["component"]>[number]) => [c.code.coding![0]!.system, c.code.coding![0]!.code, c.valueQuantity])).toEqual([
    ['http://loinc.org', '8480-6', { value: 132, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }],
    ['http://loinc.org', '8462-4', { value: 85, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }],
  ]);
  for (const o of observations) {
    expect(o.status).toBe(status);
    expect(o.category).toEqual([expect.objectContaining({ coding: [expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' })] })]);
    expect(o.code.coding![0]!.system).toBe('http://loinc.org');
    expect(o.subject).toEqual({ reference: `Patient/${patientId}` });
    expect(o.encounter).toEqual({ reference: `Encounter/${visitId}` });
    expect(o.performer).toEqual([{ reference: `Practitioner/${nurse.userId}`, display: 'Nuria Vidal' }]);
    expect(o.meta!.profile).toContain('http://hl7.org/fhir/StructureDefinition/vitalsigns');
  }
}

test('round trip: a Patient created by FHIR, a visit run by GraphQL, its Encounter, Observations, Conditions and MedicationRequest by FHIR, current and archived', async () => {
  const created = await fhirCall<Patient>(platform.gatewayUrl, 'Patient', {
    token: office,
    body: { resourceType: 'Patient', name: [{ family: 'Redondo', given: ['Viaje'] }], birthDate: '1972-02-29', gender: 'male' },
  });
  expect(created.status).toBe(201);
  const patientId = created.body.id!;

  // the visit, step by step through GraphQL
  const visitId = (await call(office, `mutation($p: ID!) { checkIn(patientId: $p, reason: "Fever and cough") { id } }`, { p: patientId })).checkIn.id;
  const early = await ok<Encounter>(`Encounter/${visitId}`, office);
  expect(early).toMatchObject({ status: 'arrived', class: { code: 'AMB' }, subject: { reference: `Patient/${patientId}` }, reasonCode: [{ text: 'Fever and cough' }] });
  expect(early.serviceProvider).toEqual({ reference: `Organization/${platform.clinicId}` });
  await call(nurse.token, `mutation($v: ID!) { startTriage(visitId: $v) { state } }`, { v: visitId });
  await call(nurse.token, `mutation($v: ID!) { recordVitals(visitId: $v, vitals: { temperatureC: 38.4, heartRate: 96, systolic: 132, diastolic: 85, respiratoryRate: 18, spo2: 97, weightKg: 72.5, heightCm: 171 }) { state } }`, { v: visitId });
  const triage = await ok<Bundle>(`Observation?patient=${patientId}`);
  expect(resourcesOf<Observation>(triage).every((o) => o.status === 'preliminary')).toBe(true);
  await call(nurse.token, `mutation($v: ID!) { sendToDoctor(visitId: $v) { state } }`, { v: visitId });
  await call(doctor.token, `mutation($v: ID!) { startConsultation(visitId: $v) { state } }`, { v: visitId });
  await call(
    doctor.token,
    `mutation($v: ID!) { recordConsultation(visitId: $v, input: {
      notes: "Community-acquired pneumonia suspected",
      diagnoses: [{ code: "J18.9", description: "Pneumonia, unspecified organism" }, { code: "R50.9", description: "Fever, unspecified" }],
      prescriptions: [{ drug: "Amoxicillin 500 mg", dose: "1 capsule", route: "oral", frequency: "every 8 hours", durationDays: 7 }]
    }) { state } }`,
    { v: visitId },
  );

  // the visit in progress, by FHIR
  const encounter = await ok<Encounter>(`Encounter/${visitId}`);
  expect(encounter.status).toBe('in-progress');
  expect(encounter.period!.end).toBeUndefined();
  expect(encounter.participant!.map((p) => p.individual!.reference).sort()).toEqual([`Practitioner/${doctor.userId}`, `Practitioner/${nurse.userId}`].sort());
  expect(encounter.statusHistory!.map((s) => s.status)).toEqual(['arrived', 'triaged']);
  expect(resourcesOf(await ok<Bundle>(`Encounter?patient=Patient/${patientId}`)).map((e) => e.id)).toEqual([visitId]);
  expect(resourcesOf(await ok<Bundle>(`Encounter?subject=${patientId}&status=in-progress`)).map((e) => e.id)).toEqual([visitId]);
  expect((await ok<Bundle>(`Encounter?subject=${patientId}&status=finished`)).total).toBe(0);

  const observations = resourcesOf<Observation>(await ok<Bundle>(`Observation?patient=${patientId}&category=vital-signs`));
  expectVitals(observations, patientId, visitId, 'final');
  const hr = resourcesOf<Observation>(await ok<Bundle>(`Observation?encounter=Encounter/${visitId}&code=http://loinc.org|8867-4`));
  expect(hr.map(codeOf)).toEqual(['8867-4']);
  expect(await ok<Observation>(`Observation/${hr[0]!.id}`)).toEqual(hr[0]);
  expect((await ok<Bundle>(`Observation?patient=${patientId}&category=laboratory`)).total).toBe(0);
  expect((await ok<Bundle>(`Observation?patient=${patientId}&date=ge2000-01-01`)).total).toBe(7);
  expect((await ok<Bundle>(`Observation?patient=${patientId}&date=lt2000-01-01`)).total).toBe(0);

  const conditions = resourcesOf<Condition>(await ok<Bundle>(`Condition?encounter=${visitId}`));
  expect(conditions.map((c) => c.code!.coding![0]!).sort((a, b) => (a.code! < b.code! ? -1 : 1))).toEqual([
    { system: 'http://hl7.org/fhir/sid/icd-10', code: 'J18.9', display: 'Pneumonia, unspecified organism' },
    { system: 'http://hl7.org/fhir/sid/icd-10', code: 'R50.9', display: 'Fever, unspecified' },
  ]);
  expect(conditions.map((c) => c.code!.coding![0]!.code).sort()).toEqual(['J18.9', 'R50.9']);
  expect(conditions.every((c) => c.verificationStatus!.coding![0]!.code === 'provisional' && c.recorder!.reference === `Practitioner/${doctor.userId}`)).toBe(true);
  expect(resourcesOf<Condition>(await ok<Bundle>(`Condition?patient=${patientId}&code=J18.9`)).map((c) => c.code!.coding![0]!.code)).toEqual(['J18.9']);
  const prescriptions = resourcesOf<MedicationRequest>(await ok<Bundle>(`MedicationRequest?patient=${patientId}`));
  expect(prescriptions).toHaveLength(1);
  expect(prescriptions[0]).toMatchObject({
    status: 'draft',
    intent: 'order',
    medicationCodeableConcept: { text: 'Amoxicillin 500 mg' },
    requester: { reference: `Practitioner/${doctor.userId}` },
    encounter: { reference: `Encounter/${visitId}` },
    dispenseRequest: { expectedSupplyDuration: { value: 7, code: 'd' } },
  });
  expect(prescriptions[0]!.dosageInstruction![0]!.text).toBe('1 capsule, oral, every 8 hours');

  // finished and archived (visits service): the same ids, final statuses
  await call(doctor.token, `mutation($v: ID!) { completeConsultation(visitId: $v) { state } }`, { v: visitId });
  await call(office, `mutation($v: ID!) { finishVisit(visitId: $v) }`, { v: visitId });
  const archived = await eventually(() => fhir<Encounter>(`Encounter/${visitId}`), (r) => r.status === 200 && r.body.status === 'finished');
  assertValidFhir(archived.body);
  expect(archived.body.period!.end).toEqual(expect.any(String));
  expect(archived.body.statusHistory!.map((s) => s.status)).toEqual(['arrived', 'triaged', 'in-progress']);
  expect(resourcesOf(await ok<Bundle>(`Encounter?patient=${patientId}&status=finished`)).map((e) => e.id)).toEqual([visitId]);
  expectVitals(resourcesOf<Observation>(await ok<Bundle>(`Observation?patient=${patientId}`)), patientId, visitId, 'final');
  const finalConditions = resourcesOf<Condition>(await ok<Bundle>(`Condition?patient=${patientId}`));
  expect(finalConditions.map((c) => c.id).sort()).toEqual(conditions.map((c) => c.id).sort());
  expect(finalConditions.every((c) => c.verificationStatus!.coding![0]!.code === 'confirmed')).toBe(true);
  expect(resourcesOf<MedicationRequest>(await ok<Bundle>(`MedicationRequest?encounter=${visitId}`)).map((m) => [m.id, m.status])).toEqual([[prescriptions[0]!.id, 'active']]);
  expect(await ok<Condition>(`Condition/${finalConditions[0]!.id}`)).toEqual(finalConditions[0]);

  // $everything: the patient and everything about them, in one Bundle
  const everything = await ok<Bundle>(`Patient/${patientId}/$everything`);
  const types = resourcesOf(everything).map((r) => r.resourceType);
  expect(types.filter((t) => t === 'Patient')).toHaveLength(1);
  expect(types.filter((t) => t === 'Encounter')).toHaveLength(1);
  expect(types.filter((t) => t === 'Observation')).toHaveLength(7);
  expect(types.filter((t) => t === 'Condition')).toHaveLength(2);
  expect(types.filter((t) => t === 'MedicationRequest')).toHaveLength(1);
  expect(everything.total).toBe(12);

  // the references resolve: Practitioners and the Organization
  const practitioner = await ok<Practitioner>(`Practitioner/${doctor.userId}`);
  expect(practitioner.name![0]).toMatchObject({ family: 'Ortega', given: ['Daniel'] });
  const organization = await ok<Organization>(`Organization/${platform.clinicId}`);
  expect(organization).toMatchObject({ name: 'Demo Clinic', active: true });
});

test('the medical history: allergies as AllergyIntolerance, chronic conditions as problem-list Conditions, current medications as MedicationStatement', async () => {
  const { registerPatient } = await call(office, 'mutation { registerPatient(input: { givenName: "Historia", familyName: "Clínica", birthDate: "1955-05-05", gender: FEMALE }) { id } }');
  const patientId: string = registerPatient.id;
  // none recorded: empty searches, nothing in $everything
  expect(resourcesOf(await ok<Bundle>(`AllergyIntolerance?patient=${patientId}`))).toEqual([]);
  await call(nurse.token, 'mutation($id: ID!, $i: UpdatePatientInput!) { updatePatient(id: $id, input: $i) { version } }', {
    id: patientId,
    i: {
      allergies: [{ substance: 'Penicilina', reaction: 'Urticaria', severity: 'SEVERE' }, { substance: 'Látex' }],
      chronicConditions: ['Hipertensión arterial', 'Diabetes mellitus tipo 2'],
      currentMedications: ['Enalapril 10 mg cada 24 h'],
    },
  });

  const allergies = resourcesOf<AllergyIntolerance>(await ok<Bundle>(`AllergyIntolerance?patient=${patientId}`));
  expect(allergies.map((a) => [a.id, a.code!.text, a.reaction?.[0]?.manifestation[0]!.text, a.reaction?.[0]?.severity])).toEqual([
    [`${patientId}-al0`, 'Penicilina', 'Urticaria', 'severe'],
    [`${patientId}-al1`, 'Látex', undefined, undefined],
  ]);
  expect(allergies.every((a) => a.patient.reference === `Patient/${patientId}` && a.clinicalStatus!.coding![0]!.code === 'active')).toBe(true);
  expect(await ok<AllergyIntolerance>(`AllergyIntolerance/${patientId}-al0`)).toEqual(allergies[0]);

  // (Condition searches are newest first; the problem list's entries share their date, the patient's last edit)
  const problems = resourcesOf<Condition>(await ok<Bundle>(`Condition?patient=${patientId}&category=problem-list-item`)).sort((a, b) => a.id!.localeCompare(b.id!));
  expect(problems.map((c) => [c.id, c.code!.text, c.category![0]!.coding![0]!.code])).toEqual([
    [`${patientId}-pl0`, 'Hipertensión arterial', 'problem-list-item'],
    [`${patientId}-pl1`, 'Diabetes mellitus tipo 2', 'problem-list-item'],
  ]);
  expect(await ok<Condition>(`Condition/${patientId}-pl1`)).toEqual(problems[1]);
  // a Condition search without category finds both kinds; encounter-diagnosis alone finds none of the problem list
  expect(resourcesOf(await ok<Bundle>(`Condition?patient=${patientId}`))).toHaveLength(2);
  expect(resourcesOf(await ok<Bundle>(`Condition?patient=${patientId}&category=encounter-diagnosis`))).toEqual([]);

  const medications = resourcesOf<MedicationStatement>(await ok<Bundle>(`MedicationStatement?subject=Patient/${patientId}`));
  expect(medications.map((m) => [m.id, m.status, m.medicationCodeableConcept!.text])).toEqual([[`${patientId}-ms0`, 'active', 'Enalapril 10 mg cada 24 h']]);

  const everything = resourcesOf(await ok<Bundle>(`Patient/${patientId}/$everything`)).map((r) => r.resourceType).sort();
  expect(everything).toEqual(['AllergyIntolerance', 'AllergyIntolerance', 'Condition', 'Condition', 'MedicationStatement', 'Patient']);

  // unknown positions, other ids and a search without a patient are refused as FHIR says
  expect((await fhir(`AllergyIntolerance/${patientId}-al7`)).status).toBe(404);
  expect((await fhir(`MedicationStatement/not-an-id-ms0`)).status).toBe(404);
  expect((await fhir('AllergyIntolerance')).status).toBe(400);
  // OFFICE holds no medical:read: 403 before anything is read
  for (const path of [`AllergyIntolerance?patient=${patientId}`, `MedicationStatement/${patientId}-ms0`, `Condition?patient=${patientId}`]) {
    expect([path, (await fhir(path, office)).status]).toEqual([path, 403]);
  }
});

test('the searches clients send: _include, _revinclude, _summary, _elements, _pretty, and $everything in pages', async () => {
  const { registerPatient } = await call(office, 'mutation { registerPatient(input: { givenName: "Busca", familyName: "Incluida", birthDate: "1966-06-06", gender: MALE }) { id } }');
  const patientId: string = registerPatient.id;
  const { checkIn } = await call(office, 'mutation($p: ID!) { checkIn(patientId: $p, reason: "Revisión") { id } }', { p: patientId });
  await call(nurse.token, 'mutation($v: ID!) { startTriage(visitId: $v) { state } }', { v: checkIn.id });
  await call(nurse.token, 'mutation($v: ID!) { recordVitals(visitId: $v, vitals: { heartRate: 80, spo2: 97 }) { state } }', { v: checkIn.id });

  // _include: the encounter's patient and nurse in the same Bundle, marked include
  const withPatient = await ok<Bundle>(`Encounter?patient=${patientId}&_include=Encounter:patient&_include=Encounter:participant`);
  const modes = withPatient.entry!.map((e) => [e.resource!.resourceType, e.search!.mode]);
  expect(modes).toEqual(expect.arrayContaining([['Encounter', 'match'], ['Patient', 'include'], ['Practitioner', 'include']]));
  expect(withPatient.total).toBe(1);
  expect(withPatient.link!.find((l) => l.relation === 'self')!.url).toContain('_include=Encounter%3Apatient');
  // _revinclude: the patient with what refers to it
  const withEncounters = await ok<Bundle>(`Patient?_id=${patientId}&_revinclude=Encounter:patient&_revinclude=Observation:patient`);
  expect(withEncounters.entry!.filter((e) => e.search!.mode === 'include').map((e) => e.resource!.resourceType).sort()).toEqual(['Encounter', 'Observation', 'Observation']);
  // an include the caller may not read is left out and said so (OFFICE reads no Observations)
  const officeRev = await ok<Bundle>(`Patient?_id=${patientId}&_revinclude=Observation:patient`, office);
  expect(officeRev.entry!.map((e) => e.search!.mode)).toEqual(['match', 'outcome']);
  // an include this search does not have: 400
  expect((await fhir(`Encounter?patient=${patientId}&_include=Encounter:banana`)).status).toBe(400);

  // _summary=count: the total only; _summary=true and _elements: subsetted resources, still valid
  const counted = await ok<Bundle>(`Observation?patient=${patientId}&_summary=count`);
  expect([counted.total, counted.entry]).toEqual([2, undefined]);
  const summary = await ok<Patient>(`Patient/${patientId}?_summary=true`);
  expect(summary.meta!.tag!.map((t) => t.code)).toContain('SUBSETTED');
  expect(summary.name![0]!.family).toBe('Incluida');
  const elements = resourcesOf<Observation>(await ok<Bundle>(`Observation?patient=${patientId}&_elements=valueQuantity`));
  // the mandatory status and code stay; the rest goes
  expect(elements.map((o) => Object.keys(o).sort())).toEqual([
    ['code', 'id', 'meta', 'resourceType', 'status', 'valueQuantity'],
    ['code', 'id', 'meta', 'resourceType', 'status', 'valueQuantity'],
  ]);
  expect((await fhir(`Patient/${patientId}?_summary=text`)).status).toBe(400);
  // _pretty: the same answer, indented
  const pretty = await fetch(`${platform.gatewayUrl.replace(/\/graphql$/, '')}/fhir/Patient/${patientId}?_pretty=true`, { headers: { authorization: `Bearer ${doctor.token}` } });
  expect(await pretty.text()).toMatch(/^\{\n {2}"resourceType": "Patient",/);

  // $everything in pages of two: every resource once, in order, following next links
  const seen: string[] = [];
  let url: string | undefined = `Patient/${patientId}/$everything?_count=2`;
  let pages = 0;
  while (url) {
    const page: Bundle = await ok<Bundle>(url);
    seen.push(...resourcesOf(page).map((r) => `${r.resourceType}/${r.id}`));
    expect(page.total).toBe(4);
    url = page.link!.find((l) => l.relation === 'next')?.url.replace(/^.*\/fhir\//, '');
    pages += 1;
  }
  expect(pages).toBe(2);
  expect(new Set(seen).size).toBe(4);
  expect(seen[0]).toBe(`Patient/${patientId}`);
});

test('Practitioner is the clinic\'s doctors and nurses; Organization is the caller\'s clinic', async () => {
  const practitioners = resourcesOf<Practitioner>(await ok<Bundle>('Practitioner', office));
  expect(practitioners.map((p) => p.id).sort()).toEqual([doctor.userId, nurse.userId].sort());
  const office2 = await platform.login('office@demo.clinicult.test');
  expect((await fhir(`Practitioner/${office2.userId}`)).status).toBe(404);
  expect(resourcesOf(await ok<Bundle>('Practitioner?name=nuria')).map((p) => p.id)).toEqual([nurse.userId]);
  const organizations = await ok<Bundle>('Organization');
  expect(resourcesOf(organizations).map((o) => o.id)).toEqual([platform.clinicId]);
  expect((await ok<Bundle>('Organization?name=nothing-like-it')).total).toBe(0);
});

test('the clinic-wide Encounter search pages newest first through current and archived visits, each once', async () => {
  const seen: string[] = [];
  let total: number | undefined;
  let url: string | undefined = 'Encounter?_count=7';
  let previousStart = '\uffff';
  let phase: 'current' | 'archived' = 'current';
  while (url) {
    const page: FhirResponse<Bundle> = await fhirCall<Bundle>(platform.gatewayUrl, url, { token: office });
    expect(page.status).toBe(200);
    assertValidFhir(page.body);
    total ??= page.body.total;
    expect(page.body.total).toBe(total);
    for (const e of resourcesOf<Encounter>(page.body)) {
      seen.push(e.id!);
      const archived = e.status === 'finished' || e.status === 'cancelled';
      if (archived) phase = 'archived';
      else {
        expect(phase).toBe('current'); // all current visits come first
        expect(e.period!.start! <= previousStart).toBe(true);
        previousStart = e.period!.start!;
      }
    }
    url = page.body.link!.find((l) => l.relation === 'next')?.url;
  }
  expect(total).toBeGreaterThan(7);
  expect(seen).toHaveLength(total!);
  expect(new Set(seen).size).toBe(total);
  expectOutcomeStatus(await fhirCall(platform.gatewayUrl, 'Encounter?_sort=date', { token: office }), 400);
  expectOutcomeStatus(await fhirCall(platform.gatewayUrl, 'Encounter?status=planned', { token: office }), 400);
  expectOutcomeStatus(await fhirCall(platform.gatewayUrl, 'Observation?code=8867-4', { token: doctor.token }), 400);
});

function expectOutcomeStatus(response: FhirResponse, status: number) {
  expect({ status: response.status, type: response.body?.resourceType }).toEqual({ status, type: 'OperationOutcome' });
  assertValidFhir(response.body);
}
