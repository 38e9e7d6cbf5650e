import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import compression from 'compression';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { createPublicServer, hsts, startHttpRedirect, type TlsSettings } from '@clinicult/tls';

export interface RuntimeConfig extends Record<string, unknown> {
  /** The gateway's base URL as the browser reaches it (e.g. http://127.0.0.1:4000). */
  gatewayUrl: string;
  /** With regions: every region's API the app may be sent to after sign-in (AuthPayload.apiUrl). */
  regionApis?: string[];
}

export interface WebServerOptions {
  /** Shown in logs and /healthz, e.g. "Clinic WEB Service". */
  name: string;
  /** The built SPA: index.html at its root, hashed files under assets/. */
  distDir: string;
  port: number;
  host?: string;
  /** Sent to the browser as `window.__CLINICULT_CONFIG__` by /config.js. */
  runtimeConfig: RuntimeConfig;
  logger?: Logger;
  /**
   * Adds `'unsafe-inline'` to the CSP's style-src, for apps whose libraries insert <style> elements
   * at run time (React's `style` props do not need it). Default false.
   */
  allowInlineStyles?: boolean;
  /** HTTPS with HSTS (loadWebConfig's TLS); plain HTTP without. */
  tls?: TlsSettings;
  /** The app's public origin: HTTP_REDIRECT_PORT's target. */
  publicUrl?: string;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const CONFIG_GLOBAL = '__CLINICULT_CONFIG__';

/** The origin (scheme://host:port) of the gateway URL, for the CSP's connect-src. */
export function gatewayOrigin(gatewayUrl: string): string {
  return new URL(gatewayUrl).origin;
}

/** The Content-Security-Policy directives (helmet's format) for an app calling this gateway. */
export function cspDirectives(runtimeConfig: RuntimeConfig, allowInlineStyles = false): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'connect-src': ["'self'", ...new Set([runtimeConfig.gatewayUrl, ...(runtimeConfig.regionApis ?? [])].map(gatewayOrigin))],
    'img-src': ["'self'", 'data:'],
    'style-src': allowInlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    'font-src': ["'self'", 'data:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
}

/** The body of /config.js: a frozen global the app reads before it starts. */
export function configScript(runtimeConfig: RuntimeConfig): string {
  // JSON inside a script: escape "<" so no value can close the script or open a comment.
  const json = JSON.stringify(runtimeConfig).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `window.${CONFIG_GLOBAL} = Object.freeze(${json});\n`;
}

/**
 * The express app of a web client: /healthz, /config.js (no-store), /assets/* (immutable, 404 when
 * missing), other files of the dist root (no-cache), and index.html (no-cache) for every other GET.
 */
export function createWebApp(options: WebServerOptions & { logger: Logger }): Express {
  const { distDir, runtimeConfig, logger, name } = options;
  const indexFile = path.join(distDir, 'index.html');
  if (!existsSync(indexFile)) {
    throw new Error(`${name}: ${indexFile} does not exist; build the app first (npm run build)`);
  }
  gatewayOrigin(runtimeConfig.gatewayUrl); // throws early on a bad URL
  const script = configScript(runtimeConfig);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(runtimeConfig, options.allowInlineStyles) },
      // the app calls the gateway on another origin (CORS); it embeds nothing cross-origin
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'no-referrer' },
      // HSTS only over HTTPS, from the TLS settings (below): over plain HTTP it means nothing
      strictTransportSecurity: false,
    }),
  );
  app.use(hsts(options.tls ?? { enabled: false }));
  app.use(compression());

  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok', service: name });
  });

  app.get('/config.js', (_req, res) => {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.send(script);
  });

  app.use(
    '/assets',
    express.static(path.join(distDir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true, redirect: false }),
    (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.status(404).type('text/plain').send('Not found');
    },
  );

  app.use(
    express.static(distDir, {
      index: false,
      redirect: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );

  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    // a missing file (a path whose last segment has an extension) is a 404, not the app
    if (/\.[a-z0-9]+$/i.test(req.path)) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile, { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
  });

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  return app;
}

/** Starts a web client's server; resolves once it listens. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const logger = options.logger ?? pino({ name: options.name, level: process.env.LOG_LEVEL ?? 'info' });
  const app = createWebApp({ ...options, logger });
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ?? { enabled: false };
  const { server, scheme, reloadCertificate } = createPublicServer(app, tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  server.keepAliveTimeout = 5_000;
  const port = (server.address() as AddressInfo).port;
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const redirect =
    tls.enabled && tls.redirectPort !== undefined && options.publicUrl
      ? await startHttpRedirect({ port: tls.redirectPort, host, publicOrigin: options.publicUrl })
      : undefined;
  // a renewed certificate is read again on SIGHUP
  const reload = () => {
    reloadCertificate();
    logger.info('TLS certificate reloaded');
  };
  if (tls.enabled) process.on('SIGHUP', reload);
  logger.info({ url, distDir: options.distDir, gatewayUrl: options.runtimeConfig.gatewayUrl }, `${options.name} listening`);
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close() {
      process.off('SIGHUP', reload);
      void redirect?.close();
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      return closing;
    },
  };
}
