import { badInput } from '@clinicult/kit';
import { Prisma, type VisitsDb } from '../db.js';
import { normalizeCode } from './snapshot.js';

/**
 * visitReport: the clinic's visits over a range of clinic-local dates (`localDate`, from and to
 * inclusive, at most 366 days). Every query has the caller's clinic in its WHERE and runs on the
 * index (clinicId, localDate, status, doctorId): the counts are GROUP BYs in MySQL, never rows
 * loaded into memory. The one exception is the time in each state, see `averageMinutesInState`.
 */

export const MAX_REPORT_DAYS = 366;
export const TOP_DIAGNOSES_MAX = 100;
/** Counts below this are shown as "<5" (small counts could identify patients). */
export const SMALL_COUNT = 5;
/** The states of a current visit, in order; the report's time in each is read from the timelines. */
export const REPORT_STATES = ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT'] as const;
export type ReportState = (typeof REPORT_STATES)[number];
/** Timelines read per query by averageMinutesInState. */
export const TIMELINE_BATCH = 500;

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ReportRange {
  clinicId: string;
  from: string;
  to: string;
}

export interface ReportDay {
  date: string;
  finished: number;
  cancelled: number;
}

function dayNumber(date: string, field: string): number {
  const ms = DATE.test(date) ? Date.parse(`${date}T00:00:00.000Z`) : Number.NaN;
  if (Number.isNaN(ms)) throw badInput(`${field}: a date, YYYY-MM-DD.`, [field]);
  return ms / DAY_MS;
}

const isoDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Checks a report's range: from ≤ to, at most 366 days (both inclusive). */
export function reportRange(clinicId: string, from: string, to: string): ReportRange {
  const first = dayNumber(from, 'from');
  const last = dayNumber(to, 'to');
  if (first > last) throw badInput('from: must not be after to (both are inclusive).', ['from', 'to']);
  if (last - first + 1 > MAX_REPORT_DAYS) {
    throw badInput(`to: a report covers at most ${MAX_REPORT_DAYS} days (from and to inclusive).`, ['from', 'to']);
  }
  return { clinicId, from, to };
}

/** Every day of the range, oldest first. */
export function rangeDays(range: ReportRange): string[] {
  const days: string[] = [];
  for (let n = dayNumber(range.from, 'from'); n <= dayNumber(range.to, 'to'); n += 1) days.push(isoDay(n));
  return days;
}

const inRange = (r: ReportRange) => Prisma.sql`clinicId = ${r.clinicId} AND localDate BETWEEN ${r.from} AND ${r.to}`;

/** Finished and cancelled visits per day, every day of the range (zeros included): one GROUP BY. */
export async function visitsPerDay(db: VisitsDb, range: ReportRange): Promise<ReportDay[]> {
  const rows = await db.$queryRaw<Array<{ day: string; status: string; n: bigint | number }>>(
    Prisma.sql`SELECT DATE_FORMAT(localDate, '%Y-%m-%d') AS day, status, COUNT(*) AS n FROM HistoricVisit
      WHERE ${inRange(range)} GROUP BY localDate, status`,
  );
  const byDay = new Map(rangeDays(range).map((date) => [date, { date, finished: 0, cancelled: 0 }]));
  for (const row of rows) {
    const day = byDay.get(String(row.day));
    if (!day) continue;
    if (row.status === 'FINISHED') day.finished += Number(row.n);
    else if (row.status === 'CANCELLED') day.cancelled += Number(row.n);
  }
  return [...byDay.values()];
}

/** Finished visits per doctor (visits without a doctor left out), most first. */
export async function visitsPerDoctor(db: VisitsDb, range: ReportRange): Promise<Array<{ doctorId: string; finished: number }>> {
  const rows = await db.$queryRaw<Array<{ doctorId: string; n: bigint | number }>>(
    Prisma.sql`SELECT doctorId, COUNT(*) AS n FROM HistoricVisit
      WHERE ${inRange(range)} AND status = 'FINISHED' AND doctorId IS NOT NULL
      GROUP BY doctorId ORDER BY n DESC, doctorId`,
  );
  return rows.map((r) => ({ doctorId: r.doctorId, finished: Number(r.n) }));
}

interface TimelineEntry {
  to?: unknown;
  at?: unknown;
}

/**
 * The average minutes a visit spent in each state: for every visit that entered a state, the sum of
 * its stints there (a stint is the time from the entry into the state to the next entry of the
 * timeline), averaged over those visits. null: no visit of the range was in that state.
 *
 * The timelines are JSON arrays of ISO instants; turning them into durations in SQL needs JSON_TABLE
 * plus window functions and ISO-8601 parsing, which MariaDB and MySQL do differently, so this reads
 * only the `timeline` column of the range's visits, in batches of TIMELINE_BATCH: day by day (days
 * the per-day counts show empty are skipped), keyset on id within a day, on the report index. Memory
 * holds one batch and five running sums, whatever the range's size.
 */
export async function averageMinutesInState(
  db: VisitsDb,
  range: ReportRange,
  days: ReportDay[],
): Promise<Array<{ state: ReportState; minutes: number | null }>> {
  const totals = new Map<ReportState, { ms: number; visits: number }>(REPORT_STATES.map((s) => [s, { ms: 0, visits: 0 }]));
  for (const day of days) {
    if (day.finished + day.cancelled === 0) continue;
    let after = '';
    for (;;) {
      const rows = await db.$queryRaw<Array<{ id: string; timeline: unknown }>>(
        Prisma.sql`SELECT id, timeline FROM HistoricVisit
          WHERE clinicId = ${range.clinicId} AND localDate = ${day.date} AND id > ${after}
          ORDER BY id LIMIT ${TIMELINE_BATCH}`,
      );
      for (const row of rows) addTimeline(totals, row.timeline);
      if (rows.length < TIMELINE_BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
  }
  return REPORT_STATES.map((state) => {
    const t = totals.get(state)!;
    return { state, minutes: t.visits === 0 ? null : Math.round((t.ms / t.visits / 60_000) * 100) / 100 };
  });
}

function addTimeline(totals: Map<ReportState, { ms: number; visits: number }>, raw: unknown): void {
  const timeline = (typeof raw === 'string' ? JSON.parse(raw) : raw) as TimelineEntry[] | null;
  if (!Array.isArray(timeline)) return;
  const perVisit = new Map<ReportState, number>();
  for (let i = 0; i + 1 < timeline.length; i += 1) {
    const state = timeline[i]!.to as ReportState;
    if (!REPORT_STATES.includes(state)) continue;
    const start = Date.parse(String(timeline[i]!.at));
    const end = Date.parse(String(timeline[i + 1]!.at));
    if (Number.isNaN(start) || Number.isNaN(end) || end < start) continue;
    perVisit.set(state, (perVisit.get(state) ?? 0) + (end - start));
  }
  for (const [state, ms] of perVisit) {
    const t = totals.get(state)!;
    t.ms += ms;
    t.visits += 1;
  }
}

export interface DiagnosisCount {
  code: string;
  description: string | null;
  /** "<5" below SMALL_COUNT, else the number */
  count: string;
}

/**
 * The most frequent diagnosis codes of the range's visits: one GROUP BY joining the range's ids
 * (report index) to VisitDiagnosis by its primary key (visitId, code), then the descriptions from
 * one sample visit per code (at most `limit` rows by primary key). Medical: the caller holds
 * clinicult:medical:read (permissions.ts).
 */
export async function topDiagnoses(db: VisitsDb, range: ReportRange, limit: number | null | undefined): Promise<DiagnosisCount[]> {
  const take = limit ?? 10;
  if (!Number.isInteger(take) || take < 1 || take > TOP_DIAGNOSES_MAX) {
    throw badInput(`limit: between 1 and ${TOP_DIAGNOSES_MAX}.`, ['limit']);
  }
  const rows = await db.$queryRaw<Array<{ code: string; n: bigint | number; sample: string }>>(
    Prisma.sql`SELECT d.code AS code, COUNT(*) AS n, MIN(d.visitId) AS sample
      FROM HistoricVisit v JOIN VisitDiagnosis d ON d.visitId = v.id
      WHERE v.clinicId = ${range.clinicId} AND v.localDate BETWEEN ${range.from} AND ${range.to} AND d.clinicId = ${range.clinicId}
      GROUP BY d.code ORDER BY n DESC, d.code LIMIT ${take}`,
  );
  const described = await withDescriptions(db, range.clinicId, rows);
  return described.map((r) => ({ code: r.code, description: r.description, count: r.uses < SMALL_COUNT ? `<${SMALL_COUNT}` : String(r.uses) }));
}

/** Codes counted with one sample visit each: the description a doctor wrote, from the samples (one query by primary key). */
async function withDescriptions(
  db: VisitsDb,
  clinicId: string,
  rows: ReadonlyArray<{ code: string; n: bigint | number; sample: string }>,
): Promise<Array<{ code: string; description: string | null; uses: number }>> {
  if (rows.length === 0) return [];
  const samples = await db.historicVisit.findMany({
    where: { clinicId, id: { in: [...new Set(rows.map((r) => r.sample))] } },
    select: { id: true, diagnoses: true },
  });
  const diagnosesOf = new Map(samples.map((s) => [s.id, Array.isArray(s.diagnoses) ? (s.diagnoses as Array<{ code?: unknown; description?: unknown }>) : []]));
  return rows.map((r) => {
    const found = diagnosesOf.get(r.sample)?.find((d) => typeof d.code === 'string' && normalizeCode(d.code) === r.code);
    return { code: r.code, description: typeof found?.description === 'string' ? found.description : null, uses: Number(r.n) };
  });
}

export const SUGGESTIONS_MAX = 20;
const SUGGESTIONS_DAYS = 365;

/**
 * The codes the clinic gave in the last year that start with `prefix`, most used first: one range
 * scan of VisitDiagnosis' (clinicId, code, finishedAt) index, then the descriptions by primary key.
 * The newest visit per code is the sample, so a description reads as the doctors write it now.
 */
export async function diagnosisSuggestions(
  db: VisitsDb,
  clinicId: string,
  args: { prefix?: string | null; first?: number | null },
  now: Date = new Date(),
): Promise<Array<{ code: string; description: string | null; uses: number }>> {
  const take = args.first ?? 8;
  if (!Number.isInteger(take) || take < 1 || take > SUGGESTIONS_MAX) throw badInput(`first: between 1 and ${SUGGESTIONS_MAX}.`, ['first']);
  const prefix = normalizeCode(args.prefix ?? '');
  if (prefix.length > 16) throw badInput('prefix: at most 16 characters (an ICD-10 code, or its start).', ['prefix']);
  // LIKE's own wildcards in what was typed are literal
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const since = new Date(now.getTime() - SUGGESTIONS_DAYS * 24 * 3600_000);
  const rows = await db.$queryRaw<Array<{ code: string; n: bigint | number; sample: string }>>(
    Prisma.sql`SELECT code, COUNT(*) AS n, MAX(visitId) AS sample FROM VisitDiagnosis
      WHERE clinicId = ${clinicId} AND code LIKE ${pattern} AND finishedAt >= ${since}
      GROUP BY code ORDER BY n DESC, code LIMIT ${take}`,
  );
  return withDescriptions(db, clinicId, rows);
}
