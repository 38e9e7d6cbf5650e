import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { parseStreamFields, type EventEnvelope } from '@clinicult/events';
import type { AuditRecord, Logger, RunningService, TrustedIssuer } from '@clinicult/kit';
import type { Role } from '@clinicult/rbac';
import { createTestIssuer, freePort, gql, markSessionFactsReady, startRealAuth, type TestIssuer } from '@clinicult/testing';
import type { ArchiveRelayOptions } from '../archive-relay.js';
import type { ClinicDirectory } from '../clinics.js';
import { loadPatientsConfig } from '../config.js';
import type { PatientsDb } from '../db.js';
import { startPatientsService, type RunningPatientsService } from '../service.js';

/**
 * patients in-process on port 0 over a fresh MariaDB database, tokens from a test issuer, SQL
 * statements and log lines captured, audit events published to a stream of the harness's own; the
 * real admin service (the clinic registry that answers
 * `clinicInfo`, i.e. the clinics' time zones) runs in-process too, on its own database.
 */

// admin is another workspace: loaded by path at run time so patients' compile stays within src/.
interface AdminModule {
  loadAdminConfig(env: Record<string, string>): unknown;
  startAdminService(
    config: unknown,
    overrides?: { issuers?: TrustedIssuer[]; logger?: Logger; access?: { setClinicAccess(): Promise<void> } },
  ): Promise<RunningService>;
}
const ADMIN_MODULE = '../../../admin/src/index.js';

export interface AdminUnderTest {
  url: string;
  /** Registers a clinic as an operator; returns its id. */
  createClinic(name: string, timeZone: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startRealAdmin(issuer: TestIssuer): Promise<AdminUnderTest> {
  const { loadAdminConfig, startAdminService } = (await import(ADMIN_MODULE)) as AdminModule;
  const database = await createTestDatabase('admin');
  // admin records each new clinic's access at auth: the real auth, trusting the test issuer
  const auth = await startRealAuth({ port: await freePort(), issuer: issuer.trusted });
  try {
    const service = await startAdminService(
      loadAdminConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: '0',
        DATABASE_URL: database.url,
        AUTH_URL: auth.url,
        USERS_URL: 'http://127.0.0.1:9',
      }),
      { issuers: [issuer.trusted] },
    );
    const operator = await issuer.operatorToken();
    return {
      url: service.url,
      async createClinic(name, timeZone) {
        const r = await gql(
          `${service.url}/graphql`,
          'mutation ($input: CreateClinicInput!) { createClinic(input: $input) { id } }',
          { input: { name, timeZone } },
          { token: operator },
        );
        if (r.errors || !r.data) throw new Error(`createClinic failed: ${JSON.stringify(r.errors)}`);
        return r.data.createClinic.id as string;
      },
      async stop() {
        await service.stop();
        await database.drop();
        await auth.stop();
      },
    };
  } catch (error) {
    await auth.stop();
    await database.drop();
    throw error;
  }
}

// visits is another workspace too (it may not exist yet in a checkout): loaded by path at run time.
interface VisitsModule {
  loadVisitsConfig(env: Record<string, string | undefined>): unknown;
  startVisitsService(config: unknown, overrides?: { issuers?: TrustedIssuer[]; logger?: Logger }): Promise<RunningService>;
}
const VISITS_MODULE = '../../../visits/src/index.js';

/** Whether the visits service is in this checkout (subgraphs/visits/src/index.ts exporting startVisitsService). */
export async function visitsServiceAvailable(): Promise<boolean> {
  try {
    const mod = (await import(VISITS_MODULE)) as Partial<VisitsModule>;
    return typeof mod.startVisitsService === 'function' && typeof mod.loadVisitsConfig === 'function';
  } catch {
    return false;
  }
}

export interface VisitsUnderTest {
  /** Base URL (what patients' VISITS_URL names). */
  url: string;
  /** Its database (count archived visits with `mysqlQuery`). */
  databaseUrl: string;
  /** Stops the service, keeping its database (a later `start` serves the same data). */
  stop(): Promise<void>;
  /** Starts the service (again) on the same port. */
  start(): Promise<void>;
  /** Stops it and drops its database. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the shared helper; re-exported for this package's tests). */
export { freePort };

/**
 * The real visits service on its own database and a fixed port, NOT started: patients' relay can
 * be pointed at `url` before visits exists, then `start()` brings it up.
 */
export async function prepareRealVisits(issuer: TestIssuer, port: number): Promise<VisitsUnderTest> {
  const { loadVisitsConfig, startVisitsService } = (await import(VISITS_MODULE)) as VisitsModule;
  const database = await createTestDatabase('visits');
  const config = loadVisitsConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    DATABASE_URL: database.url,
    AUTH_URL: 'http://127.0.0.1:9',
  });
  let running: RunningService | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    async start() {
      running ??= await startVisitsService(config, { issuers: [issuer.trusted] });
    },
    async stop() {
      await running?.stop();
      running = null;
    },
    async close() {
      await running?.stop();
      running = null;
      await database.drop();
    },
  };
}

// clinic (templates) is another workspace: loaded by path at run time, like admin and visits.
interface ClinicModule {
  loadClinicConfig(env: Record<string, string | undefined>): unknown;
  startClinicService(config: unknown, overrides?: { issuers?: TrustedIssuer[]; logger?: Logger }): Promise<RunningService>;
}
const CLINIC_MODULE = '../../../clinic/src/index.js';

export interface ClinicUnderTest {
  url: string;
  /** Creates an active template in `clinicId` as that clinic's ADMIN; returns its id. */
  createTemplate(clinicId: string, input: Record<string, unknown>): Promise<string>;
  /** Publishes a new version of a template (updateTemplate); returns the new version number. */
  updateTemplate(clinicId: string, templateId: string, input: Record<string, unknown>): Promise<number>;
  setActive(clinicId: string, templateId: string, active: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** The real clinic service on its own database, trusting the test issuer. */
export async function startRealClinic(issuer: TestIssuer): Promise<ClinicUnderTest> {
  const { loadClinicConfig, startClinicService } = (await import(CLINIC_MODULE)) as ClinicModule;
  const database = await createTestDatabase('clinic');
  let service: RunningService;
  try {
    service = await startClinicService(
      loadClinicConfig({
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: '0',
        DATABASE_URL: database.url,
        AUTH_URL: 'http://127.0.0.1:9',
        // a cluster of its own: this test's clinic service consumes no shared events
        CLUSTERS: `t-${randomUUID().slice(0, 8)}`,
      }),
      { issuers: [issuer.trusted] },
    );
  } catch (error) {
    await database.drop();
    throw error;
  }
  let stopped = false;
  const asAdmin = async <T>(clinicId: string, query: string, variables: Record<string, unknown>): Promise<T> => {
    const token = await issuer.staffToken(randomUUID(), clinicId, ['ADMIN']);
    const r = await gql<T>(`${service.url}/graphql`, query, variables, { token });
    if (r.errors || !r.data) throw new Error(`clinic: ${JSON.stringify(r.errors)}`);
    return r.data;
  };
  return {
    url: service.url,
    async createTemplate(clinicId, input) {
      const data = await asAdmin<{ createTemplate: { id: string } }>(clinicId, 'mutation ($i: TemplateInput!) { createTemplate(input: $i) { id } }', { i: input });
      return data.createTemplate.id;
    },
    async updateTemplate(clinicId, templateId, input) {
      const data = await asAdmin<{ updateTemplate: { version: number } }>(
        clinicId,
        'mutation ($id: ID!, $i: TemplateInput!) { updateTemplate(id: $id, input: $i) { version } }',
        { id: templateId, i: input },
      );
      return data.updateTemplate.version;
    },
    async setActive(clinicId, templateId, active) {
      await asAdmin(clinicId, 'mutation ($id: ID!, $a: Boolean!) { setTemplateActive(id: $id, active: $a) { id } }', { id: templateId, a: active });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await service.stop();
      await database.drop();
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
  admin: AdminUnderTest;
  /** The real clinic service (templates), when the harness was started `withClinic`. */
  clinic: ClinicUnderTest | null;
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
  /** Start the real clinic service too (check-ins with a template); off by default to keep tests quick. */
  withClinic?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<PatientsHarness> {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await markSessionFactsReady(redisUrl);
  const issuer = await createTestIssuer();
  const admin = await startRealAdmin(issuer);
  const clinic = options.withClinic ? await startRealClinic(issuer) : null;
  const database = await createTestDatabase('patients');
  const auditStream = `t:audit:patients:${randomUUID()}`;
  // check-ins publish visit events: on a stream of this harness's own, never the shared one
  const visitEventsStream = `t:visits:patients:${randomUUID()}`;
  // a private Redis may be stopped on purpose: commands then fail soon, and reconnect errors are expected
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const logs: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info', base: { service: 'patients' } }, stream);
  const queries: string[] = [];
  let service: RunningPatientsService;
  try {
    service = await startPatientsService(
      loadPatientsConfig({
        ...process.env,
        NODE_ENV: 'test',
        PORT: '0',
        DATABASE_URL: database.url,
        ADMIN_URL: admin.url,
        // without the clinic service nothing listens here: a check-in with a template is SERVICE_UNAVAILABLE
        CLINIC_URL: clinic?.url ?? 'http://127.0.0.1:9',
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
        ...(options.clinics ? { clinics: options.clinics } : {}),
        // the outbox relay's polling is not part of what a request costs
        onQuery: (sql) => {
          if (!sql.includes('event_outbox')) queries.push(sql);
        },
        auditStream,
        visitEventsStream,
      },
    );
  } catch (error) {
    redis.disconnect();
    await database.drop();
    await admin.stop();
    await clinic?.stop();
    throw error;
  }
  return {
    service,
    clinic,
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
      await admin.stop();
      await clinic?.stop();
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

let counter = 0;

/** A minimal valid registration input (distinct names each call). */
export function personInput(patch: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    givenName: `Given${counter}`,
    familyName: `Family${counter}`,
    birthDate: '1980-01-15',
    gender: 'FEMALE',
    ...patch,
  };
}
