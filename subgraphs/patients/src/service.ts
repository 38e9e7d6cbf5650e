import { callerClinicId, runService, ServiceTokenSource, type RunningService, type ServiceOverrides } from '@clinicult/kit';
import { createArchiveRelay, type ArchiveRelay, type ArchiveRelayOptions } from './archive-relay.js';
import { createClinicDirectory } from './adapters/admin.js';
import { createTemplateSource } from './adapters/clinic.js';
import type { ClinicDirectory, TemplateSource, TokenSource } from './domain/ports.js';
import type { PatientsConfig } from './config.js';
import { createDb, type PatientsDb } from './db.js';
import { createLoaders } from './loaders.js';
import { rules } from './permissions.js';
import { resolvers, type PatientsContext, type PatientsDeps } from './resolvers.js';

export interface PatientsOverrides extends ServiceOverrides {
  /** Replaces the lookup of clinics' time zones in admin. */
  clinics?: ClinicDirectory;
  /** Replaces the template lookup in the clinic service. */
  templates?: TemplateSource;
  /** Replaces the service token used to call admin and clinic (tests mint one from their issuer). */
  tokens?: TokenSource;
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
export function startPatientsService(config: PatientsConfig, overrides: PatientsOverrides = {}): Promise<RunningPatientsService> {
  // its key first: without one (production) patients refuses to start before opening anything
  const tokens = overrides.tokens ?? ServiceTokenSource.forService('patients', config, config.UPSTREAM_TIMEOUT_MS);
  return runService({
    name: 'patients',
    config,
    database: createDb,
    searchDatabase: true,
    resolvers,
    rules,
    overrides,
    assemble: ({ db, searchDb, logger, events }) => {
      // audit events (medical reads, writes of patient data) go through the bus; while Redis is down
      // they wait in patients' own outbox (event_outbox)
      const { audit } = events;
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
        searchDb,
        searchTimeoutMs: config.SEARCH_TIMEOUT_MS,
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
      const exposed: { archiveRelay: ArchiveRelay | null } = { archiveRelay: null };
      return {
        createContext: (base): PatientsContext => {
          const clinicId = callerClinicId(base.caller);
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
        exposed,
        // the relay first: the row in flight is marked before the database goes away
        stop: [async () => exposed.archiveRelay?.stop()],
        started: (service) => {
          if (!config.ARCHIVE_RELAY_ENABLED) return;
          // finishVisit/cancelVisit write the outbox; this delivers it to visits (archive-relay.ts)
          exposed.archiveRelay = createArchiveRelay({
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
          exposed.archiveRelay.start();
        },
      };
    },
  });
}
