import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type Request } from 'express';
import { GraphQLError } from 'graphql';
import {
  AuthError,
  clientIp,
  createRuntime,
  unauthenticatedError,
  withTimeout,
  type Logger,
  type ServiceRuntime,
  type SessionFallback,
  type TrustedIssuer,
} from '@clinicult/kit';
import type { Caller } from '@clinicult/rbac';
import { subgraphUrlOverrides, type GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { cors } from './cors.js';
import { apolloExecutor, fhirRouter } from './fhir/index.js';
import { armorFor, checkTokenLimit, refuseBatch, withoutSuggestions } from './limits.js';
import { mountPlayground } from './playground.js';
import { isPublicOperation, judgeAnonymous } from './public-operations.js';
import {
  endpoint,
  fetchWithTimeout,
  ForwardingDataSource,
  readSupergraph,
  subgraphEndpoints,
  type SubgraphEndpoint,
} from './subgraphs.js';

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
}

export interface RunningGateway {
  name: 'gateway';
  /** Base URL: `${url}/graphql`, `${url}/healthz`, … */
  url: string;
  port: number;
  runtime: ServiceRuntime;
  subgraphs: SubgraphEndpoint[];
  stop(): Promise<void>;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const KNOWN_ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/playground', '/fhir']);

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
  const fetcher = fetchWithTimeout(config.SUBGRAPH_TIMEOUT_MS);

  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) =>
      new ForwardingDataSource(name, {
        url: byName.get(name)?.graphql ?? endpoint(name, url ?? '').graphql,
        fetcher,
      }),
  });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  app.use((req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: routeLabel(req.originalUrl), status: res.statusCode }));
    next();
  });
  app.use(cors(config.ALLOWED_ORIGINS));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    const all: Record<string, () => Promise<unknown>> = { redis: () => redis.ping() };
    for (const subgraph of subgraphs) {
      all[subgraph.name] = async () => {
        const response = await fetch(`${subgraph.base}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (!response.ok) throw new Error(`${subgraph.base}/healthz answered ${response.status}`);
      };
    }
    await Promise.all(
      Object.entries(all).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2500);
          checks[name] = 'ok';
        } catch (error) {
          checks[name] = `failing: ${describe(error)}`;
        }
      }),
    );
    const ready = Object.values(checks).every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', service: 'gateway', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  if (!production) mountPlayground(app);

  const armored = armorFor<GatewayContext>(config);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // main.ts stops the gateway on SIGINT/SIGTERM itself
    stopOnTerminationSignals: false,
    validationRules: armored.validationRules,
    plugins: [
      ...armored.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      anonymousBackstop(production),
      observe(runtime),
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
        let caller: Caller;
        try {
          caller = await runtime.authenticate(authorization);
        } catch (error) {
          if (error instanceof AuthError) {
            metrics.authFailures.inc({ reason: error.reason });
            requestLogger.info({ reason: error.reason }, 'token refused');
            throw unauthenticatedError(error.reason, error.message);
          }
          throw error;
        }
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
          clientIp: clientIp(req),
          logger: requestLogger,
        };
      },
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
    }),
  );

  app.use((req, res) => {
    res.status(404).json({ errors: [{ message: `No route for ${req.method} ${req.path}`, extensions: { code: 'NOT_FOUND' } }] });
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error, reqId: res.locals.requestId }, 'unhandled error');
    const message =
      status === 413
        ? `The request body is larger than ${config.MAX_BODY_BYTES} bytes.`
        : status < 500
          ? 'The request body is not valid JSON.'
          : 'Internal server error';
    res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' } }] });
  };
  app.use(onError);

  // Give Redis a moment, so the first requests read the session facts there instead of asking
  // auth; a Redis that is down does not stop the gateway (readiness reports it).
  await redisReady(redis, 1000);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.PORT, config.HOST, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.HOST}:${port}`;
  logger.info(
    { url, subgraphs: Object.fromEntries(subgraphs.map((s) => [s.name, s.graphql])) },
    `gateway ready at ${url}/graphql${production ? '' : ` (playground: ${url}/playground)`}`,
  );

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('gateway shutting down');
      await apollo.stop();
      if (!overrides.redis) redis.disconnect();
    })());
  return { name: 'gateway', url, port, runtime, subgraphs, stop };
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

/** Operation metrics, and internal errors logged with the request id. */
function observe(runtime: ServiceRuntime): ApolloServerPlugin<GatewayContext> {
  return {
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
        async willSendResponse({ operationName, errors, response }) {
          const body = response.body;
          const hasErrors =
            (errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          runtime.metrics.graphqlOperations.inc({
            operation: operationName ?? 'anonymous',
            outcome: hasErrors ? 'error' : 'ok',
          });
        },
      };
    },
  };
}

function redisReady(redis: ServiceRuntime['redis'], ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

function describe(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(error);
}

