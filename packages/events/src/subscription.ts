import type { Redis } from 'ioredis';
import { doneKey, fieldsToRecord, parkedStream, parseStreamFields, type EventEnvelope } from './envelope.js';
import { parseAutoClaim, parsePendingCount, parseReadGroup, type StreamEntry } from './replies.js';
import { Sleeper, backoffDelay, errorMessage, type EventsLogger } from './util.js';

export interface HandlerContext {
  stream: string;
  group: string;
  consumer: string;
  /** The stream entry id (differs per publish; the envelope id is the idempotency key). */
  entryId: string;
  /** 1 on first delivery; grows with every retry or reclaim. */
  deliveryCount: number;
}

/** Thrown by a handler for an event that can never succeed (it breaks its schema): parked at once, never retried. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

export type EventHandler = (envelope: EventEnvelope, ctx: HandlerContext) => unknown;

/** What a batch handler learns beside the envelopes (all first deliveries of one read). */
export interface BatchContext {
  stream: string;
  group: string;
  consumer: string;
}

/**
 * Handles several first deliveries at once (e.g. one multi-row INSERT). All or nothing: when it
 * throws, each event of the batch goes through `handler` on its own, so one bad event is retried
 * and parked alone while the others are stored.
 */
export type BatchHandler = (envelopes: EventEnvelope[], ctx: BatchContext) => unknown;

export interface SubscribeOptions {
  stream: string;
  /** Usually the service name: every group receives every event once. */
  group: string;
  /** Unique per process (e.g. `${hostname}-${pid}`); keep it stable across restarts so own pending entries are resumed. */
  consumer: string;
  handler: EventHandler;
  /** Optional: first deliveries read together go here at once (see BatchHandler); `handler` stays the path for retries and for a batch that failed. */
  handleBatch?: BatchHandler;
  /**
   * With `handleBatch`: after a read that brought fewer than `batchSize` events, wait this long
   * before the next, so that events arriving one by one are handled in batches (a delay of up to
   * this much for the consumer's work; the publisher never waits). Default 0.
   */
  lingerMs?: number;
  /** Handler calls per event before it is parked. Default 5. */
  maxAttempts?: number;
  /** How long one XREADGROUP waits for new entries. Default 2000 ms. */
  blockMs?: number;
  /** An entry pending (unacked) this long is taken over by any consumer of the group: crash recovery and retry delay. Keep it above the slowest handler. Default 30000 ms. */
  claimIdleMs?: number;
  /** Entries per read. Default 10. */
  batchSize?: number;
  /**
   * Where a group that does not exist yet starts. Default '0': the whole retained stream, so events
   * published before a service's first subscribe are not lost. '$' starts with the next new event.
   */
  startId?: string;
  /**
   * How long the idempotency record `events:done:<group>:<id>` lives. Default 7 days. It must have a
   * TTL (Redis evicts only keys with one, volatile-lru): one evicted early means a duplicate, which handlers tolerate.
   */
  doneTtlSeconds?: number;
  /** First and maximum delay when Redis errors. Default 100 ms and 5000 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface Subscription {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  /** Resolves once the consumer group exists (or when stopped first); never rejects. */
  readonly ready: Promise<void>;
  /** Finishes the in-flight message, then stops reading. Unprocessed entries stay pending for later. */
  stop(): Promise<void>;
}

/** What the bus hands a subscription. */
export interface SubscriptionDeps {
  redis: Redis;
  logger: EventsLogger;
  maxLen: number;
  count(name: string, labels: Record<string, string>): void;
}

interface Delivery extends StreamEntry {
  deliveryCount: number;
}

const SEVEN_DAYS = 7 * 24 * 3600;

/** Runs EXEC and surfaces a failed command inside the transaction (ioredis reports those per command). */
async function execOrThrow(multi: ReturnType<Redis['multi']>): Promise<void> {
  const results = await multi.exec();
  if (results === null) throw new Error('Redis transaction aborted');
  for (const [err] of results) if (err) throw err;
}

export function startSubscription(deps: SubscriptionDeps, options: SubscribeOptions): Subscription {
  const { redis, logger, maxLen, count } = deps;
  const { stream, group, consumer, handler, handleBatch } = options;
  const lingerMs = options.lingerMs ?? 0;
  const maxAttempts = options.maxAttempts ?? 5;
  const blockMs = options.blockMs ?? 2000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const batchSize = options.batchSize ?? 10;
  const startId = options.startId ?? '0';
  const doneTtl = options.doneTtlSeconds ?? SEVEN_DAYS;
  const backoffMs = options.backoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  if (!stream || !group || !consumer) throw new Error('subscribe needs stream, group and consumer');
  if (maxAttempts < 1 || batchSize < 1) throw new Error('maxAttempts and batchSize must be >= 1');

  // Blocking reads get their own connection so they don't stall the shared one. It queues commands
  // while (re)connecting, and a client-side deadline guards against a silently dead socket.
  const reader = redis.duplicate({
    lazyConnect: false,
    enableOfflineQueue: true,
    commandTimeout: undefined,
    blockingTimeout: blockMs + 5000,
    blockingTimeoutGrace: 5000,
  });
  reader.on('error', (err: unknown) => logger.debug({ err: errorMessage(err), stream, group }, 'event reader connection error'));

  const labels = { stream, group };
  const sleeper = new Sleeper();
  let stopping = false;
  let reading = false;
  // Our own pending entries (taken but never acked before a stop or crash) are re-read once at start.
  let ownCursor: string | null = '0';
  let claimCursor = '0-0';
  // A busy consumer reads a batch after a batch; looking for idle entries before every read would
  // double its Redis calls, so a scan of the pending list starts at most this often.
  const claimEveryMs = Math.min(1000, Math.max(10, claimIdleMs / 2));
  let nextClaimAt = 0;

  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  async function ensureGroup(): Promise<void> {
    try {
      await redis.xgroup('CREATE', stream, group, startId, 'MKSTREAM');
    } catch (err) {
      if (!errorMessage(err).startsWith('BUSYGROUP')) throw err;
    }
  }

  /** Entries that were delivered before carry their count in the PEL; fetch it for the attempt limit. */
  async function withDeliveryCounts(entries: StreamEntry[]): Promise<Delivery[]> {
    const pipeline = redis.pipeline();
    for (const e of entries) pipeline.xpending(stream, group, e.id, e.id, 1);
    const replies = (await pipeline.exec()) ?? [];
    return entries.map((e, i) => {
      const [err, reply] = replies[i] ?? [null, null];
      if (err) throw err;
      return { ...e, deliveryCount: parsePendingCount(reply) ?? 1 };
    });
  }

  async function nextBatch(): Promise<Delivery[]> {
    if (ownCursor !== null) {
      const own = parseReadGroup(
        await redis.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'STREAMS', stream, ownCursor),
      );
      const last = own[own.length - 1];
      if (last) {
        ownCursor = last.id;
        return withDeliveryCounts(own);
      }
      ownCursor = null;
    }

    // Entries idle for claimIdleMs: a crashed consumer's, or ones whose handler failed (this is the retry delay).
    if (claimCursor !== '0-0' || Date.now() >= nextClaimAt) {
      const claimed = parseAutoClaim(
        await redis.xautoclaim(stream, group, consumer, claimIdleMs, claimCursor, 'COUNT', batchSize),
      );
      claimCursor = claimed.cursor;
      if (claimCursor === '0-0') nextClaimAt = Date.now() + claimEveryMs;
      if (claimed.entries.length > 0) return withDeliveryCounts(claimed.entries);
    }

    if (stopping) return [];
    reading = true;
    try {
      const reply = await reader.xreadgroup(
        'GROUP', group, consumer, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', stream, '>',
      );
      return parseReadGroup(reply).map((e) => ({ ...e, deliveryCount: 1 }));
    } finally {
      reading = false;
    }
  }

  async function park(d: Delivery, env: EventEnvelope | undefined, err: unknown): Promise<void> {
    const raw = d.fields ? fieldsToRecord(d.fields) : {};
    const multi = redis.multi();
    multi.xadd(
      parkedStream(stream), 'MAXLEN', '~', maxLen, '*',
      'id', env?.id ?? raw.id ?? '',
      'type', env?.type ?? raw.type ?? '',
      'envelope', env ? JSON.stringify(env) : (raw.envelope ?? JSON.stringify(raw)),
      'group', group,
      'consumer', consumer,
      'entryId', d.id,
      'deliveries', String(d.deliveryCount),
      'error', errorMessage(err),
      'parkedAt', new Date().toISOString(),
    );
    multi.xack(stream, group, d.id);
    await execOrThrow(multi);
    count('events_handled_total', { ...labels, outcome: 'parked' });
    logger.error(
      { stream, group, entryId: d.id, eventId: env?.id, deliveries: d.deliveryCount, err: errorMessage(err) },
      'event parked',
    );
  }

  async function handle(d: Delivery): Promise<void> {
    // Trimmed or deleted while pending: there is nothing left to deliver.
    if (d.fields === null) {
      await redis.xack(stream, group, d.id);
      return;
    }
    let env: EventEnvelope;
    try {
      env = parseStreamFields(d.fields);
    } catch (err) {
      await park(d, undefined, err);
      return;
    }
    // Only reached when deliveries ended without a verdict (crash, stop, Redis error after the handler).
    if (d.deliveryCount > maxAttempts) {
      await park(d, env, new Error(`no successful handling after ${d.deliveryCount - 1} deliveries`));
      return;
    }
    const key = doneKey(group, env.id);
    if ((await redis.exists(key)) > 0) {
      await redis.xack(stream, group, d.id);
      count('events_handled_total', { ...labels, outcome: 'duplicate' });
      return;
    }
    try {
      await handler(env, { stream, group, consumer, entryId: d.id, deliveryCount: d.deliveryCount });
    } catch (err) {
      if (d.deliveryCount >= maxAttempts || err instanceof PoisonMessageError) {
        await park(d, env, err);
      } else {
        // Left pending on purpose: after claimIdleMs some consumer reclaims and retries it.
        count('events_handled_total', { ...labels, outcome: 'failed' });
        logger.warn(
          { stream, group, entryId: d.id, eventId: env.id, attempt: d.deliveryCount, err: errorMessage(err) },
          'event handler failed; will retry',
        );
      }
      return;
    }
    // Mark done and ack together: a crash in between must not leave "acked but not marked".
    await execOrThrow(redis.multi().set(key, '1', 'EX', doneTtl).xack(stream, group, d.id));
    count('events_handled_total', { ...labels, outcome: 'ok' });
  }

  /**
   * Several deliveries at once: the first deliveries that are neither malformed nor done already go
   * to `handleBatch` together and are marked done and acked in one transaction; everything else
   * (retries, malformed entries, a batch that failed) takes the one-by-one path of `handle`.
   */
  async function handleMany(batch: BatchHandler, deliveries: Delivery[]): Promise<void> {
    const alone: Delivery[] = [];
    const fresh: Array<{ d: Delivery; env: EventEnvelope; key: string }> = [];
    const ackOnly: string[] = [];
    for (const d of deliveries) {
      if (d.fields === null) {
        ackOnly.push(d.id);
        continue;
      }
      if (d.deliveryCount > 1) {
        alone.push(d);
        continue;
      }
      try {
        const env = parseStreamFields(d.fields);
        fresh.push({ d, env, key: doneKey(group, env.id) });
      } catch {
        alone.push(d); // handle() parks it with the reason
      }
    }
    if (fresh.length > 0) {
      const seen = redis.pipeline();
      for (const f of fresh) seen.exists(f.key);
      const replies = (await seen.exec()) ?? [];
      const todo: typeof fresh = [];
      fresh.forEach((f, i) => {
        const [err, reply] = replies[i] ?? [null, 0];
        if (err) throw err;
        if (Number(reply) > 0) {
          ackOnly.push(f.d.id);
          count('events_handled_total', { ...labels, outcome: 'duplicate' });
        } else todo.push(f);
      });
      let handled = false;
      if (todo.length > 0) {
        try {
          await batch(todo.map((f) => f.env), { stream, group, consumer });
          handled = true;
        } catch (err) {
          logger.warn({ stream, group, events: todo.length, err: errorMessage(err) }, 'event batch failed; handling its events one by one');
          alone.push(...todo.map((f) => f.d));
        }
      }
      if (handled || ackOnly.length > 0) {
        // done marks and acks in one transaction, as for a single event
        const multi = redis.multi();
        if (handled) for (const f of todo) multi.set(f.key, '1', 'EX', doneTtl);
        const acks = [...ackOnly, ...(handled ? todo.map((f) => f.d.id) : [])];
        multi.xack(stream, group, ...acks);
        await execOrThrow(multi);
        if (handled) for (let i = 0; i < todo.length; i++) count('events_handled_total', { ...labels, outcome: 'ok' });
      }
    } else if (ackOnly.length > 0) {
      await redis.xack(stream, group, ...ackOnly);
    }
    for (const d of alone) {
      if (stopping) break;
      await handle(d);
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    let groupReady = false;
    while (!stopping) {
      try {
        if (!groupReady) {
          await ensureGroup();
          groupReady = true;
          markReady();
        }
        const deliveries = await nextBatch();
        if (handleBatch && deliveries.length > 1) {
          await handleMany(handleBatch, deliveries);
        } else {
          for (const delivery of deliveries) {
            if (stopping) break; // the rest stay pending and are resumed on restart or reclaimed
            await handle(delivery);
          }
        }
        failures = 0;
        // a short read while events trickle in: let a few more arrive so the next batch is fuller
        if (handleBatch && lingerMs > 0 && deliveries.length > 0 && deliveries.length < batchSize && !stopping) {
          await sleeper.sleep(lingerMs);
        }
      } catch (err) {
        if (stopping) break;
        // A restarted Redis without persistence has lost the group: re-create it (BUSYGROUP is harmless).
        groupReady = false;
        const delay = backoffDelay(failures++, backoffMs, maxBackoffMs);
        count('events_redis_errors_total', { op: 'subscribe', ...labels });
        logger.warn({ stream, group, consumer, err: errorMessage(err), retryInMs: delay }, 'event subscription error');
        await sleeper.sleep(delay);
      }
    }
  }

  const done = run().catch((err: unknown) => {
    // run() catches everything itself; this is only a guard against a bug killing the process.
    logger.error({ stream, group, err: errorMessage(err) }, 'event subscription loop crashed');
  });

  // Once only: a second disconnect() on an already-closing socket arms a 2 s ioredis timer that
  // nothing clears, which keeps the process (and jest) alive.
  let readerClosed = false;
  function closeReader(): void {
    if (readerClosed) return;
    readerClosed = true;
    reader.disconnect();
  }

  let stopped: Promise<void> | undefined;
  return {
    stream,
    group,
    consumer,
    ready,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        sleeper.wake();
        // Dropping the reader aborts a blocked XREADGROUP instead of waiting out blockMs; entries
        // Redis handed over in that instant stay pending and are resumed or reclaimed later.
        if (reading) closeReader();
        await done;
        closeReader();
        markReady();
      })();
      return stopped;
    },
  };
}
