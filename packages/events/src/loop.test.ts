import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, createRelayLoop } from './loop.js';

describe('backoffMs: capped exponential backoff with equal jitter', () => {
  test('doubles per attempt, between half and all of the step', () => {
    for (const [attempt, step] of [
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 800],
    ] as const) {
      expect(backoffMs(attempt, 100, 10_000, () => 0)).toBe(step / 2);
      expect(backoffMs(attempt, 100, 10_000, () => 1)).toBe(step);
      const any = backoffMs(attempt, 100, 10_000);
      expect(any).toBeGreaterThanOrEqual(step / 2);
      expect(any).toBeLessThanOrEqual(step);
    }
  });

  test('never exceeds the cap, even after very many attempts', () => {
    for (const attempt of [10, 20, 50, 1000, 1e9]) {
      expect(backoffMs(attempt, 1000, 60_000, () => 1)).toBe(60_000);
      expect(backoffMs(attempt, 1000, 60_000, () => 0)).toBe(30_000);
    }
  });

  test('jitter spreads retries of many rows', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffMs(5, 1000, 60_000)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('createRelayLoop: the relays\' one delivery loop', () => {
  const waitFor = async (check: () => boolean, ms = 2000) => {
    const until = Date.now() + ms;
    while (!check()) {
      if (Date.now() > until) throw new Error('condition not reached');
      await sleep(5);
    }
  };

  test('runs a round at start, then every interval; a failing round (or one that throws) backs off', async () => {
    const at: number[] = [];
    const errors: number[] = [];
    let outcome: 'ok' | 'backoff' | 'throw' = 'ok';
    const loop = createRelayLoop({
      intervalMs: 10,
      baseBackoffMs: 200,
      maxBackoffMs: 200,
      random: () => 1,
      round: async () => {
        at.push(Date.now());
        if (outcome === 'throw') throw new Error('database down');
        return { backoff: outcome === 'backoff' };
      },
      onError: (_error, retryInMs) => errors.push(retryInMs),
    });
    loop.start();
    loop.start(); // idempotent: one loop
    await waitFor(() => at.length >= 3);
    expect(loop.failures).toBe(0);
    outcome = 'backoff';
    const before = at.length;
    await waitFor(() => loop.failures === 1);
    const failedAt = at[at.length - 1]!;
    outcome = 'throw';
    await waitFor(() => errors.length === 1, 1000);
    // the round after a failure waited the backoff (200 ms), not the interval (10 ms)
    expect(at[before + 1]! - failedAt).toBeGreaterThanOrEqual(190);
    expect(errors[0]).toBe(200);
    expect(loop.failures).toBe(2);
    outcome = 'ok';
    await waitFor(() => loop.failures === 0, 1000);
    await loop.stop();
    const stoppedAt = at.length;
    await sleep(50);
    expect(at.length).toBe(stoppedAt);
  });

  test('stop waits for the round in flight', async () => {
    let finished = false;
    let began = false;
    const loop = createRelayLoop({
      intervalMs: 10,
      baseBackoffMs: 10,
      maxBackoffMs: 10,
      round: async () => {
        began = true;
        await sleep(100);
        finished = true;
        return { backoff: false };
      },
      onError: () => undefined,
    });
    loop.start();
    await waitFor(() => began);
    await loop.stop();
    expect(finished).toBe(true);
  });
});
