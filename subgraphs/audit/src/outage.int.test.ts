import { randomUUID } from 'node:crypto';
import { createTestDatabase, mysqlExecute, mysqlQuery, type TestDatabase } from '@clinicult/db';
import { createPrismaOutbox, OUTBOX_TABLE_SQL, type SqlClient } from '@clinicult/events';
import { MEDICAL_READ_ACTION } from '@clinicult/kit';
import { markSessionFactsReady, startPrivateRedis } from '@clinicult/testing';
import {
  auditLog,
  newIssuer,
  sleep,
  staffCaller,
  startAudit,
  startRecorder,
  testStream,
  waitFor,
  type AuditUnderTest,
  type Recorder,
} from './__tests__/harness.js';

/**
 * Redis down (a private redis-server, never the shared one): the recording service's event waits in
 * its MariaDB outbox and reaches audit once Redis is back — exactly once.
 */

/** Prisma-shaped raw client over short-lived connections: the recording service's own database. */
function sqlClient(url: string): SqlClient {
  return {
    $executeRawUnsafe: async (sql, ...values) => (await mysqlExecute(url, sql, values)).affectedRows,
    $queryRawUnsafe: (sql, ...values) => mysqlQuery(url, sql, values),
  };
}

let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
let outboxDb: TestDatabase;
let audit: AuditUnderTest;
let recorder: Recorder;
const stream = testStream();

beforeAll(async () => {
  redis = await startPrivateRedis();
  outboxDb = await createTestDatabase('audit_outbox', { migrate: false });
  await mysqlExecute(outboxDb.url, OUTBOX_TABLE_SQL);
});

afterAll(async () => {
  await recorder?.close();
  await audit?.stop();
  await redis?.stop();
  await outboxDb?.drop();
});

test('with Redis stopped the event goes to the outbox, and is stored exactly once when Redis is back', async () => {
  const issuer = await newIssuer();
  audit = await startAudit({ issuer, stream, redisUrl: redis.url });
  recorder = await startRecorder({ stream, redisUrl: redis.url, outbox: createPrismaOutbox(sqlClient(outboxDb.url)) });
  const clinicId = randomUUID();
  const patientId = randomUUID();

  await redis.stop();
  const started = Date.now();
  await recorder.record(staffCaller(randomUUID(), clinicId), { action: MEDICAL_READ_ACTION, patientId, fields: ['allergies'] });
  expect(Date.now() - started).toBeLessThan(1500); // never holds a read up for long
  expect(await recorder.bus.outboxBacklog()).toBe(1);
  await sleep(300);
  expect(await audit.rows()).toEqual([]);

  await redis.restart();
  await markSessionFactsReady(redis.url); // the private server keeps nothing across restarts
  const relay = recorder.bus.startOutboxRelay(100);
  try {
    const rows = await waitFor('the event stored by audit', () => audit.rows(), (r) => r.length > 0, 20_000);
    expect(rows).toEqual([expect.objectContaining({ clinicId, patientId, action: MEDICAL_READ_ACTION })]);
    await waitFor('the outbox emptied', () => recorder.bus.outboxBacklog(), (n) => n === 0);
    await sleep(500);
    expect(await audit.rows()).toHaveLength(1);
  } finally {
    await relay.stop();
  }

  const token = await issuer.staffToken(randomUUID(), clinicId, ['ADMIN']);
  const r = await waitFor('audit answering again', () => auditLog(audit.url, token, { patientId }), (res) => !res.errors, 10_000);
  expect(r.data!.auditLog.totalCount).toBe(1);
  expect(r.data!.auditLog.edges[0]!.node).toMatchObject({ action: MEDICAL_READ_ACTION, patient: { id: patientId }, fields: ['allergies'] });
}, 60_000);
