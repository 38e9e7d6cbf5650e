import { runService, type RunningService, type ServiceOverrides } from '@clinicult/kit';
import type { Subscription } from '@clinicult/events';
import { subscribeClusterEvents, type ClusterEventsOptions } from './cluster-events.js';
import type { ClinicConfig } from './config.js';
import { createDb, type ClinicDb } from './db.js';
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
}

export interface RunningClinicService extends RunningService {
  db: ClinicDb;
  /** one consumer per cluster stream (clinic.created, template.published) */
  clusterEvents: Subscription[];
}

/** The clinic subgraph (port 4005): clinic settings, visit templates, the global template catalogue. */
export function startClinicService(config: ClinicConfig, overrides: ClinicOverrides = {}): Promise<RunningClinicService> {
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
      return {
        createContext: (base): ClinicContext => {
          const clinicId = base.caller.kind === 'staff' || base.caller.kind === 'service' ? base.caller.clinicId : null;
          return { ...base, db, clinicId, loaders: createLoaders(db, clinicId) };
        },
        exposed: { clusterEvents },
      };
    },
  });
}
