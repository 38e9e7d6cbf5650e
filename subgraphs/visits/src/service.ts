import { callerClinicId, runService, type RunningService, type ServiceOverrides } from '@clinicult/kit';
import type { Subscription } from '@clinicult/events';
import { subscribeCheckIns } from './checkin-events.js';
import type { VisitsConfig } from './config.js';
import { createDb, type VisitsDb } from './db.js';
import { createHistoryCache, type HistoryCache } from './domain/history-cache.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type VisitsContext } from './resolvers.js';

export interface VisitsOverrides extends ServiceOverrides {
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
export function startVisitsService(config: VisitsConfig, overrides: VisitsOverrides = {}): Promise<RunningVisitsService> {
  return runService({
    name: 'visits',
    config,
    database: createDb,
    searchDatabase: true,
    resolvers,
    rules,
    overrides,
    assemble: ({ db, searchDb, redis, logger, events }) => {
      const { audit } = events;
      const historyCache =
        overrides.historyCache === false
          ? null
          : createHistoryCache({
              redis,
              ttlSeconds: config.HISTORY_CACHE_TTL_SECONDS,
              logger,
              ...(overrides.historyCachePrefix ? { prefix: overrides.historyCachePrefix } : {}),
            });
      // patients publishes visit.checked_in; the patient's history is warmed while they are in the clinic
      // (the bus stops this subscription when the service stops)
      const checkIns = historyCache
        ? subscribeCheckIns({ bus: events.bus, stream: overrides.visitEventsStream ?? config.VISIT_EVENTS_STREAM, db, cache: historyCache, logger })
        : null;
      return {
        createContext: (base): VisitsContext => {
          const clinicId = callerClinicId(base.caller);
          return { ...base, db, searchDb, searchTimeoutMs: config.SEARCH_TIMEOUT_MS, clinicId, loaders: createLoaders(db, clinicId, historyCache), audit: audit.collector(base), auditTrail: audit, historyCache };
        },
        plugins: [audit.plugin()],
        exposed: { historyCache, checkIns },
      };
    },
  });
}
