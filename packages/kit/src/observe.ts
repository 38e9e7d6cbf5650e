import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type express from 'express';
import type { Caller } from '@clinicult/rbac';
import type { Logger } from './logger.js';
import { operationLabeller, type Metrics } from './metrics.js';

/**
 * What every HTTP process of the platform observes of its requests, written once for the subgraphs
 * (server.ts) and the gateway: the request id, the request duration metric, and GraphQL operation
 * metrics.
 */

/** A client's `x-request-id` is kept only when it looks like one (no spaces, no control characters). */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const PROBE_PATHS = new Set(['/healthz']);

/** The route as declared (never the raw path: a scan of random URLs must not grow the metric's labels). */
function declaredRoute(req: express.Request): string {
  return req.route?.path ?? (req.baseUrl || 'unmatched');
}

export interface RequestObserverOptions {
  metrics: Metrics;
  /** The `route` label of `http_request_duration_seconds`; default the route as declared. */
  route?: (req: express.Request) => string;
  /** One access line per request (probes excluded) with its request id; none when unset. */
  accessLog?: Logger;
  /**
   * The level of that line (default info). The subgraphs log their requests at debug: the gateway's
   * line (same request id) already says what came in, and a line per subgraph call per request was
   * a measured share of every service's CPU (issue 14). A request slower than `slowMs` (default
   * 1000) or answered with a 5xx is logged at info (warn for 5xx) whatever this says.
   */
  accessLevel?: 'info' | 'debug';
  slowMs?: number;
}

/**
 * The first middleware of an app: takes the client's (or the gateway's) `x-request-id` or makes one,
 * puts it on `res.locals.requestId` and the response, and times the request.
 */
export function requestObserver(options: RequestObserverOptions): express.RequestHandler {
  const { metrics, accessLog } = options;
  const accessLevel = options.accessLevel ?? 'info';
  const slowMs = options.slowMs ?? 1000;
  const route = options.route ?? declaredRoute;
  return (req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const seconds = end({ route: route(req), status: res.statusCode });
      if (accessLog && !PROBE_PATHS.has(req.path)) {
        const ms = Math.round(seconds * 1000);
        const level = res.statusCode >= 500 ? 'warn' : ms >= slowMs ? 'info' : accessLevel;
        if (accessLog.isLevelEnabled(level)) {
          accessLog[level]({ reqId: requestId, method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
        }
      }
    });
    next();
  };
}

/** `graphql_operations_total` by operation (bounded: operationLabeller) and outcome. */
export function operationMetrics<TContext extends { caller: Caller }>(metrics: Metrics): ApolloServerPlugin<TContext> {
  const label = operationLabeller();
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operationName, errors, response, contextValue }) {
          const body = response.body;
          const hasErrors =
            (errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          metrics.graphqlOperations.inc({ operation: label(operationName, contextValue?.caller), outcome: hasErrors ? 'error' : 'ok' });
        },
      };
    },
  };
}
