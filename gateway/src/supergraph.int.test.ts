import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { codes, createTestIssuer, gql, markSessionFactsReady, type TestIssuer } from '@clinicult/testing';
import { startTestGateway, type TestGateway } from './__tests__/harness.js';

// The gateway on the committed schema/supergraph.graphql: every subgraph is a recording stub at
// its own URL (given as overrides), so this checks the real contracts' routing without running the
// real services (the e2e package does that).

interface Stub {
  url: string;
  requests: Array<{ headers: http.IncomingHttpHeaders; body: { query: string; variables?: unknown } }>;
  close(): Promise<void>;
}

async function startStub(answer: (query: string) => unknown): Promise<Stub> {
  const requests: Stub['requests'] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      requests.push({ headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(body.query)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let issuer: TestIssuer;
let gateway: TestGateway;
let auth: Stub;
let users: Stub;
let admin: Stub;

beforeAll(async () => {
  await markSessionFactsReady();
  issuer = await createTestIssuer();
  auth = await startStub(() => ({ data: { login: { token: 't', clinicId: null } } }));
  users = await startStub(() => ({ data: { me: { id: 'u-1', email: 'a@example.org' } } }));
  admin = await startStub(() => ({ data: { clinics: { totalCount: 3 } } }));
  // the committed supergraph (no supergraphSdl override), subgraphs moved by URL overrides
  gateway = await startTestGateway(
    { USERS_URL: users.url, ADMIN_URL: admin.url },
    { issuers: [issuer.trusted], subgraphUrls: { auth: `${auth.url}/graphql` } },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([auth, users, admin].map((s) => s?.close()));
});

it('routes a public login to auth without a token', async () => {
  const response = await gql(gateway.graphql, 'mutation { login(email: "a@example.org", password: "pw") { token clinicId } }');
  expect(response.errors).toBeUndefined();
  expect(response.data).toEqual({ login: { token: 't', clinicId: null } });
  expect(auth.requests).toHaveLength(1);
  expect(auth.requests[0]?.body.query).toMatch(/login/);
});

it('refuses `me` without a token before planning', async () => {
  const response = await gql(gateway.graphql, '{ me { id email } }');
  expect(response.status).toBe(401);
  expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  expect(users.requests).toHaveLength(0);
});

it('routes `me` to users and `clinics` to admin with the token and request id', async () => {
  const token = await issuer.staffToken('u-1', 'c-1', ['ADMIN']);
  const response = await gql(gateway.graphql, '{ me { id email } clinics { totalCount } }', {}, { token, headers: { 'x-request-id': 'sg-1' } });
  expect(response.errors).toBeUndefined();
  expect(response.data).toEqual({ me: { id: 'u-1', email: 'a@example.org' }, clinics: { totalCount: 3 } });
  for (const stub of [users, admin]) {
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(stub.requests[0]?.headers['x-request-id']).toBe('sg-1');
  }
});

it('does not expose internal (@inaccessible) operations', async () => {
  const token = await issuer.serviceToken('users');
  const response = await gql(gateway.graphql, 'mutation { clearSecondFactors(userId: "u") }', {}, { token });
  expect(response.status).toBe(400);
  expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
});

it('lists the subgraphs at their override URLs', () => {
  const byName = Object.fromEntries(gateway.subgraphs.map((s) => [s.name, s.graphql]));
  expect(byName).toMatchObject({ auth: `${auth.url}/graphql`, users: `${users.url}/graphql`, admin: `${admin.url}/graphql` });
});
