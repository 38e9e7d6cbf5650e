// The public listener of the processes that browsers and integrators reach (the gateway and the two
// web servers): plain HTTP by default, HTTPS when given a certificate and key, with HSTS, and
// optionally a plain-HTTP listener that answers nothing but a redirect to the HTTPS origin.
//
//   TLS_CERT_FILE, TLS_KEY_FILE   PEM files (the certificate file may hold the chain); both or neither
//   HSTS_MAX_AGE                  seconds (default 15552000, 180 days; 0 sends no HSTS); HTTPS only
//   HTTP_REDIRECT_PORT            a port that redirects http://… to the public HTTPS origin (308)
//
// The ops port (/readyz, /metrics) stays plain HTTP: it is never published (docs/deployment.md).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

export type TlsSettings =
  | { enabled: false }
  | { enabled: true; certFile: string; keyFile: string; hstsMaxAge: number; redirectPort?: number };

const schema = z
  .object({
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    HSTS_MAX_AGE: z.coerce.number().int().min(0).default(15_552_000),
    HTTP_REDIRECT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  })
  .refine((v) => (v.TLS_CERT_FILE === undefined) === (v.TLS_KEY_FILE === undefined), {
    message: 'set both TLS_CERT_FILE and TLS_KEY_FILE, or neither',
    path: ['TLS_CERT_FILE'],
  })
  .refine((v) => v.HTTP_REDIRECT_PORT === undefined || v.TLS_CERT_FILE !== undefined, {
    message: 'HTTP_REDIRECT_PORT redirects to HTTPS: it needs TLS_CERT_FILE and TLS_KEY_FILE',
    path: ['HTTP_REDIRECT_PORT'],
  });

/** The TLS settings from the environment; throws a TlsConfigError naming each bad variable. */
export function loadTlsSettings(env: NodeJS.ProcessEnv = process.env): TlsSettings {
  const blank = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const parsed = schema.safeParse({
    TLS_CERT_FILE: blank(env.TLS_CERT_FILE),
    TLS_KEY_FILE: blank(env.TLS_KEY_FILE),
    HSTS_MAX_AGE: blank(env.HSTS_MAX_AGE),
    HTTP_REDIRECT_PORT: blank(env.HTTP_REDIRECT_PORT),
  });
  if (!parsed.success) {
    throw new TlsConfigError(`Invalid TLS configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const v = parsed.data;
  if (v.TLS_CERT_FILE === undefined || v.TLS_KEY_FILE === undefined) return { enabled: false };
  return {
    enabled: true,
    certFile: v.TLS_CERT_FILE,
    keyFile: v.TLS_KEY_FILE,
    hstsMaxAge: v.HSTS_MAX_AGE,
    ...(v.HTTP_REDIRECT_PORT !== undefined ? { redirectPort: v.HTTP_REDIRECT_PORT } : {}),
  };
}

/** The certificate and key as files hold them now, TLS 1.2 at least. */
function secureOptions(settings: Extract<TlsSettings, { enabled: true }>): { cert: Buffer; key: Buffer; minVersion: 'TLSv1.2' } {
  try {
    return { cert: readFileSync(settings.certFile), key: readFileSync(settings.keyFile), minVersion: 'TLSv1.2' };
  } catch (error) {
    throw new TlsConfigError(`cannot read the TLS certificate or key: ${(error as Error).message}`);
  }
}

export interface PublicServer {
  server: http.Server;
  scheme: 'http' | 'https';
  /** Reads the certificate and key again (a renewed certificate, without a restart); HTTPS only. */
  reloadCertificate(): void;
}

/** The server for `handler`: HTTPS (TLS 1.2 or later) when TLS is enabled, else plain HTTP. */
export function createPublicServer(handler: http.RequestListener, settings: TlsSettings): PublicServer {
  if (!settings.enabled) return { server: http.createServer(handler), scheme: 'http', reloadCertificate: () => {} };
  const server = https.createServer(secureOptions(settings), handler);
  return {
    server,
    scheme: 'https',
    reloadCertificate: () => server.setSecureContext(secureOptions(settings)),
  };
}

/** `Strict-Transport-Security` on every HTTPS answer (browsers ignore it over plain HTTP, so none is sent there). */
export function hsts(settings: TlsSettings): (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void {
  const value = settings.enabled && settings.hstsMaxAge > 0 ? `max-age=${settings.hstsMaxAge}; includeSubDomains` : undefined;
  return (_req, res, next) => {
    if (value) res.setHeader('strict-transport-security', value);
    next();
  };
}

export interface RedirectServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A plain-HTTP listener that answers every request with 308 to the same path on `publicOrigin`
 * (the configured HTTPS origin, never the request's Host header: no open redirect), and nothing else.
 */
export async function startHttpRedirect(options: { port: number; host: string; publicOrigin: string }): Promise<RedirectServer> {
  const origin = new URL(options.publicOrigin);
  if (origin.protocol !== 'https:') throw new TlsConfigError(`the redirect target must be an https:// origin, not ${options.publicOrigin}`);
  const server = http.createServer((req, res) => {
    // only the path and query travel: an absolute-form request target cannot name another host
    const target = new URL(req.url?.startsWith('/') ? req.url : '/', origin.origin);
    res.writeHead(308, { location: target.href, 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8' });
    res.end(`This service is served over HTTPS: ${target.href}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export { localCertificate, type LocalCertificate } from './local-certificate.js';
