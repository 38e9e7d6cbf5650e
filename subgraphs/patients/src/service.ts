import type { Redis } from 'ioredis';
import {
  createLogger,
  createRedis,
  createServiceEvents,
  loadSubgraphSchema,
  ServiceTokenSource,
  startSubgraph,
  type Logger,
  type RunningService,
  type TrustedIssuer,
} from '@clinicult/kit';
import { createArchiveRelay, type ArchiveRelay, type ArchiveRelayOptions } from './archive-relay.js';
import { createClinicDirectory, type ClinicDirectory, type TokenSource } from './clinics.js';
import { createTemplateSource, type TemplateSource } from './templates.js';
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
  /** Replaces the template lookup in the clinic service. */
  templates?: TemplateSource;
  /** Replaces the service token used to call admin and clinic (tests mint one from their issuer). */
  tokens?: TokenSource;
  /** Sees every SQL statement (tests count queries). */
  onQuery?: (sql: string) => void;
  /** The audit stream (tests use one of their own); default the kit's AUDIT_STREAM. */
  auditStream?: string;
  /** The stream of visit events (tests use one of their own); default config VISIT_EVENTS_STREAM. */
  visitEventsStream?: string;
  /** Test hooks of the archive relay (e.g. a crash between visits' answer and the mark). */
  archiveRelayHooks?: ArchiveRelayOptions['hooks'];
}

export interface RunningPatientsService extends RunningService {
  db: PatientsDb;
  /** The archive outbox relay (null when ARCHIVE_RELAY_ENABLED=false). */
  archiveRelay: ArchiveRelay | null;
}

/** The patients subgraph (port 4003): patients, the current visit, the archive outbox. */
export async function startPatientsService(config: PatientsConfig, overrides: PatientsOverrides = {}): Promise<RunningPatientsService> {
  const logger = overrides.logger ?? createLogger('patients', config.LOG_LEVEL);
  // its key first: without one (production) patients refuses to start before opening anything
  const tokens = overrides.tokens ?? ServiceTokenSource.forService('patients', config, config.UPSTREAM_TIMEOUT_MS);
  const db = createDb(config.DATABASE_URL, overrides.onQuery ? { onQuery: overrides.onQuery } : {});
  const redis = overrides.redis ?? createRedis(config, 'patients');
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
  let archiveRelay: ArchiveRelay | null = null;
  const closeOwnResources = async () => {
    // the relay first: the row in flight is marked before the database goes away
    await archiveRelay?.stop();
    await events.close();
    await db.$disconnect();
    if (!overrides.redis) redis.disconnect();
  };
  const clinics =
    overrides.clinics ??
    createClinicDirectory({
      adminUrl: config.ADMIN_URL,
      tokens,
      logger,
      ttlMs: config.CLINIC_INFO_TTL_SECONDS * 1000,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    });
  const visitEventsStream = overrides.visitEventsStream ?? config.VISIT_EVENTS_STREAM;
  const templates =
    overrides.templates ?? createTemplateSource({ clinicUrl: config.CLINIC_URL, tokens, logger, timeoutMs: config.UPSTREAM_TIMEOUT_MS });
  const deps: PatientsDeps = {
    db,
    clinics,
    templates,
    // a check-in never fails because of its event: the bus writes the outbox while Redis is down
    publishVisitEvent: async (event) => {
      try {
        await events.bus.publish(visitEventsStream, event);
      } catch (error) {
        logger.warn({ err: error, type: event.type, clinicId: event.clinicId }, 'visit event not published');
      }
    },
  };
  let service: RunningService;
  try {
    service = await startSubgraph<PatientsContext>({
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
  } catch (error) {
    await closeOwnResources().catch(() => undefined);
    throw error;
  }
  try {
    if (config.ARCHIVE_RELAY_ENABLED) {
      // finishVisit/cancelVisit write the outbox; this delivers it to visits (archive-relay.ts)
      archiveRelay = createArchiveRelay({
        db,
        visitsUrl: config.VISITS_URL,
        tokens,
        logger,
        registry: service.runtime.metrics.registry,
        intervalMs: config.ARCHIVE_RELAY_INTERVAL_MS,
        batchSize: config.ARCHIVE_RELAY_BATCH_SIZE,
        concurrency: config.ARCHIVE_RELAY_CONCURRENCY,
        baseBackoffMs: config.ARCHIVE_RELAY_BASE_BACKOFF_MS,
        maxBackoffMs: config.ARCHIVE_RELAY_MAX_BACKOFF_MS,
        leaseMs: config.ARCHIVE_RELAY_LEASE_MS,
        maxRefusals: config.ARCHIVE_RELAY_MAX_REFUSALS,
        retentionMs: config.ARCHIVE_OUTBOX_RETENTION_DAYS * 24 * 3600 * 1000,
        timeoutMs: config.UPSTREAM_TIMEOUT_MS,
        ...(overrides.archiveRelayHooks ? { hooks: overrides.archiveRelayHooks } : {}),
      });
      archiveRelay.start();
    }
  } catch (error) {
    await service.stop(); // runs closeOwnResources
    throw error;
  }
  return { ...service, db, archiveRelay };
}
