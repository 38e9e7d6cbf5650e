import { DataLoader } from '@clinicult/kit';
import type { VisitsDb } from './db.js';
import type { HistoryCache } from './domain/history-cache.js';
import { addendaByVisit, type VisitAddendumRow } from './domain/addenda.js';
import { visitCounts, visitsByIds, type HistoricVisitRow } from './domain/history.js';

/**
 * Per-request DataLoaders: `HistoricVisit` references (`_entities`, `visit(id)`),
 * `Patient.visitCount` and `HistoricVisit.addenda` each cost one SQL query per request, whatever the
 * number of ids (none for a cached history page, whose addenda are primed). All are bound to the
 * caller's clinic: another clinic's ids resolve to null (a count of 0, no addenda).
 */
export interface Loaders {
  visits: DataLoader<string, HistoricVisitRow | null>;
  visitCounts: DataLoader<string, number>;
  /** visit id → its addenda, oldest first */
  addenda: DataLoader<string, VisitAddendumRow[]>;
}

export function createLoaders(db: VisitsDb, clinicId: string | null, cache?: HistoryCache | null): Loaders {
  return {
    visits: new DataLoader((ids: readonly string[]) => visitsByIds(db, clinicId, ids), { maxBatchSize: 500 }),
    visitCounts: new DataLoader((ids: readonly string[]) => cachedVisitCounts(db, clinicId, ids, cache), { maxBatchSize: 500 }),
    addenda: new DataLoader((ids: readonly string[]) => addendaByVisit(db, clinicId, ids), { maxBatchSize: 500 }),
  };
}

/** Counts kept in the history cache first (one MGET), the rest in one GROUP BY. */
async function cachedVisitCounts(db: VisitsDb, clinicId: string | null, ids: readonly string[], cache?: HistoryCache | null): Promise<number[]> {
  if (!cache || clinicId === null) return visitCounts(db, clinicId, ids);
  const cached = await cache.getMany(clinicId, ids);
  const missing = ids.filter((_, i) => !cached[i]);
  const counted = missing.length > 0 ? await visitCounts(db, clinicId, missing) : [];
  const byId = new Map(missing.map((id, i) => [id, counted[i] ?? 0]));
  return ids.map((id, i) => cached[i]?.count ?? byId.get(id) ?? 0);
}

/**
 * Rows already read (a list) need no second query when a field asks for them by id; addenda already
 * known (a cached first page: every row's, none for most) need none either.
 */
export function primeVisits(loaders: Loaders, rows: readonly HistoricVisitRow[], addenda?: Record<string, VisitAddendumRow[]>): void {
  for (const row of rows) {
    loaders.visits.prime(row.id, row);
    if (addenda) loaders.addenda.prime(row.id, addenda[row.id] ?? []);
  }
}
