import type { Redis } from 'ioredis';
import { createEventBus, type EventBus } from './bus.js';
import type { EventEnvelope } from './envelope.js';
import { followStream } from './follow.js';
import { cleanupRedis, newRedis, silentLogger, sleep, uniq, waitFor } from './__tests__/helpers.js';

/** followStream against the real Redis: fan-out to every follower, from now on, in order. */
let redis: Redis;
let bus: EventBus;
const streams: string[] = [];

beforeAll(() => {
  redis = newRedis();
  bus = createEventBus({ redis, service: 'follow-test', logger: silentLogger });
});

afterAll(async () => {
  await bus.close();
  await cleanupRedis(redis, streams, []);
  await redis.quit();
});

test('every follower sees every new event once, in order; what was published before it started is not replayed', async () => {
  const stream = uniq('follow');
  streams.push(stream);
  await bus.publish(stream, { type: 'before', payload: null });
  const seen: Record<string, string[]> = { a: [], b: [] };
  const followers = ['a', 'b'].map((name) =>
    followStream(newRedis(), { stream, blockMs: 100, logger: silentLogger, onEvent: (e: EventEnvelope) => void seen[name]!.push(e.type) }),
  );
  await Promise.all(followers.map((f) => f.ready));
  for (const type of ['one', 'two', 'three']) await bus.publish(stream, { type, payload: null });
  await waitFor(() => seen.a!.length === 3 && seen.b!.length === 3, 3000, 'both followers');
  await sleep(300);
  expect(seen).toEqual({ a: ['one', 'two', 'three'], b: ['one', 'two', 'three'] });
  await Promise.all(followers.map((f) => f.stop()));
});

test('a malformed entry is skipped and the next one still arrives; a throwing handler does not stop the follower', async () => {
  const stream = uniq('follow');
  streams.push(stream);
  const seen: string[] = [];
  const follower = followStream(newRedis(), {
    stream,
    blockMs: 100,
    logger: silentLogger,
    onEvent: (e) => {
      if (e.type === 'boom') throw new Error('handler failed');
      seen.push(e.type);
    },
  });
  await follower.ready;
  await redis.xadd(stream, '*', 'envelope', 'not json');
  await bus.publish(stream, { type: 'boom', payload: null });
  await bus.publish(stream, { type: 'after', payload: null });
  await waitFor(() => seen.length === 1, 3000, 'the entry after the bad ones');
  expect(seen).toEqual(['after']);
  await follower.stop();
});
