// One visit all the way through the staff app, each step by the right person in their own browser:
// the front desk registers and checks in, the nurse triages, the doctor consults, the front desk
// finishes, and the visit ends in the patient's history.
import type { Page } from 'playwright-core';
import { screenshot, startBrowserEnv, type BrowserEnv, expectCleanPages, signedInAs } from './harness.js';

let env: BrowserEnv;
let app: string;

beforeAll(async () => {
  env = await startBrowserEnv({ apps: ['clinic-web'] });
  app = env.appUrl('clinic-web');
});
afterAll(async () => {
  await env?.stop();
});

const person = (who: string): Promise<Page> => signedInAs(env, who);

const familyName = `Navegador${Date.now().toString(36)}`;

test('a visit all the way through, each step by the right person, ends in the patient’s history', async () => {
  // ---- the front desk: register, then check in ----
  const office = await person('office');
  await office.getByRole('link', { name: 'Patients' }).click();
  await office.getByRole('link', { name: 'Register a patient' }).click();
  // validation before sending: nothing typed yet
  await office.getByRole('button', { name: 'Register patient' }).click();
  await office.getByText('Enter the given name.').waitFor();
  await office.getByLabel('Given name').fill('Lucía');
  await office.getByLabel('Family name').fill(familyName);
  await office.getByLabel('Birth date').fill('1984-03-21');
  await office.getByLabel('Gender').selectOption('FEMALE');
  await office.getByLabel('Phone', { exact: true }).fill('+34 600 123 456');
  // no medical fields for the front desk
  expect(await office.getByLabel('Blood type').count()).toBe(0);
  await office.getByRole('button', { name: 'Register patient' }).click();
  await office.getByRole('heading', { level: 1, name: `Lucía ${familyName}` }).waitFor();
  const patientUrl = office.url();
  expect(patientUrl).toMatch(/\/patients\/[0-9a-f-]{36}$/);

  await office.getByLabel('Reason for the visit').fill('Sore throat and fever');
  // the template picker tolerates an unavailable clinic service: check-in works without one
  await office.getByRole('button', { name: 'Check in' }).click();
  await office.getByRole('heading', { level: 1, name: `Visit: Lucía ${familyName}` }).waitFor();
  const visitUrl = office.url();
  const visitId = visitUrl.split('/').pop()!;
  await office.getByText('Nothing for you to do now: waiting for a nurse to start triage.').waitFor();
  expect(await office.getByRole('button', { name: 'Start triage' }).count()).toBe(0);
  expect(await office.getByRole('heading', { name: 'Clinical record of this visit' }).count()).toBe(0);
  await screenshot(office, 'visit-office-waiting');

  // ---- the nurse: the queue shows the visit as theirs to take ----
  const nurse = await person('nurse');
  const waiting = nurse.locator('section[data-state="WAITING"] li', { hasText: familyName });
  await waiting.getByText('Next for you: Start triage').waitFor();
  await screenshot(nurse, 'queue');
  await waiting.getByRole('link', { name: new RegExp(familyName) }).click();
  await nurse.getByRole('button', { name: 'Start triage' }).click();
  await nurse.getByLabel('Temperature (°C)').waitFor();
  // the form checks ranges before sending and keeps what was typed
  await nurse.getByLabel('Systolic pressure (mmHg)').fill('128');
  await nurse.getByLabel('Diastolic pressure (mmHg)').fill('140');
  await nurse.getByRole('button', { name: 'Save vital signs' }).click();
  await nurse.getByText('Diastolic pressure must be below systolic.').waitFor();
  expect(await nurse.getByLabel('Systolic pressure (mmHg)').inputValue()).toBe('128');
  await nurse.getByLabel('Diastolic pressure (mmHg)').fill('84');
  await nurse.getByLabel('Temperature (°C)').fill('38.4');
  await nurse.getByLabel('Heart rate (bpm)').fill('96');
  await nurse.getByLabel('Oxygen saturation (%)').fill('97');
  await nurse.getByRole('button', { name: 'Save vital signs' }).click();
  await nurse.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await nurse.locator('.vitals').getByText('38.4 °C').waitFor();
  await screenshot(nurse, 'visit-nurse-triage');
  await nurse.getByRole('button', { name: 'Send to doctor' }).click();
  await nurse.getByText('Nothing for you to do now: waiting for a doctor to start the consultation.').waitFor();
  // the nurse cannot take the doctor's step: it is not offered
  expect(await nurse.getByRole('button', { name: 'Start consultation' }).count()).toBe(0);

  // ---- the doctor ----
  const doctor = await person('doctor');
  await doctor.locator('section[data-state="READY_FOR_DOCTOR"] li', { hasText: familyName }).getByText('Next for you: Start consultation').waitFor();
  await doctor.goto(visitUrl);
  await doctor.getByRole('button', { name: 'Start consultation' }).click();
  await doctor.getByRole('button', { name: 'Add a diagnosis' }).click();
  await doctor.getByLabel('Diagnosis 1: ICD-10 code').fill('throat');
  await doctor.getByRole('button', { name: 'Save consultation' }).click();
  await doctor.getByText('An ICD-10 code looks like J06.9.').waitFor();
  await doctor.getByLabel('Diagnosis 1: ICD-10 code').fill('J02.9');
  await doctor.getByLabel('Diagnosis 1: description').fill('Acute pharyngitis');
  await doctor.getByLabel('Notes').fill('Red throat, no exudate. Fluids and rest.');
  await doctor.getByRole('button', { name: 'Add a prescription' }).click();
  await doctor.getByLabel('Prescription 1: drug').fill('Ibuprofen');
  await doctor.getByLabel('Prescription 1: dose').fill('400 mg');
  await doctor.getByLabel('Prescription 1: frequency').fill('every 8 hours');
  await doctor.getByLabel('Prescription 1: days').fill('5');
  // the nurse's vitals are there for the doctor
  await doctor.locator('.vitals').getByText('96 bpm').waitFor();
  await screenshot(doctor, 'visit-doctor-consultation');
  await doctor.getByRole('button', { name: 'Save and complete consultation' }).click();
  await doctor.getByText('Nothing for you to do now: waiting for the front desk to check the patient out.').waitFor();

  // ---- the front desk finishes ----
  await office.goto(visitUrl);
  await office.getByRole('button', { name: 'Check out and finish the visit' }).click();
  await office.getByText('The visit is finished.').waitFor();
  expect(office.url()).toBe(patientUrl);
  const archived = office.locator(`[data-visit-id="${visitId}"]`);
  await archived.waitFor({ timeout: 30_000 }); // the archive relay delivers it a moment later
  await archived.getByText('Finished').waitFor();
  await archived.getByText('Sore throat and fever').waitFor();
  await archived.getByText('Dr. Daniel Ortega').waitFor();
  // the front desk sees the visit, not its diagnoses, and no error about it
  expect(await archived.getByText('J02.9').count()).toBe(0);
  expect(await office.getByTestId('medical').count()).toBe(0);
  expect(await office.locator('.error-box').count()).toBe(0);
  await screenshot(office, 'chart-office');

  // ---- the doctor sees the clinical record in the history ----
  await doctor.goto(patientUrl);
  const seen = doctor.locator(`[data-visit-id="${visitId}"]`);
  await seen.getByText('J02.9 Acute pharyngitis').waitFor();
  await seen.getByText('Ibuprofen 400 mg, oral, every 8 hours, 5 days').waitFor();
  await doctor.getByTestId('medical').waitFor();
  await screenshot(doctor, 'chart-doctor');

  // and the queue no longer holds it
  await nurse.goto(app);
  await nurse.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await nurse.locator('section[data-state="WAITING"]').waitFor();
  // the columns are drawn from an answer, not beside a failed query (which also draws them empty)
  expect(await nurse.locator('.error-box').count()).toBe(0);
  expect(await nurse.getByText(familyName).count()).toBe(0);

  expectCleanPages(env);
});
