import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { markSessionFactsReady } from '@clinicult/testing';
import { startEchoStack } from './__tests__/harness.js';

// The development playground in a real browser, offline: GraphiQL renders from the gateway's own
// assets, a login fills the token field, and later requests carry it.

// Functions passed to page.* run in the browser; this package compiles without DOM types, hence `globalThis as any`.
// Never skipped: .ci/run installs Debian's chromium, and without one the test fails saying so (as the browser tests do).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('playground in a browser', () => {
  let stack: Awaited<ReturnType<typeof startEchoStack>>;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);
    await markSessionFactsReady();
    stack = await startEchoStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('renders GraphiQL without the internet and sends the pasted token', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(stack.gateway.url)) problems.push(`external request: ${request.url()}`);
    });
    const authorizations: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql') && request.method() === 'POST') authorizations.push(request.headers().authorization);
    });

    await page.goto(`${stack.gateway.url}/playground`);
    await page.waitForSelector('.graphiql-container', { timeout: 15_000 });

    // the default operation is a login: its token lands in the token field
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => (globalThis as any).document.getElementById('token').value !== '', null, { timeout: 10_000 });
    expect(await page.inputValue('#token')).toBe('token-for-admin@example.org');

    // a pasted token is sent as "Authorization: Bearer <token>"
    const token = await stack.issuer.staffToken('u-7', 'c-1', ['NURSE']);
    await page.fill('#token', token);
    await page.evaluate(() =>
      (globalThis as any).document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ echo { userId kind } }'),
    );
    await page.waitForTimeout(500); // GraphiQL picks up the edited operation after a short debounce
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('.graphiql-response').textContent.includes('u-7'), null, {
      timeout: 10_000,
    });
    expect(authorizations.at(-1)).toBe(`Bearer ${token}`);
    expect(problems).toEqual([]);
    await page.close();
  });
});
