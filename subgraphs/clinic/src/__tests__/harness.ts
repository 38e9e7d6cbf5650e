import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createEventBus, doneKey, type EventBus, type EventEnvelope } from '@clinicult/events';
import { clusterStream } from '@clinicult/kit';
import { SERVICE_CAPABILITIES, type Role } from '@clinicult/rbac';
import { createTestIssuer, gql, markSessionFactsReady, type GraphQLResponse, type TestIssuer } from '@clinicult/testing';
import { loadClinicConfig } from '../config.js';
import type { ClinicDb } from '../db.js';
import { startClinicService, type ClinicOverrides, type RunningClinicService } from '../service.js';

/**
 * clinic in-process on port 0 over a fresh MariaDB database, tokens from a test issuer, log lines
 * captured, and cluster streams of its own (`events:cluster:t-<random>`) on which the test publishes
 * with the real event bus, as admin does.
 */
export interface HarnessOptions {
  /** how many private clusters to consume (default 1) */
  clusters?: number;
  hooks?: ClinicOverrides['clusterHooks'];
  /** retry delay of a failed event (ms); default 300 so redeliveries come quickly */
  retryAfterMs?: number;
  /** where the staff directory's names come from (default: users, which no test here runs) */
  staffNames?: ClinicOverrides['staffNames'];
  /** the staff directory's TTL (ms) */
  staffTtlMs?: number;
}

export interface ClinicHarness {
  service: RunningClinicService;
  url: string;
  db: ClinicDb;
  database: TestDatabase;
  issuer: TestIssuer;
  clusters: string[];
  logs: Array<Record<string, any>>;
  redis: Redis;
  /** the bus the test publishes with (as admin) */
  publisher: EventBus;
  token(clinicId: string, roles: Role[], userId?: string): Promise<string>;
  /** query as staff of a clinic (or with any token) */
  as(token: string | undefined, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<any>>;
  /** templateForVisit as patients calls it: service token with template-read, the clinic named in the header */
  templateForVisit(clinicId: string | null, templateId: string, token?: string): Promise<GraphQLResponse<any>>;
  /** publishes an event on a cluster's stream (default the first) */
  publish<P>(event: { type: string; clinicId?: string | null; payload: P; id?: string }, cluster?: string): Promise<EventEnvelope<P>>;
  /** stops the service (its consumers stop; the database stays) */
  stopService(): Promise<void>;
  /** starts the service again on the same database and streams */
  startService(hooks?: ClinicOverrides['clusterHooks']): Promise<void>;
  close(): Promise<void>;
}

export const TEMPLATE_FOR_VISIT = 'query ($id: ID!) { templateForVisit(templateId: $id) { id templateId name kind version fields { key label type required options unit min max help } } }';

export async function startHarness(options: HarnessOptions = {}): Promise<ClinicHarness> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await markSessionFactsReady(redisUrl);
  const issuer = await createTestIssuer();
  const database = await createTestDatabase('clinic');
  const clusters = Array.from({ length: options.clusters ?? 1 }, () => `t-${randomBytes(5).toString('hex')}`);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const logs: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info', base: { service: 'clinic' } }, stream);
  const publisher = createEventBus({ redis, service: 'admin', logger: pino({ level: 'silent' }) });
  const published: string[] = [];
  const auditStream = `t:audit:clinic:${randomUUID()}`;
  const config = loadClinicConfig({
    ...process.env,
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: database.url,
    LOG_LEVEL: 'info',
    REDIS_URL: redisUrl,
    CLUSTERS: clusters.join(','),
    EVENT_RETRY_AFTER_MS: String(options.retryAfterMs ?? 300),
    ...(options.staffTtlMs ? { STAFF_DIRECTORY_TTL_MS: String(options.staffTtlMs) } : {}),
  });
  const start = (hooks = options.hooks) =>
    startClinicService(config, {
      issuers: [issuer.trusted],
      logger,
      auditStream,
      ...(hooks ? { clusterHooks: hooks } : {}),
      ...(options.staffNames ? { staffNames: options.staffNames } : {}),
    });
  let service: RunningClinicService;
  try {
    service = await start();
  } catch (error) {
    redis.disconnect();
    await database.drop();
    throw error;
  }
  const serviceToken = await issuer.serviceToken('patients', [SERVICE_CAPABILITIES.templateRead]);
  const h: ClinicHarness = {
    service,
    url: `${service.url}/graphql`,
    db: service.db,
    database,
    issuer,
    clusters,
    logs,
    redis,
    publisher,
    token: (clinicId, roles, userId = randomUUID()) => issuer.staffToken(userId, clinicId, roles),
    as: (token, query, variables = {}, headers = {}) => gql(h.url, query, variables, { ...(token ? { token } : {}), headers }),
    templateForVisit: (clinicId, templateId, token = serviceToken) =>
      gql(h.url, TEMPLATE_FOR_VISIT, { id: templateId }, { token, headers: clinicId ? { 'x-clinicult-clinic-id': clinicId } : {} }),
    async publish(event, cluster = clusters[0]!) {
      const env = await publisher.publish(clusterStream(cluster), event);
      published.push(env.id);
      return env;
    },
    async stopService() {
      await h.service.stop();
    },
    async startService(hooks) {
      h.service = await start(hooks);
      h.url = `${h.service.url}/graphql`;
      h.db = h.service.db;
    },
    async close() {
      await h.service.stop().catch(() => undefined);
      await publisher.close();
      const streams = clusters.flatMap((c) => [clusterStream(c), `${clusterStream(c)}:parked`]);
      await redis.del(auditStream, ...streams).catch(() => undefined);
      if (published.length > 0) await redis.del(...published.map((id) => doneKey('clinic', id))).catch(() => undefined);
      redis.disconnect();
      await database.drop();
    },
  };
  return h;
}

/** Polls until `check` returns a value other than undefined/false (events are asynchronous); fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | false | null>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** clinic.created as admin publishes it (subgraphs/admin/src/domain/events.ts). */
export function clinicCreated(clinicId = randomUUID(), cluster = 'eu-1') {
  return {
    type: 'clinic.created',
    clinicId,
    payload: {
      clinic: { id: clinicId, name: `Clinic ${clinicId.slice(0, 8)}`, status: 'ACTIVE', cluster, timeZone: 'Europe/Madrid', suspendedReason: null },
      by: 'operator-user',
      at: new Date().toISOString(),
    },
  };
}

/** template.published as admin publishes it to every cluster (envelope clinicId null). */
export function templatePublished(template: { id: string; name: string; kind: 'INTAKE' | 'NOTE'; version: number; fields: unknown[]; retired?: boolean }) {
  return {
    type: 'template.published',
    clinicId: null,
    payload: {
      template: { retired: false, publishedAt: new Date().toISOString(), ...template },
      by: 'operator-user',
      at: new Date().toISOString(),
    },
  };
}

/** A valid template input using every field type. */
export function templateInput(name: string, kind: 'INTAKE' | 'NOTE' = 'INTAKE') {
  return {
    name,
    kind,
    fields: [
      { key: 'complaint', label: 'Complaint', type: 'TEXT', required: true, help: 'Own words' },
      { key: 'temperature', label: 'Temperature', type: 'NUMBER', unit: '°C', min: 34, max: 43 },
      { key: 'severity', label: 'Severity', type: 'CHOICE', options: ['Mild', 'Severe'] },
      { key: 'symptoms', label: 'Symptoms', type: 'MULTI_CHOICE', options: ['Cough', 'Fever', 'Rash'] },
      { key: 'onset', label: 'Onset', type: 'DATE' },
      { key: 'smoker', label: 'Smoker', type: 'BOOLEAN', required: true },
    ],
  };
}
