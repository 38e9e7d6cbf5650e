// Clinic WEB Service (:3000): serves the built staff app (dist/public) with its runtime config.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadWebConfig, startWebServer } from '@clinicult/web-server';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = loadWebConfig(process.env, { port: 3000 });
// the shared screens' automatic logoff (the app's IdleLock): minutes without use, default 10
const idleLockMinutes = process.env.IDLE_LOCK_MINUTES ? Number(process.env.IDLE_LOCK_MINUTES) : undefined;
if (idleLockMinutes !== undefined && !(idleLockMinutes >= 0.1 && idleLockMinutes <= 480)) {
  console.error('Invalid configuration: IDLE_LOCK_MINUTES: minutes without use before the screen locks, 0.1 to 480.');
  process.exit(1);
}
const logger = pino({ name: 'clinic-web', level: config.LOG_LEVEL });

const server = await startWebServer({
  name: 'Clinic WEB Service',
  distDir: path.join(here, 'public'),
  port: config.PORT,
  host: config.HOST,
  tls: config.TLS,
  ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
  runtimeConfig: {
    gatewayUrl: config.GATEWAY_URL,
    regionApis: Object.values(config.CLUSTER_API_URLS),
    ...(idleLockMinutes !== undefined ? { idleLockMinutes } : {}),
  },
  logger,
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
