import type { Logger } from '@clinicult/kit';
import type { ClinicCounter, CountingService } from './ports.js';

/**
 * A clinic's overview for operators (DESIGN.md: operators see per-clinic counts only, never rows):
 * figures gathered from the services that own the rows through their internal count operations
 * (users: staff; patients: patients, current visits, last activity; visits: archived visits since
 * the first of this month in the clinic's time zone, last finished visit), in parallel, each with
 * admin's service token naming the clinic. A service that cannot answer within the upstream timeout
 * (down, slow, refusing) contributes zeros and its name in `unavailable`: the page still renders,
 * and the operator sees which figures are missing. Nothing is an error to the client.
 */

export interface ClinicOverview {
  staffCount: number;
  patientCount: number;
  currentVisits: number;
  visitsThisMonth: number;
  lastActivityAt: Date | null;
  /** services that could not answer, in the order users, patients, visits */
  unavailable: CountingService[];
}

export interface OverviewDeps {
  counter: ClinicCounter;
  logger: Logger;
  /** how long each service has to answer (ms) */
  timeoutMs: number;
}

export interface OverviewClinic {
  id: string;
  timeZone: string;
  /** its region: patients and visits are asked in that cluster */
  cluster: string;
}

/** The wall-clock parts of `instant` in `timeZone`. */
function partsIn(timeZone: string, instant: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The zone's offset from UTC at `instant`, in ms (east positive). */
function offsetAt(timeZone: string, instant: Date): number {
  const p = partsIn(timeZone, instant);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant the current month began in `timeZone` (local midnight of day 1), computed with the
 * runtime's time-zone database (MariaDB here has none). Where that midnight does not exist (a
 * daylight-saving jump at midnight), the first instant of the day after the jump.
 */
export function startOfMonthIn(timeZone: string, now: Date = new Date()): Date {
  const local = partsIn(timeZone, now);
  const wall = Date.UTC(local.year, local.month - 1, 1, 0, 0, 0);
  // Two passes: the offset at the first guess may differ from the offset at the answer (DST).
  let instant = wall - offsetAt(timeZone, new Date(wall));
  instant = wall - offsetAt(timeZone, new Date(instant));
  const check = partsIn(timeZone, new Date(instant));
  if (check.day !== 1 || check.month !== local.month) {
    // midnight skipped: the day starts at the jump, one offset change later
    instant = wall - offsetAt(timeZone, new Date(instant + 3 * 3600_000));
  }
  return new Date(instant);
}

class Timeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** `work`, or a Timeout after `ms` (the call itself is bounded too; this bounds token + call). */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function instant(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** One clinic's overview: three calls in parallel, each bounded by the upstream timeout. */
export async function gatherOverview(
  deps: OverviewDeps,
  clinic: OverviewClinic,
  options: { requestId?: string; now?: Date } = {},
): Promise<ClinicOverview> {
  const since = startOfMonthIn(clinic.timeZone, options.now ?? new Date());
  const { requestId } = options;
  const [staff, patients, visits] = await Promise.allSettled([
    within(deps.timeoutMs, deps.counter.staffCount(clinic.id, requestId)),
    within(deps.timeoutMs, deps.counter.patientCounts(clinic.id, clinic.cluster, requestId)),
    within(deps.timeoutMs, deps.counter.visitCounts(clinic.id, clinic.cluster, since, requestId)),
  ]);
  const unavailable: CountingService[] = [];
  const failed = (service: CountingService, result: PromiseSettledResult<unknown>) => {
    if (result.status === 'fulfilled') return false;
    unavailable.push(service);
    deps.logger.warn(
      { clinicId: clinic.id, cluster: clinic.cluster, service, err: result.reason, requestId },
      `clinic overview: ${service} could not answer; its figures are reported as unavailable`,
    );
    return true;
  };
  const overview: ClinicOverview = {
    staffCount: 0,
    patientCount: 0,
    currentVisits: 0,
    visitsThisMonth: 0,
    lastActivityAt: null,
    unavailable,
  };
  const times: number[] = [];
  if (!failed('users', staff) && staff.status === 'fulfilled') overview.staffCount = staff.value;
  if (!failed('patients', patients) && patients.status === 'fulfilled') {
    overview.patientCount = patients.value.patients;
    overview.currentVisits = patients.value.currentVisits;
    const at = instant(patients.value.lastActivityAt);
    if (at !== null) times.push(at);
  }
  if (!failed('visits', visits) && visits.status === 'fulfilled') {
    overview.visitsThisMonth = visits.value.archived;
    const at = instant(visits.value.lastFinishedAt);
    if (at !== null) times.push(at);
  }
  if (times.length > 0) overview.lastActivityAt = new Date(Math.max(...times));
  return overview;
}

/** `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
