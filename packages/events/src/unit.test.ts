import type { Redis } from 'ioredis';
import { createEventBus } from './bus.js';
import { createEnvelope, parseStreamFields, toStreamFields } from './envelope.js';
import { createMemoryOutbox } from './outbox.js';
import { parseAutoClaim, parsePendingCount, parseReadGroup } from './replies.js';
import { silentLogger } from './__tests__/helpers.js';

test('envelopes round-trip through stream fields', () => {
  const env = createEnvelope('admin', { type: 'clinic.suspended', clinicId: 'c1', payload: { why: 'unpaid' } });
  expect(env).toMatchObject({ type: 'clinic.suspended', clinicId: 'c1', source: 'admin', payload: { why: 'unpaid' } });
  expect(new Date(env.occurredAt).toISOString()).toBe(env.occurredAt);
  const fields = toStreamFields(env);
  expect(fields.slice(0, 4)).toEqual(['id', env.id, 'type', 'clinic.suspended']);
  expect(parseStreamFields(fields)).toEqual(env);
  expect(createEnvelope('x', { type: 't', payload: undefined })).toMatchObject({ clinicId: null, payload: null });
});

test('envelope validation', () => {
  expect(() => createEnvelope('x', { type: '', payload: 1 })).toThrow('type');
  expect(() => createEnvelope('x', { type: 't', payload: 1, id: 'x'.repeat(37) })).toThrow('1..36');
  expect(() => parseStreamFields(['id', '1'])).toThrow('no "envelope"');
  expect(() => parseStreamFields(['envelope', '{"id":"1"}'])).toThrow('not an event envelope');
  expect(() => parseStreamFields(['envelope', 'not json'])).toThrow();
});

test('reply parsers accept the shapes Redis returns', () => {
  expect(parseReadGroup(null)).toEqual([]);
  expect(parseReadGroup([['s', [['1-0', ['a', 'b']], ['2-0', null]]]])).toEqual([
    { id: '1-0', fields: ['a', 'b'] },
    { id: '2-0', fields: null },
  ]);
  expect(parseAutoClaim(['0-0', [['3-0', ['k', 'v']]], ['4-0']])).toEqual({
    cursor: '0-0',
    entries: [{ id: '3-0', fields: ['k', 'v'] }],
  });
  expect(parsePendingCount([['3-0', 'c1', 12, 4]])).toBe(4);
  expect(parsePendingCount([])).toBeUndefined();
});

function fakeRedis(xadd: () => Promise<string>, status = 'ready'): Redis {
  return { status, xadd } as unknown as Redis;
}

test('publish falls back to the outbox when XADD fails or hangs, and reports metrics', async () => {
  const outbox = createMemoryOutbox();
  const metrics: Array<[string, number, Record<string, string>]> = [];
  const onMetric = (name: string, value: number, labels: Record<string, string>) => void metrics.push([name, value, labels]);

  const failing = createEventBus({ redis: fakeRedis(() => Promise.reject(new Error('ECONNREFUSED'))), service: 's', outbox, logger: silentLogger, onMetric });
  const a = await failing.publish('st', { type: 'audit.recorded', payload: 1 });

  const hanging = createEventBus({ redis: fakeRedis(() => new Promise(() => undefined)), service: 's', outbox, logger: silentLogger, publishTimeoutMs: 50 });
  const started = Date.now();
  const b = await hanging.publish('st', { type: 'audit.recorded', payload: 2 });
  expect(Date.now() - started).toBeLessThan(500);

  // A connection that is known to be down is not even tried.
  let tried = 0;
  const xadd = () => (tried++, Promise.resolve('1-0'));
  const down = createEventBus({ redis: fakeRedis(xadd, 'reconnecting'), service: 's', outbox, logger: silentLogger });
  const c = await down.publish('st', { type: 'audit.recorded', payload: 3 });
  expect(tried).toBe(0);

  expect(outbox.rows.map((r) => r.envelope.id)).toEqual([a.id, b.id, c.id]);
  expect(await failing.outboxBacklog()).toBe(3);
  expect(failing.stats()).toMatchObject({ published: 0, outboxed: 1, redisErrors: 1 });
  expect(metrics).toEqual([
    ['events_redis_errors_total', 1, { op: 'publish' }],
    ['events_published_total', 1, { stream: 'st', type: 'audit.recorded', via: 'outbox' }],
  ]);

  // No outbox: the failure is the caller's.
  const bare = createEventBus({ redis: fakeRedis(() => Promise.reject(new Error('down'))), service: 's', logger: silentLogger });
  await expect(bare.publish('st', { type: 't', payload: 0 })).rejects.toThrow('down');
  await expect(bare.enqueue(undefined, 'st', { type: 't', payload: 0 })).rejects.toThrow('outbox');
});

test('flushOutbox stops at the first Redis failure and keeps the rest', async () => {
  const outbox = createMemoryOutbox();
  let calls = 0;
  const redis = fakeRedis(() => (++calls === 3 ? Promise.reject(new Error('down')) : Promise.resolve(`${calls}-0`)));
  const bus = createEventBus({ redis, service: 's', outbox, logger: silentLogger, flushBatchSize: 2 });
  for (let n = 0; n < 5; n++) await bus.enqueue(undefined, 'st', { type: 't', payload: n });
  expect(await bus.flushOutbox()).toBe(2);
  expect(outbox.rows.map((r) => r.envelope.payload)).toEqual([2, 3, 4]);
  expect(await bus.flushOutbox()).toBe(3);
  expect(outbox.rows).toEqual([]);
});
