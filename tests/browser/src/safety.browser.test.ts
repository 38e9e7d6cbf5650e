// Safety in front of the clinician (issue 17): the patient's allergies, conditions and medications
// beside the visit for nurse and doctor ("No known allergies" when none), nothing of them for the
// front desk; a prescription matching a recorded allergy is stopped with a warning until the doctor
// gives the reason, which the visit keeps.
import type { Page } from 'playwright-core';
import { expectCleanPages, screenshot, see, startBrowserEnv, type BrowserEnv, signedInAs } from './harness.js';

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

test('keeping the record current: an edit saved meanwhile by someone else is shown beside the fields, nothing typed is lost, and saving again is a choice', async () => {
  const office = await env.platform.login('office@demo.clinicult.test');
  const registered = await env.platform.query(
    'mutation ($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }',
    { i: { givenName: 'Eva', familyName: `Registro${Date.now().toString(36)}`, birthDate: '1982-11-30', phone: '+34 600 000 000' } },
    office.token,
  );
  const patientId = registered.data!.registerPatient.id as string;
  const first = await person('nurse');
  const second = await person('nurse');
  for (const page of [first, second]) {
    await page.goto(`${app}/patients/${patientId}`);
    await page.getByRole('link', { name: 'Edit patient' }).click();
    await see(page, page.getByLabel('Phone', { exact: true }));
  }

  await first.getByLabel('Phone', { exact: true }).fill('+34 600 000 001');
  await first.getByRole('button', { name: 'Add an allergy' }).click();
  await first.getByLabel('Allergy 1: substance').fill('Latex');
  await first.getByLabel('Allergy 1: severity').selectOption('MILD');
  await first.getByLabel('Emergency contact', { exact: true }).fill('Pablo');
  await first.getByLabel('Relationship').fill('Brother');
  await first.getByRole('button', { name: 'Save changes' }).click();
  await see(first, first.getByText('Changes saved.'));
  await see(first, first.getByTestId('medical').getByText('Latex'));

  await second.getByLabel('Phone', { exact: true }).fill('+34 600 000 002');
  await second.getByRole('button', { name: 'Save changes' }).click();
  await see(second, second.getByRole('alert').filter({ hasText: 'Someone else saved this patient while you were editing' }));
  expect(await second.getByLabel('Phone', { exact: true }).inputValue()).toBe('+34 600 000 002');
  await see(second, second.getByText('Saved meanwhile: +34 600 000 001'));
  // what the other nurse changed and this one did not is taken in, not dropped
  expect(await second.getByLabel('Allergy 1: substance').inputValue()).toBe('Latex');
  expect(await second.getByLabel('Emergency contact', { exact: true }).inputValue()).toBe('Pablo');
  expect(await second.getByText('saved meanwhile: Latex').count()).toBe(0);
  await screenshot(second, 'patient-edit-conflict');
  const phone = async () => (await env.platform.query('query ($id: ID!) { patient(id: $id) { phone } }', { id: patientId }, office.token)).data!.patient.phone;
  expect(await phone()).toBe('+34 600 000 001');

  await second.getByRole('button', { name: 'Save my changes over theirs' }).click();
  await see(second, second.getByText('Changes saved.'));
  expect(await phone()).toBe('+34 600 000 002');
  const allergies = await env.platform.query('query ($id: ID!) { patient(id: $id) { allergies { substance severity } } }', { id: patientId }, (await env.platform.login('nurse@demo.clinicult.test')).token);
  expect(allergies.data!.patient.allergies).toEqual([{ substance: 'Latex', severity: 'MILD' }]);
  expectCleanPages(env);
});

test('faster hands: the patient search runs as you type; Alt+Shift+Q opens the queue and Alt+Shift+F the search, focused', async () => {
  const office = await env.platform.login('office@demo.clinicult.test');
  const familyName = `Tecleo${Date.now().toString(36)}`;
  await env.platform.query('mutation ($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }', { i: { givenName: 'Iris', familyName, birthDate: '1999-09-09' } }, office.token);
  const page = await person('office');
  await page.keyboard.press('Alt+Shift+F');
  const search = page.getByLabel('Find a patient');
  await see(page, search);
  // (a function, not a string: the app's CSP allows no eval)
  for (let i = 0; i < 50 && !(await search.evaluate((el) => el === el.ownerDocument.activeElement)); i++) await page.waitForTimeout(50);
  expect(await search.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  await page.keyboard.type(familyName.slice(0, 9), { delay: 30 });
  // no Enter, no button: the results come once the typing pauses
  await see(page, page.getByRole('link', { name: new RegExp(familyName) }));
  expect(new URL(page.url()).searchParams.get('q')).toBe(familyName.slice(0, 9));
  await page.keyboard.press('Alt+Shift+Q');
  await page.waitForURL(`${app}/`);
  await see(page, page.getByRole('heading', { name: /queue/i }).first());
});

/** The text of each page of a PDF (unpdf, Mozilla's pdf.js). */
async function pdfPages(pdf: Buffer): Promise<string[]> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: false });
  return text;
}

test('after the visit: a doctor adds an addendum; the summary and the prescription print (to PDF) without the app around them; the code is offered next time', async () => {
  const familyName = `Impresa${Date.now().toString(36)}`;
  const { visitId, doctorToken } = await visitWithDoctor(familyName, []);
  const office = await env.platform.login('office@demo.clinicult.test');
  const call = async (token: string, query: string, variables: Record<string, unknown>) => {
    const r = await env.platform.query(query, variables, token);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data as Record<string, any>;
  };
  await call(doctorToken, 'mutation ($v: ID!, $i: ConsultationInput!) { recordConsultation(visitId: $v, input: $i) { id } }', {
    v: visitId,
    i: {
      notes: 'Tos productiva de cinco días.',
      diagnoses: [{ code: 'J20.9', description: 'Bronquitis aguda' }],
      prescriptions: [{ drug: 'Amoxicilina', dose: '500 mg', route: 'oral', frequency: 'cada 8 h', durationDays: 7 }],
    },
  });
  await call(doctorToken, 'mutation ($v: ID!) { completeConsultation(visitId: $v) { id } }', { v: visitId });
  await call(office.token, 'mutation ($v: ID!) { finishVisit(visitId: $v) }', { v: visitId });

  const doctor = await person('doctor');
  const patientId = await patientOf(familyName, doctorToken);
  await doctor.goto(`${app}/patients/${patientId}`);
  const item = doctor.locator(`li[data-visit-id="${visitId}"]`);
  await see(doctor, item, 15_000);
  await item.getByRole('button', { name: 'Add an addendum' }).click();
  await item.getByRole('textbox', { name: 'Addendum' }).fill('Radiografía de tórax normal, recibida después.');
  await item.getByRole('button', { name: 'Save addendum' }).click();
  await see(doctor, item.getByText('Radiografía de tórax normal, recibida después.'));

  // the summary: everything of the visit, the addendum too, and nothing of the app's navigation
  await item.getByRole('link', { name: 'Print summary' }).click();
  await see(doctor, doctor.getByRole('heading', { level: 1, name: 'Visit summary' }));
  const summary = await pdfPages(await doctor.pdf({ format: 'A4' }));
  expect(summary).toHaveLength(1);
  for (const text of [`${familyName}, Ana`, 'J20.9', 'Bronquitis aguda', 'Amoxicilina', 'Tos productiva de cinco días.', 'Radiografía de tórax normal', 'Dr. Daniel Ortega']) {
    expect(summary[0]).toContain(text);
  }
  for (const chrome of ['Sign out', 'Queue', 'Back to the chart']) expect(summary[0]).not.toContain(chrome);
  // (the Print button is not on paper: only the footer's "Printed …")
  expect(summary[0]).not.toMatch(/^Print$/m);
  expect(summary[0]).toMatch(/Printed /);
  await screenshot(doctor, 'print-visit-summary');

  // the prescription: the drugs and the doctor's signature line, not the notes
  await doctor.goto(`${app}/history/${visitId}/prescription`);
  await see(doctor, doctor.getByRole('heading', { level: 1, name: 'Prescription' }));
  const prescription = await pdfPages(await doctor.pdf({ format: 'A4' }));
  expect(prescription).toHaveLength(1);
  expect(prescription[0]).toContain('Amoxicilina');
  expect(prescription[0]).toContain('for 7 days');
  expect(prescription[0]).toContain('Signature');
  expect(prescription[0]).not.toContain('Tos productiva');

  // the front desk prints the summary without the clinical record and cannot add to it
  const desk = await person('office');
  await desk.goto(`${app}/patients/${patientId}`);
  await see(desk, desk.locator(`li[data-visit-id="${visitId}"]`));
  expect(await desk.getByRole('button', { name: 'Add an addendum' }).count()).toBe(0);
  await desk.goto(`${app}/history/${visitId}/print`);
  await see(desk, desk.getByText('The clinical record of this visit is shown only to clinicians.'));
  const deskPdf = await pdfPages(await desk.pdf({ format: 'A4' }));
  expect(deskPdf[0]).not.toContain('Amoxicilina');

  // the clinic's own codes are offered next time a doctor types one
  const next = await visitWithDoctor(`${familyName}b`, []);
  await doctor.goto(`${app}/visits/${next.visitId}`);
  await doctor.getByRole('button', { name: 'Add a diagnosis' }).click();
  await doctor.getByLabel('Diagnosis 1: ICD-10 code').fill('J2');
  await doctor.locator('datalist#diagnosis-codes-0 option[value="J20.9"]').waitFor({ state: 'attached' });
  expect(await doctor.locator('datalist#diagnosis-codes-0 option[value="J20.9"]').getAttribute('label')).toContain('Bronquitis aguda');
  expectCleanPages(env);
});

async function patientOf(familyName: string, token: string): Promise<string> {
  const r = await env.platform.query('query ($s: String) { patients(search: $s, first: 1) { edges { node { id } } } }', { s: familyName }, token);
  return r.data!.patients.edges[0].node.id;
}
