// Accessibility (issue 17): axe-core runs on every main screen of both apps, as the people who use
// them see them, and finds no serious or critical violation (WCAG 2.1 A and AA rules).
import type { Page } from 'playwright-core';
import { accessibilityProblems, see, signedInAs, signInOperator, startBrowserEnv, type BrowserEnv } from './harness.js';

let env: BrowserEnv;
let app: string;
let consoleUrl: string;

beforeAll(async () => {
  env = await startBrowserEnv({ apps: ['clinic-web', 'admin-web'] });
  app = env.appUrl('clinic-web');
  consoleUrl = env.appUrl('admin-web');
});
afterAll(async () => {
  await env?.stop();
});

/** Opens each path, waits for its level-1 heading, and collects what axe finds there. */
async function audit(page: Page, base: string, paths: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const path of paths) {
    await page.goto(`${base}${path}`);
    await see(page, page.getByRole('heading', { level: 1 }).first());
    // lazy data (tables, boards) has arrived: no "Loading" left
    await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
    problems.push(...(await accessibilityProblems(page)));
  }
  return problems;
}

async function firstPatientId(): Promise<string> {
  const office = await env.platform.login('office@demo.clinicult.test');
  const r = await env.platform.query('{ queue(states: [WITH_DOCTOR]) { id patient { id } } }', {}, office.token);
  return r.data!.queue[0].patient.id;
}

test('the staff app, signed out: sign-in, forgotten password, the display key', async () => {
  const { page } = await env.newPage();
  expect(await audit(page, app, ['/signin', '/forgot-password', '/display'])).toEqual([]);
});

test('the staff app as the front desk, the nurse and the doctor: queue, patients, chart, registration, visits, reports', async () => {
  const patientId = await firstPatientId();
  const office = await env.platform.login('office@demo.clinicult.test');
  const visits = await env.platform.query('{ queue { id state } }', {}, office.token);
  const inState = (state: string) => visits.data!.queue.find((v: { state: string }) => v.state === state).id;

  const desk = await signedInAs(env, 'office');
  const nurse = await signedInAs(env, 'nurse');
  const doctor = await signedInAs(env, 'doctor');
  const problems = [
    ...(await audit(desk, app, ['/', '/patients', `/patients/${patientId}`, '/patients/new', `/visits/${inState('CHECKOUT')}`, '/reports'])),
    ...(await audit(nurse, app, [`/visits/${inState('TRIAGE')}`, `/patients/${patientId}/edit`, '/account/password', '/account/security'])),
    ...(await audit(doctor, app, [`/visits/${inState('WITH_DOCTOR')}`, `/patients/${patientId}`, '/reports'])),
  ];
  expect(problems).toEqual([]);
});

test("the staff app as the clinic's ADMIN: staff, templates, settings, displays, audit log", async () => {
  const admin = await signedInAs(env, env.platform.demo.admin.email);
  expect(await audit(admin, app, ['/admin/staff', '/admin/templates', '/admin/settings', '/admin/displays', '/admin/integrations', '/admin/audit'])).toEqual([]);
});

test('the operator console: sign-in, clinics, a clinic, templates, security', async () => {
  const { page: signedOut } = await env.newPage();
  const problems = await audit(signedOut, consoleUrl, ['/signin']);
  const { page } = await env.newPage();
  await signInOperator(env, page);
  problems.push(...(await audit(page, consoleUrl, ['/clinics', `/clinics/${env.platform.clinicId}`, '/clinics/new', '/templates', '/templates/new', '/security'])));
  expect(problems).toEqual([]);
});
