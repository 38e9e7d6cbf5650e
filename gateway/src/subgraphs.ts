import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Kind, parse, type ConstArgumentNode } from 'graphql';
import { AUDIT_API_HEADER, EDGE_HEADER, repoRoot } from '@clinicult/kit';
import type { GatewayContext } from './context.js';

/** The committed supergraph (schema/supergraph.graphql, written by `npm run compose`). */
export function defaultSupergraphPath(): string {
  return path.join(repoRoot(), 'schema', 'supergraph.graphql');
}

export function readSupergraph(file = defaultSupergraphPath()): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the supergraph at ${file} (run \`npm run compose\`): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export interface SubgraphEndpoint {
  name: string;
  /** Base URL of the service: `<base>/graphql` is the endpoint, `<base>/healthz` its liveness. */
  base: string;
  graphql: string;
}

/** `http://h:1/graphql`, `http://h:1/` and `http://h:1` all name the service at `http://h:1`. */
export function endpoint(name: string, url: string): SubgraphEndpoint {
  const base = url.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return { name, base, graphql: `${base}/graphql` };
}

/** The subgraphs of a supergraph (its `join__Graph` enum), each at its override URL when one is given. */
export function subgraphEndpoints(supergraphSdl: string, overrides: Record<string, string | undefined> = {}): SubgraphEndpoint[] {
  const document = parse(supergraphSdl);
  const graphs = document.definitions.find(
    (d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'join__Graph',
  );
  if (!graphs || graphs.kind !== Kind.ENUM_TYPE_DEFINITION) throw new Error('the supergraph has no join__Graph enum');
  return (graphs.values ?? []).map((value) => {
    const directive = value.directives?.find((d) => d.name.value === 'join__graph');
    const arg = (name: string) => {
      const node = directive?.arguments?.find((a: ConstArgumentNode) => a.name.value === name)?.value;
      return node?.kind === Kind.STRING ? node.value : undefined;
    };
    const name = arg('name');
    const url = arg('url');
    if (!name || !url) throw new Error(`join__Graph.${value.name.value} lacks @join__graph(name, url)`);
    return endpoint(name, overrides[name] ?? url);
  });
}

/**
 * Calls one subgraph for the gateway, forwarding only what the subgraphs need: the caller's
 * `authorization` (every subgraph verifies the token again), the request id for the logs, and —
 * vouched for by the gateway's own edge token — the client's address and the API it came through.
 * Nothing else the client sent reaches a subgraph.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly subgraphName: string,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    private readonly edgeToken: () => Promise<string | undefined> = async () => undefined,
  ) {
    super(config);
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const headers = options.request.http?.headers;
    if (!headers) return;
    const edge = await this.edgeToken();
    if (edge) headers.set(EDGE_HEADER, edge);
    const context = options.context as Partial<GatewayContext>;
    const authorization = context.issuedAuthorization ?? context.authorization;
    if (authorization) headers.set('authorization', authorization);
    if (context.requestId) headers.set('x-request-id', context.requestId);
    if (context.clientIp) headers.set('x-forwarded-for', context.clientIp);
    // the subgraphs' audit events say which API the medical read or write came through
    if (context.api) headers.set(AUDIT_API_HEADER, context.api);
  }

  /**
   * Sessions are minted by auth's `login`, `acceptInvitation` and `switchClinic`. The plan's later
   * fetches (the `user` entity from users) must act as that new session, since an anonymous
   * caller may not read users; the token is taken from auth's answer, never from the client.
   */
  override async didReceiveResponse(
    options: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0],
  ) {
    const { response, context } = options;
    if (this.subgraphName === 'auth' && response.extensions) {
      const { issuedToken, ...rest } = response.extensions as { issuedToken?: unknown };
      if (typeof issuedToken === 'string') (context as Partial<GatewayContext>).issuedAuthorization = `Bearer ${issuedToken}`;
      response.extensions = rest;
    }
    return response;
  }
}

