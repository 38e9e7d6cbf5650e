/**
 * The one delivery loop of the platform's relays (the event outbox's and the leased relays'):
 * run a round, wait `intervalMs` when it went well or a backoff when it did not, never two rounds at
 * once, and on `stop()` let the round in flight finish.
 */

/**
 * Capped exponential backoff with "equal jitter": attempt n waits between half and all of
 * min(cap, base·2^(n−1)), so retries of many rows spread out but never hammer back at once.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export interface RelayLoopOptions {
  /** One round; resolves to whether it should be followed by a backoff (its work failed and heals). */
  round(): Promise<{ backoff: boolean }>;
  /** A round that threw (its store failed); the loop backs off and tries again. */
  onError(error: unknown, retryInMs: number): void;
  intervalMs: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  random?: () => number;
}

export interface RelayLoop {
  /** Starts the loop (an unref'd timer, so the loop alone keeps no process alive); idempotent. */
  start(): void;
  /** Stops scheduling and waits for the round in flight. */
  stop(): Promise<void>;
  /** Failed rounds in a row (0 after a good one). */
  readonly failures: number;
}

export function createRelayLoop(options: RelayLoopOptions): RelayLoop {
  const random = options.random ?? Math.random;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopped = false;
  let ticking: Promise<void> | undefined;

  const backoff = () => Math.max(options.intervalMs, backoffMs(failures, options.baseBackoffMs, options.maxBackoffMs, random));

  function schedule(delay: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      ticking = tick().finally(() => {
        ticking = undefined;
      });
    }, delay);
    timer.unref();
  }

  async function tick(): Promise<void> {
    let delay = options.intervalMs;
    try {
      const result = await options.round();
      failures = result.backoff ? failures + 1 : 0;
      if (result.backoff) delay = backoff();
    } catch (error) {
      failures += 1;
      delay = backoff();
      options.onError(error, delay);
    }
    schedule(delay);
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
    },
    get failures() {
      return failures;
    },
  };
}
