import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createEventBus, type EventBus } from './bus.js';
import { doneKey, parkedStream, type EventEnvelope } from './envelope.js';
import { PoisonMessageError, type HandlerContext, type SubscribeOptions } from './subscription.js';
import { cleanupRedis, newRedis, pendingCount, silentLogger, sleep, uniq, waitFor } from './__tests__/helpers.js';

// Fast loop settings so retries and reclaims happen within a second.
const FAST = { blockMs: 100, claimIdleMs: 200, backoffMs: 20, maxBackoffMs: 200 } satisfies Partial<SubscribeOptions>;

let redis: Redis;
let bus: EventBus;
const streams: string[] = [];
const groups: string[] = [];

function names(): { stream: string; group: string } {
  const stream = uniq('stream');
  const group = uniq('group');
  streams.push(stream);
  groups.push(group);
  return { stream, group };
}

function collector(): { seen: EventEnvelope[]; handler: (env: EventEnvelope) => void } {
  const seen: EventEnvelope[] = [];
  return { seen, handler: (env) => void seen.push(env) };
}

beforeAll(() => {
  redis = newRedis();
});

beforeEach(() => {
  bus = createEventBus({ redis, service: 'events-test', logger: silentLogger });
});

afterEach(async () => {
  await bus.close();
  await cleanupRedis(redis, streams.splice(0), groups.splice(0));
});

afterAll(async () => {
  await redis.quit();
});

test('publish → a subscriber receives the envelope exactly once and acks it', async () => {
  const { stream, group } = names();
  const { seen, handler } = collector();
  const sub = bus.subscribe({ stream, group, consumer: 'c1', handler, ...FAST });
  await sub.ready;

  const env = await bus.publish(stream, { type: 'clinic.suspended', clinicId: 'clinic-1', payload: { reason: 'test' } });
  expect(env).toMatchObject({ type: 'clinic.suspended', clinicId: 'clinic-1', source: 'events-test' });
  expect(env.id).toMatch(/^[0-9a-f-]{36}$/);

  await waitFor(() => seen.length === 1, 3000, 'delivery');
  await sleep(500); // longer than claimIdleMs: an unacked entry would come back now
  expect(seen).toEqual([env]);
  expect(await pendingCount(redis, stream, group)).toBe(0);
  expect(await redis.exists(doneKey(group, env.id))).toBe(1);
  expect(bus.stats()).toMatchObject({ published: 1, handled: 1, duplicates: 0, outboxed: 0 });
});

test('a consumer stopped while events are published receives all of them once restarted', async () => {
  const { stream, group } = names();
  const { seen, handler } = collector();

  // Published before the group existed: the default startId '0' still delivers it.
  const early = await bus.publish(stream, { type: 'audit.recorded', payload: { n: 0 } });
  let sub = bus.subscribe({ stream, group, consumer: 'c1', handler, ...FAST });
  await waitFor(() => seen.length === 1, 3000, 'early event');
  await sub.stop();

  const missed: EventEnvelope[] = [];
  for (let n = 1; n <= 5; n++) missed.push(await bus.publish(stream, { type: 'audit.recorded', payload: { n } }));

  sub = bus.subscribe({ stream, group, consumer: 'c1', handler, ...FAST });
  await waitFor(() => seen.length === 6, 3000, 'missed events');
  await sleep(300);
  expect(seen.map((e) => e.id)).toEqual([early, ...missed].map((e) => e.id));
  await sub.stop();
  expect(await pendingCount(redis, stream, group)).toBe(0);
});

test('consumers of one group share the work; each group gets every event', async () => {
  const { stream, group: shared } = names();
  const other = uniq('group');
  groups.push(other);
  const byConsumer: Record<string, string[]> = { a: [], b: [], other: [] };
  const slowly = (who: string) => async (env: EventEnvelope) => {
    byConsumer[who]?.push(env.id);
    await sleep(15); // slow enough that both consumers of the group get a turn
  };
  const subs = [
    bus.subscribe({ stream, group: shared, consumer: 'a', handler: slowly('a'), batchSize: 1, ...FAST }),
    bus.subscribe({ stream, group: shared, consumer: 'b', handler: slowly('b'), batchSize: 1, ...FAST }),
    bus.subscribe({ stream, group: other, consumer: 'x', handler: (env) => void byConsumer.other?.push(env.id), ...FAST }),
  ];
  await Promise.all(subs.map((s) => s.ready));

  const ids: string[] = [];
  for (let n = 0; n < 20; n++) ids.push((await bus.publish(stream, { type: 'audit.recorded', payload: { n } })).id);

  const sharedSeen = () => [...(byConsumer.a ?? []), ...(byConsumer.b ?? [])];
  await waitFor(() => sharedSeen().length >= 20 && (byConsumer.other?.length ?? 0) >= 20, 5000, 'all deliveries');
  await sleep(300);

  expect(byConsumer.a?.length).toBeGreaterThan(0);
  expect(byConsumer.b?.length).toBeGreaterThan(0);
  expect([...sharedSeen()].sort()).toEqual([...ids].sort()); // no duplicates, none missing
  expect(byConsumer.other).toEqual(ids);
});

test('a failed handler is retried and succeeds; the same envelope id is handled once', async () => {
  const { stream, group } = names();
  const calls: Array<{ id: string; ctx: HandlerContext }> = [];
  let failNext = true;
  bus.subscribe({
    stream,
    group,
    consumer: 'c1',
    ...FAST,
    handler: (env, ctx) => {
      calls.push({ id: env.id, ctx });
      if (failNext) {
        failNext = false;
        throw new Error('transient');
      }
    },
  });

  const flaky = await bus.publish(stream, { type: 'audit.recorded', payload: {} });
  await waitFor(() => calls.length === 2, 3000, 'retry');
  expect(calls.map((c) => c.id)).toEqual([flaky.id, flaky.id]);
  expect(calls.map((c) => c.ctx.deliveryCount)).toEqual([1, 2]);

  // The same fact published twice (same id, two stream entries): handled once, both acked.
  const twice = await bus.publish(stream, { id: '7d0f3b1e-4a53-4d3c-9a47-2b3c1f0e9d11', type: 'audit.recorded', payload: {} });
  await bus.publish(stream, { id: twice.id, type: 'audit.recorded', payload: {} });
  await waitFor(async () => (await pendingCount(redis, stream, group)) === 0 && bus.stats().duplicates === 1, 3000, 'dedupe');
  await sleep(300);
  expect(calls.filter((c) => c.id === twice.id)).toHaveLength(1);
  expect(calls).toHaveLength(3);
  expect(bus.stats()).toMatchObject({ handled: 2, failed: 1, duplicates: 1, parked: 0 });
});

test('a poison message is parked after maxAttempts and acked', async () => {
  const { stream, group } = names();
  let calls = 0;
  bus.subscribe({
    stream,
    group,
    consumer: 'c1',
    maxAttempts: 3,
    ...FAST,
    handler: () => {
      calls++;
      throw new Error(`boom ${calls}`);
    },
  });
  const env = await bus.publish(stream, { type: 'clinic.suspended', payload: { bad: true } });

  await waitFor(async () => (await redis.xlen(parkedStream(stream))) === 1, 5000, 'parked entry');
  const parked = (await redis.xrange(parkedStream(stream), '-', '+')) as Array<[string, string[]]>;
  const fields = Object.fromEntries(
    (parked[0]?.[1] ?? []).flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : [])),
  ) as Record<string, string>;
  expect(fields).toMatchObject({ id: env.id, type: 'clinic.suspended', group, error: 'boom 3', deliveries: '3' });
  expect(JSON.parse(fields.envelope ?? '{}')).toEqual(env);
  expect(calls).toBe(3);
  expect(await pendingCount(redis, stream, group)).toBe(0);
  expect(bus.stats().parked).toBe(1);
});

test('an entry taken by a consumer that dies before acking is reclaimed and processed', async () => {
  const { stream, group } = names();
  const env = await bus.publish(stream, { type: 'audit.recorded', payload: { crash: true } });

  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'crash-consumer.mjs');
  const child = spawn(process.execPath, [script, stream, group, 'doomed'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  expect(signal).toBe('SIGKILL');
  const { entryId } = JSON.parse(out) as { entryId: string | null };
  expect(entryId).not.toBeNull();
  expect(await pendingCount(redis, stream, group)).toBe(1);

  const calls: HandlerContext[] = [];
  bus.subscribe({ stream, group, consumer: 'survivor', ...FAST, handler: (_env, ctx) => void calls.push(ctx) });
  await waitFor(() => calls.length === 1, 3000, 'reclaim');
  await sleep(300);
  expect(calls).toEqual([{ stream, group, consumer: 'survivor', entryId, deliveryCount: 2 }]);
  expect(await pendingCount(redis, stream, group)).toBe(0);
  expect(await redis.exists(doneKey(group, env.id))).toBe(1);
});

test('stop() finishes the in-flight message and returns promptly from a blocking read', async () => {
  const { stream, group } = names();
  let finished = 0;
  const sub = bus.subscribe({
    stream,
    group,
    consumer: 'c1',
    ...FAST,
    blockMs: 5000,
    handler: async () => {
      await sleep(200);
      finished++;
    },
  });
  await sub.ready;
  await bus.publish(stream, { type: 'audit.recorded', payload: {} });
  await waitFor(async () => (await pendingCount(redis, stream, group)) === 1, 3000, 'in flight');
  await sub.stop();
  expect(finished).toBe(1);
  expect(await pendingCount(redis, stream, group)).toBe(0);

  // Idle in a 5 s XREADGROUP: stop must not wait it out.
  const idle = bus.subscribe({ stream, group, consumer: 'c2', handler: () => undefined, ...FAST, blockMs: 5000 });
  await idle.ready;
  await sleep(100);
  const started = Date.now();
  await idle.stop();
  expect(Date.now() - started).toBeLessThan(1000);
});

describe('batch handling (handleBatch)', () => {
  /** Publishes n events before any consumer reads, so one read brings them all. */
  async function publishMany(stream: string, n: number): Promise<EventEnvelope[]> {
    const sent: EventEnvelope[] = [];
    for (let i = 0; i < n; i++) sent.push(await bus.publish(stream, { type: 'audit.recorded', payload: { n: i } }));
    return sent;
  }

  test('events read together reach handleBatch in one call, then are marked done and acked', async () => {
    const { stream, group } = names();
    const sent = await publishMany(stream, 5);
    const batches: EventEnvelope[][] = [];
    const single = collector();
    const sub = bus.subscribe({ stream, group, consumer: 'c1', ...FAST, handler: single.handler, handleBatch: (envs) => void batches.push(envs) });
    await waitFor(() => batches.length === 1, 3000, 'a batch');
    await sleep(400); // past claimIdleMs: an unacked entry would be delivered again now
    await sub.stop();
    expect(batches).toEqual([sent]);
    expect(single.seen).toEqual([]);
    expect(await pendingCount(redis, stream, group)).toBe(0);
    for (const env of sent) expect(await redis.exists(doneKey(group, env.id))).toBe(1);
    expect(bus.stats()).toMatchObject({ handled: 5 });
  });

  test('a batch that fails is handled one by one: the good events are handled, the poison one alone is parked', async () => {
    const { stream, group } = names();
    const sent = await publishMany(stream, 4);
    const handled: unknown[] = [];
    let batchCalls = 0;
    const sub = bus.subscribe({
      stream,
      group,
      consumer: 'c1',
      ...FAST,
      maxAttempts: 2,
      handleBatch: () => {
        batchCalls++;
        throw new Error('the batch INSERT failed');
      },
      handler: (env) => {
        if ((env.payload as { n: number }).n === 2) throw new PoisonMessageError('n = 2 breaks the schema');
        handled.push((env.payload as { n: number }).n);
      },
    });
    await waitFor(async () => (await redis.xlen(parkedStream(stream))) === 1, 3000, 'the poison event parked');
    await waitFor(async () => (await pendingCount(redis, stream, group)) === 0, 3000, 'all acked');
    await sub.stop();
    expect(batchCalls).toBe(1);
    expect(handled).toEqual([0, 1, 3]);
    const parked = await redis.xrange(parkedStream(stream), '-', '+');
    const fields = parked[0]?.[1] ?? [];
    expect(fields[fields.indexOf('id') + 1]).toBe(sent[2]!.id);
  });

  test('an event already done is acked without reaching the batch', async () => {
    const { stream, group } = names();
    const sent = await publishMany(stream, 3);
    await redis.set(doneKey(group, sent[1]!.id), '1', 'EX', 60);
    const batches: EventEnvelope[][] = [];
    const sub = bus.subscribe({ stream, group, consumer: 'c1', ...FAST, handler: () => undefined, handleBatch: (envs) => void batches.push(envs) });
    await waitFor(async () => batches.length === 1 && (await pendingCount(redis, stream, group)) === 0, 3000, 'batch and acks');
    await sub.stop();
    expect(batches[0]!.map((e) => e.id)).toEqual([sent[0]!.id, sent[2]!.id]);
    expect(bus.stats()).toMatchObject({ handled: 2, duplicates: 1 });
  });

  test('with lingerMs, events that trickle in are gathered into batches', async () => {
    const { stream, group } = names();
    const sizes: number[] = [];
    const seen = new Set<string>();
    const sub = bus.subscribe({
      stream,
      group,
      consumer: 'c1',
      ...FAST,
      lingerMs: 300,
      handler: (env) => {
        sizes.push(1);
        seen.add(env.id);
      },
      handleBatch: (envs) => {
        sizes.push(envs.length);
        for (const env of envs) seen.add(env.id);
      },
    });
    await sub.ready;
    for (let i = 0; i < 8; i++) {
      await bus.publish(stream, { type: 'audit.recorded', payload: { n: i } });
      await sleep(40);
    }
    await waitFor(() => seen.size === 8, 3000, 'all eight');
    await sub.stop();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(8);
    // without lingering each event would come alone (8 reads); 8 × 40 ms fits in about two lingers
    expect(sizes.length).toBeLessThanOrEqual(4);
  });
});
