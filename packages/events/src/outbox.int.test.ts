import type { Redis } from 'ioredis';
import { createEventBus, type EventBus } from './bus.js';
import type { EventEnvelope } from './envelope.js';
import { OUTBOX_TABLE_SQL, createPrismaOutbox, type OutboxStore } from './outbox.js';
import {
  PrivateRedis,
  cleanupRedis,
  createTestDatabase,
  freePort,
  newRedis,
  silentLogger,
  sleep,
  uniq,
  waitFor,
  type TestDatabase,
} from './__tests__/helpers.js';

let db: TestDatabase;
let outbox: OutboxStore;

beforeAll(async () => {
  db = await createTestDatabase();
  outbox = createPrismaOutbox(db.prisma);
  await db.prisma.$executeRawUnsafe(
    'CREATE TABLE `note` (`id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY, `text` VARCHAR(100) NOT NULL) ' +
      'DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
  );
});

afterEach(async () => {
  await db.prisma.$executeRawUnsafe('DELETE FROM `event_outbox`');
});

afterAll(async () => {
  await db.drop();
});

function envelope(id: string, n: number): EventEnvelope {
  return { id, type: 'audit.recorded', clinicId: null, occurredAt: new Date().toISOString(), source: 't', payload: { n } };
}

test('OUTBOX_TABLE_SQL creates the table the Prisma model describes', async () => {
  const columns = (await db.prisma.$queryRawUnsafe(
    'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS ' +
      'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    db.name,
    'event_outbox',
  )) as Array<{ name: string; type: string; nullable: string }>;
  expect(columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
    ['seq', 'bigint(20)', 'NO'],
    ['stream', 'varchar(200)', 'NO'],
    ['eventId', 'varchar(36)', 'NO'],
    ['envelope', 'longtext', 'NO'],
    ['createdAt', 'datetime(3)', 'NO'],
  ]);
  const [table] = (await db.prisma.$queryRawUnsafe(
    'SELECT TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    db.name,
    'event_outbox',
  )) as Array<{ collation: string }>;
  expect(table?.collation).toBe('utf8mb4_unicode_ci');
  const indexes = (await db.prisma.$queryRawUnsafe(
    'SELECT DISTINCT INDEX_NAME AS name, NON_UNIQUE AS nonUnique FROM information_schema.STATISTICS ' +
      'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME',
    db.name,
    'event_outbox',
  )) as Array<{ name: string; nonUnique: number | bigint }>;
  expect(indexes.map((i) => [i.name, Number(i.nonUnique)])).toEqual([
    ['event_outbox_eventId_key', 0],
    ['PRIMARY', 0],
  ]);
  expect(OUTBOX_TABLE_SQL).toContain('DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci');
});

test('prisma outbox: insert (idempotent by event id), takeBatch in order, remove, count', async () => {
  const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
  for (const [n, id] of ids.entries()) await outbox.insert(envelope(id, n), 's1');
  await outbox.insert(envelope(ids[0] as string, 99), 's1'); // same id again: ignored
  expect(await outbox.count()).toBe(3);

  const batch = await outbox.takeBatch(2);
  expect(batch.map((r) => r.envelope.id)).toEqual(ids.slice(0, 2));
  expect(batch[0]?.envelope.payload).toEqual({ n: 0 });
  expect(batch[0]?.stream).toBe('s1');

  await outbox.remove(batch.map((r) => r.seq));
  expect(await outbox.count()).toBe(1);
  expect((await outbox.takeBatch(10)).map((r) => r.envelope.id)).toEqual(ids.slice(2));
});

describe('with the shared Redis', () => {
  let redis: Redis;
  let bus: EventBus;
  const streams: string[] = [];

  beforeAll(() => {
    redis = newRedis();
  });
  beforeEach(() => {
    bus = createEventBus({ redis, service: 'events-test', outbox, logger: silentLogger, flushBatchSize: 2 });
  });
  afterEach(async () => {
    await bus.close();
    await cleanupRedis(redis, streams.splice(0), []);
  });
  afterAll(async () => {
    await redis.quit();
  });

  test('enqueue commits or rolls back with the caller transaction; flushOutbox delivers in order', async () => {
    const stream = uniq('stream');
    streams.push(stream);

    await expect(
      db.transaction(async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO `note` (`text`) VALUES (?)', 'rolled back');
        await bus.enqueue(tx, stream, { type: 'note.created', payload: { text: 'rolled back' } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await outbox.count()).toBe(0);

    const committed = await db.transaction(async (tx) => {
      const out: EventEnvelope[] = [];
      for (let n = 0; n < 5; n++) {
        await tx.$executeRawUnsafe('INSERT INTO `note` (`text`) VALUES (?)', `note ${n}`);
        out.push(await bus.enqueue(tx, stream, { type: 'note.created', payload: { n } }));
      }
      return out;
    });
    expect(await bus.outboxBacklog()).toBe(5);
    expect(await redis.exists(stream)).toBe(0); // nothing is sent until a flush

    expect(await bus.flushOutbox()).toBe(5); // batches of 2: three rounds
    expect(await outbox.count()).toBe(0);
    const entries = (await redis.xrange(stream, '-', '+')) as Array<[string, string[]]>;
    expect(entries.map(([, fields]) => fields[1])).toEqual(committed.map((e) => e.id));
    expect(JSON.parse(entries[0]?.[1][5] ?? '{}')).toEqual(committed[0]);
    // The counter sees the rolled-back enqueue too: it counts calls, not commits.
    expect(bus.stats()).toMatchObject({ enqueued: 6, outboxDelivered: 5 });
  });

  test('the relay flushes periodically', async () => {
    const stream = uniq('stream');
    streams.push(stream);
    await bus.enqueue(undefined, stream, { type: 'note.created', payload: {} });
    const relay = bus.startOutboxRelay(50);
    await waitFor(async () => (await redis.xlen(stream)) === 1, 3000, 'relay');
    await relay.stop();
    expect(await outbox.count()).toBe(0);
  });
});

test('Redis down: publish falls back to the outbox quickly; after restart flushOutbox delivers once', async () => {
  const server = new PrivateRedis(await freePort());
  await server.start();
  // Fail fast instead of queueing: that is what lets publish fall back within publishTimeoutMs.
  const redis = newRedis({
    port: server.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    retryStrategy: () => 50,
  });
  const bus = createEventBus({ redis, service: 'events-test', outbox, logger: silentLogger, publishTimeoutMs: 300 });
  const stream = uniq('stream');
  const seen: string[] = [];
  try {
    await waitFor(() => redis.status === 'ready', 3000, 'private redis');
    const sub = bus.subscribe({
      stream,
      group: 'g',
      consumer: 'c1',
      handler: (env) => void seen.push(env.id),
      blockMs: 100,
      claimIdleMs: 200,
      backoffMs: 20,
      maxBackoffMs: 200,
    });
    await sub.ready;
    const before = await bus.publish(stream, { type: 'audit.recorded', payload: { n: 0 } });
    await waitFor(() => seen.length === 1, 3000, 'delivery before the outage');

    await server.kill();
    const during: EventEnvelope[] = [];
    for (let n = 1; n <= 3; n++) {
      const started = Date.now();
      during.push(await bus.publish(stream, { type: 'audit.recorded', payload: { n } }));
      expect(Date.now() - started).toBeLessThan(1000);
    }
    expect(await outbox.count()).toBe(3);
    expect(bus.stats()).toMatchObject({ published: 1, outboxed: 3 });
    expect(await bus.flushOutbox()).toBe(0); // still down: stops at the first failure, keeps the rows
    expect(await outbox.count()).toBe(3);

    // Without an outbox a Redis failure is the caller's problem.
    const bare = createEventBus({ redis, service: 'events-test', logger: silentLogger, publishTimeoutMs: 300 });
    await expect(bare.publish(stream, { type: 'audit.recorded', payload: {} })).rejects.toThrow();

    await server.start(); // same port, empty data: the subscription must re-create its group
    await waitFor(() => redis.status === 'ready', 5000, 'reconnect');
    expect(await bus.flushOutbox()).toBe(3);
    expect(await outbox.count()).toBe(0);

    await waitFor(() => seen.length === 4, 5000, 'delivery after the outage');
    await sleep(300);
    expect(seen).toEqual([before, ...during].map((e) => e.id));
  } finally {
    await bus.close();
    redis.disconnect();
    await server.kill();
  }
});

test('a partitioned table: each cluster delivers its own rows (by stream, or routed) and the platform the rest, in order', async () => {
  const platform = createPrismaOutbox(db.prisma, { except: ['events:cluster:eu-1', 'events:cluster:us-1'] });
  const eu = createPrismaOutbox(db.prisma, { only: ['events:cluster:eu-1'], route: 'eu-1' });
  const us = createPrismaOutbox(db.prisma, { only: ['events:cluster:us-1'], route: 'us-1' });
  const ids = Array.from({ length: 6 }, () => uniq('p'));
  await platform.insert(envelope(ids[0]!, 0), 'events:identity');
  await eu.insert(envelope(ids[1]!, 1), 'events:cluster:eu-1');
  await us.insert(envelope(ids[2]!, 2), 'events:audit');
  await eu.insert(envelope(ids[3]!, 3), 'events:audit');
  await platform.insert(envelope(ids[4]!, 4), 'events:audit');
  // written by any outbox of the table (admin's transaction holds the platform bus): a cluster stream is still its cluster's
  await platform.insert(envelope(ids[5]!, 5), 'events:cluster:us-1');

  const taken = async (store: OutboxStore) => (await store.takeBatch(10)).map((r) => [r.stream, r.envelope.id]);
  expect(await taken(platform)).toEqual([['events:identity', ids[0]], ['events:audit', ids[4]]]);
  // a routed row comes back under its plain name: the relay adds it to that cluster's own events:audit
  expect(await taken(eu)).toEqual([['events:cluster:eu-1', ids[1]], ['events:audit', ids[3]]]);
  expect(await taken(us)).toEqual([['events:audit', ids[2]], ['events:cluster:us-1', ids[5]]]);
  expect([await platform.count(), await eu.count(), await us.count()]).toEqual([2, 2, 2]);
  // the stored rows say where they go
  const stored = (await db.prisma.$queryRawUnsafe('SELECT `stream` FROM `event_outbox` ORDER BY `seq`')) as Array<{ stream: string }>;
  expect(stored.map((r) => r.stream)).toEqual(['events:identity', 'events:cluster:eu-1', 'us-1>events:audit', 'eu-1>events:audit', 'events:audit', 'events:cluster:us-1']);
  // an unpartitioned outbox sees them all, as before regions
  expect(await outbox.count()).toBe(6);
});
