// The browser tests' harness: the real platform (tests/e2e's startPlatform), the built web clients
// served in-process by @clinicult/web-server exactly as `npm start` serves them, and Debian's
// chromium through playwright-core. Nothing is mocked.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { pino } from 'pino';
import { startWebServer, type WebServer } from '@clinicult/web-server';
import { createSoftAuthenticator, gql } from '@clinicult/testing';
import { startPlatform, type Platform } from '../../e2e/src/platform.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const screenshotsDir = path.join(repoRoot, 'docs', 'screenshots');

export type AppName = 'clinic-web' | 'admin-web';
const APP_NAMES: Record<AppName, string> = { 'clinic-web': 'Clinic WEB Service', 'admin-web': 'Admin WEB Service' };

/** The built SPA of a client (dist/public/index.html), or a clear error saying how to build it. */
export function appDist(app: AppName): string {
  const candidates = [path.join(repoRoot, 'clients', app, 'dist', 'public'), path.join(repoRoot, 'clients', app, 'dist')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (!found) {
    throw new Error(
      `clients/${app} is not built (no dist/public/index.html). The browser tests serve the built apps: ` +
        `run \`npx turbo run build --filter=@clinicult/${app}\` (or \`npm run build -w @clinicult/${app}\`) first.`,
    );
  }
  return found;
}

/**
 * Starts one app's web server in-process, from its build, on `port` (0: any free one). The runtime
 * config names the gateway; `pollIntervalMs` makes the clinic app's queue refresh faster in tests.
 */
export async function startApp(
  app: AppName,
  options: { gatewayUrl: string; port?: number; runtimeConfig?: Record<string, unknown> },
): Promise<WebServer> {
  return startWebServer({
    name: APP_NAMES[app],
    distDir: appDist(app),
    port: options.port ?? 0,
    runtimeConfig: { ...options.runtimeConfig, gatewayUrl: options.gatewayUrl.replace(/\/graphql$/, '') },
    logger: pino({ level: 'silent' }),
  });
}

/** A free port, kept bound until release() (a port only picked could be picked again meanwhile). */
export async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`No chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH).`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface BrowserEnv {
  platform: Platform;
  /** the servers started, by app */
  apps: Partial<Record<AppName, WebServer>>;
  /**
   * Where a person opens an app: http://localhost:<port>. Passkeys need a host name (WebAuthn
   * refuses IP addresses), and the mailed links point here too.
   */
  appUrl(app: AppName): string;
  browser: Browser;
  /** Content-Security-Policy violations and page errors seen by any page (should stay empty). */
  problems: string[];
  /** Documents the pages loaded so far: a check of `problems` means something only after some. */
  readonly loads: number;
  /** A fresh browser context (its own storage: one person) and a page in it. */
  /** a new browser context (its own storage) and page; `locale` is the browser's language (en-GB) */
  newPage(options?: { locale?: string }): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

/**
 * Everything for a browser test file: free ports for the apps first (the gateway's ALLOWED_ORIGINS
 * must name them), the platform, the web servers, chromium.
 */
export async function startBrowserEnv(
  options: { apps?: AppName[]; runtimeConfig?: Record<string, unknown>; gatewayEnv?: Record<string, string> } = {},
): Promise<BrowserEnv> {
  const wanted = options.apps ?? ['clinic-web'];
  for (const app of wanted) appDist(app); // fail before starting anything
  // Hold a port per app while the platform starts (its services pick free ports too), so the
  // origins given to the gateway's ALLOWED_ORIGINS are still ours when the web servers listen.
  const held = await Promise.all(wanted.map(() => holdPort()));
  const ports = Object.fromEntries(wanted.map((app, i) => [app, held[i]!.port])) as Record<AppName, number>;
  const appUrl = (app: AppName) => `http://localhost:${ports[app]}`;
  const origins = wanted.flatMap((app) => [appUrl(app), `http://127.0.0.1:${ports[app]}`]).join(',');
  let platform: Platform;
  try {
    platform = await startPlatform({
      gatewayEnv: { ALLOWED_ORIGINS: origins, ...options.gatewayEnv },
      authEnv: {
        // the links in the mail open this test's staff app; its passkeys belong to these origins
        ...(ports['clinic-web'] ? { CLINIC_WEB_URL: appUrl('clinic-web') } : {}),
        WEBAUTHN_ORIGINS: [...wanted.map(appUrl), 'http://localhost:3001'].join(','),
      },
    });
  } finally {
    await Promise.all(held.map((h) => h.release()));
  }
  const apps: BrowserEnv['apps'] = {};
  const contexts: BrowserContext[] = [];
  let browser: Browser | undefined;
  try {
    for (const app of wanted) {
      apps[app] = await startApp(app, { gatewayUrl: platform.gatewayUrl, port: ports[app], runtimeConfig: { pollIntervalMs: 1000, ...options.runtimeConfig } });
    }
    browser = await launchBrowser();
  } catch (error) {
    for (const server of Object.values(apps)) await server.close();
    await platform.stop();
    throw error;
  }
  const problems: string[] = [];
  let loads = 0;
  const b = browser;
  return {
    platform,
    apps,
    appUrl: (app) => {
      if (!ports[app]) throw new Error(`${app} was not started for this test file`);
      return appUrl(app);
    },
    browser: b,
    problems,
    get loads() {
      return loads;
    },
    async newPage({ locale = 'en-GB' } = {}) {
      const context = await b.newContext({ viewport: { width: 1280, height: 860 }, locale, timezoneId: 'Europe/Madrid' });
      context.setDefaultTimeout(20_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (message) => {
        if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
      page.on('load', () => (loads += 1));
      return { context, page };
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => {});
      await b.close().catch(() => {});
      for (const server of Object.values(apps)) await server.close();
      await platform.stop();
    },
  };
}

/** Saves a screenshot of the page to docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: true, animations: 'disabled' });
}

export const DEMO_PASSWORD = 'Clinicult-demo-1';

/** A demo person (`nurse`, or a whole address) signed in to the staff app in a browser context of their own. */
export async function signedInAs(env: BrowserEnv, who: string): Promise<Page> {
  const { page } = await env.newPage();
  await signIn(page, env.appUrl('clinic-web'), who.includes('@') ? who : `${who}@demo.clinicult.test`, env.platform.password);
  return page;
}

/** Signs in on the clinic app's sign-in page and waits for the app's navigation. */
export async function signIn(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // in the person's language: English or Spanish
  await see(page, page.getByRole('navigation', { name: /^(Main|Principal)$/ }));
}

/**
 * Chromium's virtual authenticator on this page (DevTools WebAuthn domain): it answers WebAuthn
 * requests at once, user present and verified, as a device with a fingerprint reader would.
 * With `credential` it also holds a passkey registered elsewhere.
 */
export interface VirtualAuthenticator {
  /** the passkeys it holds (credential ids, as DevTools reports them) */
  credentials(): Promise<Array<{ credentialId: string; rpId?: string; signCount: number }>>;
}

export async function virtualAuthenticator(
  page: Page,
  credential?: ReturnType<ReturnType<typeof createSoftAuthenticator>['exportCredential']>,
): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  if (credential) {
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: { ...credential, isResidentCredential: false },
    });
  }
  return {
    async credentials() {
      return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    },
  };
}

/**
 * An operator's sign-in in the console: password, then the second factor every operator gives —
 * here a passkey of this page's own (registered through the API for this browser context, held by
 * Chromium's virtual authenticator), so any number of tests can sign in without waiting for TOTP
 * steps.
 */
export async function signInOperator(env: BrowserEnv, page: Page): Promise<void> {
  const consoleUrl = env.appUrl('admin-web');
  const { token } = await env.platform.login(env.platform.demo.operator.email);
  const device = createSoftAuthenticator({ origin: consoleUrl, rpId: 'localhost' });
  const options = await gql(env.platform.gatewayUrl, 'mutation { passkeyRegistrationOptions }', {}, { token });
  const registered = await gql(
    env.platform.gatewayUrl,
    'mutation($r: JSON!) { registerPasskey(response: $r, name: "browser test") { recoveryCodes } }',
    { r: device.register(options.data!.passkeyRegistrationOptions) },
    { token },
  );
  if (registered.errors) throw new Error(`operator passkey: ${JSON.stringify(registered.errors)}`);
  await virtualAuthenticator(page, device.exportCredential());
  await page.goto(`${consoleUrl}/signin`);
  await page.getByLabel('Email').fill(env.platform.demo.operator.email);
  await page.getByLabel('Password').fill(env.platform.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Use your passkey' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Waits for `locator`; when it never shows, the error says what the page showed instead. */
export async function see(page: Page, locator: Locator, timeout?: number): Promise<void> {
  try {
    await locator.waitFor(timeout ? { timeout } : {});
  } catch (error) {
    const shown = await page
      .locator('body')
      .innerText()
      .catch(() => '(the page is gone)');
    throw new Error(`${(error as Error).message}\n--- ${page.url()} showed:\n${shown.slice(0, 1500)}`, { cause: error });
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the page as it stands (WCAG 2.1 A and AA rules): its serious and critical violations,
 * one line each with where. Evaluated through the browser's debugging protocol, so the app's CSP
 * (no inline or injected scripts) stays as it is.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // (these functions run in the page: its globals, not Node's)
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => {
    const inPage = globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResults> }; document: unknown };
    return inPage.axe.run(inPage.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${page.url()}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
}

interface AxeResults {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }>;
}

/** No page error or CSP violation in what this file's pages did — and they did load something (run alone, nothing would). */
export function expectCleanPages(env: Pick<BrowserEnv, 'problems' | 'loads'>): void {
  expect(env.loads).toBeGreaterThan(0);
  expect(env.problems).toEqual([]);
}
