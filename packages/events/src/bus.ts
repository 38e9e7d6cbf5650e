import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { createEnvelope, doneKey, toStreamFields, type EventEnvelope, type NewEvent } from './envelope.js';
import type { OutboxStore } from './outbox.js';
import { createRelayLoop } from './loop.js';
import { startSubscription, type SubscribeOptions, type Subscription } from './subscription.js';
import { errorMessage, withTimeout, type EventsLogger, type MetricHook } from './util.js';

export interface EventBusOptions {
  /** Shared connection; recommended: `enableOfflineQueue: false` and a small `maxRetriesPerRequest`, so a dead Redis fails fast. */
  redis: Redis;
  /** Service name, written as `source` into every envelope. */
  service: string;
  /** Where events go when Redis can't take them, and where `enqueue` writes. */
  outbox?: OutboxStore;
  logger?: EventsLogger;
  /** Longest a publish waits for XADD before falling back to the outbox. Default 500 ms. */
  publishTimeoutMs?: number;
  /** Approximate stream length cap (XADD MAXLEN ~). Default 1_000_000. */
  maxLen?: number;
  /** Outbox rows read per round by flushOutbox. Default 100. */
  flushBatchSize?: number;
  /** Counter increments; see README for names and labels. */
  onMetric?: MetricHook;
}

export interface EventBusStats {
  published: number;
  outboxed: number;
  enqueued: number;
  outboxDelivered: number;
  handled: number;
  duplicates: number;
  failed: number;
  parked: number;
  redisErrors: number;
}

export interface OutboxRelay {
  stop(): Promise<void>;
}

export interface EventBus {
  readonly service: string;
  /** XADD now, or (Redis down/slow) keep it in the outbox. Rejects only if both fail, or Redis fails and there is no outbox. */
  publish<P>(stream: string, event: NewEvent<P>): Promise<EventEnvelope<P>>;
  /** Writes the event into the outbox inside the caller's transaction (`tx`: Prisma transaction client). */
  enqueue<P>(tx: unknown, stream: string, event: NewEvent<P>): Promise<EventEnvelope<P>>;
  /** Delivers outbox rows oldest first; stops at the first Redis failure. Resolves to the number delivered. */
  flushOutbox(): Promise<number>;
  /** Runs flushOutbox every intervalMs (default 1000) on an unref'd timer; one relay per bus. */
  startOutboxRelay(intervalMs?: number): OutboxRelay;
  subscribe(options: SubscribeOptions): Subscription;
  /**
   * Flushes the outbox, then waits until `group` has handled the event (its idempotency record
   * exists): read-your-writes for a producer whose caller acts next on the consumer. Resolves false
   * on timeout or while Redis is down; the event is still delivered later, it is only not there yet.
   */
  waitUntilHandled(group: string, eventId: string, timeoutMs: number): Promise<boolean>;
  /** Rows waiting in the outbox (0 without an outbox), for a backlog gauge. */
  outboxBacklog(): Promise<number>;
  stats(): EventBusStats;
  /** Stops the relay and every subscription. The Redis connection stays open: it belongs to the caller. */
  close(): Promise<void>;
}

// ioredis states in which a command cannot be sent right now; skipping XADD then avoids waiting
// out the timeout on every publish during an outage.
const DOWN_STATES = new Set(['reconnecting', 'close', 'end']);

export function createEventBus(options: EventBusOptions): EventBus {
  const { redis, service, outbox, onMetric } = options;
  const logger: EventsLogger = options.logger ?? pino({ name: '@clinicult/events', base: { service } });
  const publishTimeoutMs = options.publishTimeoutMs ?? 500;
  const maxLen = options.maxLen ?? 1_000_000;
  const flushBatchSize = options.flushBatchSize ?? 100;
  if (!service) throw new Error('createEventBus needs a service name');

  const stats: EventBusStats = {
    published: 0, outboxed: 0, enqueued: 0, outboxDelivered: 0,
    handled: 0, duplicates: 0, failed: 0, parked: 0, redisErrors: 0,
  };

  function count(name: string, labels: Record<string, string>): void {
    switch (name) {
      case 'events_published_total':
        if (labels.via === 'outbox') stats.outboxed++;
        else stats.published++;
        break;
      case 'events_enqueued_total': stats.enqueued++; break;
      case 'events_outbox_delivered_total': stats.outboxDelivered++; break;
      case 'events_redis_errors_total': stats.redisErrors++; break;
      case 'events_handled_total':
        if (labels.outcome === 'ok') stats.handled++;
        else if (labels.outcome === 'duplicate') stats.duplicates++;
        else if (labels.outcome === 'failed') stats.failed++;
        else if (labels.outcome === 'parked') stats.parked++;
        break;
    }
    try {
      onMetric?.(name, 1, labels);
    } catch {
      // A broken metrics hook must not break publishing or consuming.
    }
  }

  // Log an outage once when it starts and once when it ends, not on every publish in between.
  let redisHealthy = true;
  function redisFailed(op: string, err: unknown): void {
    count('events_redis_errors_total', { op });
    if (redisHealthy) logger.warn({ op, err: errorMessage(err) }, 'Redis unavailable for events; using the outbox');
    redisHealthy = false;
  }
  function redisOk(): void {
    if (!redisHealthy) logger.info({}, 'Redis available again for events');
    redisHealthy = true;
  }

  async function xadd(stream: string, env: EventEnvelope): Promise<void> {
    if (DOWN_STATES.has(redis.status)) throw new Error(`Redis connection is ${redis.status}`);
    // If the timeout wins but XADD lands later, the outbox copy is a duplicate with the same id: consumers drop it.
    // No TTL, ever: a stream is durable until consumed, so Redis must never evict it (volatile-lru, docs/operations.md).
    await withTimeout(
      redis.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...toStreamFields(env)),
      publishTimeoutMs,
      'XADD',
    );
  }

  async function publish<P>(stream: string, event: NewEvent<P>): Promise<EventEnvelope<P>> {
    const env = createEnvelope(service, event);
    try {
      await xadd(stream, env);
      redisOk();
      count('events_published_total', { stream, type: env.type, via: 'redis' });
      return env;
    } catch (err) {
      if (!outbox) throw err;
      redisFailed('publish', err);
      try {
        await outbox.insert(env, stream);
      } catch (dbErr) {
        throw new AggregateError([err, dbErr], 'event lost: Redis and the outbox both failed', { cause: dbErr });
      }
      count('events_published_total', { stream, type: env.type, via: 'outbox' });
      return env;
    }
  }

  async function enqueue<P>(tx: unknown, stream: string, event: NewEvent<P>): Promise<EventEnvelope<P>> {
    if (!outbox) throw new Error('enqueue needs an outbox (createEventBus({ outbox }))');
    const env = createEnvelope(service, event);
    await outbox.insert(env, stream, tx);
    count('events_enqueued_total', { stream, type: env.type });
    return env;
  }

  async function flushRounds(store: OutboxStore): Promise<number> {
    let delivered = 0;
    for (;;) {
      const rows = await store.takeBatch(flushBatchSize);
      for (const row of rows) {
        try {
          await xadd(row.stream, row.envelope);
        } catch (err) {
          redisFailed('flush', err);
          return delivered;
        }
        redisOk();
        // Deleted one by one: a crash here re-sends at most this row, which consumers dedupe by id.
        await store.remove([row.seq]);
        delivered++;
        count('events_outbox_delivered_total', { stream: row.stream });
      }
      if (rows.length < flushBatchSize) return delivered;
    }
  }

  // One flush at a time per bus: the relay and explicit calls share the in-flight run, keeping order.
  let flushing: Promise<number> | undefined;
  function flushOutbox(): Promise<number> {
    if (!outbox) return Promise.resolve(0);
    flushing ??= flushRounds(outbox).finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  let relay: OutboxRelay | undefined;
  function startOutboxRelay(intervalMs = 1000): OutboxRelay {
    if (!outbox) throw new Error('startOutboxRelay needs an outbox');
    if (relay) return relay;
    // a steady pace, no backoff: a flush that finds Redis down costs one failed XADD
    const loop = createRelayLoop({
      intervalMs,
      baseBackoffMs: intervalMs,
      maxBackoffMs: intervalMs,
      round: async () => {
        await flushOutbox();
        return { backoff: false };
      },
      onError: (err) => logger.error({ err: errorMessage(err) }, 'outbox flush failed'),
    });
    loop.start();
    const handle: OutboxRelay = {
      async stop() {
        await loop.stop();
        if (relay === handle) relay = undefined;
        await flushing?.catch(() => undefined);
      },
    };
    relay = handle;
    return handle;
  }

  const subscriptions = new Set<Subscription>();
  let closed = false;

  function subscribe(subOptions: SubscribeOptions): Subscription {
    if (closed) throw new Error('event bus is closed');
    const sub = startSubscription({ redis, logger, maxLen, count }, subOptions);
    const tracked: Subscription = {
      stream: sub.stream,
      group: sub.group,
      consumer: sub.consumer,
      ready: sub.ready,
      async stop() {
        await sub.stop();
        subscriptions.delete(tracked);
      },
    };
    subscriptions.add(tracked);
    return tracked;
  }

  async function waitUntilHandled(group: string, eventId: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const key = doneKey(group, eventId);
    try {
      if (outbox) await flushOutbox();
      while (Date.now() < deadline) {
        if (await redis.exists(key)) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } catch (err) {
      logger.debug({ err: errorMessage(err), group, eventId }, 'waitUntilHandled: Redis unavailable');
    }
    return false;
  }

  return {
    service,
    publish,
    enqueue,
    flushOutbox,
    startOutboxRelay,
    subscribe,
    waitUntilHandled,
    outboxBacklog: () => (outbox ? outbox.count() : Promise.resolve(0)),
    stats: () => ({ ...stats }),
    async close() {
      closed = true;
      await relay?.stop();
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
}
