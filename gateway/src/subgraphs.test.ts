import { loadGatewayConfig, subgraphUrlOverrides } from './config.js';
import { endpoint, subgraphEndpoints } from './subgraphs.js';

const SUPERGRAPH = `
enum join__Graph {
  AUTH @join__graph(name: "auth", url: "http://127.0.0.1:4001/graphql")
  USERS @join__graph(name: "users", url: "http://127.0.0.1:4002/graphql")
}
`;

describe('subgraph endpoints', () => {
  it('reads the subgraphs from the supergraph', () => {
    expect(subgraphEndpoints(SUPERGRAPH)).toEqual([
      { name: 'auth', base: 'http://127.0.0.1:4001', graphql: 'http://127.0.0.1:4001/graphql' },
      { name: 'users', base: 'http://127.0.0.1:4002', graphql: 'http://127.0.0.1:4002/graphql' },
    ]);
  });

  it('takes <NAME>_URL (a base URL, like AUTH_URL everywhere) over the supergraph', () => {
    const config = loadGatewayConfig({ USERS_URL: 'http://users.internal:8080', AUTH_URL: 'http://auth.internal' });
    const [auth, users] = subgraphEndpoints(SUPERGRAPH, subgraphUrlOverrides(config));
    expect(auth?.graphql).toBe('http://auth.internal/graphql');
    expect(users).toEqual({ name: 'users', base: 'http://users.internal:8080', graphql: 'http://users.internal:8080/graphql' });
  });

  it('accepts an URL with or without /graphql', () => {
    expect(endpoint('x', 'http://h:1/graphql').base).toBe('http://h:1');
    expect(endpoint('x', 'http://h:1/').graphql).toBe('http://h:1/graphql');
    expect(endpoint('x', 'http://h:1/prefix').graphql).toBe('http://h:1/prefix/graphql');
  });

  it('refuses a document that is not a supergraph', () => {
    expect(() => subgraphEndpoints('type Query { a: Int }')).toThrow(/join__Graph/);
  });
});

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ PORT: 4000, MAX_DEPTH: 10, MAX_ALIASES: 15, MAX_TOKENS: 2000 });
    expect(config.ALLOWED_ORIGINS).toEqual([
      'http://localhost:3000',
      'http://localhost:3001',
      'http://127.0.0.1:3000',
      'http://127.0.0.1:3001',
    ]);
  });

  it('parses ALLOWED_ORIGINS and says what is wrong with a bad one', () => {
    expect(loadGatewayConfig({ ALLOWED_ORIGINS: 'https://a.example.org, https://b.example.org/' }).ALLOWED_ORIGINS).toEqual([
      'https://a.example.org',
      'https://b.example.org',
    ]);
    expect(() => loadGatewayConfig({ ALLOWED_ORIGINS: 'a.example.org' })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => loadGatewayConfig({ MAX_DEPTH: 'deep' })).toThrow(/MAX_DEPTH/);
  });
});
