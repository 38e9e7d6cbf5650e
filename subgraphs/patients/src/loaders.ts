import { DataLoader } from '@clinicult/kit';
import type { PatientsDb } from './db.js';
import { patientsByIds, type PatientRow } from './domain/patients.js';
import { isPartialVisit, visitsByIds, visitsByPatientIds, type VisitRow } from './domain/visits.js';

/**
 * Per-request DataLoaders: `Patient` and `CurrentVisit` references (`_entities`, `patient(id)`,
 * `CurrentVisit.patient`, `Patient.currentVisit`) each cost one SQL query per request, whatever the
 * number of ids. All are bound to the caller's clinic: another clinic's ids resolve to null.
 */
export interface Loaders {
  patients: DataLoader<string, PatientRow | null>;
  visits: DataLoader<string, VisitRow | null>;
  visitsByPatient: DataLoader<string, VisitRow | null>;
}

export function createLoaders(db: PatientsDb, clinicId: string | null): Loaders {
  return {
    patients: new DataLoader((ids: readonly string[]) => patientsByIds(db, clinicId, ids), { maxBatchSize: 500 }),
    visits: new DataLoader((ids: readonly string[]) => visitsByIds(db, clinicId, ids), { maxBatchSize: 500 }),
    visitsByPatient: new DataLoader((ids: readonly string[]) => visitsByPatientIds(db, clinicId, ids), { maxBatchSize: 500 }),
  };
}

/** Rows already read (a list) need no second query when a field asks for them by id. */
export function primeVisits(loaders: Loaders, rows: readonly VisitRow[]): void {
  for (const row of rows) {
    // a queue row may stand for the patient's visit (every CurrentVisit field that needs a column
    // left out asks wholeVisit), but a load by id must answer the whole row
    if (!isPartialVisit(row)) loaders.visits.prime(row.id, row);
    loaders.visitsByPatient.prime(row.patientId, row);
  }
}

export function primePatients(loaders: Loaders, rows: readonly PatientRow[]): void {
  for (const row of rows) loaders.patients.prime(row.id, row);
}

/**
 * The whole row of a visit that may be a queue row (BOARD_COLUMNS only): the fields that read the
 * columns left out await it; the loader reads all of a page's visits in one query. A visit archived
 * meanwhile keeps its queue row (its left-out fields answer null).
 */
export async function wholeVisit(loaders: Loaders, visit: VisitRow): Promise<VisitRow> {
  if (!isPartialVisit(visit)) return visit;
  return (await loaders.visits.load(visit.id)) ?? visit;
}
