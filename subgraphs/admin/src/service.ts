import { createLogger, runService, type RunningService, type ServiceEvents, type ServiceOverrides } from '@clinicult/kit';
import { createClients } from './adapters/services.js';
import type { AdminProvisioner, ClinicCounter } from './domain/ports.js';
import type { AdminConfig } from './config.js';
import { createDb, type AdminDb } from './db.js';
import { ClinicRegistry } from './domain/clinics.js';
import { GlobalTemplateCatalog } from './domain/templates.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type AdminContext } from './resolvers.js';

export interface AdminServiceOverrides extends ServiceOverrides {
  /** Replace the HTTP client of users (unit tests of failure paths). */
  provisioner?: AdminProvisioner;
  /** Replace the overview's count calls to users / patients / visits. */
  counter?: ClinicCounter;
}

export type RunningAdminService = RunningService & {
  db: AdminDb;
  events: ServiceEvents;
  registry: ClinicRegistry;
  templates: GlobalTemplateCatalog;
};

/** The admin subgraph (the clinic registry) on config.PORT; tests pass PORT 0. */
export function startAdminService(config: AdminConfig, overrides: AdminServiceOverrides = {}): Promise<RunningAdminService> {
  // its key first (the clients' token source): without one (production) admin refuses to start before opening anything
  const logger = overrides.logger ?? createLogger('admin', config.LOG_LEVEL);
  const clients = createClients(config, logger);
  return runService({
    name: 'admin',
    config,
    database: createDb,
    // each cluster's clinic and template events go to that cluster's Redis
    clusterEvents: { clusters: config.CLUSTERS, redisUrls: config.CLUSTER_REDIS_URLS },
    resolvers,
    rules,
    overrides: { ...overrides, logger },
    assemble: ({ db, events }) => {
      const provisioner = overrides.provisioner ?? clients.provisioner;
      const registry = new ClinicRegistry({
        db,
        bus: events.bus,
        deliver: () => events.deliver(),
        identityStream: config.IDENTITY_STREAM,
        identityApplyWaitMs: config.IDENTITY_APPLY_WAIT_MS,
        clusters: config.CLUSTERS,
        logger,
        transactionTimeoutMs: config.UPSTREAM_TIMEOUT_MS * 3 + 5000,
      });
      const templates = new GlobalTemplateCatalog({ db, bus: events.bus, deliver: () => events.deliver(), clusters: config.CLUSTERS, logger });
      const counter = overrides.counter ?? clients.counter;
      return {
        createContext: (base): AdminContext => ({
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
        exposed: { registry, templates },
      };
    },
  });
}
