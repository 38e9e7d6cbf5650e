import type { PatientsDb } from '../db.js';

/**
 * Per-clinic counts for the operators' overview (DESIGN.md: operators see per-clinic counts only,
 * never rows). Internal: a service token holding clinicult:service:clinic-counts (admin), naming the
 * clinic it asks about in `x-clinicult-clinic-id`. Only numbers and one instant leave this module.
 */


export interface PatientCounts {
  patients: number;
  currentVisits: number;
  /** the latest registration, patient change, check-in or visit change (null: none yet) */
  lastActivityAt: Date | null;
}

function instant(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * One SQL statement (four index-range subqueries, each `WHERE clinicId = ?`): the clinic's patients,
 * its current visits, and the latest `updatedAt` of either. A patient's `updatedAt` starts at its
 * registration; a current visit's starts at check-in and moves with every step.
 */
export async function clinicPatientCounts(db: PatientsDb, clinicId: string): Promise<PatientCounts> {
  const rows = await db.$queryRaw<
    Array<{ patients: bigint | number; currentVisits: bigint | number; patientAt: unknown; visitAt: unknown }>
  >`
    SELECT
      (SELECT COUNT(*) FROM \`Patient\` WHERE clinicId = ${clinicId}) AS patients,
      (SELECT COUNT(*) FROM \`CurrentVisit\` WHERE clinicId = ${clinicId}) AS currentVisits,
      (SELECT MAX(updatedAt) FROM \`Patient\` WHERE clinicId = ${clinicId}) AS patientAt,
      (SELECT MAX(updatedAt) FROM \`CurrentVisit\` WHERE clinicId = ${clinicId}) AS visitAt`;
  const row = rows[0];
  const times = [instant(row?.patientAt), instant(row?.visitAt)].filter((d): d is Date => d !== null);
  return {
    patients: Number(row?.patients ?? 0),
    currentVisits: Number(row?.currentVisits ?? 0),
    lastActivityAt: times.length === 0 ? null : new Date(Math.max(...times.map((d) => d.getTime()))),
  };
}
