// What each role may reach, and how sessions end: screens a role may not use are not offered and not
// reachable by URL; medical data is simply absent for roles without medical:read; an ADMIN invites
// a person by email, who follows the mailed link to set a password and accepts; deactivating them
// signs them out with the reason.
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

const navLinks = async (page: Page) => (await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).map((t) => t.trim());

test('sign-in says what is wrong in plain words and keeps what was typed', async () => {
  const { page } = await env.newPage();
  await page.goto(`${app}/patients`); // not signed in: the sign-in page, then back here
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Enter your email address.').waitFor();
  await page.getByText('Enter your password.').waitFor();
  // an unknown account (a real one would count towards its lockout, shared by every test run)
  const email = `nobody-${Date.now()}@demo.clinicult.test`;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'The email or password is not correct.' }).waitFor();
  expect(await page.getByLabel('Email').inputValue()).toBe(email);
  await page.getByLabel('Email').fill('');
  await screenshot(page, 'sign-in');

  await page.getByLabel('Email').fill('office@demo.clinicult.test');
  await page.getByLabel('Password').fill(env.platform.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/patients');
});

test('a screen the role may not use is neither offered nor reachable by URL', async () => {
  const nurse = await person('nurse');
  expect(await navLinks(nurse)).toEqual(['Queue', 'Patients']);
  for (const path of ['/reports', '/admin/staff', '/admin/templates', '/admin/audit']) {
    await nurse.goto(`${app}${path}`);
    await nurse.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    expect(new URL(nurse.url()).pathname).toBe('/not-allowed');
  }

  const office = await person('office');
  expect(await navLinks(office)).toEqual(['Queue', 'Patients', 'Reports']);
  await office.goto(`${app}/admin/staff`);
  await office.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
  await office.goto(`${app}/patients/new`);
  await office.getByRole('heading', { level: 1, name: 'Register a patient' }).waitFor();

  const admin = await person('admin');
  expect(await navLinks(admin)).toEqual(['Queue', 'Patients', 'Reports', 'Staff', 'Templates', 'Audit log', 'Displays', 'Integrations', 'Settings']);
  // ADMIN reads patients but does not register them (no patient:write)
  await admin.goto(`${app}/patients/new`);
  await admin.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
  expectCleanPages(env);
});

test('reports: charts for report:read, top diagnoses only with medical:read', async () => {
  const doctor = await person('doctor');
  await doctor.getByRole('link', { name: 'Reports' }).click();
  await doctor.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
  await doctor.getByRole('heading', { name: 'Visits per day' }).waitFor();
  await doctor.locator('.recharts-surface').first().waitFor();
  await doctor.getByRole('heading', { name: 'Top diagnoses' }).waitFor();
  await screenshot(doctor, 'reports');

  const office = await person('office');
  await office.goto(`${app}/reports`);
  await office.getByRole('heading', { name: 'Average minutes per state' }).waitFor();
  expect(await office.getByRole('heading', { name: 'Top diagnoses' }).count()).toBe(0);
  expect(await office.locator('.error-box').count()).toBe(0);
});

test('an ADMIN invites a person by email, who follows the mail, sets a password and accepts; deactivating them signs them out with the reason', async () => {
  const admin = await person('admin');
  admin.on('dialog', (dialog) => void dialog.accept());
  await admin.getByRole('link', { name: 'Staff' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
  await admin.locator('tr[data-user="nurse@demo.clinicult.test"]').waitFor();

  // validation before sending
  await admin.getByRole('button', { name: 'Invite', exact: true }).click();
  await admin.getByText('Choose at least one role.').waitFor();

  const email = `new.nurse.${Date.now()}@demo.clinicult.test`;
  await admin.getByLabel('Email').fill(email);
  await admin.getByLabel('First name').fill('Nerea');
  await admin.getByLabel('Last name').fill('Prueba');
  await admin.getByRole('group', { name: 'Roles', exact: true }).getByLabel('Nurse').check();
  await admin.getByRole('button', { name: 'Invite', exact: true }).click();
  await admin.getByText(`is on its way to`, { exact: false }).waitFor();
  const invitation = admin.locator(`tr[data-invitation="${email}"]`);
  await invitation.getByText('Waiting for an answer').waitFor();
  // no link anywhere on the ADMIN's screen: it goes to the person alone
  expect(await admin.locator('body').innerText()).not.toMatch(/accept-invitation|token=/);
  await screenshot(admin, 'staff-admin');

  // the invited person opens their mail (the platform's mail catcher) and follows the link
  const { page: invited } = await env.newPage();
  await env.platform.mail.waitFor({ to: email }); // the mail leaves auth's outbox a moment later
  await invited.goto(env.platform.mail.webUrl);
  const mail = invited.locator('article.mail', { hasText: email });
  await mail.getByRole('link', { name: /accept-invitation/ }).click();
  await invited.getByRole('heading', { level: 1, name: 'Welcome to Clinicult' }).waitFor();
  await invited.getByLabel('New password').fill('short');
  await invited.getByRole('button', { name: 'Set password and continue' }).click();
  await invited.getByText('Choose a password of at least 10 characters.').waitFor();
  await invited.getByLabel('New password').fill('Nerea-password-2024');
  await invited.getByLabel('Repeat the password').fill('Nerea-password-2024');
  await invited.getByRole('button', { name: 'Set password and continue' }).click();
  await invited.getByRole('heading', { level: 1, name: 'Your invitations' }).waitFor();
  await invited.getByText('Demo Clinic invites you as Nurse').waitFor();
  await screenshot(invited, 'invitation-accept');
  await invited.getByRole('button', { name: 'Accept and open Demo Clinic' }).click();
  await invited.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  expect(await invited.getByTestId('who').textContent()).toContain('Nerea Prueba');
  expect(await navLinks(invited)).toEqual(['Queue', 'Patients']);

  // the ADMIN deactivates them: their open queue (refreshing by itself) signs them out and says why
  await admin.reload();
  const row = admin.locator(`tr[data-user="${email}"]`);
  await row.getByText('Active').waitFor();
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await row.getByText('Deactivated', { exact: true }).waitFor();
  await invited.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  // the deactivation's own words, not any sign-out: the kit judges a deactivated login before its revoked sessions
  await invited.getByRole('status').filter({ hasText: 'Your account has been deactivated, so you have been signed out.' }).waitFor();
  await screenshot(invited, 'signed-out-deactivated');
  expectCleanPages(env);
});

test('medical data is absent, not an error, for the front desk and the ADMIN', async () => {
  const nurse = await person('nurse');
  await nurse.getByRole('link', { name: 'Patients' }).click();
  await nurse.getByRole('link', { name: 'Register a patient' }).click();
  const family = `Medica${Date.now().toString(36)}`;
  await nurse.getByLabel('Given name').fill('Marta');
  await nurse.getByLabel('Family name').fill(family);
  await nurse.getByLabel('Birth date').fill('1990-01-02');
  await nurse.getByLabel('Blood type').selectOption('O+');
  await nurse.getByRole('button', { name: 'Add an allergy' }).click();
  await nurse.getByLabel('Allergy 1: substance').fill('Penicillin');
  await nurse.getByRole('button', { name: 'Register patient' }).click();
  await nurse.getByTestId('medical').getByText('Penicillin').waitFor();
  const chart = nurse.url();

  for (const who of ['office', 'admin']) {
    const page = await person(who);
    await page.goto(chart);
    await page.getByRole('heading', { level: 1, name: `Marta ${family}` }).waitFor();
    await page.getByRole('heading', { name: 'Demographics' }).waitFor();
    expect(await page.getByTestId('medical').count()).toBe(0);
    expect(await page.getByText('Penicillin').count()).toBe(0);
    expect(await page.locator('.error-box').count()).toBe(0);
  }
});
