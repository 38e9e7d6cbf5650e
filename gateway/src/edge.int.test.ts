import { EDGE_HEADER } from '@clinicult/kit';
import { gql, markSessionFactsReady } from '@clinicult/testing';
import { loadGatewayConfig } from './config.js';
import { startEchoStack } from './__tests__/harness.js';

/**
 * Issue 12 (2., 3.): the edge hop. The gateway vouches for what it forwards with its own service
 * token; a subgraph believes the client address and the API label only then. The gateway itself
 * believes X-Forwarded-For only from the peers TRUST_PROXY names (none by default).
 */
const ECHO = '{ echo { clientIp viaEdge } }';

beforeAll(async () => {
  await markSessionFactsReady();
});

describe('default (TRUST_PROXY unset)', () => {
  let stack: Awaited<ReturnType<typeof startEchoStack>>;
  beforeAll(async () => {
    stack = await startEchoStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("forwards with the gateway's edge token, replacing whatever the client sent under that name", async () => {
    const token = await stack.issuer.staffToken('u-1', 'c-1', ['NURSE']);
    const forged = await stack.issuer.serviceToken('users');
    const response = await gql(stack.gateway.graphql, ECHO, {}, { token, headers: { [EDGE_HEADER]: forged } });
    expect(response.data?.echo).toEqual({ clientIp: expect.stringMatching(/127\.0\.0\.1$/), viaEdge: true });
    const seen = stack.subgraph.seen.at(-1)!;
    expect(seen[EDGE_HEADER]).not.toBe(forged);
  });

  it('a client naming its own address in X-Forwarded-For is not believed: the connecting peer is the client', async () => {
    const token = await stack.issuer.staffToken('u-1', 'c-1', ['NURSE']);
    const response = await gql(stack.gateway.graphql, ECHO, {}, { token, headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(response.data?.echo.clientIp).toMatch(/127\.0\.0\.1$/);
    expect(stack.subgraph.seen.at(-1)!['x-forwarded-for']).toMatch(/127\.0\.0\.1$/);
  });

  it('straight to the subgraph, X-Forwarded-For counts only with an edge token holding the edge capability', async () => {
    const token = await stack.issuer.staffToken('u-1', 'c-1', ['NURSE']);
    const direct = (headers: Record<string, string>) => gql(stack.subgraph.url, ECHO, {}, { token, headers: { 'x-forwarded-for': '198.51.100.1', ...headers } });
    expect((await direct({})).data?.echo).toEqual({ clientIp: expect.stringMatching(/127\.0\.0\.1$/), viaEdge: false });
    // another service's token, a staff token, garbage: not the gateway
    for (const edge of [await stack.issuer.serviceToken('users'), token, 'garbage']) {
      expect((await direct({ [EDGE_HEADER]: edge })).data?.echo).toEqual({ clientIp: expect.stringMatching(/127\.0\.0\.1$/), viaEdge: false });
    }
    expect((await direct({ [EDGE_HEADER]: await stack.issuer.serviceToken('gateway') })).data?.echo).toEqual({ clientIp: '198.51.100.1', viaEdge: true });
  });
});

describe('TRUST_PROXY', () => {
  it('names the proxies whose X-Forwarded-For counts (here: loopback, one hop)', async () => {
    const stack = await startEchoStack({ TRUST_PROXY: 'loopback' });
    try {
      const token = await stack.issuer.staffToken('u-1', 'c-1', ['NURSE']);
      // the rightmost address not of a trusted proxy is the client: a spoofed leftmost entry is skipped
      const response = await gql(stack.gateway.graphql, ECHO, {}, { token, headers: { 'x-forwarded-for': '10.0.0.66, 203.0.113.9' } });
      expect(response.data?.echo).toEqual({ clientIp: '203.0.113.9', viaEdge: true });
    } finally {
      await stack.stop();
    }
  });

  it('refuses true (every peer trusted, the leftmost address believed)', () => {
    expect(() => loadGatewayConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true would believe any client/);
    expect(loadGatewayConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadGatewayConfig({}).TRUST_PROXY).toBe(false);
  });
});
