import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { parseStreamFields, type EventEnvelope } from '@clinicult/events';
import type { AuditRecord } from '@clinicult/kit';
import { SERVICE_CAPABILITIES, type Role } from '@clinicult/rbac';
import { createTestIssuer, gql, jsonLines, markSessionFactsReady, queryLog, visitSnapshot, type GraphQLResponse, type TestIssuer } from '@clinicult/testing';
import { loadVisitsConfig } from '../config.js';
import type { VisitsDb } from '../db.js';
import { startVisitsService, type RunningVisitsService } from '../service.js';

/**
 * visits in-process on port 0 over a fresh MariaDB database, tokens from a test issuer (patients'
 * relay token included), SQL statements and log lines captured, audit events published to a stream
 * of the harness's own.
 */
export interface Staff {
  id: string;
  roles: Role[];
  token: string;
}

export interface VisitsHarness {
  service: RunningVisitsService;
  url: string;
  db: VisitsDb;
  database: TestDatabase;
  issuer: TestIssuer;
  /** SQL statements seen since the last `queries.length = 0` (the event outbox relay's polling left out). */
  queries: string[];
  logs: Array<Record<string, any>>;
  auditStream: string;
  /** the stream this harness's visits reads `visit.checked_in` from */
  visitEventsStream: string;
  /** the history cache's key prefix of this harness (keys `<prefix>:<clinicId>:<patientId>`) */
  historyCachePrefix: string;
  redis: Redis;
  staff(clinicId: string, roles: Role[], id?: string): Promise<Staff>;
  /** Delivers a snapshot as patients' relay does: service token, the clinic named in the header. */
  archive(snapshot: unknown, clinicId?: string, token?: string): Promise<GraphQLResponse<any>>;
  close(): Promise<void>;
}

export const ARCHIVE = 'mutation ($s: JSON!) { archiveVisit(snapshot: $s) { visitId archivedAt duplicate } }';

export interface HarnessOptions {
  /** visits' Redis (e.g. a private redis-server a test stops); default the shared one */
  redisUrl?: string;
  /** where the kit confirms sessions while Redis is down */
  authUrl?: string;
  /** a database prepared by the test (e.g. seeded); default a fresh migrated one. Dropped on close either way. */
  database?: TestDatabase;
  /** configuration of the service's own beside the harness's (e.g. SEARCH_TIMEOUT_MS) */
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<VisitsHarness> {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await markSessionFactsReady(redisUrl);
  const visitEventsStream = `t:events:visits:${randomUUID()}`;
  const historyCachePrefix = `t:visits:history:${randomUUID()}`;
  const issuer = await createTestIssuer();
  const database = options.database ?? (await createTestDatabase('visits'));
  const auditStream = `t:audit:visits:${randomUUID()}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const { stream, lines: logs } = jsonLines();
  const logger = pino({ level: 'info', base: { service: 'visits' } }, stream);
  const { queries, onQuery } = queryLog();
  let service: RunningVisitsService;
  try {
    service = await startVisitsService(
      loadVisitsConfig({ ...process.env, NODE_ENV: 'test', PORT: '0', DATABASE_URL: database.url, LOG_LEVEL: 'info', REDIS_URL: redisUrl,
        ...(options.authUrl ? { AUTH_URL: options.authUrl } : {}), ...options.env }),
      {
        issuers: [issuer.trusted],
        logger,
        onQuery,
        auditStream,
        visitEventsStream,
        historyCachePrefix,
      },
    );
  } catch (error) {
    redis.disconnect();
    await database.drop();
    throw error;
  }
  const relayToken = await issuer.serviceToken('patients', [SERVICE_CAPABILITIES.visitsArchive]);
  const url = `${service.url}/graphql`;
  return {
    service,
    url,
    db: service.db,
    database,
    issuer,
    queries,
    logs,
    auditStream,
    visitEventsStream,
    historyCachePrefix,
    redis,
    async staff(clinicId, roles, id = randomUUID()) {
      return { id, roles, token: await issuer.staffToken(id, clinicId, roles) };
    },
    archive(snapshot, clinicId, token = relayToken) {
      const named = clinicId ?? (snapshot as { clinicId?: string }).clinicId;
      return gql(url, ARCHIVE, { s: snapshot }, { token, headers: named ? { 'x-clinicult-clinic-id': named } : {} });
    },
    async close() {
      await service.stop();
      await redis.del(auditStream, visitEventsStream, `${visitEventsStream}:parked`).catch(() => undefined);
      const keys = await redis.keys(`${historyCachePrefix}:*`).catch(() => [] as string[]);
      if (keys.length > 0) await redis.del(...keys).catch(() => undefined);
      redis.disconnect();
      await database.drop();
    },
  };
}

/** The audit events published so far (oldest first), optionally of one action. */
export async function auditEvents(h: VisitsHarness, action?: string): Promise<AuditRecord[]> {
  const entries = (await h.redis.xrange(h.auditStream, '-', '+')) as Array<[string, string[]]>;
  const events = entries.map(([, fields]) => (parseStreamFields(fields) as EventEnvelope<AuditRecord>).payload);
  return action ? events.filter((e) => e.action === action) : events;
}

/** A snapshot as patients writes it (the shared test builder). */
export { visitSnapshot as snapshotOf };

/** Archives a snapshot, failing the test on any error. */
export async function archived(h: VisitsHarness, snapshot: Record<string, any>): Promise<string> {
  const r = await h.archive(snapshot);
  if (r.errors || !r.data) throw new Error(`archiveVisit failed: ${JSON.stringify(r.errors)}`);
  return r.data.archiveVisit.visitId as string;
}
