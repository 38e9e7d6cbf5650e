import { codes, gql, markSessionFactsReady } from '@clinicult/testing';
import { startEchoStack } from './__tests__/harness.js';

// NODE_ENV=production: no introspection, no field suggestions, no stack traces, no playground,
// internal errors as a generic message. A development gateway is started beside it to show that
// each test would notice the difference.

let prod: Awaited<ReturnType<typeof startEchoStack>>;
let dev: Awaited<ReturnType<typeof startEchoStack>>;

beforeAll(async () => {
  await markSessionFactsReady();
  // the subgraph runs in development mode, so it does send stack traces: the gateway must drop them
  prod = await startEchoStack({ NODE_ENV: 'production' }, { NODE_ENV: 'development' });
  dev = await startEchoStack({ NODE_ENV: 'development' }, { NODE_ENV: 'development' });
});
afterAll(async () => {
  await prod?.stop();
  await dev?.stop();
});

const INTROSPECTION = '{ __schema { types { name } } }';

describe('introspection', () => {
  it('is refused in production, even with a valid token', async () => {
    const token = await prod.issuer.staffToken('u-1', 'c-1', ['ADMIN']);
    const response = await gql(prod.gateway.graphql, INTROSPECTION, {}, { token });
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
    const typeQuery = await gql(prod.gateway.graphql, '{ __type(name: "Echo") { fields { name } } }', {}, { token });
    expect(typeQuery.status).toBe(400);
  });

  it('is refused without a token in production', async () => {
    const response = await gql(prod.gateway.graphql, INTROSPECTION);
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('works in development', async () => {
    const token = await dev.issuer.staffToken('u-1', 'c-1', ['ADMIN']);
    const response = await gql(dev.gateway.graphql, INTROSPECTION, {}, { token });
    expect(response.errors).toBeUndefined();
  });
});

describe('field suggestions', () => {
  const misspelled = '{ echo { valeu } }';

  it('are never in production error messages', async () => {
    const token = await prod.issuer.staffToken('u-1', 'c-1', ['ADMIN']);
    const response = await gql(prod.gateway.graphql, misspelled, {}, { token });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/Cannot query field "valeu" on type "Echo"/);
    expect(JSON.stringify(response.errors)).not.toMatch(/Did you mean|Suggestion/i);
    const badRoot = await gql(prod.gateway.graphql, '{ ech { value } }', {}, { token });
    expect(JSON.stringify(badRoot.errors)).not.toMatch(/Did you mean/i);
  });

  it('help in development', async () => {
    const token = await dev.issuer.staffToken('u-1', 'c-1', ['ADMIN']);
    const response = await gql(dev.gateway.graphql, misspelled, {}, { token });
    expect(response.errors?.[0]?.message).toMatch(/Did you mean "value"\?/);
  });
});

describe('errors', () => {
  it('hide internal errors and stack traces in production', async () => {
    const token = await prod.issuer.staffToken('u-1', 'c-1', ['ADMIN']);
    const response = await gql(prod.gateway.graphql, '{ boom }', {}, { token });
    expect(response.data).toEqual({ boom: null });
    expect(response.errors?.[0]?.message).toBe('Internal server error');
    expect(JSON.stringify(response.errors)).not.toMatch(/kaboom|stacktrace|\.ts:|at /);
  });

  it('keep the code and message of expected errors from subgraphs, without internals', async () => {
    const token = await prod.issuer.staffToken('u-1', 'c-1', ['ADMIN']);
    const response = await gql(prod.gateway.graphql, '{ denied }', {}, { token });
    expect(response.data).toEqual({ denied: null });
    expect(response.errors?.[0]?.message).toMatch(/permission/);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
    const devResponse = await gql(dev.gateway.graphql, '{ denied }', {}, { token: await dev.issuer.staffToken('u-1', 'c-1', ['ADMIN']) });
    expect(devResponse.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', serviceName: 'echo' });
  });

  it('carry no stack trace on refusals in production', async () => {
    const response = await gql(prod.gateway.graphql, '{ echo { value } }', {}, { headers: { authorization: 'Bearer x' } });
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
  });

  it('keep the stack trace of internal errors in development', async () => {
    const token = await dev.issuer.staffToken('u-1', 'c-1', ['ADMIN']);
    const response = await gql(dev.gateway.graphql, '{ boom }', {}, { token });
    expect(response.errors?.[0]?.message).toMatch(/kaboom/);
  });
});

describe('playground', () => {
  it('is not served in production', async () => {
    expect((await fetch(`${prod.gateway.url}/playground`)).status).toBe(404);
    expect((await fetch(`${prod.gateway.url}/playground/assets/graphiql.js`)).status).toBe(404);
    const page = await fetch(prod.gateway.graphql, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).not.toMatch(/html/);
    expect(await page.text()).not.toMatch(/graphiql/i);
  });
});

describe('batching', () => {
  it('stays off in production (armor would otherwise set it)', async () => {
    const token = await prod.issuer.staffToken('u-1', 'c-1', ['ADMIN']);
    const response = await fetch(prod.gateway.graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([{ query: '{ echo { value } }' }]),
    });
    expect(response.status).toBe(400);
  });
});
