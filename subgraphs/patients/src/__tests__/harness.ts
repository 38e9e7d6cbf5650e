import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { parseStreamFields, type EventEnvelope } from '@clinicult/events';
import type { AuditRecord } from '@clinicult/kit';
import type { Role } from '@clinicult/rbac';
import { createTestIssuer, jsonLines, markSessionFactsReady, personInput, queryLog, type TestIssuer } from '@clinicult/testing';
import type { ArchiveRelayOptions } from '../archive-relay.js';
import type { ClinicDirectory } from '../domain/ports.js';
import { loadPatientsConfig } from '../config.js';
import type { PatientsDb } from '../db.js';
import { startPatientsService, type RunningPatientsService } from '../service.js';

/**
 * patients in-process on port 0 over a fresh MariaDB database, tokens from a test issuer, SQL
 * statements and log lines captured, audit events published to a stream of the harness's own; the
 * clinics' time zones (admin's `clinicInfo`) come from a registry of the harness's own. Tests with
 * the real admin, clinic, visits or auth beside patients are in tests/services.
 */

/** The clinics this harness knows, with their time zones (what admin's registry would answer). */
export interface ClinicRegistry {
  /** Registers a clinic; returns its id. */
  createClinic(name: string, timeZone: string): Promise<string>;
}

function clinicRegistry(): ClinicRegistry & ClinicDirectory {
  const zones = new Map<string, string>();
  return {
    async createClinic(_name, timeZone) {
      const id = randomUUID();
      zones.set(id, timeZone);
      return id;
    },
    async timeZone(clinicId) {
      return zones.get(clinicId) ?? 'UTC';
    },
  };
}

export interface Staff {
  id: string;
  roles: Role[];
  token: string;
}

export interface PatientsHarness {
  service: RunningPatientsService;
  url: string;
  db: PatientsDb;
  database: TestDatabase;
  issuer: TestIssuer;
  /** the clinics' registry (their time zones) */
  admin: ClinicRegistry;
  /** SQL statements seen since the last `queries.length = 0` (the outbox relay's polling left out). */
  queries: string[];
  /** Parsed log lines. */
  logs: Array<Record<string, any>>;
  /** This harness's own audit stream (the service publishes its audit events there). */
  auditStream: string;
  /** A connection to the service's Redis (to read the audit stream). */
  redis: Redis;
  /** A staff member of a clinic with these roles (a fresh user id unless given). */
  staff(clinicId: string, roles: Role[], id?: string): Promise<Staff>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  clinics?: ClinicDirectory;
  /** The Redis patients uses (default REDIS_URL or the local one); tests of an outage pass a private one. */
  redisUrl?: string;
  /** Where patients asks auth about a session when Redis cannot answer (default: nothing listening). */
  authUrl?: string;
  /**
   * Extra configuration (environment variables). The archive relay is off unless this sets
   * ARCHIVE_RELAY_ENABLED=true (most tests never run visits).
   */
  env?: Record<string, string>;
  archiveRelayHooks?: ArchiveRelayOptions['hooks'];
}

export async function startHarness(options: HarnessOptions = {}): Promise<PatientsHarness> {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await markSessionFactsReady(redisUrl);
  const issuer = await createTestIssuer();
  const admin = clinicRegistry();
  const database = await createTestDatabase('patients');
  const auditStream = `t:audit:patients:${randomUUID()}`;
  // check-ins publish visit events: on a stream of this harness's own, never the shared one
  const visitEventsStream = `t:visits:patients:${randomUUID()}`;
  // a private Redis may be stopped on purpose: commands then fail soon, and reconnect errors are expected
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const { stream, lines: logs } = jsonLines();
  const logger = pino({ level: 'info', base: { service: 'patients' } }, stream);
  const { queries, onQuery } = queryLog();
  let service: RunningPatientsService;
  try {
    service = await startPatientsService(
      loadPatientsConfig({
        ...process.env,
        NODE_ENV: 'test',
        PORT: '0',
        DATABASE_URL: database.url,
        // nothing listens here: a check-in with a template is SERVICE_UNAVAILABLE
        CLINIC_URL: 'http://127.0.0.1:9',
        LOG_LEVEL: 'info',
        REDIS_URL: redisUrl,
        ARCHIVE_RELAY_ENABLED: 'false',
        ...(options.authUrl ? { AUTH_URL: options.authUrl } : {}),
        ...options.env,
      }),
      {
        issuers: [issuer.trusted],
        logger,
        // what auth issues to patients (client credentials): clinic reads at admin, archiving at visits
        tokens: { token: () => issuer.serviceToken('patients') },
        ...(options.archiveRelayHooks ? { archiveRelayHooks: options.archiveRelayHooks } : {}),
        clinics: options.clinics ?? admin,
        // the outbox relay's polling is not part of what a request costs
        onQuery,
        auditStream,
        visitEventsStream,
      },
    );
  } catch (error) {
    redis.disconnect();
    await database.drop();
    throw error;
  }
  return {
    service,
    url: `${service.url}/graphql`,
    db: service.db,
    database,
    issuer,
    admin,
    queries,
    logs,
    auditStream,
    redis,
    async staff(clinicId, roles, id = randomUUID()) {
      return { id, roles, token: await issuer.staffToken(id, clinicId, roles) };
    },
    async close() {
      await service.stop();
      await redis.del(auditStream, visitEventsStream).catch(() => undefined);
      redis.disconnect();
      await database.drop();
    },
  };
}

/** The audit events on the harness's stream (envelopes, oldest first). */
export async function auditEnvelopes(h: PatientsHarness): Promise<Array<EventEnvelope<AuditRecord>>> {
  const entries = (await h.redis.xrange(h.auditStream, '-', '+')) as Array<[string, string[]]>;
  return entries.map(([, fields]) => parseStreamFields(fields) as EventEnvelope<AuditRecord>);
}

/**
 * The audit events published so far (oldest first), optionally of one action. Writes await their
 * event and medical reads are flushed before the response is sent, so a request's events are there
 * once its response has arrived.
 */
export async function auditEvents(h: PatientsHarness, action?: string): Promise<AuditRecord[]> {
  const events = (await auditEnvelopes(h)).map((e) => e.payload);
  return action ? events.filter((e) => e.action === action) : events;
}

/** A minimal valid registration input (distinct names each call; shared with tests/services). */
export { personInput };
