import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { SERVICE_CAPABILITIES, type Role } from '@clinicult/rbac';
import { createTestIssuer, gql, jsonLines, markSessionFactsReady, queryLog } from '@clinicult/testing';
import { startVisits } from './services.js';

export interface Staff {
  id: string;
  roles: Role[];
  token: string;
}

export type VisitsUnderTest = Awaited<ReturnType<typeof startWatchedVisits>>;

/**
 * visits on a Redis the test names (a private one it may stop) and an auth it names, with its log
 * lines, SQL statements, streams and history cache keys of its own; `url` is its GraphQL endpoint.
 */
export async function startWatchedVisits(options: { redisUrl: string; authUrl: string }) {
  await markSessionFactsReady(options.redisUrl);
  const issuer = await createTestIssuer();
  const streams = { auditStream: `t:services:audit:${randomUUID()}`, visitEventsStream: `t:services:visits:${randomUUID()}` };
  const historyCachePrefix = `t:services:history:${randomUUID()}`;
  const { stream, lines: logs } = jsonLines();
  const { queries, onQuery } = queryLog();
  const visits = await startVisits({
    issuer,
    env: { LOG_LEVEL: 'info', REDIS_URL: options.redisUrl, AUTH_URL: options.authUrl },
    overrides: { logger: pino({ level: 'info', base: { service: 'visits' } }, stream), onQuery, historyCachePrefix, ...streams },
  });
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const relayToken = await issuer.serviceToken('patients', [SERVICE_CAPABILITIES.visitsArchive]);
  const url = `${visits.url}/graphql`;
  return {
    url,
    issuer,
    queries,
    logs,
    redis,
    historyCachePrefix,
    /** the stream this visits reads `visit.checked_in` from (patients publishes there) */
    visitEventsStream: streams.visitEventsStream,
    async staff(clinicId: string, roles: Role[]): Promise<Staff> {
      const id = randomUUID();
      return { id, roles, token: await issuer.staffToken(id, clinicId, roles) };
    },
    /** Delivers a snapshot as patients' relay does (its service token, the clinic named in the header); returns the visit id. */
    async archive(snapshot: Record<string, any>): Promise<string> {
      const r = await gql(url, 'mutation ($s: JSON!) { archiveVisit(snapshot: $s) { visitId } }', { s: snapshot }, {
        token: relayToken,
        headers: { 'x-clinicult-clinic-id': snapshot.clinicId },
      });
      if (r.errors || !r.data) throw new Error(`archiveVisit failed: ${JSON.stringify(r.errors)}`);
      return r.data.archiveVisit.visitId as string;
    },
    async close() {
      await visits.stop();
      const keys = await redis.keys(`${historyCachePrefix}:*`).catch(() => [] as string[]);
      await redis.del(streams.auditStream, streams.visitEventsStream, ...keys).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** Archives a snapshot, failing the test on any error. */
export function archived(h: VisitsUnderTest, snapshot: Record<string, any>): Promise<string> {
  return h.archive(snapshot);
}
