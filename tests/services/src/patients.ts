/**
 * patients with the real services it calls: admin (the clinics' time zones, `clinicInfo`) with the
 * real auth behind it (admin records each new clinic's access there), and when a test asks, the
 * clinic service (templates) and visits (the archive relay's receiver).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTestDatabase } from '@clinicult/db';
import { parseStreamFields, type EventEnvelope } from '@clinicult/events';
import type { AuditRecord, RunningService } from '@clinicult/kit';
import type { Role } from '@clinicult/rbac';
import type { PatientsOverrides } from '@clinicult/patients-service';
import { loadVisitsConfig, startVisitsService } from '@clinicult/visits-service';
import { createTestIssuer, freePort, gql, jsonLines, markSessionFactsReady, queryLog, type TestIssuer } from '@clinicult/testing';
import { startAuth } from './auth.js';
import { startAdminProcess, startClinic, startPatients } from './services.js';

export { freePort };

export interface AdminUnderTest {
  url: string;
  /** Registers a clinic as an operator; returns its id. */
  createClinic(name: string, timeZone: string): Promise<string>;
  stop(): Promise<void>;
}

/** The real admin on its own database, with the real auth (trusting the test issuer) it records clinic access at. */
export async function startRealAdmin(issuer: TestIssuer): Promise<AdminUnderTest> {
  const auth = await startAuth({ port: await freePort(), issuer });
  try {
    const admin = await startAdminProcess({ issuer, env: { AUTH_URL: auth.url, USERS_URL: 'http://127.0.0.1:9' } });
    const operator = await issuer.operatorToken();
    return {
      url: admin.url,
      async createClinic(name, timeZone) {
        const r = await gql(`${admin.url}/graphql`, 'mutation ($input: CreateClinicInput!) { createClinic(input: $input) { id } }', { input: { name, timeZone } }, { token: operator });
        if (r.errors || !r.data) throw new Error(`createClinic failed: ${JSON.stringify(r.errors)}`);
        return r.data.createClinic.id as string;
      },
      async stop() {
        await admin.stop();
        await auth.stop();
      },
    };
  } catch (error) {
    await auth.stop();
    throw error;
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

/**
 * The real visits service on its own database and a fixed port, NOT started: patients' relay can
 * be pointed at `url` before visits exists, then `start()` brings it up.
 */
export async function prepareRealVisits(issuer: TestIssuer, port: number): Promise<VisitsUnderTest> {
  const database = await createTestDatabase('visits');
  const config = loadVisitsConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: String(port), DATABASE_URL: database.url, AUTH_URL: 'http://127.0.0.1:9' });
  let running: RunningService | null = null;
  const stop = async () => {
    await running?.stop();
    running = null;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    async start() {
      running ??= await startVisitsService(config, { issuers: [issuer.trusted] });
    },
    stop,
    async close() {
      await stop();
      await database.drop();
    },
  };
}

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
  // a cluster of its own: this test's clinic service consumes no shared events
  const clinic = await startClinic({ issuer, env: { AUTH_URL: 'http://127.0.0.1:9', CLUSTERS: `t-${randomUUID().slice(0, 8)}` } });
  const asAdmin = async <T>(clinicId: string, query: string, variables: Record<string, unknown>): Promise<T> => {
    const token = await issuer.staffToken(randomUUID(), clinicId, ['ADMIN']);
    const r = await gql<T>(`${clinic.url}/graphql`, query, variables, { token });
    if (r.errors || !r.data) throw new Error(`clinic: ${JSON.stringify(r.errors)}`);
    return r.data;
  };
  return {
    url: clinic.url,
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
    stop: () => clinic.stop(),
  };
}

export interface Staff {
  id: string;
  roles: Role[];
  token: string;
}

export type PatientsHarness = Awaited<ReturnType<typeof startHarness>>;

/** As patients' own harness takes them (a private Redis, auth for session checks, more configuration, relay hooks), and `withClinic`. */
export interface HarnessOptions extends Pick<PatientsOverrides, 'clinics' | 'archiveRelayHooks'> {
  redisUrl?: string;
  authUrl?: string;
  /** the archive relay is off unless this sets ARCHIVE_RELAY_ENABLED=true */
  env?: Record<string, string>;
  /** start the real clinic service too (check-ins with a template) */
  withClinic?: boolean;
}

/** patients beside the real admin (and clinic when asked), its SQL, log lines and audit stream captured. */
export async function startHarness(options: HarnessOptions = {}) {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await markSessionFactsReady(redisUrl);
  const issuer = await createTestIssuer();
  const admin = await startRealAdmin(issuer);
  let clinic: ClinicUnderTest | null = null;
  try {
    if (options.withClinic) clinic = await startRealClinic(issuer);
  } catch (error) {
    await admin.stop();
    throw error;
  }
  // its audit and visit events go to streams of this harness's own, never the shared ones
  const streams = { auditStream: `t:services:audit:patients:${randomUUID()}`, visitEventsStream: `t:services:visits:patients:${randomUUID()}` };
  const { stream, lines: logs } = jsonLines();
  const { queries, onQuery } = queryLog();
  const stopOthers = async () => {
    await admin.stop();
    await clinic?.stop();
  };
  const patients = await startPatients({
    issuer,
    env: {
      LOG_LEVEL: 'info',
      REDIS_URL: redisUrl,
      ADMIN_URL: admin.url,
      // without the clinic service nothing listens here: a check-in with a template is SERVICE_UNAVAILABLE
      CLINIC_URL: clinic?.url ?? 'http://127.0.0.1:9',
      ARCHIVE_RELAY_ENABLED: 'false',
      ...(options.authUrl ? { AUTH_URL: options.authUrl } : {}),
      ...options.env,
    },
    overrides: {
      logger: pino({ level: 'info', base: { service: 'patients' } }, stream),
      // what auth issues to patients (client credentials): clinic reads at admin, archiving at visits
      tokens: { token: () => issuer.serviceToken('patients') },
      ...(options.archiveRelayHooks ? { archiveRelayHooks: options.archiveRelayHooks } : {}),
      ...(options.clinics ? { clinics: options.clinics } : {}),
      onQuery,
      ...streams,
    },
  }).catch(async (error) => {
    await stopOthers();
    throw error;
  });
  // a private Redis may be stopped on purpose: commands then fail soon, and reconnect errors are expected
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  return {
    service: patients.service,
    url: `${patients.url}/graphql`,
    db: patients.service.db,
    database: patients.database,
    issuer,
    admin,
    clinic,
    queries,
    logs,
    auditStream: streams.auditStream,
    visitEventsStream: streams.visitEventsStream,
    redis,
    async staff(clinicId: string, roles: Role[], id: string = randomUUID()): Promise<Staff> {
      return { id, roles, token: await issuer.staffToken(id, clinicId, roles) };
    },
    async close() {
      await patients.stop();
      await redis.del(streams.auditStream, streams.visitEventsStream).catch(() => undefined);
      redis.disconnect();
      await stopOthers();
    },
  };
}

/** The audit events on the harness's stream, oldest first: as envelopes, or their payloads (optionally of one action). */
export async function auditEnvelopes(h: PatientsHarness): Promise<Array<EventEnvelope<AuditRecord>>> {
  const entries = (await h.redis.xrange(h.auditStream, '-', '+')) as Array<[string, string[]]>;
  return entries.map(([, fields]) => parseStreamFields(fields) as EventEnvelope<AuditRecord>);
}

export const auditEvents = async (h: PatientsHarness, action?: string): Promise<AuditRecord[]> =>
  (await auditEnvelopes(h)).map((e) => e.payload).filter((e) => action === undefined || e.action === action);
