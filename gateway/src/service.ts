import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import { GraphQLError } from 'graphql';
import {
  errorHandler,
  listen,
  leanApolloOptions,
  notFoundHandler,
  operationMetrics,
  redisConnected,
  requestCaller,
  requestObserver,
  ServiceTokenSource,
  createRuntime,
  startRuntimeOps,
  drainReadiness,
  unauthenticatedError,
  type ReadinessChecks,
  type Logger,
  type ServiceRuntime,
  type SessionFallback,
  type TrustedIssuer,
} from '@clinicult/kit';
import { createPublicServer, hsts, startHttpRedirect } from '@clinicult/tls';
import { subgraphUrlOverrides, type GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { cors } from './cors.js';
import { clientAddress, EdgeTokens } from './edge.js';
import { apolloExecutor, fhirRouter } from './fhir/index.js';
import { armorFor, checkTokenLimit, refuseBatch, withoutSuggestions } from './limits.js';
import { mountPlayground } from './playground.js';
import { isPublicOperation, judgeAnonymous } from './public-operations.js';
import {
  endpoint,
  ForwardingDataSource,
  readSupergraph,
  subgraphEndpoints,
  type SubgraphEndpoint,
} from './subgraphs.js';
import { subgraphFetcher } from './subgraph-fetch.js';
import { queueEvents, type QueueEvents } from './queue-events.js';
import { smartTokenRoute } from './smart-token.js';

// @apollo/gateway must never phone home (DESIGN.md, facts); main.ts sets it too, before any import.
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';

export interface GatewayOverrides {
  /** Extra trusted token issuers (tests: `createTestIssuer().trusted`). */
  issuers?: TrustedIssuer[];
  redis?: ServiceRuntime['redis'];
  logger?: Logger;
  /** Subgraph URLs by name (base URL or its /graphql), over `<NAME>_URL` and the supergraph's. */
  subgraphUrls?: Record<string, string>;
  /** A supergraph SDL to serve instead of SUPERGRAPH_PATH / schema/supergraph.graphql (tests). */
  supergraphSdl?: string;
  /** How to confirm a session when Redis cannot answer; defaults to asking auth. */
  sessionFallback?: SessionFallback;
  /** The gateway's edge token (tests: a test issuer's gateway token); defaults to one from auth. */
  edgeToken?: () => Promise<string | undefined>;
}

export interface RunningGateway {
  name: 'gateway';
  /** Base URL: `${url}/graphql`, `${url}/healthz`, … */
  url: string;
  port: number;
  /** /healthz, /readyz, /metrics (OPS_PORT) */
  opsUrl: string;
  runtime: ServiceRuntime;
  subgraphs: SubgraphEndpoint[];
  /** the queue push's open streams (tests) */
  queuePush: Pick<QueueEvents, 'connections' | 'ready'>;
  stop(): Promise<void>;
}

const KNOWN_ROUTES = new Set(['/graphql', '/healthz', '/playground', '/fhir', '/events']);

/** The first path segment when it is one of ours, so a scan of random URLs cannot blow up the metric's labels. */
function routeLabel(originalUrl: string): string {
  const first = `/${originalUrl.split('?')[0]!.split('/')[1] ?? ''}`;
  return KNOWN_ROUTES.has(first) ? first : 'other';
}
const NEEDS_TOKEN = 'Sign in first: this operation needs a valid access token.';

function needsToken(): GraphQLError {
  return unauthenticatedError('TOKEN_INVALID', NEEDS_TOKEN);
}

/** The operation text and name of a request, where Apollo will read them (POST body or GET query string). */
function operationOf(req: Request): { query?: string; operationName?: string } {
  const source: Record<string, unknown> =
    req.method === 'GET' ? (req.query as Record<string, unknown>) : ((req.body ?? {}) as Record<string, unknown>);
  return {
    query: typeof source.query === 'string' ? source.query : undefined,
    operationName: typeof source.operationName === 'string' ? source.operationName : undefined,
  };
}

/**
 * Starts the gateway: the only public entry (DESIGN.md). It verifies the caller's token itself
 * (signature, claims, session facts) before anything is planned, applies the query limits, and
 * forwards the token and the request id to the subgraphs, which verify again.
 */
export async function startGateway(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const production = config.NODE_ENV === 'production';
  // its key first: without one (production) the gateway refuses to start before opening anything
  const edgeSource = overrides.edgeToken ? null : ServiceTokenSource.forService('gateway', config, 3000);
  const runtime = createRuntime({
    name: 'gateway',
    config,
    logger: overrides.logger,
    redis: overrides.redis,
    issuers: overrides.issuers,
    sessionFallback: overrides.sessionFallback,
  });
  const { logger, metrics, redis } = runtime;

  const supergraphSdl = overrides.supergraphSdl ?? readSupergraph(config.SUPERGRAPH_PATH);
  const urlOverrides: Record<string, string | undefined> = { ...subgraphUrlOverrides(config), ...overrides.subgraphUrls };
  const subgraphs = subgraphEndpoints(supergraphSdl, urlOverrides);
  const byName = new Map(subgraphs.map((s) => [s.name, s]));
  const fetcher = subgraphFetcher(config.SUBGRAPH_TIMEOUT_MS);
  /** this gateway's own address, once it listens (PUBLIC_URL, when set, is what clients see) */
  const scheme = config.TLS.enabled ? 'https' : 'http';
  let publicUrl = `${scheme}://${config.HOST}:${config.PORT}`;

  const edgeTokens = edgeSource ? new EdgeTokens(edgeSource, logger) : { current: overrides.edgeToken! };
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) =>
      new ForwardingDataSource(
        name,
        { url: byName.get(name)?.graphql ?? endpoint(name, url ?? '').graphql, fetcher },
        () => edgeTokens.current(),
      ),
  });

  const app = express();
  app.disable('x-powered-by');
  // which peers may say who the client is (X-Forwarded-For): none unless configured (TRUST_PROXY)
  app.set('trust proxy', config.TRUST_PROXY);
  // HTTPS when given a certificate (TLS_CERT_FILE/TLS_KEY_FILE), with HSTS on every answer
  const publicServer = createPublicServer(app, config.TLS);
  const httpServer = publicServer.server;
  app.use(hsts(config.TLS));

  // one access line per client request (the subgraphs log their calls at debug, with the same request id)
  app.use(requestObserver({ metrics, route: (req) => routeLabel(req.originalUrl), accessLog: logger }));
  app.use((_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  app.use(cors(config.ALLOWED_ORIGINS));

  // liveness only on the public port; readiness and metrics on the ops port (OPS_PORT)
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  const readiness: ReadinessChecks = {};
  for (const subgraph of subgraphs) {
    readiness[subgraph.name] = async () => {
      const response = await fetch(`${subgraph.base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`${subgraph.base}/healthz answered ${response.status}`);
    };
  }

  if (!production) mountPlayground(app);

  const armored = armorFor<GatewayContext>(config);
  const lean = leanApolloOptions<GatewayContext>();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    stringifyResult: lean.stringifyResult,
    // main.ts stops the gateway on SIGINT/SIGTERM itself
    stopOnTerminationSignals: false,
    validationRules: armored.validationRules,
    plugins: [
      ...armored.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ...lean.plugins,
      anonymousBackstop(production),
      internalErrorLog,
      operationMetrics<GatewayContext>(metrics),
    ],
    // Set explicitly: armor's protect() also returns these two, and spreading it would override them.
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: !production,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    persistedQueries: false,
    csrfPrevention: true,
    parseOptions: { maxTokens: config.MAX_TOKENS },
    logger,
    formatError: (formatted) => {
      const code = formatted.extensions?.code;
      const internal = code === 'INTERNAL_SERVER_ERROR' || code === undefined;
      // Development keeps stack traces where they help: on internal errors, not on expected refusals.
      if (!production && internal) return formatted;
      if (production && internal) return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      // `serviceName` (which subgraph answered) is internal topology: development only.
      const { stacktrace: _stacktrace, exception: _exception, serviceName, ...extensions } = formatted.extensions ?? {};
      if (!production && serviceName !== undefined) extensions.serviceName = serviceName;
      return { ...formatted, message: production ? withoutSuggestions(formatted.message) : formatted.message, extensions };
    },
  });
  await apollo.start();

  app.use(
    '/graphql',
    (_req, res, next) => {
      res.setHeader('cache-control', 'no-store');
      next();
    },
    express.json({ limit: config.MAX_BODY_BYTES }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        const requestId = res.locals.requestId as string;
        const requestLogger = logger.child({ reqId: requestId });
        // Cheap refusals first: no JWT work for a batch or an oversized document.
        refuseBatch(req.body);
        const { query, operationName } = operationOf(req);
        if (query !== undefined) checkTokenLimit(query, config.MAX_TOKENS);

        const authorization = req.header('authorization') || undefined;
        const caller = await requestCaller(runtime, authorization, { refusals: requestLogger });
        if (caller.kind === 'anonymous') {
          const verdict = judgeAnonymous(query, operationName, { allowIntrospection: !production }, config.MAX_TOKENS);
          if (verdict.allowed === false) {
            metrics.authFailures.inc({ reason: 'TOKEN_MISSING' });
            throw needsToken();
          }
        }
        return {
          caller,
          requestId,
          authorization: caller.kind === 'anonymous' ? undefined : authorization,
          clientIp: clientAddress(req),
          logger: requestLogger,
        };
      },
    }),
  );

  // SMART Backend Services: FHIR API clients get their tokens here (auth makes them)
  app.use(
    smartTokenRoute({
      authBase: byName.get('auth')?.base ?? config.AUTH_URL.replace(/\/+$/, ''),
      publicUrl: () => config.PUBLIC_URL ?? publicUrl,
      timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
      logger,
      redis,
      perMinute: config.TOKEN_REQUESTS_PER_MINUTE,
      keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
    }),
  );

  // FHIR R4 facade: every request runs through the pipeline above, as the caller (docs/fhir.md)
  app.use(
    '/fhir',
    fhirRouter({
      authenticate: (authorization) => runtime.authenticate(authorization),
      execute: apolloExecutor(apollo, logger),
      maxBodyBytes: config.MAX_BODY_BYTES,
      logger,
      onAuthFailure: (reason) => metrics.authFailures.inc({ reason }),
      publicUrl: () => config.PUBLIC_URL ?? publicUrl,
    }),
  );

  // the queue push (Server-Sent Events): "queue changed" for the caller's clinic (queue-events.ts)
  const queuePush = queueEvents({
    authenticate: (authorization) => runtime.authenticate(authorization),
    // a connection of its own whose commands may wait longer than its XREAD BLOCK (the kit's 1 s
    // command timeout would cut every blocked read short)
    redis: redis.duplicate({ commandTimeout: 15_000 }),
    stream: config.VISIT_EVENTS_STREAM,
    recheckMs: config.QUEUE_EVENTS_RECHECK_MS,
    heartbeatMs: config.QUEUE_EVENTS_HEARTBEAT_MS,
    coalesceMs: config.QUEUE_EVENTS_COALESCE_MS,
    maxPerUser: config.QUEUE_EVENTS_MAX_PER_USER,
    logger,
    onAuthFailure: (reason) => metrics.authFailures.inc({ reason }),
  });
  app.get('/events/queue', queuePush.handler);

  app.use(notFoundHandler());
  app.use(errorHandler(logger, config.MAX_BODY_BYTES));

  // Give Redis a moment, so the first requests read the session facts there instead of asking
  // auth; a Redis that is down does not stop the gateway (readiness reports it).
  await redisConnected(redis, 1000);
  const port = await listen(httpServer, config.PORT, config.HOST);
  const url = `${scheme}://${config.HOST}:${port}`;
  publicUrl = url;
  // plain HTTP answers only a redirect to the public HTTPS origin (HTTP_REDIRECT_PORT)
  const redirect =
    config.TLS.enabled && config.TLS.redirectPort !== undefined
      ? await startHttpRedirect({ port: config.TLS.redirectPort, host: config.HOST, publicOrigin: config.PUBLIC_URL! })
      : undefined;
  // a renewed certificate is read again on SIGHUP, without dropping connections
  const reload = () => {
    publicServer.reloadCertificate();
    logger.info('TLS certificate reloaded');
  };
  if (config.TLS.enabled) process.on('SIGHUP', reload);
  const ops = await startRuntimeOps(runtime, { servicePort: config.PORT, readiness, timeoutMs: 2500 });
  logger.info(
    { url, ops: ops.url, subgraphs: Object.fromEntries(subgraphs.map((s) => [s.name, s.graphql])) },
    `gateway ready at ${url}/graphql${production ? '' : ` (playground: ${url}/playground)`}`,
  );

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('gateway shutting down');
      // readiness fails first, then the public port drains
      await drainReadiness(ops, config.SHUTDOWN_READINESS_DELAY_MS, logger);
      process.off('SIGHUP', reload);
      // open streams end first: the drain below would otherwise wait for them
      await queuePush.close();
      await redirect?.close();
      await apollo.stop();
      await fetcher.close();
      await ops.close();
      if (!overrides.redis) redis.disconnect();
    })());
  return { name: 'gateway', url, port, opsUrl: ops.url, runtime, subgraphs, queuePush, stop };
}

/**
 * The token gate runs in the context function, before parsing and planning. This backstop checks
 * the operation Apollo actually resolved, so no anonymous non-public operation can slip through a
 * difference between the two readings of the request.
 */
function anonymousBackstop(production: boolean): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (contextValue.caller.kind !== 'anonymous') return;
          if (!operation || !isPublicOperation(operation, { allowIntrospection: !production })) throw needsToken();
        },
      };
    },
  };
}

/** Internal errors logged with the request id (the operation metrics are the kit's). */
const internalErrorLog: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors }) {
        for (const error of errors) {
          const code = error.extensions?.code;
          if (code === undefined || code === 'INTERNAL_SERVER_ERROR') {
            contextValue.logger.error({ err: error.originalError ?? error, path: error.path }, 'internal error');
          }
        }
      },
    };
  },
};
