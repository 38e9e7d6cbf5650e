// The gateway process: `node dist/main.js` (env: see ../README.md).
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';

const { ConfigError, stopOnSignals } = await import('@clinicult/kit');
const { loadGatewayConfig } = await import('./config.js');
const { startGateway } = await import('./service.js');

try {
  const gateway = await startGateway(loadGatewayConfig());
  stopOnSignals(gateway);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
