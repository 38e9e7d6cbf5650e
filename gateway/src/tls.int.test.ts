import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { markSessionFactsReady } from '@clinicult/testing';
import { localCertificate } from '@clinicult/tls';
import { loadGatewayConfig } from './config.js';
import { startEchoStack } from './__tests__/harness.js';

// HTTPS at the edge (issue 15): the gateway serves its public port over TLS when given a
// certificate and key, sends HSTS, redirects plain HTTP to PUBLIC_URL, and builds FHIR links from
// the public origin. The client verifies the certificate against the local CA.

const cert = localCertificate(mkdtempSync(path.join(os.tmpdir(), 'clinicult-gateway-tls-')));
const ca = readFileSync(cert.caFile);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request over HTTPS that verifies the gateway's certificate (for `servername`, default localhost). */
function request(url: string, options: { method?: string; body?: string; headers?: Record<string, string>; trust?: Buffer } = {}): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        servername: 'localhost',
        agent: false,
        ...(options.trust ? { ca: options.trust } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

let stack: Awaited<ReturnType<typeof startEchoStack>>;
let redirectPort: number;

beforeAll(async () => {
  await markSessionFactsReady();
  redirectPort = await freePort();
  stack = await startEchoStack({
    TLS_CERT_FILE: cert.certFile,
    TLS_KEY_FILE: cert.keyFile,
    HTTP_REDIRECT_PORT: String(redirectPort),
    PUBLIC_URL: 'https://localhost:8443',
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the gateway over HTTPS', () => {
  it('listens on https:// and answers GraphQL to a client that verifies its certificate', async () => {
    expect(stack.gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const token = await stack.issuer.staffToken('u-tls', 'c-1', ['NURSE']);
    const answer = await request(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      trust: ca,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ echo { userId kind } }' }),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { echo: { userId: 'u-tls', kind: 'staff' } } });
    expect(answer.headers['strict-transport-security']).toBe('max-age=15552000; includeSubDomains');
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(request(`${stack.gateway.url}/healthz`)).rejects.toMatchObject({ code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/) });
  });

  it('does not speak plain HTTP on its public port', async () => {
    const plain = stack.gateway.url.replace('https://', 'http://');
    await expect(fetch(`${plain}/healthz`)).rejects.toThrow();
  });

  it('builds FHIR links from PUBLIC_URL', async () => {
    const answer = await request(`${stack.gateway.url}/fhir/metadata`, { trust: ca });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).implementation.url).toBe('https://localhost:8443/fhir');
  });

  it('redirects plain HTTP to the same path on PUBLIC_URL', async () => {
    const response = await fetch(`http://127.0.0.1:${redirectPort}/fhir/Patient?_count=5`, { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('https://localhost:8443/fhir/Patient?_count=5');
  });

  it('keeps readiness on the plain-HTTP ops port', async () => {
    expect(stack.gateway.opsUrl).toMatch(/^http:\/\//);
    expect((await fetch(`${stack.gateway.opsUrl}/readyz`)).status).toBe(200);
  });
});

describe('TLS configuration', () => {
  it('refuses half a pair, and a redirect without an https:// PUBLIC_URL', () => {
    expect(() => loadGatewayConfig({ TLS_CERT_FILE: cert.certFile })).toThrow(/TLS_CERT_FILE: set both/);
    expect(() => loadGatewayConfig({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile, HTTP_REDIRECT_PORT: '8080' })).toThrow(/PUBLIC_URL/);
  });
});
