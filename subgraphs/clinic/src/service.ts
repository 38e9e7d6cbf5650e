import { callerClinicId, runService, ServiceTokenSource, type CallerTokens, type RunningService, type ServiceOverrides } from '@clinicult/kit';
import type { Subscription } from '@clinicult/events';
import { subscribeClusterEvents, type ClusterEventsOptions } from './cluster-events.js';
import type { ClinicConfig } from './config.js';
import { createDb, type ClinicDb } from './db.js';
import { StaffDirectory, usersStaffNames, type StaffNamesSource } from './domain/staff-directory.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type ClinicContext } from './resolvers.js';

export interface ClinicOverrides extends ServiceOverrides {
  /** The cluster streams' consumer group (tests and the e2e harness use one of their own); default `clinic`. */
  clusterGroup?: string;
  /** Where a new consumer group starts reading; default '0' (the whole retained stream). */
  clusterStartId?: string;
  /** Test hooks into the cluster event handlers (failure injection). */
  clusterHooks?: ClusterEventsOptions['hooks'];
  /** clinic's bearer tokens for its calls to users (tests: a test issuer's); default from auth. */
  tokens?: CallerTokens;
  /** Where the staff directory's names come from; default users' `staffNames`. */
  staffNames?: StaffNamesSource;
}

export interface RunningClinicService extends RunningService {
  db: ClinicDb;
  /** one consumer per cluster stream (clinic.created, template.published) */
  clusterEvents: Subscription[];
}

/** The clinic subgraph (port 4005): clinic settings, visit templates, the global template catalogue. */
export function startClinicService(config: ClinicConfig, overrides: ClinicOverrides = {}): Promise<RunningClinicService> {
  // its key first (the staff directory asks users with it): without one (production) clinic refuses to start
  const tokens = overrides.staffNames ? null : (overrides.tokens ?? ServiceTokenSource.forService('clinic', config, config.UPSTREAM_TIMEOUT_MS));
  return runService({
    name: 'clinic',
    config,
    database: createDb,
    resolvers,
    rules,
    overrides,
    assemble: ({ db, logger, events }) => {
      // the clinic's cluster streams: defaults for new clinics, the global template catalogue
      // (the bus stops these subscriptions when the service stops)
      const clusterEvents = subscribeClusterEvents({
        bus: events.bus,
        db,
        logger,
        clusters: config.CLUSTERS,
        claimIdleMs: config.EVENT_RETRY_AFTER_MS,
        ...(overrides.clusterGroup ? { group: overrides.clusterGroup } : {}),
        ...(overrides.clusterStartId ? { startId: overrides.clusterStartId } : {}),
        ...(overrides.clusterHooks ? { hooks: overrides.clusterHooks } : {}),
      });
      logger.info({ clusters: config.CLUSTERS }, 'consuming cluster streams');
      const directory = new StaffDirectory({
        db,
        logger,
        ttlMs: config.STAFF_DIRECTORY_TTL_MS,
        source: overrides.staffNames ?? usersStaffNames({ usersUrl: config.USERS_URL, tokens: tokens!, logger, timeoutMs: config.UPSTREAM_TIMEOUT_MS }),
      });
      return {
        createContext: (base): ClinicContext => {
          const clinicId = callerClinicId(base.caller);
          return { ...base, db, clinicId, loaders: createLoaders(db, clinicId, { directory, requestId: base.requestId }) };
        },
        exposed: { clusterEvents },
      };
    },
  });
}
