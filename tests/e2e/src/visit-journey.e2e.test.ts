import { codes } from '@clinicult/testing';
import { startPlatform, type Platform } from './platform.js';

let platform: Platform;
let office: string;
let nurse: string;
let doctor: string;

beforeAll(async () => {
  platform = await startPlatform();
  const tokenOf = async (who: string) => (await platform.login(`${who}@demo.clinicult.test`)).token;
  office = await tokenOf('office');
  nurse = await tokenOf('nurse');
  doctor = await tokenOf('doctor');
});
afterAll(async () => {
  await platform?.stop();
});

async function call(token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await platform.query(query, variables, token);
  if (response.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(response.errors)}`);
  return response.data!;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function newPatient(familyName: string): Promise<string> {
  const data = await call(office, `mutation($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }`, {
    i: { givenName: 'Journey', familyName, birthDate: '1980-05-17', gender: 'FEMALE' },
  });
  return data.registerPatient.id;
}

test('a visit all the way through, each step by the right role, ends archived in the patient\'s history', async () => {
  const patientId = await newPatient('Recorrido');
  const checkIn = await call(office, `mutation($p: ID!) { checkIn(patientId: $p, reason: "Cough for a week") { id state } }`, { p: patientId });
  const visitId = checkIn.checkIn.id;
  await call(nurse, `mutation($v: ID!) { startTriage(visitId: $v) { state } }`, { v: visitId });
  await call(nurse, `mutation($v: ID!) { recordVitals(visitId: $v, vitals: { temperatureC: 38.2, heartRate: 92, systolic: 125, diastolic: 82 }) { state } }`, { v: visitId });
  await call(nurse, `mutation($v: ID!) { sendToDoctor(visitId: $v) { state } }`, { v: visitId });
  // the nurse cannot do the doctor's step, and nothing changes
  expect(codes(await platform.query(`mutation($v: ID!) { startConsultation(visitId: $v) { state } }`, { v: visitId }, nurse))).toEqual(['FORBIDDEN']);
  await call(doctor, `mutation($v: ID!) { startConsultation(visitId: $v) { state } }`, { v: visitId });
  await call(doctor, `mutation($v: ID!) { recordConsultation(visitId: $v, input: { notes: "Viral bronchitis", diagnoses: [{ code: "J20.9", description: "Acute bronchitis" }] }) { state } }`, { v: visitId });
  await call(doctor, `mutation($v: ID!) { completeConsultation(visitId: $v) { state } }`, { v: visitId });
  expect((await call(office, `mutation($v: ID!) { finishVisit(visitId: $v) }`, { v: visitId })).finishVisit).toBe(true);

  const history = await eventually(
    () => call(doctor, `query($p: ID!) { patient(id: $p) { currentVisit { id } visitCount history(first: 5) { edges { node { id status reason diagnoses { code } doctor { displayName } nurse { displayName } } } } } }`, { p: patientId }),
    (d) => d.patient.visitCount === 1,
  );
  expect(history.patient.currentVisit).toBeNull();
  expect(history.patient.history.edges[0].node).toEqual({
    id: visitId,
    status: 'FINISHED',
    reason: 'Cough for a week',
    diagnoses: [{ code: 'J20.9' }],
    doctor: { displayName: 'Daniel Ortega' },
    nurse: { displayName: 'Nuria Vidal' },
  });
  // the front desk sees the visit, not its diagnoses
  const asOffice = await platform.query(`query($p: ID!) { patient(id: $p) { history(first: 1) { edges { node { id diagnoses { code } } } } } }`, { p: patientId }, office);
  expect(asOffice.data!.patient.history.edges[0].node).toEqual({ id: visitId, diagnoses: null });
  expect(codes(asOffice)).toEqual(['FORBIDDEN']);
});

test('one gateway query returns a patient, its current visit and its last 20 historic visits', async () => {
  const patientId = await newPatient('Historial');
  const cancelled: string[] = [];
  for (let i = 0; i < 22; i++) {
    const { checkIn } = await call(office, `mutation($p: ID!, $r: String!) { checkIn(patientId: $p, reason: $r) { id } }`, { p: patientId, r: `Visit ${i}` });
    await call(office, `mutation($v: ID!) { cancelVisit(visitId: $v, reason: "left before triage") }`, { v: checkIn.id });
    cancelled.push(checkIn.id);
  }
  const current = (await call(office, `mutation($p: ID!) { checkIn(patientId: $p, reason: "Today") { id } }`, { p: patientId })).checkIn.id;

  const data = await eventually(
    () =>
      call(doctor, `query($p: ID!) {
        patient(id: $p) {
          familyName
          currentVisit { id state reason }
          visitCount
          history(first: 20) { totalCount pageInfo { hasNextPage } edges { node { id status reason } } }
        }
      }`, { p: patientId }),
    (d) => d.patient.visitCount === 22,
  );
  expect(data.patient.familyName).toBe('Historial');
  expect(data.patient.currentVisit).toEqual({ id: current, state: 'WAITING', reason: 'Today' });
  expect(data.patient.visitCount).toBe(22);
  expect(data.patient.history.totalCount).toBe(22);
  expect(data.patient.history.pageInfo.hasNextPage).toBe(true);
  const ids = data.patient.history.edges.map((e: any) => e.node.id);
  expect(ids).toEqual(cancelled.slice(-20).reverse()); // newest first, each archived exactly once
  expect(data.patient.history.edges.every((e: any) => e.node.status === 'CANCELLED')).toBe(true);
});
