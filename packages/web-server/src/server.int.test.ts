import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { localCertificate } from '@clinicult/tls';
import { cspDirectives, loadWebConfig, startWebServer, type WebServer } from './index.js';

let dist: string;
let server: WebServer;
const INDEX = '<!doctype html><html><head><script src="/config.js"></script></head><body><div id="root"></div></body></html>';
const BIG_JS = `console.log(${JSON.stringify('x'.repeat(5000))});`;

beforeAll(async () => {
  dist = mkdtempSync(path.join(os.tmpdir(), 'web-server-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  writeFileSync(path.join(dist, 'assets', 'app-Ab12Cd34.js'), BIG_JS);
  writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  server = await startWebServer({
    name: 'Test WEB Service',
    distDir: dist,
    port: 0,
    runtimeConfig: { gatewayUrl: 'http://gateway.example.org:4400', env: '</script><script>alert(1)</script>' },
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (pathname: string, init: RequestInit = {}) => fetch(`${server.url}${pathname}`, init);

describe('static web server', () => {
  it('answers /healthz', async () => {
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'Test WEB Service' });
  });

  it('serves the runtime config as a script that is never cached, with "<" escaped', async () => {
    const response = await get('/config.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.text();
    expect(body).not.toContain('</script>');
    const window: Record<string, any> = {};
    new Function('window', body)(window);
    expect(window.__CLINICULT_CONFIG__).toEqual({ gatewayUrl: 'http://gateway.example.org:4400', env: '</script><script>alert(1)</script>' });
    expect(Object.isFrozen(window.__CLINICULT_CONFIG__)).toBe(true);
  });

  it('serves hashed assets for a year, immutable, compressed when asked', async () => {
    const response = await get('/assets/app-Ab12Cd34.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toBe(BIG_JS); // fetch decodes it
    expect(gzipSync(BIG_JS).length).toBeLessThan(BIG_JS.length);
  });

  it('answers 404 for a missing asset instead of the app', async () => {
    const response = await get('/assets/app-missing.js');
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).not.toContain('<div id="root">');
    expect((await get('/missing-file.png')).status).toBe(404);
  });

  it('serves index.html with no-cache at / and for any app route (SPA fallback)', async () => {
    for (const pathname of ['/', '/patients/123', '/admin/staff?x=1', '/visits/abc/workspace']) {
      const response = await get(pathname, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(INDEX);
    }
  });

  it('serves other files of the dist root with no-cache', async () => {
    const response = await get('/favicon.svg');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('does not answer other methods with the app', async () => {
    const response = await get('/patients', { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  it('sends a strict CSP that allows the gateway origin, and the helmet headers', async () => {
    const response = await get('/');
    const csp = response.headers.get('content-security-policy')!;
    const directives = Object.fromEntries(
      csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'", 'http://gateway.example.org:4400']);
    expect(directives['img-src']).toEqual(["'self'", 'data:']);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('allows inline styles only when asked', async () => {
    const other = await startWebServer({
      name: 'Inline',
      distDir: dist,
      port: 0,
      runtimeConfig: { gatewayUrl: 'https://api.example.org/graphql' },
      logger: pino({ level: 'silent' }),
      allowInlineStyles: true,
    });
    try {
      const csp = (await fetch(`${other.url}/`)).headers.get('content-security-policy')!;
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("connect-src 'self' https://api.example.org");
    } finally {
      await other.close();
    }
  });

  it('refuses to start without a built app, saying what to do', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'web-server-empty-'));
    try {
      await expect(
        startWebServer({ name: 'Empty', distDir: empty, port: 0, runtimeConfig: { gatewayUrl: 'http://127.0.0.1:4000' }, logger: pino({ level: 'silent' }) }),
      ).rejects.toThrow(/index\.html does not exist; build the app first/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('loadWebConfig', () => {
  it('has defaults, with the app port as PORT', () => {
    expect(loadWebConfig({}, { port: 3000 })).toEqual({
      PORT: 3000,
      HOST: '127.0.0.1',
      GATEWAY_URL: 'http://127.0.0.1:4000',
      LOG_LEVEL: 'info',
      CLUSTER_API_URLS: {},
      TLS: { enabled: false },
    });
  });

  it('reads the environment and normalizes the gateway URL', () => {
    expect(
      loadWebConfig({ PORT: '8080', HOST: '0.0.0.0', GATEWAY_URL: 'https://api.example.org/graphql', LOG_LEVEL: 'warn' }, { port: 3001 }),
    ).toEqual({ PORT: 8080, HOST: '0.0.0.0', GATEWAY_URL: 'https://api.example.org', LOG_LEVEL: 'warn', CLUSTER_API_URLS: {}, TLS: { enabled: false } });
  });

  it("reads each region's API (CLUSTER_API_URLS), and the CSP lets the app reach each of them", () => {
    const config = loadWebConfig({ CLUSTER_API_URLS: '{"eu-1": "https://eu-1.api.example.org/graphql", "us-1": "https://us-1.api.example.org/graphql"}' }, { port: 3000 });
    expect(config.CLUSTER_API_URLS).toEqual({ 'eu-1': 'https://eu-1.api.example.org/graphql', 'us-1': 'https://us-1.api.example.org/graphql' });
    const csp = cspDirectives({ gatewayUrl: 'https://eu-1.api.example.org', regionApis: Object.values(config.CLUSTER_API_URLS) });
    expect(csp['connect-src']).toEqual(["'self'", 'https://eu-1.api.example.org', 'https://us-1.api.example.org']);
    expect(() => loadWebConfig({ CLUSTER_API_URLS: 'eu-1=https://x' }, { port: 3000 })).toThrow(/CLUSTER_API_URLS: is not JSON/);
    expect(() => loadWebConfig({ CLUSTER_API_URLS: '{"eu-1": "javascript:alert(1)"}' }, { port: 3000 })).toThrow(/CLUSTER_API_URLS/);
  });

  it('names what is wrong', () => {
    expect(() => loadWebConfig({ GATEWAY_URL: 'not a url' }, { port: 3000 })).toThrow(/GATEWAY_URL/);
    expect(() => loadWebConfig({ PORT: 'x' }, { port: 3000 })).toThrow(/PORT/);
    expect(() => loadWebConfig({ LOG_LEVEL: 'loud' }, { port: 3000 })).toThrow(/LOG_LEVEL/);
    expect(() => loadWebConfig({ TLS_KEY_FILE: 'key.pem' }, { port: 3000 })).toThrow(/TLS_CERT_FILE/);
    expect(() => loadWebConfig({ TLS_CERT_FILE: 'c', TLS_KEY_FILE: 'k', HTTP_REDIRECT_PORT: '80' }, { port: 3000 })).toThrow(/PUBLIC_URL/);
  });

  it('reads the TLS settings and the public origin', () => {
    expect(loadWebConfig({ TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', HTTP_REDIRECT_PORT: '8080', PUBLIC_URL: 'https://app.example.org/' }, { port: 3000 })).toMatchObject({
      PUBLIC_URL: 'https://app.example.org',
      TLS: { enabled: true, certFile: 'c.pem', keyFile: 'k.pem', hstsMaxAge: 15_552_000, redirectPort: 8080 },
    });
  });
});

describe('over HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  it('serves the app to a client that verifies the certificate, with HSTS (plain HTTP sends none)', async () => {
    const cert = localCertificate(mkdtempSync(path.join(os.tmpdir(), 'web-server-tls-')));
    const config = loadWebConfig(
      { TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile, PUBLIC_URL: 'https://app.clinic.example' },
      { port: 0 },
    );
    const secure = await startWebServer({
      name: 'Test WEB Service',
      distDir: dist,
      port: 0,
      tls: config.TLS,
      runtimeConfig: { gatewayUrl: 'https://api.clinic.example' },
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(secure.url).toMatch(/^https:\/\//);
      const answer = await new Promise<{ status: number; hsts: unknown; body: string }>((resolve, reject) => {
        https
          .get(`${secure.url}/`, { ca: readFileSync(cert.caFile), agent: false }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, hsts: res.headers['strict-transport-security'], body }));
          })
          .on('error', reject);
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(INDEX);
      expect(answer.hsts).toBe('max-age=15552000; includeSubDomains');
      // the plain server of the other tests sends none
      expect((await get('/')).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await secure.close();
    }
  });
});
