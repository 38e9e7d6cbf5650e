import { createEventBus, createPrismaOutbox, type EventBus } from '@clinicult/events';
import {
  createLogger,
  createRedis,
  loadSubgraphSchema,
  startSubgraph,
  type Logger,
  type RunningService,
  type TrustedIssuer,
} from '@clinicult/kit';
import type { Redis } from 'ioredis';
import { createClients, type AdminProvisioner, type ClinicCounter } from './clients.js';
import type { AdminConfig } from './config.js';
import { createDb, type AdminDb } from './db.js';
import { ClinicRegistry } from './domain/clinics.js';
import { GlobalTemplateCatalog } from './domain/templates.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type AdminContext } from './resolvers.js';

export interface AdminServiceOverrides {
  /** Extra trusted token issuers (tests). */
  issuers?: TrustedIssuer[];
  /** A Redis connection owned by the caller (left open on stop). */
  redis?: Redis;
  logger?: Logger;
  /** Replace the HTTP client of users (unit tests of failure paths). */
  provisioner?: AdminProvisioner;
  /** Replace the overview's count calls to users / patients / visits. */
  counter?: ClinicCounter;
}

export type RunningAdminService = RunningService & {
  db: AdminDb;
  events: EventBus;
  registry: ClinicRegistry;
  templates: GlobalTemplateCatalog;
};

/** The admin subgraph (the clinic registry) on config.PORT; tests pass PORT 0. */
export async function startAdminService(
  config: AdminConfig,
  overrides: AdminServiceOverrides = {},
): Promise<RunningAdminService> {
  const logger = overrides.logger ?? createLogger('admin', config.LOG_LEVEL);
  // its key first (the clients' token source): without one (production) admin refuses to start before opening anything
  const clients = createClients(config, logger);
  const redis = overrides.redis ?? createRedis(config, 'admin');
  const db = createDb(config.DATABASE_URL);
  const events = createEventBus({ redis, service: 'admin', outbox: createPrismaOutbox(db), logger });
  const relay = events.startOutboxRelay(1000);
  const provisioner = overrides.provisioner ?? clients.provisioner;
  const registry = new ClinicRegistry({
    db,
    bus: events,
    identityStream: config.IDENTITY_STREAM,
    identityApplyWaitMs: config.IDENTITY_APPLY_WAIT_MS,
    clusters: config.CLUSTERS,
    logger,
    transactionTimeoutMs: config.UPSTREAM_TIMEOUT_MS * 3 + 5000,
  });
  const templates = new GlobalTemplateCatalog({ db, bus: events, clusters: config.CLUSTERS, logger });
  const counter = overrides.counter ?? clients.counter;

  const closeOwnResources = async () => {
    await relay.stop();
    await events.close();
    await db.$disconnect();
    if (!overrides.redis) redis.disconnect();
  };

  let service: RunningService;
  try {
    service = await startSubgraph<AdminContext>({
      name: 'admin',
      port: config.PORT,
      config,
      typeDefs: loadSubgraphSchema('admin'),
      resolvers,
      rules,
      createContext: (base) => ({
        ...base,
        registry,
        templates,
        provisioner,
        loaders: createLoaders(registry, {
          counter,
          logger: base.logger,
          timeoutMs: config.UPSTREAM_TIMEOUT_MS,
          concurrency: config.OVERVIEW_CONCURRENCY,
          requestId: base.requestId,
        }),
      }),
      readiness: { database: () => db.$queryRaw`SELECT 1` },
      logger,
      redis,
      onShutdown: [closeOwnResources],
      ...(overrides.issuers ? { issuers: overrides.issuers } : {}),
    });
  } catch (error) {
    await closeOwnResources().catch(() => undefined);
    throw error;
  }
  return { ...service, db, events, registry, templates };
}
