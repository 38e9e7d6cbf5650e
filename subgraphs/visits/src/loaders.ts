import { DataLoader } from '@clinicult/kit';
import type { VisitsDb } from './db.js';
import { visitCounts, visitsByIds, type HistoricVisitRow } from './domain/history.js';

/**
 * Per-request DataLoaders: `HistoricVisit` references (`_entities`, `visit(id)`) and
 * `Patient.visitCount` each cost one SQL query per request, whatever the number of ids. Both are
 * bound to the caller's clinic: another clinic's ids resolve to null (or a count of 0).
 */
export interface Loaders {
  visits: DataLoader<string, HistoricVisitRow | null>;
  visitCounts: DataLoader<string, number>;
}

export function createLoaders(db: VisitsDb, clinicId: string | null): Loaders {
  return {
    visits: new DataLoader((ids: readonly string[]) => visitsByIds(db, clinicId, ids), { maxBatchSize: 500 }),
    visitCounts: new DataLoader((ids: readonly string[]) => visitCounts(db, clinicId, ids), { maxBatchSize: 500 }),
  };
}

/** Rows already read (a list) need no second query when a field asks for them by id. */
export function primeVisits(loaders: Loaders, rows: readonly HistoricVisitRow[]): void {
  for (const row of rows) loaders.visits.prime(row.id, row);
}
