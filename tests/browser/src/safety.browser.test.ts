// Safety in front of the clinician (issue 17): the patient's allergies, conditions and medications
// beside the visit for nurse and doctor ("No known allergies" when none), nothing of them for the
// front desk; a prescription matching a recorded allergy is stopped with a warning until the doctor
// gives the reason, which the visit keeps.
import type { Page } from 'playwright-core';
import { expectCleanPages, screenshot, see, signIn, startBrowserEnv, type BrowserEnv } from './harness.js';

let env: BrowserEnv;
let app: string;

beforeAll(async () => {
  env = await startBrowserEnv({ apps: ['clinic-web'] });
  app = env.appUrl('clinic-web');
});
afterAll(async () => {
  await env?.stop();
});

async function person(who: 'office' | 'nurse' | 'doctor'): Promise<Page> {
  const { page } = await env.newPage();
  await signIn(page, app, `${who}@demo.clinicult.test`, env.platform.password);
  return page;
}

/** A new patient (with these allergies) whose visit is with the doctor, set up through the API as each role would. */
async function visitWithDoctor(familyName: string, allergies: Array<{ substance: string; reaction?: string; severity?: string }>) {
  const [office, nurse, doctor] = await Promise.all(['office', 'nurse', 'doctor'].map((who) => env.platform.login(`${who}@demo.clinicult.test`)));
  const call = async (token: string, query: string, variables: Record<string, unknown>) => {
    const r = await env.platform.query(query, variables, token);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data as Record<string, any>;
  };
  const { registerPatient } = await call(office!.token, 'mutation ($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }', {
    i: { givenName: 'Ana', familyName, birthDate: '1970-05-02' },
  });
  await call(nurse!.token, 'mutation ($id: ID!, $i: UpdatePatientInput!) { updatePatient(id: $id, input: $i) { id } }', {
    id: registerPatient.id,
    i: { allergies, chronicConditions: ['Asthma'], currentMedications: ['Salbutamol inhaler'] },
  });
  const { checkIn } = await call(office!.token, 'mutation ($p: ID!) { checkIn(patientId: $p, reason: "Cough") { id } }', { p: registerPatient.id });
  const v = { v: checkIn.id };
  await call(nurse!.token, 'mutation ($v: ID!) { startTriage(visitId: $v) { id } }', v);
  await call(nurse!.token, 'mutation ($v: ID!) { recordVitals(visitId: $v, vitals: { temperatureC: 38.1 }) { id } }', v);
  await call(nurse!.token, 'mutation ($v: ID!) { sendToDoctor(visitId: $v) { id } }', v);
  await call(doctor!.token, 'mutation ($v: ID!) { startConsultation(visitId: $v) { id } }', v);
  return { visitId: checkIn.id as string, doctorToken: doctor!.token };
}

test('the doctor sees the allergies beside the visit; a prescription matching one is stopped until a reason is given, and the visit keeps it', async () => {
  const familyName = `Alergia${Date.now().toString(36)}`;
  const { visitId, doctorToken } = await visitWithDoctor(familyName, [{ substance: 'Penicillin', reaction: 'Hives', severity: 'SEVERE' }]);
  const doctor = await person('doctor');
  await doctor.goto(`${app}/visits/${visitId}`);
  const banner = doctor.getByRole('region', { name: 'Patient safety' });
  await see(doctor, banner.getByText('Penicillin'));
  await see(doctor, banner.getByText('severe'));
  await see(doctor, banner.getByText('Asthma'));
  await see(doctor, banner.getByText('Salbutamol inhaler'));

  await doctor.getByRole('button', { name: 'Add a prescription' }).click();
  await doctor.getByLabel('Prescription 1: drug').fill('Penicillin V 500 mg');
  await doctor.getByLabel('Prescription 1: dose').fill('500 mg');
  await doctor.getByLabel('Prescription 1: frequency').fill('every 6 h');
  await doctor.getByRole('button', { name: 'Save consultation', exact: true }).click();
  const warning = doctor.getByRole('alert').filter({ hasText: 'Allergy warning' });
  await see(doctor, warning.getByText('Penicillin V 500 mg matches the recorded allergy to Penicillin'));
  await screenshot(doctor, 'visit-allergy-warning');
  // not saved
  const saved = async () =>
    (await env.platform.query('query ($v: ID!) { currentVisit(id: $v) { prescriptions { drug allergyOverride } } }', { v: visitId }, doctorToken)).data!.currentVisit
      .prescriptions;
  expect(await saved()).toBeNull();

  await doctor.getByLabel('Prescription 1: reason to prescribe despite the allergy').fill('Tolerated a supervised challenge in 2024.');
  await doctor.getByRole('button', { name: 'Save consultation', exact: true }).click();
  await see(doctor, doctor.getByRole('status').filter({ hasText: 'Saved.' }));
  expect(await doctor.getByRole('alert').filter({ hasText: 'Allergy warning' }).count()).toBe(0);
  expect(await saved()).toEqual([{ drug: 'Penicillin V 500 mg', allergyOverride: 'Tolerated a supervised challenge in 2024.' }]);
});

test('"No known allergies" when none is recorded; the front desk sees no medical facts at all', async () => {
  const { visitId } = await visitWithDoctor(`SinAlergia${Date.now().toString(36)}`, []);
  const nurse = await person('nurse');
  await nurse.goto(`${app}/visits/${visitId}`);
  await see(nurse, nurse.getByRole('region', { name: 'Patient safety' }).getByText('No known allergies'));
  const office = await person('office');
  await office.goto(`${app}/visits/${visitId}`);
  await see(office, office.getByRole('heading', { level: 1, name: /^Visit: Ana / }));
  expect(await office.getByRole('region', { name: 'Patient safety' }).count()).toBe(0);
  expect(await office.getByText('No known allergies').count()).toBe(0);
  expectCleanPages(env);
});
