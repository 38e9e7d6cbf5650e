// A queue that keeps up by itself (issue 17): with polling turned off, a second person's board
// shows a check-in within two seconds (the gateway's push), urgent visits first and marked, long
// waits highlighted by the clinic's own thresholds (set on its settings page); and a waiting-room
// display that runs on a key of its own, shows first names and initials, and goes dark when revoked.
import type { Page } from 'playwright-core';
import { expectCleanPages, screenshot, see, signedInAs, startBrowserEnv, type BrowserEnv } from './harness.js';

let env: BrowserEnv;
let app: string;

beforeAll(async () => {
  env = await startBrowserEnv({
    apps: ['clinic-web'],
    // no polling at all: only the push can bring a change; a revoked display's stream ends within 2 s
    runtimeConfig: { pollIntervalMs: 0 },
    gatewayEnv: { QUEUE_EVENTS_RECHECK_MS: '2000' },
  });
  app = env.appUrl('clinic-web');
});
afterAll(async () => {
  await env?.stop();
});

async function tokenOf(who: string): Promise<string> {
  return (await env.platform.login(`${who}@demo.clinicult.test`)).token;
}

async function registerPatient(givenName: string, familyName: string): Promise<string> {
  const office = await tokenOf('office');
  const r = await env.platform.query('mutation($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }', {
    i: { givenName, familyName, birthDate: '1975-03-02', gender: 'FEMALE' },
  }, office);
  return r.data!.registerPatient.id;
}

async function liveBoard(page: Page): Promise<void> {
  await page.goto(`${app}/`);
  await see(page, page.locator('[data-push="live"]'));
}

test('a check-in reaches a second board within two seconds with polling off; urgent first, and the nurse can change it', async () => {
  const nurse = await signedInAs(env, 'nurse');
  await liveBoard(nurse);
  const office = await signedInAs(env, 'office');
  const patientId = await registerPatient('Urgencia', 'Bermúdez');
  await office.goto(`${app}/patients/${patientId}`);
  const checkIn = office.getByRole('form', { name: 'Check in' });
  await checkIn.getByLabel('Reason for the visit').fill('Dolor torácico');
  await checkIn.getByLabel('Urgent: first in the queue').check();
  await checkIn.getByRole('button', { name: 'Check in' }).click();
  await see(office, office.getByRole('heading', { name: /Visit: Urgencia Bermúdez/ }));

  const waiting = nurse.locator('[data-state="WAITING"]');
  const ticket = waiting.locator('li.ticket', { hasText: 'Bermúdez, Urgencia' });
  await see(nurse, ticket, 2000);
  // urgent first, marked as such
  await see(nurse, ticket.getByText('Urgent'));
  expect(await waiting.locator('li.ticket').first().textContent()).toContain('Bermúdez, Urgencia');

  // the nurse calls the patient into triage and marks the visit routine: the office's board follows
  await liveBoard(office);
  await ticket.getByRole('link', { name: /Bermúdez, Urgencia/ }).click();
  await nurse.getByRole('button', { name: 'Start triage' }).click();
  await nurse.getByRole('button', { name: 'Mark as routine' }).click();
  await see(nurse, nurse.getByRole('button', { name: 'Mark as urgent' }));
  const officeTicket = office.locator('[data-state="TRIAGE"] li.ticket', { hasText: 'Bermúdez, Urgencia' });
  await see(office, officeTicket, 2000);
  // the priority change is a push of its own, after the move to triage: its mark goes within two seconds too
  await officeTicket.getByText('Urgent').waitFor({ state: 'detached', timeout: 2000 });
  expectCleanPages(env);
});

test("an ADMIN sets the clinic's long-wait thresholds; a visit past its state's is highlighted on the board", async () => {
  const admin = await signedInAs(env, env.platform.demo.admin.email);
  await admin.getByRole('link', { name: 'Settings' }).click();
  await see(admin, admin.getByRole('heading', { level: 1, name: 'Clinic settings' }));
  // a threshold out of range is refused beside its field, and nothing is saved
  await admin.getByLabel('Waiting (minutes)').fill('0');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await see(admin, admin.getByText('at least 1 minute'));
  await admin.getByLabel('Waiting (minutes)').fill('25');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await see(admin, admin.getByText('Settings saved.'));
  await screenshot(admin, 'clinic-settings');

  const patientId = await registerPatient('Espera', 'Larga');
  const office = await tokenOf('office');
  const r = await env.platform.query('mutation($p: ID!) { checkIn(patientId: $p, reason: "Control") { id } }', { p: patientId }, office);
  // this visit has waited 40 minutes (25 is the clinic's threshold for WAITING)
  await env.platform.patients()!.db.currentVisit.update({ where: { id: r.data!.checkIn.id }, data: { stateChangedAt: new Date(Date.now() - 40 * 60_000) } });
  const nurse = await signedInAs(env, 'nurse');
  await liveBoard(nurse);
  const ticket = nurse.locator('[data-state="WAITING"] li.ticket', { hasText: 'Larga, Espera' });
  await see(nurse, ticket.getByText('Long wait (over 25 min)'));
  expect(await ticket.getAttribute('class')).toContain('long-wait');
  await screenshot(nurse, 'queue-board');
});

test('a waiting-room display: registered by the ADMIN, started with its key, first names only, dark once revoked', async () => {
  const admin = await signedInAs(env, env.platform.demo.admin.email);
  await admin.getByRole('link', { name: 'Displays' }).click();
  await admin.getByLabel('Display name').fill('Lobby screen');
  await admin.getByRole('button', { name: 'Register display' }).click();
  const key = (await admin.getByLabel('Display key').textContent())!.trim();
  expect(key).toMatch(/^cdk_/);

  // a device nobody signed in on
  const { page: screen } = await env.newPage();
  await screen.goto(`${app}/display`);
  await screen.getByLabel('Display key').fill(key);
  await screen.getByRole('button', { name: 'Start the display' }).click();
  await see(screen, screen.getByRole('heading', { name: 'Now calling' }));
  await see(screen, screen.locator('[data-push="live"]'));

  const patientId = await registerPatient('Lucía', 'Fernández Ruiz');
  const office = await tokenOf('office');
  const nurse = await tokenOf('nurse');
  const { data } = await env.platform.query('mutation($p: ID!) { checkIn(patientId: $p, reason: "Vacuna") { id } }', { p: patientId }, office);
  await see(screen, screen.getByText('Lucía F.'), 2000);
  await env.platform.query('mutation($v: ID!) { startTriage(visitId: $v) { id } }', { v: data!.checkIn.id }, nurse);
  const called = screen.locator('.now-calling li', { hasText: 'Lucía F.' });
  await see(screen, called.getByText('Please go to triage'), 2000);
  expect(await screen.getByText('Fernández').count()).toBe(0);
  await screenshot(screen, 'waiting-room-display');

  // a reload keeps the display going on its stored key
  await screen.reload();
  await see(screen, screen.locator('.now-calling li', { hasText: 'Lucía F.' }));

  await admin.getByRole('row', { name: /Lobby screen/ }).getByRole('button', { name: 'Revoke' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Revoke display' }).click();
  await see(admin, admin.getByRole('row', { name: /Lobby screen/ }).getByText(/Revoked/));
  await see(screen, screen.getByText('This display was revoked by the clinic.', { exact: false }), 5000);
  expect(await screen.getByText('Lucía F.').count()).toBe(0);
  expectCleanPages(env);
});

test("Spanish: a person's own choice, else the clinic's default; dates written in that language", async () => {
  const nurse = await signedInAs(env, 'nurse');
  await liveBoard(nurse);
  await nurse.getByLabel('Language').selectOption('es');
  await see(nurse, nurse.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Cola' }));
  await see(nurse, nurse.getByRole('heading', { level: 1, name: 'Cola' }));
  await see(nurse, nurse.getByRole('heading', { name: /En espera/ }));
  expect(await nurse.locator('html').getAttribute('lang')).toBe('es');
  // a check-in time in Spanish (e.g. "3 dic 2026, 18:40"), in the clinic's time zone
  const title = await nurse.locator('li.ticket span[title]').first().getAttribute('title');
  expect(title).toMatch(/^Llegada: \d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic)\.? \d{4},? \d{1,2}:\d{2}/);
  await screenshot(nurse, 'queue-spanish');
  // the visit and the chart speak it too
  await nurse.locator('[data-state="WAITING"] li.ticket a.ticket-link').first().click();
  await see(nurse, nurse.getByRole('heading', { name: 'Su siguiente paso' }));
  await see(nurse, nurse.getByRole('button', { name: 'Empezar triaje' }));
  await nurse.goBack();
  // the choice is the person's, not the tab's: a new sign-in keeps it
  const again = await signedInAs(env, 'nurse');
  await see(again, again.getByRole('link', { name: 'Pacientes' }));

  // someone who has not chosen follows the clinic: English until the ADMIN makes Spanish the default
  const doctor = await signedInAs(env, 'doctor');
  await see(doctor, doctor.getByRole('link', { name: 'Patients' }));
  const admin = await signedInAs(env, env.platform.demo.admin.email);
  await admin.goto(`${app}/admin/settings`);
  await admin.getByLabel('Default language of the staff app').selectOption('es');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  // the ADMIN follows the clinic as well: the settings page itself speaks Spanish at once
  await see(admin, admin.getByText('Ajustes guardados.'));
  await see(admin, admin.getByRole('heading', { level: 1, name: 'Ajustes de la clínica' }));
  await doctor.reload();
  await see(doctor, doctor.getByRole('link', { name: 'Pacientes' }));
  expect(await doctor.getByLabel('Idioma').locator('option:checked').textContent()).toBe('El de la clínica (Español)');
  // the other screens speak it: reports (numbers too), the staff list, the audit log
  await doctor.getByRole('link', { name: 'Informes' }).click();
  await see(doctor, doctor.getByRole('heading', { level: 1, name: 'Informes' }));
  await admin.getByRole('link', { name: 'Personal' }).click();
  await see(admin, admin.getByRole('heading', { level: 1, name: 'Personal' }));
  await admin.getByRole('link', { name: 'Registro de auditoría' }).click();
  await see(admin, admin.getByRole('heading', { level: 1, name: 'Registro de auditoría' }));

  // a waiting-room display speaks its clinic's language, whatever its browser's
  const adminToken = (await env.platform.login(env.platform.demo.admin.email)).token;
  const registered = await env.platform.query('mutation { registerDisplay(name: "Sala de espera") { key } }', {}, adminToken);
  const { page: screen } = await env.newPage();
  await screen.goto(`${app}/display`);
  await screen.getByLabel('Display key').fill(registered.data!.registerDisplay.key);
  await screen.getByRole('button', { name: 'Start the display' }).click();
  await see(screen, screen.getByRole('heading', { name: 'Llamando ahora' }));
  expect(await screen.locator('html').getAttribute('lang')).toBe('es');

  // before sign-in there is no clinic: the sign-in page speaks the browser's language
  const { page: spanishBrowser } = await env.newPage({ locale: 'es-ES' });
  await spanishBrowser.goto(`${app}/signin`);
  await see(spanishBrowser, spanishBrowser.getByRole('heading', { name: 'Iniciar sesión' }));
  await see(spanishBrowser, spanishBrowser.getByRole('link', { name: '¿Ha olvidado su contraseña?' }));

  // the nurse goes back to the clinic's default; the clinic back to English
  await nurse.getByLabel('Idioma').selectOption('');
  await admin.getByRole('link', { name: 'Ajustes' }).click();
  await admin.getByLabel('Idioma predeterminado de la aplicación del personal').selectOption('en');
  await admin.getByRole('button', { name: 'Guardar ajustes' }).click();
  await see(admin, admin.getByText('Settings saved.'));
  await nurse.reload();
  await see(nurse, nurse.getByRole('link', { name: 'Patients' }));
  expectCleanPages(env);
});
