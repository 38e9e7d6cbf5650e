/** The subset of a pino logger the bus uses; pino's Logger satisfies it, so does a test stub. */
export interface EventsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Metric hook: the bus reports counter increments (value is the delta) and nothing else, so the
 * service kit can map each name onto a prom-client Counter with the given labels.
 */
export type MetricHook = (name: string, value: number, labels: Record<string, string>) => void;

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms}ms`);
    this.name = 'TimeoutError';
  }
}

/** Races `promise` against a timer. The loser is not cancelled, so callers must tolerate a late success. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  // A late rejection of the abandoned promise must not surface as an unhandled rejection.
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Capped exponential backoff with a little jitter so restarted consumers don't retry in lockstep. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.8 + Math.random() * 0.2));
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A sleep that `wake()` can cut short (used so stop() does not wait out a backoff). */
export class Sleeper {
  private wakeUp: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}
