import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { leanApolloOptions } from './apollo-lean.js';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express from 'express';
import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { Redis } from 'ioredis';
import { buildShield, type Caller, type IRules } from '@clinicult/rbac';
import type { BaseConfig } from './config.js';
import { AuthError, unauthenticatedError, wrongRegion } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { operationMetrics, requestObserver } from './observe.js';
import { createRedis, watchEvictionPolicy } from './redis.js';
import { drainReadiness, listen, startRuntimeOps, type ReadinessChecks } from './ops.js';
import { clientIp, EDGE_HEADER, EdgeVerifier } from './edge.js';
import { errorHandler, notFoundHandler } from './http-errors.js';
import { startIdentityFacts } from './identity-facts.js';
import { askAuthFallback, SessionGuard, type SessionFallback } from './session-facts.js';
import { remoteIssuer, TokenVerifier, type TrustedIssuer } from './tokens.js';

/** What every resolver gets; services extend it with their data layer and loaders. */
export interface BaseContext {
  caller: Caller;
  requestId: string;
  logger: Logger;
  /** The client's address: the gateway's `x-forwarded-for` when the request came over the edge hop. */
  clientIp: string;
  /** Whether the gateway vouched for this request (`x-clinicult-edge`, edge.ts). */
  viaEdge: boolean;
}

export interface ServiceRuntime {
  name: string;
  config: BaseConfig;
  logger: Logger;
  redis: Redis;
  metrics: Metrics;
  verifier: TokenVerifier;
  edge: EdgeVerifier;
  /** Turns an Authorization header into a caller, checking signature, claims and session. */
  authenticate(authorization: string | undefined, clinicHeader?: string): Promise<Caller>;
}

/**
 * Resolvers as a subgraph hands them over: each subgraph types its own with the `Resolvers` that
 * graphql-codegen generates from its SDL (schema/codegen.mjs), so here they are only passed on.
 */
export type SubgraphResolvers = { [typeName: string]: unknown };

export interface SubgraphOptions<TContext extends BaseContext> {
  name: string;
  port: number;
  config: BaseConfig;
  typeDefs: DocumentNode;
  /** the subgraph's resolvers, typed where they are written by its generated `Resolvers` (graphql-codegen) */
  resolvers: SubgraphResolvers;
  /** graphql-shield rules; anything not listed is denied. */
  rules: IRules;
  /** Root fields that may be called without a token (auth's `login`, `acceptInvitation`). */
  publicFields?: string[];
  createContext?: (base: BaseContext) => TContext | Promise<TContext>;
  /** Named checks for /readyz on the ops port (database; Redis is added by the kit). */
  readiness?: ReadinessChecks;
  /** Extra HTTP routes (JWKS, OAuth token endpoint, internal endpoints), mounted before /graphql. */
  routes?: (app: express.Express, runtime: ServiceRuntime) => void;
  /** How to confirm a session when Redis cannot answer; defaults to asking auth. */
  sessionFallback?: SessionFallback;
  /** Extra trusted issuers (tests); the auth issuer and the external IdP come from config. */
  issuers?: TrustedIssuer[];
  onShutdown?: Array<() => Promise<unknown>>;
  /** Extra Apollo Server plugins of this service. */
  plugins?: ApolloServerPlugin<BaseContext>[];
  logger?: Logger;
  redis?: Redis;
  /** The service's metrics registry, when made before the server (runService hands it to `assemble`). */
  metrics?: Metrics;
  /**
   * Run the kit's identity facts consumer (identity-facts.ts). Default true: every service merges
   * identity changes into the revocation facts, so they hold even while auth is down.
   */
  identityFacts?: boolean;
}

export interface RunningService {
  name: string;
  url: string;
  port: number;
  /** /healthz, /readyz, /metrics (OPS_PORT) */
  opsUrl: string;
  runtime: ServiceRuntime;
  stop(): Promise<void>;
}

export function trustedIssuers(config: BaseConfig): TrustedIssuer[] {
  const issuers = [
    remoteIssuer(config.JWT_ISSUER, config.JWT_AUDIENCE, config.JWKS_URL ?? `${config.AUTH_URL}/.well-known/jwks.json`, ['EdDSA'], {
      issuesServiceTokens: true,
    }),
  ];
  if (config.EXTERNAL_IDP_ISSUER && config.EXTERNAL_IDP_JWKS_URL) {
    issuers.push(
      remoteIssuer(
        config.EXTERNAL_IDP_ISSUER,
        config.EXTERNAL_IDP_AUDIENCE ?? config.JWT_AUDIENCE,
        config.EXTERNAL_IDP_JWKS_URL,
        ['RS256', 'ES256', 'EdDSA'],
      ),
    );
  }
  return issuers;
}

export function createRuntime(options: {
  name: string;
  config: BaseConfig;
  logger?: Logger;
  redis?: Redis;
  metrics?: Metrics;
  issuers?: TrustedIssuer[];
  sessionFallback?: SessionFallback;
}): ServiceRuntime {
  const { name, config } = options;
  const logger = options.logger ?? createLogger(name, config.LOG_LEVEL);
  const redis = options.redis ?? createRedis(config, name);
  // the streams have no TTL: an allkeys-* policy could evict them (and their events) — say so loudly
  watchEvictionPolicy(redis, logger);
  const metrics = options.metrics ?? createMetrics(name);
  const verifier = new TokenVerifier([...(options.issuers ?? []), ...trustedIssuers(config)]);
  const guard = new SessionGuard({
    redis,
    logger,
    fallback: options.sessionFallback ?? askAuthFallback(config.AUTH_URL),
    maxFactsAgeMs: config.FACTS_MAX_AGE_MS ?? (config.CLUSTER ? DEFAULT_CLUSTER_FACTS_MAX_AGE_MS : null),
  });
  return {
    name,
    config,
    logger,
    redis,
    metrics,
    verifier,
    edge: new EdgeVerifier(verifier, logger),
    async authenticate(authorization, clinicHeader) {
      if (!authorization) return { kind: 'anonymous' };
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match) throw new AuthError('TOKEN_INVALID', 'Send the token as "Authorization: Bearer <token>".');
      const { caller } = await verifier.verify(match[1]!);
      // a clinic's data lives in its own cluster only: another cluster's token is refused before anything is read
      if (config.CLUSTER && (caller.kind === 'staff' || caller.kind === 'client') && caller.cluster !== config.CLUSTER) {
        throw wrongRegion(caller.cluster, config.CLUSTER, config.CLUSTER_API_URLS);
      }
      await guard.check(caller);
      if (caller.kind === 'service' && clinicHeader) return { ...caller, clinicId: clinicHeader };
      return caller;
    },
  };
}

/** How old auth's heartbeat in a cluster's Redis may be (config FACTS_MAX_AGE_MS). */
const DEFAULT_CLUSTER_FACTS_MAX_AGE_MS = 30_000;

/** Refuses anonymous operations unless every root field is public (login, acceptInvitation). */
function anonymousGate(publicFields: Set<string>): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (contextValue.caller.kind !== 'anonymous' || !operation) return;
          if (!rootFieldsArePublic(operation, publicFields)) {
            throw new GraphQLError('Sign in first: this operation needs a valid access token.', {
              extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID', http: { status: 401 } },
            });
          }
        },
      };
    },
  };
}

function rootFieldsArePublic(operation: OperationDefinitionNode, publicFields: Set<string>): boolean {
  if (operation.operation !== 'mutation') return false;
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && (s.name.value === '__typename' || publicFields.has(s.name.value)),
  );
}

/**
 * The caller of a request (runtime.authenticate); a refused token counts in `auth_failures_total`
 * and answers UNAUTHENTICATED. `refusals`, when given, logs each refusal.
 */
export async function requestCaller(
  runtime: Pick<ServiceRuntime, 'authenticate' | 'metrics'>,
  authorization: string | undefined,
  options: { clinicHeader?: string; refusals?: Logger } = {},
): Promise<Caller> {
  try {
    return await runtime.authenticate(authorization, options.clinicHeader);
  } catch (error) {
    if (error instanceof AuthError) {
      runtime.metrics.authFailures.inc({ reason: error.reason });
      options.refusals?.info({ reason: error.reason }, 'token refused');
      throw unauthenticatedError(error.reason, error.message, error.details);
    }
    throw error;
  }
}

/** Starts one Apollo subgraph with the shared bootstrap (DESIGN.md: written once, used by all). */
export async function startSubgraph<TContext extends BaseContext>(
  options: SubgraphOptions<TContext>,
): Promise<RunningService> {
  const runtime = createRuntime(options);
  const { logger, metrics, redis, config } = runtime;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  // one access line per request, carrying the request id from the gateway
  // the gateway logs each client request at info; a subgraph's calls go at debug (observe.ts says why)
  app.use(requestObserver({ metrics, accessLog: logger, accessLevel: 'debug' }));

  // liveness only on the public port; readiness and metrics are on the ops port
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: options.name });
  });

  options.routes?.(app, runtime);

  const subgraphSchema = buildSubgraphSchema([
    { typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> },
  ]);
  const hasEntities = Boolean(subgraphSchema.getQueryType()?.getFields()._entities);
  const schema = applyMiddleware(subgraphSchema, buildShield(options.rules, { hasEntities }));
  const production = config.NODE_ENV === 'production';
  const lean = leanApolloOptions<BaseContext>();
  const apollo = new ApolloServer<BaseContext>({
    schema,
    stringifyResult: lean.stringifyResult,
    introspection: !production,
    includeStacktraceInErrorResponses: !production,
    csrfPrevention: true,
    // the kit handles SIGINT/SIGTERM itself (stopOnSignals) so every onShutdown hook runs
    stopOnTerminationSignals: false,
    logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ...lean.plugins,
      anonymousGate(new Set(options.publicFields ?? [])),
      operationMetrics<BaseContext>(metrics),
      ...(options.plugins ?? []),
    ],
    formatError: (formatted, error) => {
      const code = formatted.extensions?.code;
      if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
        logger.error({ err: error }, 'internal error');
        if (production) return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
      return formatted;
    },
  });
  await apollo.start();

  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = res.locals.requestId as string;
        const requestLogger = logger.child({ reqId: requestId });
        const clinicHeader = req.header('x-clinicult-clinic-id');
        const caller = await requestCaller(runtime, req.header('authorization'), clinicHeader ? { clinicHeader } : {});
        const viaEdge = await runtime.edge.verify(req.header(EDGE_HEADER));
        const base: BaseContext = { caller, requestId, logger: requestLogger, clientIp: clientIp(req, viaEdge), viaEdge };
        return options.createContext ? await options.createContext(base) : (base as TContext);
      },
    }),
  );

  app.use(notFoundHandler());
  app.use(errorHandler(logger, '1mb'));

  const port = await listen(httpServer, options.port, config.HOST);
  const url = `http://${config.HOST}:${port}`;
  const ops = await startRuntimeOps(runtime, { servicePort: options.port, ...(options.readiness ? { readiness: options.readiness } : {}) });
  const identityFacts =
    options.identityFacts === false
      ? null
      : startIdentityFacts({ service: options.name, redis, stream: config.IDENTITY_STREAM, logger });
  logger.info({ url, ops: ops.url }, `${options.name} subgraph ready at ${url}/graphql (ops: ${ops.url})`);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      // readiness fails first, then the public port drains (apollo.stop closes it and waits for requests)
      await drainReadiness(ops, config.SHUTDOWN_READINESS_DELAY_MS, logger);
      await apollo.stop();
      await ops.close();
      await identityFacts?.stop();
      for (const hook of options.onShutdown ?? []) await hook().catch((err) => logger.warn({ err }, 'shutdown hook failed'));
      if (!options.redis) redis.disconnect();
    })());
  return { name: options.name, url, port, opsUrl: ops.url, runtime, stop };
}

/** Ctrl-C / SIGTERM stop the service gracefully, then exit; a second signal exits at once. */
export function stopOnSignals(service: RunningService, graceMs = service.runtime.config.SHUTDOWN_GRACE_MS): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    service.runtime.logger.info({ signal }, 'signal received');
    const timer = setTimeout(() => process.exit(1), graceMs);
    timer.unref();
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
