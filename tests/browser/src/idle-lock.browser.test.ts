// The idle lock of a shared screen (issue 17, HIPAA automatic logoff): after the configured time
// without use the app's content is hidden and the person signs in again to go on, with what they had
// typed still there; a wrong password does not open it; anyone else signs the session out.
import { expectCleanPages, screenshot, see, signIn, startBrowserEnv, type BrowserEnv } from './harness.js';

let env: BrowserEnv;
let app: string;
// the shortest lock the app takes (6 s), so the test waits little
const IDLE_MINUTES = 0.1;

beforeAll(async () => {
  env = await startBrowserEnv({ apps: ['clinic-web'], runtimeConfig: { idleLockMinutes: IDLE_MINUTES } });
  app = env.appUrl('clinic-web');
});
afterAll(async () => {
  await env?.stop();
});

test('idle: the content is hidden, a wrong password keeps it locked, the right one opens it with the unsaved form as it was', async () => {
  const { page } = await env.newPage();
  await signIn(page, app, 'nurse@demo.clinicult.test', env.platform.password);
  await page.getByRole('link', { name: 'Patients' }).click();
  await page.getByRole('link', { name: 'Register a patient' }).click();
  await page.getByLabel('Given name').fill('Sin guardar');
  await page.getByLabel('Family name').fill('Todavía');

  const lock = page.getByRole('dialog', { name: 'Locked' });
  await see(page, lock, 15_000);
  // nothing of the app shows, nor can be reached
  expect(await page.getByLabel('Given name').isVisible()).toBe(false);
  expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
  await screenshot(page, 'idle-lock');

  await lock.getByLabel('Password').fill('not-the-password');
  await lock.getByRole('button', { name: 'Unlock' }).click();
  await see(page, lock.getByText('The email or password is not correct.'));
  expect(await page.getByLabel('Given name').isVisible()).toBe(false);

  await lock.getByLabel('Password').fill(env.platform.password);
  await lock.getByRole('button', { name: 'Unlock' }).click();
  await see(page, page.getByLabel('Given name'));
  expect(await lock.count()).toBe(0);
  expect(await page.getByLabel('Given name').inputValue()).toBe('Sin guardar');
  expect(await page.getByLabel('Family name').inputValue()).toBe('Todavía');
  // and the app works on, with the new session
  await page.getByRole('link', { name: 'Queue' }).click();
  await see(page, page.getByRole('heading', { name: /queue/i }).first());
});

test('someone else at the locked screen signs the session out', async () => {
  const { page } = await env.newPage();
  await signIn(page, app, 'doctor@demo.clinicult.test', env.platform.password);
  const lock = page.getByRole('dialog', { name: 'Locked' });
  await see(page, lock, 15_000);
  await lock.getByRole('button', { name: /Not .*\? Sign out/ }).click();
  await see(page, page.getByRole('button', { name: 'Sign in' }));
  expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  expectCleanPages(env);
});
