/**
 * A clinic's access as identity events: the registry over the real database and event bus, the
 * identity stream read back (what auth and the services do with it is in the e2e tests).
 */
import { randomUUID } from 'node:crypto';
import { IDENTITY_EVENTS } from '@clinicult/contracts';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createEventBus, createPrismaOutbox, parseStreamFields, type EventBus } from '@clinicult/events';
import { createLogger, createRedis } from '@clinicult/kit';
import type { Redis } from 'ioredis';
import { createDb, type AdminDb } from '../db.js';
import { ClinicRegistry } from './clinics.js';

const logger = createLogger('admin-test', 'silent');
const identityStream = `events:identity:test:admin:${randomUUID()}`;
let database: TestDatabase;
let db: AdminDb;
let redis: Redis;
let bus: EventBus;

beforeAll(async () => {
  database = await createTestDatabase('admin');
  db = createDb(database.url);
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'admin-test');
  // the kit's connection queues nothing offline: wait until it is up before the first command
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  bus = createEventBus({ redis, service: 'admin', outbox: createPrismaOutbox(db), logger });
});

afterAll(async () => {
  await bus?.close();
  await redis?.del(identityStream);
  await db?.$disconnect();
  redis?.disconnect();
  await database?.drop();
});

function registry(eventBus: EventBus = bus) {
  return new ClinicRegistry({ db, bus: eventBus, identityStream, identityApplyWaitMs: 0, clusters: ['eu-1', 'us-1'], logger });
}

const actor = { userId: randomUUID() };

/** The clinic.access.changed events delivered for one clinic, oldest first. */
async function accessEvents(clinicId: string) {
  await bus.flushOutbox();
  const entries = (await redis.xrange(identityStream, '-', '+')) as Array<[string, string[]]>;
  return entries
    .map(([, fields]) => parseStreamFields(fields))
    .filter((e) => e.type === IDENTITY_EVENTS.clinicAccessChanged && (e.payload as { clinicId: string }).clinicId === clinicId)
    .map((e) => e.payload as { access: string; at: string });
}

test('a suspension is stored with its identity event, or not at all', async () => {
  const clinic = await registry().create({ name: `Atomic ${randomUUID()}`, timeZone: 'UTC' }, actor);
  const brokenBus = { ...bus, enqueue: async () => Promise.reject(new Error('outbox unavailable')) } as EventBus;
  await expect(registry(brokenBus).suspend(clinic.id, 'x', actor)).rejects.toThrow('outbox unavailable');
  expect(await db.clinic.findUnique({ where: { id: clinic.id } })).toMatchObject({ status: 'ACTIVE', suspendedReason: null });
  expect(await accessEvents(clinic.id)).toEqual([]);

  const suspended = await registry().suspend(clinic.id, 'unpaid', actor);
  expect(await accessEvents(clinic.id)).toEqual([{ clinicId: clinic.id, access: 'SUSPENDED', at: suspended.updatedAt.toISOString() }]);
});

test('concurrent suspend and reactivate of one clinic: the newest identity event is the stored status', async () => {
  const clinics = registry();
  const clinic = await clinics.create({ name: `Race ${randomUUID()}`, timeZone: 'UTC' }, actor);
  for (let round = 0; round < 5; round++) {
    await Promise.all([clinics.suspend(clinic.id, 'race', actor), clinics.reactivate(clinic.id, actor), clinics.suspend(clinic.id, null, actor)]);
    const row = await db.clinic.findUniqueOrThrow({ where: { id: clinic.id } });
    const events = await accessEvents(clinic.id);
    const newest = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).at(-1);
    if (events.length > 0) expect(newest!.access).toBe(row.status);
    // in stream order too: the row lock serialises the transactions
    expect(events.map((e) => Date.parse(e.at))).toEqual(events.map((e) => Date.parse(e.at)).sort((a, b) => a - b));
  }
  expect((await accessEvents(clinic.id)).length).toBeGreaterThan(0);
});

test('an unchanged status publishes no event', async () => {
  const clinics = registry();
  const clinic = await clinics.create({ name: `Idempotent ${randomUUID()}`, timeZone: 'UTC' }, actor);
  await bus.flushOutbox();
  const before = bus.stats().enqueued;
  await clinics.reactivate(clinic.id, actor);
  expect(bus.stats().enqueued).toBe(before);
  expect(await accessEvents(clinic.id)).toEqual([]);
});
