import { isStale, isTimeZone, localDate, minutesBetween } from './clinic-time.js';

test('local dates follow the clinic time zone, DST included', () => {
  expect(localDate(new Date('2026-11-27T23:30:00Z'), 'Europe/Madrid')).toBe('2026-11-28');
  expect(localDate(new Date('2026-11-27T23:30:00Z'), 'UTC')).toBe('2026-11-27');
  expect(localDate(new Date('2026-07-01T22:30:00Z'), 'Europe/Madrid')).toBe('2026-07-02'); // CEST, UTC+2
  expect(localDate(new Date('2026-07-01T21:30:00Z'), 'Europe/Madrid')).toBe('2026-07-01');
  expect(localDate(new Date('2026-11-28T03:00:00Z'), 'America/Mexico_City')).toBe('2026-11-27');
});

test('stale: checked in before today in the clinic time zone', () => {
  const now = new Date('2026-11-28T00:30:00Z'); // 01:30 in Madrid, 18:30 the day before in Mexico City
  const checkedIn = new Date('2026-11-27T22:00:00Z'); // 23:00 in Madrid (yesterday), 16:00 in Mexico City (today)
  expect(isStale(checkedIn, 'Europe/Madrid', now)).toBe(true);
  expect(isStale(checkedIn, 'America/Mexico_City', now)).toBe(false);
  expect(isStale(new Date('2026-11-27T23:10:00Z'), 'Europe/Madrid', now)).toBe(false); // 00:10 today in Madrid
});

test('time zones and minutes', () => {
  expect(isTimeZone('Europe/Madrid')).toBe(true);
  expect(isTimeZone('Mars/Base')).toBe(false);
  expect(minutesBetween(new Date('2026-11-27T10:00:00Z'), new Date('2026-11-27T10:14:59Z'))).toBe(14);
  expect(minutesBetween(new Date('2026-11-27T10:00:00Z'), new Date('2026-11-27T09:00:00Z'))).toBe(0);
});
