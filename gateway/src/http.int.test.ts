import { randomUUID } from 'node:crypto';
import { gql, markSessionFactsReady } from '@clinicult/testing';
import { startEchoStack, startTestGateway, echoSupergraph } from './__tests__/harness.js';

// The gateway's HTTP surface besides GraphQL: health, readiness, metrics, CORS, the playground.

let stack: Awaited<ReturnType<typeof startEchoStack>>;

beforeAll(async () => {
  await markSessionFactsReady();
  stack = await startEchoStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('/healthz and /readyz (readiness on the ops port)', () => {
  it('/healthz answers while the process is alive', async () => {
    const response = await fetch(`${stack.gateway.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'gateway' });
  });

  it('/readyz is ready when every subgraph and Redis answer', async () => {
    const response = await fetch(`${stack.gateway.opsUrl}/readyz`);
    expect(await response.json()).toEqual({
      status: 'ready',
      service: 'gateway',
      checks: { redis: 'ok', echo: 'ok' },
    });
    expect(response.status).toBe(200);
  });

  it('/readyz is 503 and names the subgraph that does not answer', async () => {
    const gateway = await startTestGateway({}, { supergraphSdl: echoSupergraph('http://127.0.0.1:9/graphql') });
    try {
      const response = await fetch(`${gateway.opsUrl}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('not ready');
      expect(body.checks.redis).toBe('ok');
      expect(body.checks.echo).toMatch(/^failing: /);
      // alive all the same
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  it('/readyz is 503 when Redis does not answer', async () => {
    const gateway = await startTestGateway(
      { REDIS_URL: 'redis://127.0.0.1:9' },
      { supergraphSdl: echoSupergraph(), subgraphUrls: { echo: stack.subgraph.url } },
    );
    try {
      const response = await fetch(`${gateway.opsUrl}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { checks: Record<string, string> };
      expect(body.checks.redis).toMatch(/^failing: /);
      expect(body.checks.echo).toBe('ok');
    } finally {
      await gateway.stop();
    }
  });
});

describe('/metrics', () => {
  it('the public port answers no ops endpoint but /healthz (issue 12: they are on OPS_PORT)', async () => {
    for (const path of ['/metrics', '/readyz']) expect((await fetch(`${stack.gateway.url}${path}`)).status).toBe(404);
    expect(stack.gateway.opsUrl).not.toBe(stack.gateway.url);
  });

  it('operation names cannot grow the registry without bound: anonymous ones are one label, signed-in ones fold into other', async () => {
    const count = async () => ((await (await fetch(`${stack.gateway.opsUrl}/metrics`)).text()).match(/^graphql_operations_total/gm) ?? []).length;
    const before = await count();
    for (let i = 0; i < 30; i += 1) await gql(stack.gateway.graphql, `mutation Random${i}x${Math.random().toString(36).slice(2)} { __typename }`);
    expect(await count()).toBeLessThanOrEqual(before + 2);
    expect(await (await fetch(`${stack.gateway.opsUrl}/metrics`)).text()).not.toMatch(/operation="Random/);
    const token = await stack.issuer.staffToken('u-1', 'c-1', ['NURSE']);
    for (let i = 0; i < 210; i += 1) await gql(stack.gateway.graphql, `query Named${i} { echo { value } }`, {}, { token });
    const after = await count();
    for (let i = 0; i < 30; i += 1) await gql(stack.gateway.graphql, `query More${i} { echo { value } }`, {}, { token });
    expect(await count()).toBe(after);
    expect(await (await fetch(`${stack.gateway.opsUrl}/metrics`)).text()).toMatch(/graphql_operations_total\{[^}]*operation="other"/);
  });

  it('exposes Prometheus metrics, auth refusals included', async () => {
    await gql(stack.gateway.graphql, '{ echo { value } }', {}, { headers: { authorization: 'Bearer nope' } });
    await fetch(`${stack.gateway.url}/random/${Math.random()}`);
    const response = await fetch(`${stack.gateway.opsUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/http_request_duration_seconds_count\{service="gateway",method="POST",route="\/graphql",status="401"\} [1-9]/);
    expect(text).toMatch(/route="other",status="404"/);
    expect(text).not.toMatch(/random/);
    expect(text).toMatch(/auth_failures_total\{reason="TOKEN_INVALID",service="gateway"\} [1-9]/);
  });
});

describe('CORS', () => {
  it('answers the preflight of an allowed origin', async () => {
    const response = await fetch(stack.gateway.graphql, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets the browser read the answer (and the request id) for an allowed origin', async () => {
    const response = await gql(stack.gateway.graphql, '{ echo { value } }', {}, { headers: { origin: 'http://localhost:3001' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3001');
    expect(response.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
  });

  it('lets a browser FHIR client send a versioned update and read the version and location back', async () => {
    const preflight = await fetch(`${stack.gateway.url}/fhir/Patient/p1`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type, if-match' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/\bPUT\b/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/\bif-match\b/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/\bif-none-exist\b/);
    const response = await fetch(`${stack.gateway.url}/fhir/metadata`, { headers: { origin: 'http://localhost:3000' } });
    expect(response.headers.get('access-control-expose-headers')?.split(', ')).toEqual(expect.arrayContaining(['etag', 'location', 'last-modified']));
  });

  it('gives an unknown origin no CORS headers', async () => {
    const preflight = await fetch(stack.gateway.graphql, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.org', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await gql(stack.gateway.graphql, '{ echo { value } }', {}, { headers: { origin: 'https://evil.example.org' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('takes its origins from ALLOWED_ORIGINS', async () => {
    const gateway = await startTestGateway({ ALLOWED_ORIGINS: 'https://clinic.example.org' }, { supergraphSdl: echoSupergraph() });
    try {
      const allowed = await fetch(`${gateway.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://clinic.example.org', 'access-control-request-method': 'POST' },
      });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://clinic.example.org');
      const local = await fetch(`${gateway.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
      });
      expect(local.status).toBe(403);
    } finally {
      await gateway.stop();
    }
  });
});

describe('playground (development)', () => {
  it('is served at /playground and to browsers at GET /graphql, self-contained', async () => {
    for (const url of [`${stack.gateway.url}/playground`, stack.gateway.graphql]) {
      const response = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      const html = await response.text();
      expect(html).toMatch(/Bearer token/);
      expect(html).not.toMatch(/https?:\/\//); // nothing from the internet
      for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
        const asset = await fetch(`${stack.gateway.url}${src[1]}`);
        expect(asset.status).toBe(200);
        await asset.arrayBuffer();
      }
    }
  });

  it('serves GraphiQL and React from node_modules', async () => {
    const graphiql = await fetch(`${stack.gateway.url}/playground/assets/graphiql.js`);
    expect(graphiql.headers.get('content-type')).toMatch(/javascript/);
    expect((await graphiql.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${stack.gateway.url}/playground/assets/react.js`)).status).toBe(200);
    expect((await fetch(`${stack.gateway.url}/playground/assets/../package.json`)).status).toBe(404);
    expect((await fetch(`${stack.gateway.url}/playground/assets/nope.js`)).status).toBe(404);
  });

  it('leaves JSON clients of GET /graphql to Apollo', async () => {
    const response = await fetch(`${stack.gateway.graphql}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': '1' },
    });
    expect(response.headers.get('content-type')).toMatch(/json/);
  });
});

describe('unknown routes', () => {
  it('answer 404 JSON', async () => {
    const response = await fetch(`${stack.gateway.url}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { errors: unknown[] }).errors).toHaveLength(1);
  });
});

describe('the SMART token endpoint', () => {
  it('refuses a flood from one address before auth does any work (429 with Retry-After)', async () => {
    const gateway = await startTestGateway(
      { TOKEN_REQUESTS_PER_MINUTE: '3', RATE_LIMIT_KEY_PREFIX: `t:gw:${randomUUID()}:`, AUTH_URL: 'http://127.0.0.1:9' },
      { supergraphSdl: echoSupergraph() },
    );
    try {
      const ask = () =>
        fetch(`${gateway.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
      // auth is not there: the first three are forwarded and fail as "unavailable"; the fourth never leaves the gateway
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await ask()).status);
      expect(statuses).toEqual([503, 503, 503, 429]);
      const refused = await ask();
      expect([refused.status, Number(refused.headers.get('retry-after')) > 0, refused.headers.get('cache-control')]).toEqual([429, true, 'no-store']);
      // only POST, only a form
      expect((await fetch(`${gateway.url}/oauth/token`)).status).toBe(405);
    } finally {
      await gateway.stop();
    }
  });
});
