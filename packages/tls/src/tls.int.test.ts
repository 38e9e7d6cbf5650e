import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { createPublicServer, hsts, loadTlsSettings, localCertificate, startHttpRedirect, type TlsSettings } from './index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'clinicult-tls-test-'));
const cert = localCertificate(dir);
const settings = loadTlsSettings({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  serial: string;
}

/** GET over HTTPS with certificate verification (against `ca`, or the system's CAs without). */
function get(port: number, options: { ca?: string; servername?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: '127.0.0.1', port, path: '/hello', agent: false, ...(options.ca ? { ca: readFileSync(options.ca) } : {}), ...(options.servername ? { servername: options.servername } : {}) }, (res) => {
      const serial = (res.socket as tls.TLSSocket).getPeerCertificate().serialNumber;
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, serial }));
    });
    request.on('error', reject);
  });
}

async function serve(tlsSettings: TlsSettings) {
  const guard = hsts(tlsSettings);
  const publicServer = createPublicServer((req, res) => guard(req, res, () => res.end('hello')), tlsSettings);
  await new Promise<void>((resolve) => publicServer.server.listen(0, '127.0.0.1', resolve));
  const { port } = publicServer.server.address() as net.AddressInfo;
  return { ...publicServer, port, close: () => new Promise<void>((resolve) => publicServer.server.close(() => resolve())) };
}

describe('loadTlsSettings', () => {
  it('is plain HTTP without a certificate', () => {
    expect(loadTlsSettings({})).toEqual({ enabled: false });
    expect(loadTlsSettings({ TLS_CERT_FILE: ' ', TLS_KEY_FILE: '' })).toEqual({ enabled: false });
  });

  it('is HTTPS with a certificate and key, HSTS for 180 days by default', () => {
    expect(settings).toEqual({ enabled: true, certFile: cert.certFile, keyFile: cert.keyFile, hstsMaxAge: 15_552_000 });
    expect(loadTlsSettings({ TLS_CERT_FILE: 'a', TLS_KEY_FILE: 'b', HSTS_MAX_AGE: '0', HTTP_REDIRECT_PORT: '8080' })).toMatchObject({ hstsMaxAge: 0, redirectPort: 8080 });
  });

  it('refuses half a pair, a redirect without HTTPS, and a bad number, naming the variable', () => {
    expect(() => loadTlsSettings({ TLS_CERT_FILE: 'cert.pem' })).toThrow(/TLS_CERT_FILE: set both TLS_CERT_FILE and TLS_KEY_FILE/);
    expect(() => loadTlsSettings({ HTTP_REDIRECT_PORT: '80' })).toThrow(/HTTP_REDIRECT_PORT: .*needs TLS_CERT_FILE/);
    expect(() => loadTlsSettings({ TLS_CERT_FILE: 'a', TLS_KEY_FILE: 'b', HSTS_MAX_AGE: '-1' })).toThrow(/HSTS_MAX_AGE/);
  });

  it('names the file it cannot read', () => {
    expect(() => createPublicServer(() => {}, { ...settings, enabled: true, certFile: path.join(dir, 'missing.pem') } as TlsSettings)).toThrow(/missing\.pem/);
  });
});

describe('the HTTPS listener', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(settings);
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a client that verifies the certificate against the local CA, with HSTS', async () => {
    expect(server.scheme).toBe('https');
    const answer = await get(server.port, { ca: cert.caFile });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('hello');
    expect(answer.headers['strict-transport-security']).toBe('max-age=15552000; includeSubDomains');
  });

  it('is refused by a client that does not trust the CA, and for a name the certificate does not carry', async () => {
    await expect(get(server.port)).rejects.toMatchObject({ code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/) });
    await expect(get(server.port, { ca: cert.caFile, servername: 'api.other.example' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('speaks no TLS older than 1.2', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: readFileSync(cert.caFile), maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(outcome).not.toBe('connected');
  });

  it('serves a renewed certificate after reloadCertificate, without a restart', async () => {
    const before = (await get(server.port, { ca: cert.caFile })).serial;
    const renewedDir = mkdtempSync(path.join(os.tmpdir(), 'clinicult-tls-renewed-'));
    // the same CA signs the renewed one
    copyFileSync(cert.caFile, path.join(renewedDir, 'ca.pem'));
    copyFileSync(path.join(dir, 'ca.key'), path.join(renewedDir, 'ca.key'));
    const renewed = localCertificate(renewedDir);
    copyFileSync(renewed.certFile, cert.certFile);
    copyFileSync(renewed.keyFile, cert.keyFile);
    server.reloadCertificate();
    const after = (await get(server.port, { ca: cert.caFile })).serial;
    expect(after).not.toBe(before);
  });
});

describe('plain HTTP', () => {
  it('sends no HSTS header over plain HTTP', async () => {
    const server = await serve({ enabled: false });
    try {
      expect(server.scheme).toBe('http');
      const response = await fetch(`http://127.0.0.1:${server.port}/`);
      expect(await response.text()).toBe('hello');
      expect(response.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await server.close();
    }
  });
});

describe('startHttpRedirect', () => {
  it('redirects every request to the same path and query on the configured HTTPS origin', async () => {
    const redirect = await startHttpRedirect({ port: 0, host: '127.0.0.1', publicOrigin: 'https://api.clinic.example:8443' });
    try {
      const response = await fetch(`http://127.0.0.1:${redirect.port}/fhir/Patient?name=Garc%C3%ADa`, { redirect: 'manual', method: 'POST', body: 'x' });
      expect(response.status).toBe(308);
      expect(response.headers.get('location')).toBe('https://api.clinic.example:8443/fhir/Patient?name=Garc%C3%ADa');
    } finally {
      await redirect.close();
    }
  });

  it('never sends a client to the host its request names (absolute form or Host header)', async () => {
    const redirect = await startHttpRedirect({ port: 0, host: '127.0.0.1', publicOrigin: 'https://api.clinic.example' });
    try {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(redirect.port, '127.0.0.1', () => socket.write('GET http://evil.example/steal HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 308/);
      expect(raw).toMatch(/\r\nlocation: https:\/\/api\.clinic\.example\/\r\n/i);
      expect(raw).not.toMatch(/evil\.example/i);
    } finally {
      await redirect.close();
    }
  });

  it('refuses a target that is not HTTPS', async () => {
    await expect(startHttpRedirect({ port: 0, host: '127.0.0.1', publicOrigin: 'http://api.clinic.example' })).rejects.toThrow(/https:\/\//);
  });
});
