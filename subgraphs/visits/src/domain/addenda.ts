import { randomUUID } from 'node:crypto';
import { badInput, notFound } from '@clinicult/kit';
import type { HistoricVisitRow, VisitAddendumRow, VisitsDb } from '../db.js';

export type { VisitAddendumRow };

/**
 * Doctors' addenda to historic visits (issue 4: "an addendum by a doctor is welcome, never an
 * edit"). An addendum is a row of its own in `VisitAddendum`; the visit row is never touched. Every
 * function takes the caller's clinic and puts it in every WHERE.
 */
export const MAX_ADDENDUM_LENGTH = 5000;

/** The addenda of many visits, oldest first, in one query on (clinicId, visitId, createdAt). */
export async function addendaByVisit(db: VisitsDb, clinicId: string | null, visitIds: readonly string[]): Promise<VisitAddendumRow[][]> {
  if (clinicId === null || visitIds.length === 0) return visitIds.map(() => []);
  const rows = await db.visitAddendum.findMany({
    where: { clinicId, visitId: { in: [...new Set(visitIds)] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  const byVisit = new Map<string, VisitAddendumRow[]>();
  for (const row of rows) {
    const list = byVisit.get(row.visitId);
    if (list) list.push(row);
    else byVisit.set(row.visitId, [row]);
  }
  return visitIds.map((id) => byVisit.get(id) ?? []);
}

/** The text of an addendum: trimmed, 1..5000 characters (BAD_USER_INPUT naming `text` otherwise). */
export function addendumText(raw: unknown): string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text.length === 0 || text.length > MAX_ADDENDUM_LENGTH) {
    throw badInput(
      `text: write the addendum in 1 to ${MAX_ADDENDUM_LENGTH} characters (spaces around it are not counted; this one has ${text.length}).`,
      ['text'],
    );
  }
  return text;
}

export interface AddedAddendum {
  /** the visit, unchanged */
  visit: HistoricVisitRow;
  addendum: VisitAddendumRow;
}

/**
 * Adds a doctor's addendum to a visit of the clinic. An unknown id and another clinic's visit are
 * the same NOT_FOUND (nothing is said about other clinics). The caller is ruled by the shield
 * (clinicult:visit:consult and clinicult:medical:write); the audit event is the resolver's.
 */
export async function addAddendum(
  db: VisitsDb,
  clinicId: string,
  byUserId: string,
  args: { visitId: string; text: unknown },
): Promise<AddedAddendum> {
  const text = addendumText(args.text);
  const visit = await db.historicVisit.findFirst({ where: { clinicId, id: args.visitId } });
  if (!visit) throw notFound(`visitId: no finished or cancelled visit ${JSON.stringify(args.visitId)} in this clinic.`);
  const addendum = await db.visitAddendum.create({ data: { id: randomUUID(), visitId: visit.id, clinicId, text, byUserId } });
  return { visit, addendum };
}
