import { randomUUID } from 'node:crypto';
import { markSessionFactsReady, removeAuditStream, type TestIssuer } from '@clinicult/testing';
import { startAudit } from './services.js';

/** A unique audit stream per test file: tests never touch the real `events:audit` nor each other's. */
export function testStream(): string {
  return `events:audit:test:${randomUUID()}`;
}

export type AuditUnderTest = Awaited<ReturnType<typeof startAuditOn>>;

/** audit consuming `stream` with a consumer group of its own (removed on stop); `url` is its GraphQL endpoint. */
export async function startAuditOn(options: { issuer: TestIssuer; stream: string }) {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await markSessionFactsReady(redisUrl);
  const group = `audit-test-${randomUUID()}`;
  const audit = await startAudit({
    issuer: options.issuer,
    // nothing listens at AUTH_URL: session facts come from Redis
    env: { REDIS_URL: redisUrl, AUTH_URL: 'http://127.0.0.1:9', AUDIT_STREAM: options.stream, AUDIT_GROUP: group, AUDIT_CONSUMER: `test-${randomUUID()}` },
    overrides: { blockMs: 200, claimIdleMs: 1000 },
  });
  return {
    url: `${audit.url}/graphql`,
    async stop() {
      await audit.stop();
      await removeAuditStream(redisUrl, options.stream, group).catch(() => undefined);
    },
  };
}
