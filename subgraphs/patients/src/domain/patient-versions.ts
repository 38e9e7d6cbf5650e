import type { Prisma, PatientRow, PatientsDb, PatientsTx } from '../db.js';

/**
 * Versions of a patient's demographics (issue 18: FHIR vread and _history). Each registration and
 * each update writes the version it made, in the same transaction, so a version that exists is
 * kept; medical fields are left out (their own permission).
 */
export interface PatientVersionView {
  version: number;
  recordedAt: Date;
  mrn: string;
  nationalId: string | null;
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: string;
  phone: string | null;
  email: string | null;
  address: unknown;
  emergencyContact: unknown;
}

function demographicsOf(row: PatientRow) {
  return {
    mrn: row.mrn,
    nationalId: row.nationalId,
    givenName: row.givenName,
    familyName: row.familyName,
    birthDate: row.birthDate.toISOString().slice(0, 10),
    gender: row.gender,
    phone: row.phone,
    email: row.email,
    address: row.address ?? null,
    emergencyContact: row.emergencyContact ?? null,
  };
}

/** Keeps the version a write just made (call inside that write's transaction). */
export async function recordVersion(tx: PatientsTx, row: PatientRow): Promise<void> {
  await tx.patientVersion.create({
    data: {
      patientId: row.id,
      version: row.version,
      clinicId: row.clinicId,
      demographics: demographicsOf(row) as Prisma.InputJsonValue,
      recordedAt: row.updatedAt,
      recordedBy: row.updatedBy,
    },
  });
}

/**
 * The patient's versions, newest first (at most `first`; `version`: that one only), for a patient
 * already found in the caller's clinic. A patient from before versions were kept has none stored:
 * its current version stands for its history.
 */
export async function patientVersions(db: PatientsDb, patient: PatientRow, options: { first: number; version?: number | null }): Promise<PatientVersionView[]> {
  const rows = await db.patientVersion.findMany({
    where: { clinicId: patient.clinicId, patientId: patient.id, ...(options.version != null ? { version: options.version } : {}) },
    orderBy: { version: 'desc' },
    take: Math.min(Math.max(options.first, 1), 100),
  });
  const stored = rows.map((r) => ({ version: r.version, recordedAt: r.recordedAt, ...(r.demographics as ReturnType<typeof demographicsOf>) }));
  const current = { version: patient.version, recordedAt: patient.updatedAt, ...demographicsOf(patient) };
  if ((options.version == null || options.version === patient.version) && !stored.some((v) => v.version === patient.version)) stored.unshift(current);
  return stored;
}
