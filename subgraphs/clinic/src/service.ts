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
import { subscribeClusterEvents, type ClusterEventsOptions } from './cluster-events.js';
import type { ClinicConfig } from './config.js';
import { createDb, type ClinicDb } from './db.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type ClinicContext } from './resolvers.js';

export interface ClinicOverrides {
  /** Extra trusted token issuers (tests). */
  issuers?: TrustedIssuer[];
  redis?: Redis;
  logger?: Logger;
  /** Sees every SQL statement (tests count queries). */
  onQuery?: (sql: string) => void;
  /** The audit stream (tests use one of their own); default the kit's AUDIT_STREAM. */
  auditStream?: string;
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
export async function startClinicService(config: ClinicConfig, overrides: ClinicOverrides = {}): Promise<RunningClinicService> {
  const logger = overrides.logger ?? createLogger('clinic', config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL, overrides.onQuery ? { onQuery: overrides.onQuery } : {});
  const redis = overrides.redis ?? createRedis(config, 'clinic');
  const events = createServiceEvents({
    service: 'clinic',
    redis,
    db,
    logger,
    ...(overrides.auditStream ? { auditStream: overrides.auditStream } : {}),
  });
  // the clinic's cluster streams: defaults for new clinics, the global template catalogue
  // (events.close() stops these subscriptions with the bus)
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
  const closeOwnResources = async () => {
    await events.close();
    await db.$disconnect();
    if (!overrides.redis) redis.disconnect();
  };
  try {
    const service = await startSubgraph<ClinicContext>({
      name: 'clinic',
      port: config.PORT,
      config,
      typeDefs: loadSubgraphSchema('clinic'),
      resolvers,
      rules,
      createContext: (base) => {
        const clinicId = base.caller.kind === 'staff' || base.caller.kind === 'service' ? base.caller.clinicId : null;
        return { ...base, db, clinicId, loaders: createLoaders(db, clinicId) };
      },
      readiness: { database: () => db.$queryRaw`SELECT 1` },
      logger,
      ...(overrides.issuers ? { issuers: overrides.issuers } : {}),
      redis,
      onShutdown: [closeOwnResources],
    });
    logger.info({ clusters: config.CLUSTERS }, 'consuming cluster streams');
    return { ...service, db, clusterEvents };
  } catch (error) {
    await closeOwnResources().catch(() => undefined);
    throw error;
  }
}
