import { mapWithConcurrency, startOfMonthIn } from './overview.js';

describe('startOfMonthIn: local midnight of the 1st, as an instant', () => {
  test.each([
    // [zone, now, expected]
    ['UTC', '2026-11-27T10:00:00Z', '2026-11-01T00:00:00.000Z'],
    ['Europe/Madrid', '2026-11-27T10:00:00Z', '2026-10-31T23:00:00.000Z'], // CET (+1)
    ['Europe/Madrid', '2026-07-15T10:00:00Z', '2026-06-30T22:00:00.000Z'], // CEST (+2)
    ['America/New_York', '2026-11-27T10:00:00Z', '2026-11-01T04:00:00.000Z'], // Nov 1 still EDT (-4); DST ends later that day
    ['Pacific/Auckland', '2026-11-27T10:00:00Z', '2026-10-31T11:00:00.000Z'], // NZDT (+13)
    // already the next month locally while UTC is still in the previous one
    ['Pacific/Auckland', '2026-11-30T12:30:00Z', '2026-11-30T11:00:00.000Z'],
    // still the previous month locally while UTC has moved on
    ['America/Los_Angeles', '2026-12-01T05:00:00Z', '2026-11-01T07:00:00.000Z'],
    ['Asia/Kolkata', '2026-03-10T00:00:00Z', '2026-02-28T18:30:00.000Z'], // +05:30
  ])('%s at %s → %s', (zone, now, expected) => {
    expect(startOfMonthIn(zone, new Date(now)).toISOString()).toBe(expected);
  });

  test('the result is day 1, 00:00 in the zone, for every zone the runtime knows', () => {
    const now = new Date('2026-11-15T12:00:00Z');
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      const start = startOfMonthIn(zone, now);
      const local = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(start);
      expect([zone, local]).toEqual([zone, expect.stringMatching(/^01,? 00:00$/)]);
    }
  });
});

describe('mapWithConcurrency', () => {
  test('keeps the order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const work = mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
      return n * 10;
    });
    // release the calls one by one, as they arrive
    for (let released = 0; released < 7; released++) {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      expect(running).toBeLessThanOrEqual(3);
      gates.shift()!();
    }
    expect(await work).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });

  test('no items: no calls', async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
