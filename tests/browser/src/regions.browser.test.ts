import type { Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import type { WebServer } from '@clinicult/web-server';
import { startRegions, type Regions } from '../../e2e/src/regions.js';
import { holdPort, launchBrowser, see, signIn, startApp } from './harness.js';

/**
 * Regions in the staff app (issue 16): the app is configured with one region's API (eu-1's), and a
 * person of a clinic another region serves signs in there; the app sends that clinic's requests to
 * its region's API by itself (AuthPayload.apiUrl), within its CSP.
 */
let regions: Regions;
let app: WebServer;
let browser: Browser;
let appUrl: string;
const problems: string[] = [];

beforeAll(async () => {
  const held = await holdPort();
  appUrl = `http://localhost:${held.port}`;
  try {
    regions = await startRegions({ gatewayEnv: { ALLOWED_ORIGINS: appUrl }, authEnv: { CLINIC_WEB_URL: appUrl } });
  } finally {
    await held.release();
  }
  const { clusters } = regions;
  app = await startApp('clinic-web', {
    gatewayUrl: clusters['eu-1'].gatewayUrl,
    port: held.port,
    runtimeConfig: { pollIntervalMs: 1000, regionApis: [clusters['eu-1'].apiUrl, clusters['us-1'].apiUrl] },
  });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await regions?.stop();
});

async function openPage(): Promise<{ page: Page; apis: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB' });
  const page = await context.newPage();
  const apis: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/graphql') && request.method() === 'POST') apis.push(new URL(request.url()).origin);
  });
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { page, apis };
}

test("a Boston (us-1) ADMIN signs in at the staff app of eu-1's API: the app works against us-1's API from then on", async () => {
  const { clusters } = regions;
  const { page, apis } = await openPage();
  await signIn(page, appUrl, regions.demo.secondClinic.admin.email);
  await see(page, page.getByText(regions.demo.secondClinic.clinic.name).first());
  const signedInAt = apis.length;
  // the clinic's own screens: the staff list comes from its region
  await page.getByRole('link', { name: 'Staff' }).click();
  await see(page, page.getByText(regions.demo.secondClinic.admin.email).first());
  const us = new URL(clusters['us-1'].apiUrl).origin;
  const eu = new URL(clusters['eu-1'].apiUrl).origin;
  expect(apis.slice(0, 1)).toEqual([eu]); // the sign-in itself, at the configured API
  expect(apis.slice(signedInAt).length).toBeGreaterThan(0);
  expect(new Set(apis.slice(signedInAt))).toEqual(new Set([us]));
  await page.context().close();
});

test('a Madrid (eu-1) DOCTOR at the same app stays on eu-1 and sees the queue', async () => {
  const { clusters } = regions;
  const { page, apis } = await openPage();
  await signIn(page, appUrl, regions.demo.staff.find((s: { role: string }) => s.role === 'DOCTOR')!.email);
  await see(page, page.getByRole('heading', { name: /queue/i }).first());
  expect(new Set(apis)).toEqual(new Set([new URL(clusters['eu-1'].apiUrl).origin]));
  await page.context().close();
  expect(problems).toEqual([]);
});
