import type { Redis } from 'ioredis';
import {
  createServiceEvents,
  createLogger,
  createRedis,
  loadSubgraphSchema,
  ServiceTokenSource,
  startSubgraph,
  type Logger,
  type RunningService,
  type TrustedIssuer,
} from '@clinicult/kit';
import { createAuthClient, type AuthClient } from './auth-client.js';
import { createClinicDirectory, type ClinicDirectory } from './clinics.js';
import type { UsersConfig } from './config.js';
import { createDb, type UsersDb } from './db.js';
import { bindAuditTrail } from './domain/audit.js';
import type { UsersDeps } from './domain/auth-sync.js';
import { scopeOf } from './domain/users.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type UsersContext } from './resolvers.js';

export interface UsersOverrides {
  /** Extra trusted token issuers (tests). */
  issuers?: TrustedIssuer[];
  redis?: Redis;
  logger?: Logger;
  /** Replaces the HTTP client of auth's internal mutations (tests that do not run auth). */
  auth?: AuthClient;
  /** Replaces the lookup of clinics in admin. */
  clinics?: ClinicDirectory;
  /** Sees every SQL statement (tests count queries). */
  onQuery?: (sql: string) => void;
  /** The audit stream (tests use one of their own); default the kit's AUDIT_STREAM. */
  auditStream?: string;
}

export interface RunningUsersService extends RunningService {
  db: UsersDb;
}

/** The users subgraph (port 4002): profiles and clinic memberships, kept in step with auth. */
export async function startUsersService(config: UsersConfig, overrides: UsersOverrides = {}): Promise<RunningUsersService> {
  const logger = overrides.logger ?? createLogger('users', config.LOG_LEVEL);
  // its key first: without one (production) users refuses to start before opening anything
  const tokens = ServiceTokenSource.forService('users', config);
  const db = createDb(config.DATABASE_URL, overrides.onQuery ? { onQuery: overrides.onQuery } : {});
  const redis = overrides.redis ?? createRedis(config, 'users');
  // Audit events (role, membership and status changes) go through the bus; while Redis is down they
  // wait in users' own outbox (event_outbox) and the relay delivers them later.
  const events = createServiceEvents({
    service: 'users',
    redis,
    db,
    logger,
    ...(overrides.auditStream ? { auditStream: overrides.auditStream } : {}),
  });
  const { audit } = events;
  const closeOwnResources = async () => {
    await events.close();
    await db.$disconnect();
    if (!overrides.redis) redis.disconnect();
  };
  const shared: Omit<UsersDeps, 'logger'> = {
    db,
    bus: events.bus,
    identityStream: config.IDENTITY_STREAM,
    identityApplyWaitMs: config.IDENTITY_APPLY_WAIT_MS,
    auth: overrides.auth ?? createAuthClient(config, logger, tokens),
    clinics: overrides.clinics ?? createClinicDirectory(config.ADMIN_URL, tokens, logger),
    invitationTtlHours: config.INVITATION_TTL_HOURS,
  };
  try {
    const service = await startSubgraph<UsersContext>({
      name: 'users',
      port: config.PORT,
      config,
      typeDefs: loadSubgraphSchema('users'),
      resolvers,
      rules,
      createContext: (base) => {
        bindAuditTrail(base, audit);
        const scope = scopeOf(base.caller);
        return { ...base, deps: { ...shared, logger: base.logger }, scope, loaders: createLoaders(db, scope) };
      },
      readiness: { database: () => db.$queryRaw`SELECT 1` },
      logger,
      redis,
      ...(overrides.issuers ? { issuers: overrides.issuers } : {}),
      onShutdown: [closeOwnResources],
    });
    return { ...service, db };
  } catch (error) {
    await closeOwnResources().catch(() => undefined);
    throw error;
  }
}
