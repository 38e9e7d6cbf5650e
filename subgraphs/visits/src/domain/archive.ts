import { conflict, forbiddenError } from '@clinicult/kit';
import type { Caller } from '@clinicult/rbac';
import { Prisma, type VisitsDb } from '../db.js';
import type { HistoryCache } from './history-cache.js';
import { searchTextOf } from './search.js';
import { normalizeCode, parseSnapshot } from './snapshot.js';

export interface ArchiveReceipt {
  visitId: string;
  archivedAt: Date;
  /** the visit was already archived: nothing changed */
  duplicate: boolean;
}

const json = (v: unknown) => (v === null || v === undefined ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/**
 * Stores a finished or cancelled visit from patients' archive outbox, exactly once: the visit id is
 * the primary key, so a second delivery (the relay retries until acknowledged) is a duplicate key
 * and answers `duplicate: true` without changing anything. The caller is a service (the shield has
 * checked clinicult:service:visits-archive) that names the clinic it acts for in
 * `x-clinicult-clinic-id`; the snapshot must belong to that clinic.
 */
export async function archiveVisit(db: VisitsDb, caller: Caller, raw: unknown, cache?: HistoryCache | null): Promise<ArchiveReceipt> {
  const clinicId = caller.kind === 'service' ? caller.clinicId : null;
  if (!clinicId) throw forbiddenError('archiveVisit: name the clinic of the visit in the x-clinicult-clinic-id header.');
  // a snapshot of another clinic is refused before anything else is said about it
  const claimed = typeof raw === 'object' && raw !== null ? (raw as { clinicId?: unknown }).clinicId : undefined;
  if (typeof claimed === 'string' && claimed !== clinicId) throw otherClinic(clinicId);
  const snapshot = parseSnapshot(raw);
  if (snapshot.clinicId !== clinicId) throw otherClinic(clinicId);

  const finishedAt = new Date(snapshot.finishedAt);
  const codes = [...new Set((snapshot.diagnoses ?? []).map((d) => normalizeCode(d.code)).filter((c) => c !== ''))];
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.historicVisit.create({
        data: {
          id: snapshot.visitId,
          clinicId,
          patientId: snapshot.patientId,
          status: snapshot.status,
          reason: snapshot.reason,
          cancelReason: snapshot.cancelReason,
          templateId: snapshot.templateId,
          checkedInBy: snapshot.checkedInBy,
          nurseId: snapshot.nurseId,
          doctorId: snapshot.doctorId,
          finishedBy: snapshot.finishedBy,
          checkedInAt: new Date(snapshot.checkedInAt),
          finishedAt,
          localDate: new Date(`${snapshot.localDate}T00:00:00.000Z`),
          timeZone: snapshot.timeZone,
          timeline: snapshot.timeline as Prisma.InputJsonValue,
          vitals: json(snapshot.vitals),
          intakeAnswers: json(snapshot.intakeAnswers),
          notes: snapshot.notes,
          diagnoses: json(snapshot.diagnoses),
          prescriptions: json(snapshot.prescriptions),
          templateAnswers: json(snapshot.templateAnswers),
          template: json(snapshot.template),
          version: snapshot.version,
          snapshotVersion: snapshot.snapshotVersion,
          snapshot: JSON.stringify(raw),
          searchText: searchTextOf(snapshot),
        },
        select: { id: true, archivedAt: true },
      });
      if (codes.length > 0) {
        await tx.visitDiagnosis.createMany({ data: codes.map((code) => ({ visitId: created.id, clinicId, code, finishedAt })) });
      }
      return created;
    });
    // the patient's cached first page and count no longer hold: dropped before the relay is answered
    await cache?.invalidate(clinicId, snapshot.patientId);
    return { visitId: row.id, archivedAt: row.archivedAt, duplicate: false };
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
    const existing = await db.historicVisit.findUnique({ where: { id: snapshot.visitId }, select: { id: true, clinicId: true, archivedAt: true } });
    if (!existing) throw error;
    if (existing.clinicId !== clinicId) {
      throw conflict(`archiveVisit: visit id ${snapshot.visitId} is already archived for another clinic; nothing was stored.`, { reason: 'VISIT_ID_TAKEN' });
    }
    return { visitId: existing.id, archivedAt: existing.archivedAt, duplicate: true };
  }
}

function otherClinic(clinicId: string) {
  return forbiddenError(`archiveVisit: the snapshot belongs to another clinic than the one this call names (${clinicId}); nothing was stored.`);
}
