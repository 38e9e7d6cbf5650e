import type { Caller } from '@clinicult/rbac';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per service process, served at /metrics. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const graphqlOperations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'auth_failures_total',
    help: 'Requests refused by token or session checks, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return { registry, httpDuration, graphqlOperations, authFailures };
}
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The `operation` label of a GraphQL request, bounded so no caller can grow the registry without
 * end: an anonymous caller's operations are all `anonymous` (a name is theirs to invent), and of
 * signed-in callers' names the first `max` distinct keep theirs, every later one is `other`.
 */
export function operationLabeller(max = 200): (operationName: string | null | undefined, caller: Caller | undefined) => string {
  const seen = new Set<string>();
  return (operationName, caller) => {
    if (!caller || caller.kind === 'anonymous' || !operationName) return 'anonymous';
    if (seen.has(operationName)) return operationName;
    if (seen.size >= max) return 'other';
    seen.add(operationName);
    return operationName;
  };
}
