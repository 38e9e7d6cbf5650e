// The operator console (admin-web) in a real Chromium against the real platform: sign-in for
// operators only, the clinic registry (create, invite the first admin, suspend, reactivate), the
// global template form builder, the bundled GraphQL playground, and the end of a session. The
// suspension is watched from the other side too: a Demo Clinic staff member signed in to clinic-web
// in their own browser context is signed out with a clear message.
import type { Page } from 'playwright-core';
import { screenshot, see, signIn, signInOperator, startBrowserEnv, type BrowserEnv, expectCleanPages } from './harness.js';

const OPERATOR = 'operator@clinicult.test';
const NOT_AN_OPERATOR = 'This console is for platform operators only.';

let env: BrowserEnv;
let console_: string;
let clinicApp: string;
const suffix = Date.now().toString(36);

beforeAll(async () => {
  env = await startBrowserEnv({ apps: ['admin-web', 'clinic-web'] });
  console_ = env.appUrl('admin-web');
  clinicApp = env.appUrl('clinic-web');
});
afterAll(async () => {
  await env?.stop();
});

async function operator(): Promise<Page> {
  const { page } = await env.newPage();
  await signInOperator(env, page);
  return page;
}

/** The console's session as its tab holds it (sessionStorage), or null. */
async function storedSession(page: Page): Promise<string | null> {
  return page.evaluate<string | null>("sessionStorage.getItem('clinicult.admin.session')");
}

/** The operator's token as the console holds it. */
async function consoleToken(page: Page): Promise<string> {
  return (JSON.parse((await storedSession(page))!) as { token: string }).token;
}

async function openClinic(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clinics' }).click();
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${name}`) }).waitFor();
}

test('a clinic account cannot use the console: refused at sign-in in plain words', async () => {
  const { page } = await env.newPage();
  await page.goto(`${console_}/clinics`);
  // not signed in: the console sends you to its sign-in page
  await page.waitForURL(/\/signin$/);
  await page.getByLabel('Email').fill(env.platform.demo.admin.email);
  await page.getByLabel('Password').fill(env.platform.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: NOT_AN_OPERATOR }).waitFor();
  expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  expect(await storedSession(page)).toBeNull();
  // what was typed stays (but the password)
  expect(await page.getByLabel('Email').inputValue()).toBe(env.platform.demo.admin.email);
  await page.goto(`${console_}/clinics`);
  await page.waitForURL(/\/signin$/);

  // a wrong password is its own plain message
  await page.getByLabel('Email').fill(OPERATOR);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'The email or password is not correct.' }).waitFor();
  await screenshot(page, 'admin-signin-refused');
});

test('an operator creates a clinic and invites its first admin: the console shows the status, the admin follows the mail', async () => {
  const page = await operator();
  await page.getByRole('heading', { level: 1, name: 'Clinic registry' }).waitFor();
  const demoRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Demo Clinic', exact: true }) });
  await demoRow.getByRole('cell', { name: /^\d+$/ }).first().waitFor(); // the overview figures arrived
  await screenshot(page, 'admin-clinics');

  // search narrows the list
  await page.getByLabel('Search clinics').fill('Boston');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByText(/1 clinic matching “Boston”/).waitFor();
  expect(await page.getByRole('link', { name: 'Demo Clinic', exact: true }).count()).toBe(0);
  await page.getByRole('button', { name: 'Clear search' }).click();
  await page.getByRole('link', { name: 'Demo Clinic', exact: true }).waitFor();

  await page.getByRole('link', { name: 'New clinic' }).click();
  await page.getByRole('heading', { level: 1, name: 'New clinic' }).waitFor();
  // checked before sending
  await page.getByLabel('Name').fill('');
  await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
  await page.getByRole('button', { name: 'Create clinic' }).click();
  await page.getByText('Enter the clinic’s name (at least 2 characters).').waitFor();
  await page.getByText('“Mars/Olympus_Mons” is not an IANA time zone.', { exact: false }).waitFor();
  await screenshot(page, 'admin-clinic-new-invalid');

  // the server's refusal lands next to the field it is about, and the form keeps what was typed
  await page.getByLabel('Name').fill('demo clinic');
  await page.getByLabel('Cluster').selectOption('us-1');
  await page.getByLabel('Time zone').fill('Europe/Lisbon');
  await page.getByRole('button', { name: 'Create clinic' }).click();
  const nameError = page.locator('.field', { has: page.getByLabel('Name') }).locator('.field-error');
  await nameError.filter({ hasText: 'already exists' }).waitFor();
  expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Lisbon');
  expect(await page.getByLabel('Cluster').inputValue()).toBe('us-1');

  const name = `Harbour Clinic ${suffix}`;
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create clinic' }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${name}`) }).waitFor();
  await page.getByText('Clinic created. Invite its first admin below.').waitFor();
  const clinicId = page.url().split('/').pop()!;
  const facts = page.locator('dl.facts');
  await facts.getByText('us-1', { exact: true }).waitFor();
  await facts.getByText('Europe/Lisbon', { exact: true }).waitFor();

  // invite the first admin: the console follows the invitation by status, never shows a link
  const email = `first.admin.${suffix}@harbour.test`;
  await page.getByRole('button', { name: 'Invite admin' }).click();
  await page.getByText('Enter the admin’s email address', { exact: false }).waitFor(); // checked before sending
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('First name').fill('Marta');
  await page.getByLabel('Last name').fill('Pescador');
  await page.getByRole('button', { name: 'Invite admin' }).click();
  await page.getByText(`Invitation sent to ${email}. The link goes to them alone, by email.`).waitFor();
  const row = page.locator(`tr[data-invitation="${email}"]`);
  await row.getByText('Waiting for them').waitFor();
  await row.getByText(/Mail delivered/).waitFor();
  expect(await page.locator('body').innerText()).not.toMatch(/accept-invitation|token=/);
  await screenshot(page, 'admin-clinic-invited');

  // the admin, in their own browser: the mail (the platform's mail catcher), its link, a password, the invitation
  const { page: invitee } = await env.newPage();
  await invitee.goto(env.platform.mail.webUrl);
  const mail = invitee.locator('article.mail', { has: invitee.getByText(`You are invited to ${name} on Clinicult`) });
  await mail.waitFor();
  await screenshot(invitee, 'mail-invitation');
  await mail.getByRole('link', { name: /accept-invitation/ }).click();
  await invitee.getByRole('heading', { level: 1, name: 'Welcome to Clinicult' }).waitFor();
  await invitee.getByLabel('New password').fill('Harbour-admin-pass-1');
  await invitee.getByLabel('Repeat the password').fill('Harbour-admin-pass-1');
  await invitee.getByRole('button', { name: 'Set password and continue' }).click();
  await invitee.getByRole('heading', { level: 1, name: 'Your invitations' }).waitFor();
  await invitee.getByRole('button', { name: `Accept and open ${name}` }).click();
  await invitee.getByRole('navigation', { name: 'Main' }).waitFor();
  expect(await invitee.getByTestId('who').textContent()).toContain('Marta Pescador');
  await invitee.getByRole('link', { name: 'Staff' }).waitFor(); // an ADMIN of the new clinic

  // the console shows it accepted, and offers no further invitation
  await page.reload();
  await row.getByText('Accepted').waitFor();
  await page.getByText('The clinic has its admin.', { exact: false }).waitFor();

  // and the registry holds the clinic as created
  const { token: operatorToken } = await env.platform.login(OPERATOR);
  const stored = await env.platform.query<{ clinic: { name: string; cluster: string; timeZone: string; status: string } }>(
    'query($id: ID!) { clinic(id: $id) { name cluster timeZone status } }',
    { id: clinicId },
    operatorToken,
  );
  expect(stored.data?.clinic).toEqual({ name, cluster: 'us-1', timeZone: 'Europe/Lisbon', status: 'ACTIVE' });

  // edit name and time zone
  await page.getByRole('button', { name: 'Edit name or time zone' }).click();
  await page.getByLabel('Time zone').fill('Atlantic/Azores');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await facts.getByText('Atlantic/Azores', { exact: true }).waitFor();
});

test('suspending Demo Clinic signs its staff out of the clinic app with a clear message; reactivating lets them back', async () => {
  // a front-desk member of Demo Clinic, signed in to clinic-web in their own browser
  const { page: staff } = await env.newPage();
  await signIn(staff, clinicApp, 'office@demo.clinicult.test', env.platform.password);

  const page = await operator();
  await openClinic(page, 'Demo Clinic');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.locator('dl.figures').waitFor();
  await screenshot(page, 'admin-clinic');

  await page.getByRole('button', { name: 'Suspend clinic…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Suspend Demo Clinic?' });
  await dialog.getByLabel('Reason (shown to operators)').fill('Contract ended (browser test)');
  await screenshot(page, 'admin-clinic-suspend');
  await dialog.getByRole('button', { name: 'Suspend clinic' }).click();
  await page.getByText('Contract ended (browser test)', { exact: false }).waitFor();
  await page.locator('h1 .badge', { hasText: 'Suspended' }).waitFor();
  // a suspended clinic offers reactivation, not another suspension nor an invitation
  expect(await page.getByRole('button', { name: 'Suspend clinic…' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Invite admin' }).count()).toBe(0);

  // the staff member is signed out with the reason, on their own, without doing anything
  // (patience for a loaded machine: the app notices on its next refresh of the queue)
  await see(staff, staff.getByText('Your clinic has been suspended, so you have been signed out.', { exact: false }), 60_000);
  expect(new URL(staff.url()).pathname).toBe('/signin');
  await screenshot(staff, 'admin-suspended-staff-signed-out');
  const refused = await env.platform.query(
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
    { e: 'office@demo.clinicult.test', p: env.platform.password },
  );
  expect(refused.errors?.[0]?.extensions?.reason).toBe('CLINIC_SUSPENDED');

  await page.getByRole('button', { name: 'Reactivate clinic…' }).click();
  await page.getByRole('dialog', { name: 'Reactivate Demo Clinic?' }).getByRole('button', { name: 'Reactivate clinic' }).click();
  await page.locator('h1 .badge', { hasText: 'Active' }).waitFor();
  await page.getByRole('button', { name: 'Suspend clinic…' }).waitFor();

  // back in
  await signIn(staff, clinicApp, 'office@demo.clinicult.test', env.platform.password);
});

test('global templates: the form builder checks typed fields before sending, then publishes versions', async () => {
  const page = await operator();
  const sent: string[] = [];
  const mutation = (operation: string) => /^(Create|Update|Retire)GlobalTemplate$/.test(operation);
  page.on('request', (request) => {
    const body = request.postData() ?? '';
    if (request.method() === 'POST' && /GlobalTemplate\(/.test(body)) sent.push(JSON.parse(body).operationName);
  });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Global templates' }).click();
  await page.getByRole('heading', { level: 1, name: 'Global templates' }).waitFor();
  await page.getByRole('link', { name: 'New template' }).click();

  const name = `Respiratory intake ${suffix}`;
  await page.getByLabel('Template name').fill(name);
  await page.getByLabel('Kind').selectOption('INTAKE');
  const field = (n: number) => page.getByRole('listitem', { name: new RegExp(`^Field ${n}\\b`) });
  await field(1).getByLabel('Label').fill('Chief complaint');
  expect(await field(1).getByLabel('Key').inputValue()).toBe('chiefComplaint'); // follows the label
  await field(1).getByLabel('Required').check();

  await page.getByRole('button', { name: 'Add field' }).click();
  await field(2).getByLabel('Label').fill('Pain score');
  await field(2).getByLabel('Type').selectOption('NUMBER');
  await field(2).getByLabel('Unit').fill('points');
  await field(2).getByLabel('Minimum').fill('10');
  await field(2).getByLabel('Maximum').fill('0');

  await page.getByRole('button', { name: 'Add field' }).click();
  await field(3).getByLabel('Label').fill('Smoker');
  await field(3).getByLabel('Type').selectOption('CHOICE');
  await field(3).getByLabel('Options').fill('Yes');
  await field(3).getByLabel('Help text').fill('Ask about the last 12 months.');

  await page.getByRole('button', { name: 'Publish version 1' }).click();
  await field(2).getByText('The maximum must not be below the minimum (10).').waitFor();
  await field(3).getByText('Give at least 2 options, one per line.').waitFor();
  await screenshot(page, 'admin-template-invalid');
  expect(sent.filter(mutation)).toEqual([]); // nothing went to the server

  await field(2).getByLabel('Minimum').fill('0');
  await field(2).getByLabel('Maximum').fill('10');
  await field(3).getByLabel('Options').fill('Yes\nNo\nFormer smoker');
  await page.getByRole('button', { name: 'Publish version 1' }).click();
  await page.getByText('Version 1 published to every cluster.').waitFor();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${name}\\s*v1`) }).waitFor();
  const templateId = page.url().split('/').pop()!;
  await screenshot(page, 'admin-template');

  // an edit publishes the next version
  await field(1).getByLabel('Help text').fill('In the patient’s own words.');
  await page.getByRole('button', { name: 'Publish version 2' }).click();
  await page.getByText('Version 2 published to every cluster.').waitFor();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${name}\\s*v2`) }).waitFor();
  expect(sent.filter(mutation)).toEqual(['CreateGlobalTemplate', 'UpdateGlobalTemplate']);

  const { token } = await env.platform.login(OPERATOR);
  const stored = await env.platform.query<{ globalTemplate: { version: number; kind: string; fields: Record<string, unknown>[] } }>(
    'query($id: ID!) { globalTemplate(id: $id) { version kind fields { key type required options unit min max help } } }',
    { id: templateId },
    token,
  );
  expect(stored.data?.globalTemplate).toEqual({
    version: 2,
    kind: 'INTAKE',
    fields: [
      { key: 'chiefComplaint', type: 'TEXT', required: true, options: null, unit: null, min: null, max: null, help: 'In the patient’s own words.' },
      { key: 'painScore', type: 'NUMBER', required: false, options: null, unit: 'points', min: 0, max: 10, help: null },
      { key: 'smoker', type: 'CHOICE', required: false, options: ['Yes', 'No', 'Former smoker'], unit: null, min: null, max: null, help: 'Ask about the last 12 months.' },
    ],
  });

  // the list shows it with its version
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Global templates' }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  await see(page, row.getByRole('cell', { name: 'v2' }));
  await screenshot(page, 'admin-templates');
});

test('the bundled GraphQL playground queries the gateway with the operator’s token', async () => {
  const page = await operator();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'GraphQL playground' }).click();
  const editor = page.locator('.graphiql-query-editor .CodeMirror');
  await editor.filter({ hasText: 'clinics(first: 10)' }).waitFor();
  await page.getByRole('button', { name: /execute query/i }).click();
  const result = page.locator('.result-window');
  await result.filter({ hasText: '"name": "Demo Clinic"' }).waitFor();
  expect(await result.textContent()).not.toContain('UNAUTHENTICATED');
  await screenshot(page, 'admin-playground');

  // signing out ends the session on the server too, not only in this tab
  const token = await consoleToken(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/signin$/);
  expect(await storedSession(page)).toBeNull();
  const after = await env.platform.query('query { clinics(first: 1) { totalCount } }', {}, token);
  expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
});

test('a session ended elsewhere signs the console out with the reason in plain words', async () => {
  const page = await operator();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Global templates' }).click();
  await see(page, page.getByRole('table').or(page.getByText('No global templates yet.'))); // loaded: nothing in flight
  const token = await consoleToken(page);
  const loggedOut = await env.platform.query<{ logout: boolean }>('mutation { logout }', {}, token);
  expect(loggedOut.data?.logout).toBe(true);
  // the next request the console makes is refused: it signs out and says why
  await page.getByLabel('Show retired templates').click();
  await page.waitForURL(/\/signin$/);
  await page.getByText('Your session was ended', { exact: false }).waitFor();
  expect(await storedSession(page)).toBeNull();
  await screenshot(page, 'admin-signed-out');
});

test('no page error or Content-Security-Policy violation in any of it', () => {
  expectCleanPages(env);
});
