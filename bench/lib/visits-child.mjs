// The visits service under benchmark, in a process of its own (so the load generator and the
// service do not share an event loop): the built service (subgraphs/visits/dist) over the bench
// database, trusting the benchmark's signing key as an extra issuer (as the visits tests do with
// createTestIssuer). Started by bench/history.mjs through fork(); answers { url } on IPC, stops on 'stop'.
//   env: BENCH_JWK (public JWK), BENCH_ISSUER, BENCH_AUDIENCE, BENCH_CACHE (on|off),
//        BENCH_PREFIX (cache key prefix / stream names), DATABASE_URL, REDIS_URL
import { createLocalJWKSet } from 'jose';

const { startVisitsService, loadVisitsConfig } = await import('../../subgraphs/visits/dist/index.js');

const jwk = JSON.parse(process.env.BENCH_JWK);
const prefix = process.env.BENCH_PREFIX;
const service = await startVisitsService(
  loadVisitsConfig({ ...process.env, NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'warn' }),
  {
    issuers: [{ issuer: process.env.BENCH_ISSUER, audience: process.env.BENCH_AUDIENCE, keys: createLocalJWKSet({ keys: [jwk] }), algorithms: ['EdDSA'] }],
    historyCachePrefix: `${prefix}:history`,
    auditStream: `${prefix}:audit`,
    visitEventsStream: `${prefix}:visits`,
    ...(process.env.BENCH_CACHE === 'off' ? { historyCache: false } : {}),
  },
);
process.send({ url: service.url });
process.on('message', async (message) => {
  if (message === 'stop') {
    await service.stop();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
