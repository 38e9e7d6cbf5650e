// Admin WEB Service (:3001): serves the built operator console (dist/public) with its runtime config.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWebConfig, startWebServer } from '@clinicult/web-server';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = loadWebConfig(process.env, { port: 3001 });
// the server's own logger (pino) reads LOG_LEVEL
process.env.LOG_LEVEL = config.LOG_LEVEL;

/** The clusters a new clinic may be placed in: the admin service's CLUSTERS (the first is the default). */
const clusters = [
  ...new Set(
    (process.env.CLUSTERS || 'eu-1,us-1')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== ''),
  ),
];

const server = await startWebServer({
  name: 'Admin WEB Service',
  distDir: path.join(here, 'public'),
  port: config.PORT,
  host: config.HOST,
  tls: config.TLS,
  ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
  runtimeConfig: { gatewayUrl: config.GATEWAY_URL, clusters },
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
