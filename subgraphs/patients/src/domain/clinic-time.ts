/**
 * A clinic's day is local (DESIGN.md): "today" and "stale" are decided in the clinic's IANA time
 * zone. MariaDB here has no time-zone tables, so conversion happens in the application with Intl.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // en-CA writes dates as YYYY-MM-DD
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return formatterFor(timeZone).format(instant);
}

/** Is `timeZone` an IANA zone this runtime knows? */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** A visit checked in before today (clinic time) is stale: the front desk should close it. */
export function isStale(checkedInAt: Date, timeZone: string, now: Date = new Date()): boolean {
  return localDate(checkedInAt, timeZone) < localDate(now, timeZone);
}

/** Whole minutes from `since` to `now` (never negative). */
export function minutesBetween(since: Date, now: Date = new Date()): number {
  return Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
}
