import { badInput } from '@clinicult/kit';
import type { VisitsDb } from '../db.js';

/**
 * Per-clinic counts for the operators' overview (DESIGN.md: operators see per-clinic counts only,
 * never rows). Internal: a service token holding clinicult:service:clinic-counts (admin), naming the
 * clinic it asks about in `x-clinicult-clinic-id`. Only a number and one instant leave this module.
 */


export interface VisitCounts {
  /** visits finished or cancelled at or after `since` */
  archived: number;
  lastFinishedAt: Date | null;
}

function instant(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * One SQL statement, both parts on the index HistoricVisit(clinicId, finishedAt): a range count
 * from `since` and the index's last entry for the clinic. Fit for 10M+ rows.
 */
export async function clinicVisitCounts(db: VisitsDb, clinicId: string, since: Date): Promise<VisitCounts> {
  if (!(since instanceof Date) || Number.isNaN(since.getTime())) {
    throw badInput('since: an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z.', ['since']);
  }
  const rows = await db.$queryRaw<Array<{ archived: bigint | number; lastFinishedAt: unknown }>>`
    SELECT
      (SELECT COUNT(*) FROM \`HistoricVisit\` WHERE clinicId = ${clinicId} AND finishedAt >= ${since}) AS archived,
      (SELECT MAX(finishedAt) FROM \`HistoricVisit\` WHERE clinicId = ${clinicId}) AS lastFinishedAt`;
  const row = rows[0];
  return { archived: Number(row?.archived ?? 0), lastFinishedAt: instant(row?.lastFinishedAt) };
}
