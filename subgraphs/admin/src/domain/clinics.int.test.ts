/**
 * The registry's agreement with auth, without HTTP: a recording stand-in for auth's
 * setClinicAccess over the real database and event bus.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createEventBus, createPrismaOutbox, type EventBus } from '@clinicult/events';
import { createLogger, createRedis } from '@clinicult/kit';
import type { Redis } from 'ioredis';
import type { ClinicAccess, ClinicAccessGateway } from '../clients.js';
import { createDb, type AdminDb } from '../db.js';
import { ClinicRegistry } from './clinics.js';

const logger = createLogger('admin-test', 'silent');
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
  await db?.$disconnect();
  redis?.disconnect();
  await database?.drop();
});

class RecordingAuth implements ClinicAccessGateway {
  calls: Array<[string, ClinicAccess]> = [];
  failNext = false;
  delayMs = 0;
  async setClinicAccess(clinicId: string, access: ClinicAccess) {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('auth down');
    }
    this.calls.push([clinicId, access]);
  }
}

function registry(access: ClinicAccessGateway, eventBus: EventBus = bus) {
  return new ClinicRegistry({ db, bus: eventBus, access, clusters: ['eu-1', 'us-1'], logger });
}

const actor = { userId: randomUUID() };

test('auth failing while creating: no row, no event', async () => {
  const auth = new RecordingAuth();
  auth.failNext = true;
  const name = `No Row ${randomUUID()}`;
  await expect(registry(auth).create({ name, timeZone: 'UTC' }, actor)).rejects.toThrow('auth down');
  expect(await db.clinic.count({ where: { name } })).toBe(0);
  expect(await db.eventOutbox.count()).toBe(0);
});

test('the change failing after auth agreed: auth is told the previous status again', async () => {
  const auth = new RecordingAuth();
  const clinic = await registry(auth).create({ name: `Compensate ${randomUUID()}`, timeZone: 'UTC' }, actor);
  auth.calls = [];
  const brokenBus = { ...bus, enqueue: async () => Promise.reject(new Error('outbox unavailable')) } as EventBus;
  await expect(registry(auth, brokenBus).suspend(clinic.id, 'x', actor)).rejects.toThrow('outbox unavailable');
  expect(auth.calls).toEqual([
    [clinic.id, 'SUSPENDED'],
    [clinic.id, 'ACTIVE'],
  ]);
  expect(await db.clinic.findUnique({ where: { id: clinic.id } })).toMatchObject({ status: 'ACTIVE', suspendedReason: null });
});

test('concurrent suspend and reactivate of one clinic end with auth and admin in agreement', async () => {
  const auth = new RecordingAuth();
  const clinics = registry(auth);
  const clinic = await clinics.create({ name: `Race ${randomUUID()}`, timeZone: 'UTC' }, actor);
  auth.delayMs = 30;
  for (let round = 0; round < 5; round++) {
    auth.calls = [];
    await Promise.all([clinics.suspend(clinic.id, 'race', actor), clinics.reactivate(clinic.id, actor), clinics.suspend(clinic.id, null, actor)]);
    const row = await db.clinic.findUniqueOrThrow({ where: { id: clinic.id } });
    expect(auth.calls.at(-1)).toEqual([clinic.id, row.status]);
  }
});

test('an unchanged status is re-asserted at auth but publishes no event', async () => {
  const auth = new RecordingAuth();
  const clinics = registry(auth);
  const clinic = await clinics.create({ name: `Idempotent ${randomUUID()}`, timeZone: 'UTC' }, actor);
  await bus.flushOutbox();
  const before = bus.stats().enqueued;
  await clinics.reactivate(clinic.id, actor);
  expect(auth.calls.at(-1)).toEqual([clinic.id, 'ACTIVE']);
  expect(bus.stats().enqueued).toBe(before);
});
