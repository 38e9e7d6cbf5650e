import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import type { IncomingHttpHeaders } from 'node:http';
import { baseConfigSchema, generateServiceKey, loadConfig, startSubgraph, type RunningService } from '@clinicult/kit';
import { allow, isAuthenticated, isUserCaller } from '@clinicult/rbac';
import { createTestIssuer, type TestIssuer } from '@clinicult/testing';
import { loadGatewayConfig } from '../config.js';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../service.js';

/**
 * A tiny real Apollo subgraph (the kit's startSubgraph: it verifies tokens like every Clinicult
 * subgraph) that echoes what it received, so gateway tests see exactly what was forwarded.
 */
export const ECHO_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Query {
    echo: Echo!
    "a page of echoes (list cost: multiplied by first)"
    echoes(first: Int): [Echo!]!
    "throws an internal error"
    boom: String
    "no rule: the shield refuses it with FORBIDDEN"
    denied: String
  }

  type Echo {
    requestId: String!
    userId: String
    kind: String!
    value: Int!
    child: Echo
    "the client address the subgraph believes, and whether the gateway vouched for the request (edge hop)"
    clientIp: String!
    viaEdge: Boolean!
  }

  "shaped like auth's AuthPayload, so the playground's default login works against it"
  type Session {
    token: String!
    expiresAt: String!
    clinicId: ID
    roles: [String!]!
  }

  type Mutation {
    login(email: String!, password: String!): Session!
    secret: String!
  }
`;

export interface EchoSubgraph extends RunningService {
  /** Headers of every request that reached the subgraph's /graphql. */
  seen: IncomingHttpHeaders[];
}

export async function startEchoSubgraph(issuer: TestIssuer, env: Record<string, string> = {}): Promise<EchoSubgraph> {
  const seen: IncomingHttpHeaders[] = [];
  const config = loadConfig(baseConfigSchema, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const echo = (ctx: { caller: Parameters<typeof isUserCaller>[0]; requestId: string; clientIp: string; viaEdge: boolean }) => ({
    requestId: ctx.requestId,
    userId: isUserCaller(ctx.caller) ? ctx.caller.userId : null,
    kind: ctx.caller.kind,
    value: 1,
    clientIp: ctx.clientIp,
    viaEdge: ctx.viaEdge,
  });
  const service = await startSubgraph({
    name: 'echo',
    port: 0,
    config,
    typeDefs: parse(ECHO_SDL),
    resolvers: {
      Query: {
        echo: (_p: unknown, _a: unknown, ctx: Parameters<typeof echo>[0]) => echo(ctx),
        echoes: (_p: unknown, args: { first?: number | null }, ctx: Parameters<typeof echo>[0]) =>
          Array.from({ length: Math.min(args.first ?? 1, 3) }, () => echo(ctx)),
        boom: () => {
          throw new Error('kaboom: secret internal detail');
        },
      },
      Echo: {
        child: (_p: unknown, _a: unknown, ctx: Parameters<typeof echo>[0]) => echo(ctx),
      },
      Mutation: {
        login: (_p: unknown, args: { email: string }) => ({
          token: `token-for-${args.email}`,
          expiresAt: new Date(Date.now() + 3600_000).toISOString(),
          clinicId: null,
          roles: [],
        }),
        secret: () => 'secret',
      },
    } as never,
    rules: {
      Query: { echo: isAuthenticated, echoes: isAuthenticated, boom: isAuthenticated },
      Echo: allow,
      Session: allow,
      Mutation: { login: allow, secret: isAuthenticated },
    },
    publicFields: ['login'],
    issuers: [issuer.trusted],
    routes: (app) => {
      app.use('/graphql', (req, _res, next) => {
        if (req.method === 'POST') seen.push({ ...req.headers });
        next();
      });
    },
  });
  return Object.assign(service, { seen });
}

/** A supergraph of one subgraph named `echo`, at a dead URL unless the gateway overrides it. */
export function echoSupergraph(url = 'http://127.0.0.1:9/graphql'): string {
  const result = composeServices([{ name: 'echo', url, typeDefs: parse(ECHO_SDL) }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

export interface TestGateway extends RunningGateway {
  graphql: string;
}

export async function startTestGateway(
  env: Record<string, string> = {},
  overrides: GatewayOverrides = {},
): Promise<TestGateway> {
  // production needs the gateway's own key (for its edge token): a fresh one, as npm run keys:generate makes
  const key = env.NODE_ENV === 'production' && !env.SERVICE_KEY ? { SERVICE_KEY: JSON.stringify(generateServiceKey('gateway').privateJwk) } : {};
  const config = loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', ...key, ...env });
  const gateway = await startGateway(config, overrides);
  return Object.assign(gateway, { graphql: `${gateway.url}/graphql` });
}

/** The echo subgraph behind a gateway, both trusting one test issuer. */
export async function startEchoStack(
  gatewayEnv: Record<string, string> = {},
  subgraphEnv: Record<string, string> = {},
): Promise<{ issuer: TestIssuer; subgraph: EchoSubgraph; gateway: TestGateway; stop(): Promise<void> }> {
  const issuer = await createTestIssuer();
  const subgraph = await startEchoSubgraph(issuer, subgraphEnv);
  const gateway = await startTestGateway(gatewayEnv, {
    issuers: [issuer.trusted],
    supergraphSdl: echoSupergraph(),
    subgraphUrls: { echo: subgraph.url },
    edgeToken: () => issuer.serviceToken('gateway'),
  });
  return {
    issuer,
    subgraph,
    gateway,
    async stop() {
      await gateway.stop();
      await subgraph.stop();
    },
  };
}

/** A raw POST, for bodies `gql` does not send (batches, garbage). */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
