// Identity as the people do it (issue 11): forgot password → the mailed link → a new password; an
// existing user accepts a second clinic's invitation; a nurse sets up an authenticator app and
// signs in with a code (computed here from the key the page shows, as the phone would); a doctor
// creates a passkey with Chromium's virtual authenticator and signs in with it.
import { createTotpApp } from '@clinicult/testing';
import type { Page } from 'playwright-core';
import { screenshot, see, signIn, startBrowserEnv, virtualAuthenticator, type BrowserEnv, expectCleanPages } from './harness.js';

let env: BrowserEnv;
let app: string;

beforeAll(async () => {
  env = await startBrowserEnv({ apps: ['clinic-web'] });
  app = env.appUrl('clinic-web');
});
afterAll(async () => {
  await env?.stop();
});

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
}

async function passwordStep(page: Page, email: string, password = env.platform.password) {
  await page.goto(`${app}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('forgot password: the same answer for anyone, a mailed one-time link, a new password that signs in', async () => {
  const { page } = await env.newPage();
  const email = 'office@demo.clinicult.test';
  await page.goto(`${app}/signin`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByText('Enter an email address like name@clinic.org.').waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await see(page, page.getByRole('status').filter({ hasText: `If ${email} has a Clinicult account, a link to choose a new password is on its way.` }));
  await screenshot(page, 'forgot-password');

  // the mail leaves auth's outbox a moment later: open the mailbox once it is there
  await env.platform.mail.waitFor({ to: email, subject: 'Reset your Clinicult password' });
  await page.goto(env.platform.mail.webUrl);
  const mail = page.locator('article.mail', { hasText: 'Reset your Clinicult password' }).filter({ hasText: email });
  await mail.getByRole('link', { name: /reset-password/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
  await page.getByLabel('New password').fill('Front-desk-pass-42');
  await page.getByLabel('Repeat the password').fill('Front-desk-pass-42');
  await page.getByRole('button', { name: 'Change password' }).click();
  await see(page, page.getByRole('heading', { level: 1, name: 'Queue' }));

  // the old password no longer works, the new one does; the link works once
  await signOut(page);
  await passwordStep(page, email);
  await page.getByText('The email or password is not correct.').waitFor();
  await signIn(page, app, email, 'Front-desk-pass-42');
  await page.goto(env.platform.mail.webUrl);
  await page.locator('article.mail', { hasText: 'Reset your Clinicult password' }).filter({ hasText: email }).getByRole('link', { name: /reset-password/ }).click();
  await page.getByLabel('New password').fill('Front-desk-third-42');
  await page.getByLabel('Repeat the password').fill('Front-desk-third-42');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('This reset link is invalid, already used or expired.', { exact: false }).waitFor();
  expectCleanPages(env);
});

test("someone who already works in a clinic accepts another clinic's invitation in the app", async () => {
  const boston = await env.platform.login(env.platform.demo.secondClinic.admin.email);
  const invited = await env.platform.query(
    `mutation { createUser(input: { email: "doctor@demo.clinicult.test", firstName: "Daniel", lastName: "Ortega", roles: [DOCTOR] }) { invitation { id } } }`,
    {},
    boston.token,
  );
  expect(invited.errors).toBeUndefined();
  const { page } = await env.newPage();
  await signIn(page, app, 'doctor@demo.clinicult.test', env.platform.password);
  await page.getByText('Demo Clinic Boston invites you to join.').waitFor();
  await screenshot(page, 'invitation-notice');
  await page.getByRole('link', { name: 'Review the invitation' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invitations' }).waitFor();
  await page.getByRole('button', { name: 'Accept and open Demo Clinic Boston' }).click();
  await page.locator('.clinic-name', { hasText: 'Demo Clinic Boston' }).waitFor();
  await page.getByRole('link', { name: 'Switch clinic' }).waitFor();
  expect(await page.getByText('invites you to join').count()).toBe(0);
  // two clinics now: the chooser lists both, the current one marked; choosing switches the session
  await page.getByRole('link', { name: 'Switch clinic' }).click();
  await see(page, page.getByRole('heading', { level: 1, name: 'Switch clinic' }));
  await see(page, page.getByRole('button', { name: /Demo Clinic Boston/ }));
  expect(await page.getByRole('button', { name: /Demo Clinic Boston/ }).getAttribute('aria-current')).toBe('true');
  await screenshot(page, 'clinic-chooser');
  await page.getByRole('button', { name: /^Demo Clinic(?! Boston)/ }).click();
  await page.locator('.clinic-name', { hasText: /^Demo Clinic$/ }).waitFor();

  // the password page says what is wrong and changes nothing until the current password is given
  await page.getByRole('link', { name: 'Change password' }).click();
  await see(page, page.getByRole('heading', { level: 1, name: 'Change password' }));
  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByLabel('New password', { exact: true }).fill('Doctor-new-pass-42');
  await page.getByLabel('Repeat the new password').fill('Doctor-new-pass-42');
  await page.getByRole('button', { name: 'Change password' }).click();
  await see(page, page.locator('.has-error, .error-box').first());
  await screenshot(page, 'change-password');
  await page.getByRole('link', { name: 'Queue' }).click();
  await see(page, page.getByRole('heading', { level: 1, name: 'Queue' }));
});

test('a nurse sets up an authenticator app and signs in with its code; a wrong code is refused', async () => {
  const { page } = await env.newPage();
  await signIn(page, app, 'nurse@demo.clinicult.test', env.platform.password);
  await page.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign-in security' }).waitFor();
  await page.getByRole('button', { name: 'Add a second factor' }).click();
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await page.getByRole('img', { name: 'QR code to add Clinicult to an authenticator app' }).waitFor();
  await screenshot(page, 'security-totp');
  const key = (await page.getByLabel('Key for the authenticator app').textContent())!.replace(/\s+/g, '');
  const phone = createTotpApp(key);
  await page.getByLabel('Code from the app').fill(phone.wrongCode());
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByText('That code is not right.', { exact: false }).waitFor();
  await page.getByLabel('Code from the app').fill(await phone.nextCode());
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
  expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await page.getByRole('row', { name: /Authenticator app On/ }).waitFor();

  await signOut(page);
  await passwordStep(page, 'nurse@demo.clinicult.test');
  await page.getByRole('heading', { level: 1, name: 'Second factor' }).waitFor();
  await page.getByLabel('Code from your authenticator app').fill(phone.wrongCode());
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('That second factor is not right.', { exact: false }).waitFor();
  await screenshot(page, 'signin-second-factor');
  await page.getByLabel('Code from your authenticator app').fill(await phone.nextCode());
  await page.getByRole('button', { name: 'Continue' }).click();
  await see(page, page.getByRole('navigation', { name: 'Main' }));
  expect(await page.getByTestId('who').textContent()).toContain('Nuria Vidal');
  expectCleanPages(env);
});

test("an ADMIN creates a passkey with the browser's authenticator and signs in with it", async () => {
  const { page } = await env.newPage();
  const device = await virtualAuthenticator(page);
  await signIn(page, app, env.platform.demo.admin.email, env.platform.password);
  await page.goto(`${app}/account/security`);
  await page.getByRole('button', { name: 'Add a second factor' }).click();
  await page.getByLabel('Name of the passkey').fill('Reception laptop');
  await page.getByRole('button', { name: 'Create a passkey' }).click();
  await see(page, page.getByRole('heading', { name: 'Your recovery codes' }));
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await page.getByRole('row', { name: /Passkey “Reception laptop”/ }).waitFor();
  await screenshot(page, 'security-passkey');
  expect(await device.credentials()).toHaveLength(1);

  await signOut(page);
  await passwordStep(page, env.platform.demo.admin.email);
  await page.getByRole('heading', { level: 1, name: 'Second factor' }).waitFor();
  await page.getByRole('button', { name: 'Use your passkey' }).click();
  await see(page, page.getByRole('navigation', { name: 'Main' }));
  expect(await page.getByTestId('who').textContent()).toContain('Alicia Romero');
  expectCleanPages(env);
});
