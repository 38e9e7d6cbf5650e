import { FACTS_HASH, factKeys } from '@clinicult/kit';
import { codes, createTestIssuer, gql, markSessionFactsReady } from '@clinicult/testing';
import { startEchoStack } from './__tests__/harness.js';

// The gateway verifies every token itself (signature, claims, session facts) and refuses a bad
// one before planning: UNAUTHENTICATED with extensions.reason, HTTP 401, no data, nothing forwarded.

let stack: Awaited<ReturnType<typeof startEchoStack>>;
const ECHO = '{ echo { requestId userId kind } }';

beforeAll(async () => {
  await markSessionFactsReady();
  stack = await startEchoStack();
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.subgraph.seen.length = 0;
});

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jtiOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
}

async function expectRefused(authorization: string | undefined, reason: string) {
  const response = await gql(stack.gateway.graphql, ECHO, {}, { headers: authorization ? { authorization } : {} });
  expect(response.status).toBe(401);
  expect(response.data).toBeUndefined();
  expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  expect(response.errors?.[0]?.extensions?.reason).toBe(reason);
  expect(response.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
  expect(stack.subgraph.seen).toHaveLength(0);
  return response;
}

describe('without a token', () => {
  it('refuses a query with UNAUTHENTICATED and no data', async () => {
    const response = await expectRefused(undefined, 'TOKEN_INVALID');
    expect(response.errors?.[0]?.message).toMatch(/sign in/i);
  });

  it('refuses an unknown field the same way, revealing nothing about the schema', async () => {
    const response = await gql(stack.gateway.graphql, '{ patients { totalCount } }');
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(response.errors)).not.toMatch(/Cannot query field|Did you mean/);
  });

  it('lets a public mutation (login) through to the subgraph', async () => {
    const response = await gql(stack.gateway.graphql, 'mutation { login(email: "a@example.org", password: "pw") { token } }');
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ login: { token: 'token-for-a@example.org' } });
    expect(stack.subgraph.seen).toHaveLength(1);
    expect(stack.subgraph.seen[0]?.authorization).toBeUndefined();
  });

  it('refuses a mutation that mixes a public and a private root field', async () => {
    const response = await gql(stack.gateway.graphql, 'mutation { login(email: "a@example.org", password: "pw") { token } secret }');
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(stack.subgraph.seen).toHaveLength(0);
  });

  it('refuses a private operation chosen by operationName beside a public one', async () => {
    const query = 'mutation A { login(email: "a@example.org", password: "pw") { token } } mutation B { secret }';
    const response = await gql(stack.gateway.graphql, query, {}, {});
    expect(response.status).toBe(401); // no operationName: ambiguous, so not public
    const chosen = await fetch(stack.gateway.graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, operationName: 'B' }),
    });
    expect(chosen.status).toBe(401);
    const allowed = await fetch(stack.gateway.graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, operationName: 'A' }),
    });
    expect(allowed.status).toBe(200);
  });

  it('answers a syntax error as a syntax error', async () => {
    const response = await gql(stack.gateway.graphql, '{ echo { ');
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('allows introspection outside production (the playground loads the schema)', async () => {
    const response = await gql(stack.gateway.graphql, '{ __schema { queryType { name } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('with a bad token', () => {
  it('refuses a malformed token', async () => {
    await expectRefused('Bearer not-a-jwt', 'TOKEN_INVALID');
    await expectRefused('Bearer a.b.c', 'TOKEN_INVALID');
  });

  it('refuses another authorization scheme', async () => {
    const response = await expectRefused('Basic dXNlcjpwYXNz', 'TOKEN_INVALID');
    expect(response.errors?.[0]?.message).toMatch(/Bearer/);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: 'https://auth.clinicult.local',
      aud: 'clinicult',
      sub: 'u-1',
      jti: 'j-none',
      cid: 'c-1',
      roles: ['ADMIN'],
      permissions: ['clinicult:user:*'],
      iat: now,
      exp: now + 3600,
    };
    await expectRefused(`Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`, 'TOKEN_INVALID');
  });

  it('refuses a token signed by a key the platform does not trust', async () => {
    const stranger = await createTestIssuer(); // same issuer name, different key
    await expectRefused(`Bearer ${await stranger.staffToken('u-1', 'c-1', ['ADMIN'])}`, 'TOKEN_INVALID');
  });

  it('refuses a token from an unknown issuer', async () => {
    const other = await createTestIssuer('https://evil.example.org');
    const response = await expectRefused(`Bearer ${await other.staffToken('u-1', 'c-1', ['ADMIN'])}`, 'TOKEN_INVALID');
    expect(response.errors?.[0]?.message).toMatch(/issuer/);
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await stack.issuer.sign(
      { sub: 'u-1', cid: 'c-1', roles: ['NURSE'], permissions: [] },
      { iat: now - 15 * 24 * 3600, expiresIn: now - 24 * 3600 },
    );
    await expectRefused(`Bearer ${token}`, 'TOKEN_EXPIRED');
  });

  it('refuses a token whose session was revoked (logout) with SESSION_REVOKED', async () => {
    const token = await stack.issuer.staffToken('u-revoked', 'c-1', ['DOCTOR']);
    // the facts auth publishes on logout, written through the gateway's own Redis connection
    await stack.gateway.runtime.redis.hset(FACTS_HASH, factKeys.revokedJti(jtiOf(token)), String(Date.now() + 60_000));
    await expectRefused(`Bearer ${token}`, 'SESSION_REVOKED');
  });

  it('refuses a bad token even for a public operation', async () => {
    const response = await gql(
      stack.gateway.graphql,
      'mutation { login(email: "a@example.org", password: "pw") { token } }',
      {},
      { headers: { authorization: 'Bearer nonsense' } },
    );
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.reason).toBe('TOKEN_INVALID');
  });
});

describe('with a valid token', () => {
  it('reaches the subgraph with the authorization and a generated request id forwarded', async () => {
    const token = await stack.issuer.staffToken('u-42', 'c-1', ['NURSE']);
    const response = await gql(stack.gateway.graphql, ECHO, {}, { token });
    expect(response.errors).toBeUndefined();
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.data).toEqual({ echo: { requestId, userId: 'u-42', kind: 'staff' } });
    expect(stack.subgraph.seen).toHaveLength(1);
    expect(stack.subgraph.seen[0]?.authorization).toBe(`Bearer ${token}`);
    expect(stack.subgraph.seen[0]?.['x-request-id']).toBe(requestId);
  });

  it("keeps the client's request id, and forwards nothing else the client sent", async () => {
    const operatorId = '00000000-0000-4000-8000-000000000001';
    const token = await stack.issuer.operatorToken(operatorId);
    const response = await gql(stack.gateway.graphql, ECHO, {}, {
      token,
      headers: { 'x-request-id': 'client-req-123', 'x-clinicult-clinic-id': 'c-other', cookie: 'a=b' },
    });
    expect(response.errors).toBeUndefined();
    expect(response.headers.get('x-request-id')).toBe('client-req-123');
    expect(response.data?.echo).toEqual({ requestId: 'client-req-123', userId: operatorId, kind: 'operator' });
    const seen = stack.subgraph.seen[0]!;
    expect(seen['x-request-id']).toBe('client-req-123');
    expect(seen['x-clinicult-clinic-id']).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
  });

  it('replaces a request id that is not a safe token', async () => {
    const token = await stack.issuer.staffToken('u-1', 'c-1', ['OFFICE']);
    const response = await gql(stack.gateway.graphql, ECHO, {}, { token, headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(stack.subgraph.seen[0]?.['x-request-id']).toBe(response.headers.get('x-request-id'));
  });

  it('returns the request id on refusals too', async () => {
    const response = await gql(stack.gateway.graphql, ECHO, {}, { headers: { 'x-request-id': 'refused-1' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe('refused-1');
  });
});
