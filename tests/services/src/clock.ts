/**
 * A clinic's calendar, worked out here with Intl alone (not with the services' own code): what the
 * tests expect of "today" and "this month" in a clinic's time zone.
 */
const dateIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return dateIn(timeZone).format(instant);
}

/** The first instant (to the minute) of `now`'s month in `timeZone`: searched from 15 hours before the UTC 1st. */
export function startOfMonthIn(timeZone: string, now: Date = new Date()): Date {
  const format = dateIn(timeZone);
  const month = format.format(now).slice(0, 7);
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  let t = Date.UTC(year, monthNumber - 1, 1) - 15 * 3_600_000;
  while (format.format(new Date(t)).slice(0, 7) !== month) t += 60_000;
  return new Date(t);
}
