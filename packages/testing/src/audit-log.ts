import { Redis } from 'ioredis';
import { gql } from './graphql.js';

/** The audit trail as its readers see it: audit's `auditLog` query, for the audit service's tests and those of the services that record. */
export const AUDIT_EVENT_FIELDS =
  'id action actor { id } actorId actorKind patient { id } targetUser { id } fields api service requestId occurredAt details';

export const AUDIT_LOG = `query ($patientId: ID, $userId: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  auditLog(patientId: $patientId, userId: $userId, from: $from, to: $to, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { ${AUDIT_EVENT_FIELDS} } }
  }
}`;

export function auditLog(url: string, token: string, variables: Record<string, unknown>) {
  return gql<{ auditLog: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: Record<string, any> }> } }>(
    url,
    AUDIT_LOG,
    variables,
    { token },
  );
}

/** Deletes a test's audit stream, its parked twin and the consumer group's idempotency keys. */
export async function removeAuditStream(redisUrl: string, stream: string, group: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const keys = [stream, `${stream}:parked`];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `events:done:${group}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
