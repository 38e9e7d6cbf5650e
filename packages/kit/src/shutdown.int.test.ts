import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { isAuthenticated } from '@clinicult/rbac';
import { createTestIssuer, gql, markSessionFactsReady } from '@clinicult/testing';
import { baseConfigSchema, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startSubgraph } from './server.js';

// A graceful stop (issue 15): readiness fails first while the service still answers, then the
// public port drains and closes — so a load balancer stops sending before requests are refused.

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { whoami: String! }
`);
const resolvers = { Query: { whoami: (_p: unknown, _a: unknown, ctx: { caller: { kind: string } }) => ctx.caller.kind } };

async function startWith(env: Record<string, string>) {
  const issuer = await createTestIssuer();
  await markSessionFactsReady();
  const config = loadConfig(baseConfigSchema, { NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_URL: 'http://127.0.0.1:9', ...env });
  const service = await startSubgraph({
    name: 'shutdown-test',
    port: 0,
    config,
    logger: createLogger('shutdown-test', 'silent'),
    typeDefs,
    resolvers,
    rules: { Query: { whoami: isAuthenticated } },
    issuers: [issuer.trusted],
  });
  const token = await issuer.staffToken(randomUUID(), randomUUID(), ['NURSE']);
  // ready first (its Redis connection may still be opening on a busy machine): the stop is what is tested
  const deadline = Date.now() + 5000;
  while ((await fetch(`${service.opsUrl}/readyz`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { service, token };
}

describe('stop()', () => {
  it('fails readiness first, keeps answering for SHUTDOWN_READINESS_DELAY_MS, then closes the public port', async () => {
    const { service, token } = await startWith({ SHUTDOWN_READINESS_DELAY_MS: '1500' });
    expect((await fetch(`${service.opsUrl}/readyz`)).status).toBe(200);

    const stopped = service.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const readiness = await fetch(`${service.opsUrl}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: 'draining', service: 'shutdown-test' });
    // alive, and still serving requests while load balancers take it out
    expect((await fetch(`${service.opsUrl}/healthz`)).status).toBe(200);
    const during = await gql(service.url, '{ whoami }', {}, { token });
    expect(during.data).toEqual({ whoami: 'staff' });

    await stopped;
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  });

  it('without a delay (the default) stops at once', async () => {
    const { service } = await startWith({});
    const before = Date.now();
    await service.stop();
    expect(Date.now() - before).toBeLessThan(1500);
    await expect(fetch(`${service.opsUrl}/readyz`)).rejects.toThrow();
  });
});
