import { GraphQLError } from 'graphql';
import { backoffMs, isRefusal } from './archive-relay.js';

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

describe('isRefusal: which answers of visits make a row poison', () => {
  const answer = (code: string) => new GraphQLError('no', { extensions: { code } });

  test.each(['BAD_USER_INPUT', 'FORBIDDEN', 'CONFLICT'])('%s is a refusal of the snapshot', (code) => {
    expect(isRefusal(answer(code))).toBe(true);
  });

  test.each(['UNAUTHENTICATED', 'INTERNAL_SERVER_ERROR', 'GRAPHQL_VALIDATION_FAILED'])('%s heals: retried without limit', (code) => {
    expect(isRefusal(answer(code))).toBe(false);
  });

  test('transport failures and timeouts heal', () => {
    expect(isRefusal(new TypeError('fetch failed'))).toBe(false);
    expect(isRefusal(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(false);
    expect(isRefusal(new Error('http://visits/graphql answered 502 without data'))).toBe(false);
  });
});
