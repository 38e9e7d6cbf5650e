import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Redis } from 'ioredis';
import type { BaseConfig } from './config.js';
import type { Metrics } from './metrics.js';

/**
 * The ops endpoints of a service, on a port of their own (`OPS_PORT`), never on the public one:
 * `/healthz` (the process is up), `/readyz` (its dependencies answer; 503 naming the failing one)
 * and `/metrics` (Prometheus). Probes and scrapers reach it on the internal network; the service's
 * public port answers only `/healthz` besides its API.
 */
export interface OpsServer {
  port: number;
  url: string;
  /** From now on /readyz answers 503 "draining" (the first step of a shutdown); /healthz stays 200. */
  drain(): void;
  close(): Promise<void>;
}

export type ReadinessChecks = Record<string, () => Promise<unknown>>;

export async function startOpsServer(options: {
  name: string;
  host: string;
  port: number;
  metrics: Metrics;
  readiness: ReadinessChecks;
  timeoutMs?: number;
}): Promise<OpsServer> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: options.name });
  });
  let draining = false;
  app.get('/readyz', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'draining', service: options.name });
      return;
    }
    const checks: Record<string, string> = {};
    await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), options.timeoutMs ?? 2000);
          checks[name] = 'ok';
        } catch (error) {
          checks[name] = `failing: ${describe(error)}`;
        }
      }),
    );
    const ready = Object.values(checks).every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', service: options.name, checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not an ops endpoint: /healthz, /readyz, /metrics' });
  });
  const server = http.createServer(app);
  const port = await listen(server, options.port, options.host);
  return {
    port,
    url: `http://${options.host}:${port}`,
    drain: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The ops server of a process on the kit's runtime (every subgraph, the gateway): its `/readyz`
 * checks Redis and then `readiness`, its `/metrics` serves the runtime's registry.
 */
export function startRuntimeOps(
  runtime: { name: string; config: Pick<BaseConfig, 'HOST' | 'OPS_PORT'>; metrics: Metrics; redis: Redis },
  options: { servicePort: number; readiness?: ReadinessChecks; timeoutMs?: number },
): Promise<OpsServer> {
  return startOpsServer({
    name: runtime.name,
    host: runtime.config.HOST,
    port: opsPortFor(options.servicePort, runtime.config.OPS_PORT),
    metrics: runtime.metrics,
    readiness: { redis: () => runtime.redis.ping(), ...options.readiness },
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** The ops port for a service port: OPS_PORT when set, else the service port + 5000 (0 stays 0: any free port). */
export function opsPortFor(servicePort: number, configured: number | undefined): number {
  if (configured !== undefined) return configured;
  return servicePort === 0 ? 0 : servicePort + 5000;
}

/**
 * The first steps of a graceful stop: readiness fails (503 "draining") while the service still
 * serves for `delayMs`, so load balancers stop sending before the public port closes.
 */
export async function drainReadiness(ops: OpsServer, delayMs: number, logger: { info(fields: object, msg: string): void }): Promise<void> {
  ops.drain();
  if (delayMs > 0) {
    logger.info({ delayMs }, 'readiness failing; serving on until load balancers have noticed');
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/** Listens on `port` (0: any free one) and resolves with the port taken; rejects when it is in use. */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Rejects when `promise` has not settled after `ms` (readiness probes). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function describe(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(error);
}
