import type { Redis } from 'ioredis';
import {
  createLogger,
  createRedis,
  createServiceEvents,
  loadSubgraphSchema,
  startSubgraph,
  type Logger,
  type RunningService,
  type TrustedIssuer,
} from '@clinicult/kit';
import type { Subscription } from '@clinicult/events';
import { subscribeCheckIns } from './checkin-events.js';
import type { VisitsConfig } from './config.js';
import { createDb, type VisitsDb } from './db.js';
import { createHistoryCache, type HistoryCache } from './domain/history-cache.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type VisitsContext } from './resolvers.js';

export interface VisitsOverrides {
  /** Extra trusted token issuers (tests). */
  issuers?: TrustedIssuer[];
  redis?: Redis;
  logger?: Logger;
  /** Sees every SQL statement (tests count queries). */
  onQuery?: (sql: string) => void;
  /** The audit stream (tests use one of their own); default the kit's AUDIT_STREAM. */
  auditStream?: string;
  /** The stream of patients' visit events (tests use one of their own); default config VISIT_EVENTS_STREAM. */
  visitEventsStream?: string;
  /** The history cache's key prefix (tests use one of their own); default `visits:history`. */
  historyCachePrefix?: string;
  /**
   * false: no history cache, every history read goes to MySQL (the benchmark's cold runs). Never in
   * production: archives would not invalidate entries other replicas keep.
   */
  historyCache?: false;
}

export interface RunningVisitsService extends RunningService {
  db: VisitsDb;
  /** null when started with `historyCache: false` */
  historyCache: HistoryCache | null;
  /** the `visit.checked_in` consumer (warms the history cache); null without a cache */
  checkIns: Subscription | null;
}

/** The visits subgraph (port 4004): finished and cancelled visits, archived once from patients' outbox. */
export async function startVisitsService(config: VisitsConfig, overrides: VisitsOverrides = {}): Promise<RunningVisitsService> {
  const logger = overrides.logger ?? createLogger('visits', config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL, overrides.onQuery ? { onQuery: overrides.onQuery } : {});
  const redis = overrides.redis ?? createRedis(config, 'visits');
  // Audit events (medical reads) go through visits' event bus; while Redis is down they wait in
  // visits' own outbox (event_outbox) and the relay delivers them later.
  const events = createServiceEvents({
    service: 'visits',
    redis,
    db,
    logger,
    ...(overrides.auditStream ? { auditStream: overrides.auditStream } : {}),
  });
  const { audit } = events;
  const historyCache = overrides.historyCache === false ? null : createHistoryCache({
    redis,
    ttlSeconds: config.HISTORY_CACHE_TTL_SECONDS,
    logger,
    ...(overrides.historyCachePrefix ? { prefix: overrides.historyCachePrefix } : {}),
  });
  // patients publishes visit.checked_in; the patient's history is warmed while they are in the clinic
  // (events.close() stops this subscription with the bus)
  const checkIns = historyCache
    ? subscribeCheckIns({
        bus: events.bus,
        stream: overrides.visitEventsStream ?? config.VISIT_EVENTS_STREAM,
        db,
        cache: historyCache,
        logger,
      })
    : null;
  const closeOwnResources = async () => {
    await events.close();
    await db.$disconnect();
    if (!overrides.redis) redis.disconnect();
  };
  try {
    const service = await startSubgraph<VisitsContext>({
      name: 'visits',
      port: config.PORT,
      config,
      typeDefs: loadSubgraphSchema('visits'),
      resolvers,
      rules,
      createContext: (base) => {
        const clinicId = base.caller.kind === 'staff' || base.caller.kind === 'service' ? base.caller.clinicId : null;
        return {
          ...base,
          db,
          clinicId,
          loaders: createLoaders(db, clinicId, historyCache),
          audit: audit.collector(base),
          auditTrail: audit,
          historyCache,
        };
      },
      plugins: [audit.plugin()],
      readiness: { database: () => db.$queryRaw`SELECT 1` },
      logger,
      ...(overrides.issuers ? { issuers: overrides.issuers } : {}),
      redis,
      onShutdown: [closeOwnResources],
    });
    return { ...service, db, historyCache, checkIns };
  } catch (error) {
    await closeOwnResources().catch(() => undefined);
    throw error;
  }
}
