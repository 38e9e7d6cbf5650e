import { createLogger, runService, ServiceTokenSource, type CallerTokens, type RunningService, type ServiceOverrides } from '@clinicult/kit';
import { createAuthClient } from './adapters/auth.js';
import { clinicClusters, createClinicDirectory } from './adapters/admin.js';
import type { UsersConfig } from './config.js';
import { createDb, type UsersDb } from './db.js';
import { bindAuditTrail } from './domain/audit.js';
import type { UsersDeps } from './domain/auth-sync.js';
import { scopeOf } from './domain/users.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type UsersContext } from './resolvers.js';

export interface UsersOverrides extends ServiceOverrides {
  /** users' bearer tokens for its calls to auth and admin (tests: a test issuer's); default from auth. */
  tokens?: CallerTokens;
}

export interface RunningUsersService extends RunningService {
  db: UsersDb;
}

/** The users subgraph (port 4002): profiles and clinic memberships, kept in step with auth. */
export function startUsersService(config: UsersConfig, overrides: UsersOverrides = {}): Promise<RunningUsersService> {
  // its key first: without one (production) users refuses to start before opening anything
  const tokens = overrides.tokens ?? ServiceTokenSource.forService('users', config);
  const logger = overrides.logger ?? createLogger('users', config.LOG_LEVEL);
  const clinics = createClinicDirectory(config.ADMIN_URL, tokens, logger);
  const regions = Object.keys(config.CLUSTER_REDIS_URLS);
  return runService({
    name: 'users',
    config,
    database: createDb,
    // regions: each audit event goes to the audit service of its clinic's cluster
    ...(regions.length > 0 ? { clusterEvents: { clusters: regions, redisUrls: config.CLUSTER_REDIS_URLS, clusterOf: clinicClusters(clinics) } } : {}),
    resolvers,
    rules,
    overrides: { ...overrides, logger },
    assemble: ({ db, events }) => {
      // audit events (role, membership and status changes) and identity events go through the bus;
      // while Redis is down they wait in users' own outbox (event_outbox)
      const shared: Omit<UsersDeps, 'logger'> = {
        db,
        bus: events.bus,
        identityStream: config.IDENTITY_STREAM,
        identityApplyWaitMs: config.IDENTITY_APPLY_WAIT_MS,
        auth: createAuthClient(config, logger, tokens),
        clinics,
        invitationTtlHours: config.INVITATION_TTL_HOURS,
      };
      return {
        createContext: (base): UsersContext => {
          bindAuditTrail(base, events.audit);
          const scope = scopeOf(base.caller);
          return { ...base, deps: { ...shared, logger: base.logger }, scope, loaders: createLoaders(db, scope) };
        },
        exposed: {},
      };
    },
  });
}
