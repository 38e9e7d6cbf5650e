import type { Redis } from 'ioredis';
import {
  createLogger,
  createRedis,
  createServiceEvents,
  loadSubgraphSchema,
  serviceSecret,
  ServiceTokenSource,
  startSubgraph,
  type Logger,
  type RunningService,
  type TrustedIssuer,
} from '@clinicult/kit';
import { createClinicDirectory, type ClinicDirectory, type TokenSource } from './clinics.js';
import type { PatientsConfig } from './config.js';
import { createDb, type PatientsDb } from './db.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type PatientsContext, type PatientsDeps } from './resolvers.js';

export interface PatientsOverrides {
  /** Extra trusted token issuers (tests). */
  issuers?: TrustedIssuer[];
  redis?: Redis;
  logger?: Logger;
  /** Replaces the lookup of clinics' time zones in admin. */
  clinics?: ClinicDirectory;
  /** Replaces the service token used to call admin (tests mint one from their issuer). */
  tokens?: TokenSource;
  /** Sees every SQL statement (tests count queries). */
  onQuery?: (sql: string) => void;
  /** The audit stream (tests use one of their own); default the kit's AUDIT_STREAM. */
  auditStream?: string;
}

export interface RunningPatientsService extends RunningService {
  db: PatientsDb;
}

/** The patients subgraph (port 4003): patients, the current visit, the archive outbox. */
export async function startPatientsService(config: PatientsConfig, overrides: PatientsOverrides = {}): Promise<RunningPatientsService> {
  const logger = overrides.logger ?? createLogger('patients', config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL, overrides.onQuery ? { onQuery: overrides.onQuery } : {});
  const redis = overrides.redis ?? createRedis(config.REDIS_URL, 'patients');
  // Audit events (medical reads, writes of patient data) go through patients' event bus; while Redis
  // is down they wait in patients' own outbox (event_outbox) and the relay delivers them later.
  const events = createServiceEvents({
    service: 'patients',
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
  const tokens =
    overrides.tokens ??
    new ServiceTokenSource({
      authUrl: config.AUTH_URL,
      service: 'patients',
      secret: serviceSecret('patients', config),
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    });
  const clinics =
    overrides.clinics ??
    createClinicDirectory({
      adminUrl: config.ADMIN_URL,
      tokens,
      logger,
      ttlMs: config.CLINIC_INFO_TTL_SECONDS * 1000,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    });
  const deps: PatientsDeps = { db, clinics };
  try {
    const service = await startSubgraph<PatientsContext>({
      name: 'patients',
      port: config.PORT,
      config,
      typeDefs: loadSubgraphSchema('patients'),
      resolvers,
      rules,
      createContext: (base) => {
        const clinicId = base.caller.kind === 'staff' || base.caller.kind === 'service' ? base.caller.clinicId : null;
        let zone: Promise<string> | undefined;
        return {
          ...base,
          deps,
          clinicId,
          loaders: createLoaders(db, clinicId),
          audit: audit.collector(base),
          auditTrail: audit,
          clinicTimeZone: () => (zone ??= clinicId ? clinics.timeZone(clinicId, { requestId: base.requestId }) : Promise.resolve('UTC')),
        };
      },
      plugins: [audit.plugin()],
      readiness: { database: () => db.$queryRaw`SELECT 1` },
      logger,
      ...(overrides.issuers ? { issuers: overrides.issuers } : {}),
      redis,
      onShutdown: [closeOwnResources],
    });
    return { ...service, db };
  } catch (error) {
    await closeOwnResources().catch(() => undefined);
    throw error;
  }
}
