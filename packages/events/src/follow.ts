import type { Redis } from 'ioredis';
import { parseStreamFields, type EventEnvelope } from './envelope.js';
import { parseReadGroup } from './replies.js';
import { Sleeper, backoffDelay, errorMessage, type EventsLogger } from './util.js';

export interface FollowOptions {
  stream: string;
  /** Called for every new entry, in order; a throw is logged and the next entry follows. */
  onEvent: (envelope: EventEnvelope) => void;
  /** How long one XREAD waits for new entries. Default 5000 ms. */
  blockMs?: number;
  /** First and maximum delay when Redis errors. Default 200 ms and 5000 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  logger?: EventsLogger;
}

export interface StreamFollower {
  /** Resolves once the first read is under way (or when stopped first); never rejects. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows a stream from now on without a consumer group: every follower sees every new entry once,
 * nothing is acknowledged or retried. This is fan-out for what only matters while someone is
 * connected (a gateway's open queue boards), where `subscribe`'s groups would hand each event to
 * one replica only. `redis` must be a connection of its own: XREAD BLOCK holds it.
 * After a Redis outage it resumes from the last entry it saw, so a short outage loses nothing.
 */
export function followStream(redis: Redis, options: FollowOptions): StreamFollower {
  const blockMs = options.blockMs ?? 5000;
  const backoffMs = options.backoffMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const sleeper = new Sleeper();
  let stopped = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const loop = (async () => {
    // '$' is "after the newest entry" only for the first read; later reads continue from what was seen
    let lastId = '$';
    let failures = 0;
    while (!stopped) {
      try {
        if (lastId === '$') {
          // resolve '$' to a concrete id first, so that an event published between reads is not skipped
          const newest = (await redis.xrevrange(options.stream, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
          lastId = newest[0]?.[0] ?? '0-0';
        }
        markReady();
        const reply = await redis.xread('BLOCK', blockMs, 'STREAMS', options.stream, lastId);
        failures = 0;
        for (const entry of parseReadGroup(reply)) {
          lastId = entry.id;
          // an entry trimmed away (MAXLEN) between XADD and XREAD has no fields: nothing to say
          if (!entry.fields) continue;
          try {
            options.onEvent(parseStreamFields(entry.fields));
          } catch (error) {
            options.logger?.warn({ stream: options.stream, entryId: entry.id, err: errorMessage(error) }, 'stream follower: entry skipped');
          }
        }
      } catch (error) {
        if (stopped) break;
        options.logger?.warn({ stream: options.stream, err: errorMessage(error) }, 'stream follower: read failed; retrying');
        await sleeper.sleep(backoffDelay(failures++, backoffMs, maxBackoffMs));
      }
    }
    markReady();
  })();

  return {
    ready,
    async stop() {
      stopped = true;
      sleeper.wake();
      // a blocked XREAD ends with the connection
      redis.disconnect();
      await loop;
    },
  };
}
