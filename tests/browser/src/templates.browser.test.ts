// Templates end to end: an ADMIN builds an intake form, the front desk picks it at check-in, and the
// nurse fills it in triage with the typed fields the template declares (and their validation).
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

test('an intake template built by the ADMIN is chosen at check-in and filled by the nurse', async () => {
  const name = `Triage form ${Date.now().toString(36)}`;
  const admin = await person('admin');
  await admin.getByRole('link', { name: 'Templates' }).click();
  await admin.getByRole('button', { name: 'New template' }).click();
  // the template editor both apps share (@clinicult/web-ui/templates)
  await admin.getByLabel('Template name').fill(name);
  await admin.getByLabel('Kind').selectOption('INTAKE');
  const field = (n: number) => admin.getByRole('listitem', { name: new RegExp(`^Field ${n}\\b`) });
  const first = field(1);
  await first.getByLabel('Label').fill('Pain level');
  await first.getByLabel('Type').selectOption('NUMBER');
  await first.getByLabel('Required').check();
  await first.getByLabel('Minimum').fill('0');
  await first.getByLabel('Maximum').fill('10');
  await first.getByLabel('Unit').fill('/10');
  await admin.getByRole('button', { name: 'Add field' }).click();
  const second = field(2);
  await second.getByLabel('Label').fill('Onset');
  await second.getByLabel('Type').selectOption('CHOICE');
  await second.getByLabel('Options').fill('Today');
  await admin.getByRole('button', { name: 'Create template' }).click();
  await second.getByText('Give at least 2 options, one per line.').waitFor();
  await second.getByLabel('Options').fill('Today\nThis week\nLonger');
  await admin.getByRole('button', { name: 'Create template' }).click();
  const row = admin.getByRole('row', { name: new RegExp(name) });
  await row.getByText('Active').waitFor();
  await row.getByText('v1').waitFor();
  await screenshot(admin, 'templates-admin');

  // the front desk registers and checks in with the template
  const office = await person('office');
  await office.goto(`${app}/patients/new`);
  const family = `Plantilla${Date.now().toString(36)}`;
  await office.getByLabel('Given name').fill('Iker');
  await office.getByLabel('Family name').fill(family);
  await office.getByLabel('Birth date').fill('1975-06-30');
  await office.getByRole('button', { name: 'Register patient' }).click();
  await office.getByLabel('Reason for the visit').fill('Back pain');
  await office.getByLabel('Template').selectOption({ label: `${name} (intake, v1)` });
  await office.getByRole('button', { name: 'Check in' }).click();
  await office.getByText(`Template: ${name} v1`).waitFor();
  const visitUrl = office.url();

  // the nurse fills the intake form
  const nurse = await person('nurse');
  await nurse.goto(visitUrl);
  await nurse.getByRole('button', { name: 'Start triage' }).click();
  await nurse.getByRole('button', { name: 'Save intake' }).click();
  await nurse.getByText('Pain level is required.').waitFor();
  await nurse.getByLabel('Pain level (/10)').fill('14');
  await nurse.getByRole('button', { name: 'Save intake' }).click();
  await nurse.getByText('Pain level must be at most 10 /10.').waitFor();
  await nurse.getByLabel('Pain level (/10)').fill('6');
  await nurse.getByLabel('Onset').selectOption('This week');
  await nurse.getByRole('button', { name: 'Save intake' }).click();
  const record = nurse.getByRole('region', { name: 'Clinical record of this visit' });
  await record.getByText('6 /10').waitFor();
  await record.getByText('This week').waitFor();
  await screenshot(nurse, 'visit-nurse-intake');
  expectCleanPages(env);
});
