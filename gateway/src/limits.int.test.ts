import { codes, gql, markSessionFactsReady } from '@clinicult/testing';
import { post, startEchoStack } from './__tests__/harness.js';

// Query limits (graphql-armor + the gateway's own token and batch checks): every refusal is a 4xx
// with a message that says which limit was hit, and nothing reaches a subgraph.

let stack: Awaited<ReturnType<typeof startEchoStack>>;
/** A second gateway with small cost and token limits, to test them without huge documents. */
let tight: Awaited<ReturnType<typeof startEchoStack>>;
let token: string;

beforeAll(async () => {
  await markSessionFactsReady();
  stack = await startEchoStack();
  tight = await startEchoStack({ MAX_COST: '200', MAX_TOKENS: '50' });
  token = await stack.issuer.staffToken('u-1', 'c-1', ['DOCTOR']);
});
afterAll(async () => {
  await stack?.stop();
  await tight?.stop();
});
beforeEach(() => {
  stack.subgraph.seen.length = 0;
  tight.subgraph.seen.length = 0;
});

/** An operation `depth` fields deep, counting the leaf: `{ echo { child { … { value } } } }`. */
function nested(depth: number): string {
  let inner = 'value';
  for (let i = 2; i < depth; i++) inner = `child { ${inner} }`;
  return `{ echo { ${inner} } }`;
}

function expectRefusedWith(response: { status: number; data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, any> }> }, pattern: RegExp) {
  expect(response.status).toBe(400);
  expect(response.data ?? undefined).toBeUndefined();
  expect(response.errors?.[0]?.message).toMatch(pattern);
  expect(stack.subgraph.seen).toHaveLength(0);
}

describe('batching', () => {
  it('refuses a JSON array of operations, with or without a token', async () => {
    const variants: Array<Record<string, string>> = [{}, { authorization: `Bearer ${token}` }];
    for (const headers of variants) {
      const response = await post(stack.gateway.graphql, [{ query: '{ echo { value } }' }, { query: '{ echo { value } }' }], headers);
      expect(response.status).toBe(400);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors[0].message).toMatch(/Batched operations are not accepted/);
    }
    expect(stack.subgraph.seen).toHaveLength(0);
  });
});

describe('depth', () => {
  it('accepts an operation at the depth limit', async () => {
    const response = await gql(stack.gateway.graphql, nested(10), {}, { token });
    expect(response.errors).toBeUndefined();
  });

  it('refuses a deeper one as GRAPHQL_VALIDATION_FAILED', async () => {
    const response = await gql(stack.gateway.graphql, nested(12), {}, { token });
    expectRefusedWith(response, /depth limit of 10 exceeded/i);
    expect(codes(response)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('measures a fragment as its fields: the limit is the same written out or shared', async () => {
    const inner = nested(10).replace(/^\{ echo \{ /, '').replace(/ \} \}$/, '');
    const response = await gql(stack.gateway.graphql, `{ echo { ...AtTheLimit } } fragment AtTheLimit on Echo { ${inner} }`, {}, { token });
    expect(response.errors).toBeUndefined();
    const inline = await gql(stack.gateway.graphql, `{ echo { ... on Echo { ${inner} } } }`, {}, { token });
    expect(inline.errors).toBeUndefined();
  });

  it('follows fragments: depth hidden in a fragment counts', async () => {
    const inner = nested(12).replace(/^\{ echo \{ /, '').replace(/ \} \}$/, '');
    const response = await gql(stack.gateway.graphql, `{ echo { ...Deep } } fragment Deep on Echo { ${inner} }`, {}, { token });
    expectRefusedWith(response, /depth limit of 10 exceeded/i);
  });
});

describe('aliases', () => {
  it('refuses more than 15 aliases', async () => {
    const fields = Array.from({ length: 16 }, (_, i) => `a${i}: value`).join(' ');
    const response = await gql(stack.gateway.graphql, `{ echo { ${fields} } }`, {}, { token });
    expectRefusedWith(response, /aliases limit of 15 exceeded/i);
    expect(codes(response)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('accepts 15', async () => {
    const fields = Array.from({ length: 15 }, (_, i) => `a${i}: value`).join(' ');
    const response = await gql(stack.gateway.graphql, `{ echo { ${fields} } }`, {}, { token });
    expect(response.errors).toBeUndefined();
  });
});

/** The largest page of `echoes { value requestId userId kind child { value kind } }` within MAX_COST 200 (15.5 per item). */
const PAGE_AT_LIMIT = 12;

describe('cost', () => {
  it('refuses an operation whose estimated cost passes MAX_COST', async () => {
    const tightToken = await tight.issuer.staffToken('u-1', 'c-1', ['DOCTOR']);
    const costly = nested(9).replace('value', 'value requestId userId kind');
    const response = await gql(tight.gateway.graphql, costly, {}, { token: tightToken });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/cost limit of 200 exceeded/i);
    expect(tight.subgraph.seen).toHaveLength(0);
    const cheap = await gql(tight.gateway.graphql, nested(3), {}, { token: tightToken });
    expect(cheap.errors).toBeUndefined();
  });

  it('counts a page by its size whether `first` is written in the operation or passed as a variable', async () => {
    const tightToken = await tight.issuer.staffToken('u-1', 'c-1', ['DOCTOR']);
    const page = (first: string) =>
      `query${first.startsWith('$') ? ' ($n: Int)' : ''} { echoes(first: ${first}) { value requestId userId kind child { value kind } } }`;
    // about 20 per item: 5 items fit in 200, 50 do not
    for (const [query, variables] of [
      [page('50'), {}],
      [page('$n'), { n: 50 }],
    ] as const) {
      const response = await gql(tight.gateway.graphql, query, variables, { token: tightToken });
      expect(response.status).toBe(400);
      expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors?.[0]?.message).toMatch(/cost limit of 200 exceeded/i);
    }
    expect(tight.subgraph.seen).toHaveLength(0);
    const small = await gql(tight.gateway.graphql, page('$n'), { n: 5 }, { token: tightToken });
    expect(small.errors).toBeUndefined();
    expect(small.data!.echoes).toHaveLength(3);
  });

  it('costs the fields of a fragment as if they were written out (a client that shares field lists pays nothing more)', async () => {
    const tightToken = await tight.issuer.staffToken('u-1', 'c-1', ['DOCTOR']);
    const written = `query ($n: Int) { echoes(first: $n) { value requestId userId kind child { value kind } } }`;
    const shared = `query ($n: Int) { echoes(first: $n) { ...Item } } fragment Item on Echo { value requestId userId kind child { ...Leaf } } fragment Leaf on Echo { value kind }`;
    for (const [n, allowed] of [[PAGE_AT_LIMIT, true], [PAGE_AT_LIMIT + 1, false]] as const) {
      for (const query of [written, shared]) {
        const response = await gql(tight.gateway.graphql, query, { n }, { token: tightToken });
        expect({ n, query, refused: response.errors?.[0]?.message ?? null }).toEqual({ n, query, refused: allowed ? null : expect.stringMatching(/cost limit of 200 exceeded/i) });
      }
    }
  });
});

describe('directives', () => {
  it('refuses more than 20 directives', async () => {
    const fields = Array.from({ length: 21 }, () => 'value @include(if: true)').join(' ');
    const response = await gql(stack.gateway.graphql, `{ echo { ${fields} } }`, {}, { token });
    expectRefusedWith(response, /directives limit of 20 exceeded/i);
  });
});

describe('tokens', () => {
  const big = `{ echo { ${Array.from({ length: 2100 }, () => 'value').join(' ')} } }`;

  it('refuses a document of more than 2000 tokens with HTTP 400 BAD_USER_INPUT', async () => {
    const response = await gql(stack.gateway.graphql, big, {}, { token });
    expectRefusedWith(response, /more than 2000 tokens/);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
  });

  it('refuses it before looking at the token', async () => {
    const response = await gql(stack.gateway.graphql, big);
    expectRefusedWith(response, /more than 2000 tokens/);
  });

  it('counts tokens in GET requests too', async () => {
    const query = `{ echo { ${Array.from({ length: 60 }, () => 'value').join(' ')} } }`;
    const response = await fetch(`${tight.gateway.graphql}?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${await tight.issuer.operatorToken()}`, 'apollo-require-preflight': '1' },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Array<{ message: string }> }).errors[0]?.message).toMatch(/more than 50 tokens/);
    expect(tight.subgraph.seen).toHaveLength(0);
  });
});

describe('request body', () => {
  it('refuses a body over MAX_BODY_BYTES with 413', async () => {
    const response = await post(stack.gateway.graphql, { query: `# ${'x'.repeat(200_000)}\n{ echo { value } }` });
    expect(response.status).toBe(413);
    expect(response.body.errors[0].message).toMatch(/larger than/);
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await post(stack.gateway.graphql, '{"query": ');
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
