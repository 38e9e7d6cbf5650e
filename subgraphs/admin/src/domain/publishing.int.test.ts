/**
 * Events leave only with their change: when any part of a transaction fails — even after some
 * events were already written to the outbox — nothing is stored and nothing is published.
 * Over the real database and event bus, with a bus whose outbox write fails on demand.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createEventBus, createPrismaOutbox, type EventBus } from '@clinicult/events';
import { clusterStream, createLogger, createRedis } from '@clinicult/kit';
import type { Redis } from 'ioredis';
import { createDb, type AdminDb } from '../db.js';
import { ClinicRegistry } from './clinics.js';
import { GlobalTemplateCatalog } from './templates.js';

const logger = createLogger('admin-test', 'silent');
const tag = randomUUID().slice(0, 8);
const CLUSTERS = [`p-${tag}-a`, `p-${tag}-b`];
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
  await redis?.del(...CLUSTERS.map(clusterStream));
  await bus?.close();
  await db?.$disconnect();
  redis?.disconnect();
  await database?.drop();
});

/** The real bus, except that the outbox write number `failAt` (1-based) fails. */
function failingBus(failAt: number): EventBus {
  let writes = 0;
  return {
    ...bus,
    enqueue: async (tx, stream, event) => {
      writes += 1;
      if (writes === failAt) throw new Error('outbox unavailable');
      return bus.enqueue(tx, stream, event);
    },
  } as EventBus;
}

const actor = { userId: randomUUID() };
const input = (name: string) => ({ name, kind: 'NOTE', fields: [{ key: 'plan', label: 'Plan', type: 'TEXT', required: true }] });

async function state() {
  await bus.flushOutbox();
  const [templates, versions, outbox, streams] = await Promise.all([
    db.globalTemplate.findMany({ orderBy: { id: 'asc' } }),
    db.globalTemplateVersion.count(),
    db.eventOutbox.count(),
    Promise.all(CLUSTERS.map((c) => redis.xlen(clusterStream(c)))),
  ]);
  return { templates, versions, outbox, streams };
}

test('create fails at the second cluster: no template, no version, no event anywhere', async () => {
  const before = await state();
  const catalog = new GlobalTemplateCatalog({ db, bus: failingBus(2), clusters: CLUSTERS, logger });
  await expect(catalog.create(input('Half published'), actor)).rejects.toThrow('outbox unavailable');
  expect(await state()).toEqual(before);
});

test('update and retire failing at the second cluster leave the template as it was, unpublished', async () => {
  const healthy = new GlobalTemplateCatalog({ db, bus, clusters: CLUSTERS, logger });
  const initial = await state();
  const created = await healthy.create(input('Stable'), actor);
  const before = await state();
  // the healthy create: one event on each cluster's stream
  expect(before.streams).toEqual(initial.streams.map((n) => n + 1));

  await expect(new GlobalTemplateCatalog({ db, bus: failingBus(2), clusters: CLUSTERS, logger }).update(created.id, input('Stable v2'), actor)).rejects.toThrow(
    'outbox unavailable',
  );
  await expect(new GlobalTemplateCatalog({ db, bus: failingBus(2), clusters: CLUSTERS, logger }).retire(created.id, actor)).rejects.toThrow(
    'outbox unavailable',
  );
  expect(await state()).toEqual(before);
  expect(await healthy.get(created.id)).toMatchObject({ version: 1, retired: false, name: 'Stable' });
});

test('updateClinic failing to write its event leaves the clinic as it was', async () => {
  const identity = { identityStream: `events:identity:test:${tag}`, identityApplyWaitMs: 0 };
  const registry = new ClinicRegistry({ db, bus, ...identity, clusters: CLUSTERS, logger });
  const clinic = await registry.create({ name: `Unchanged ${tag}`, timeZone: 'UTC', cluster: CLUSTERS[0] }, actor);
  const before = await state();
  const broken = new ClinicRegistry({ db, bus: failingBus(1), ...identity, clusters: CLUSTERS, logger });
  await expect(broken.update(clinic.id, { name: `Changed ${tag}`, timeZone: 'Asia/Tokyo' }, actor)).rejects.toThrow('outbox unavailable');
  expect(await state()).toEqual(before);
  expect(await db.clinic.findUnique({ where: { id: clinic.id } })).toMatchObject({ name: `Unchanged ${tag}`, timeZone: 'UTC' });
});
