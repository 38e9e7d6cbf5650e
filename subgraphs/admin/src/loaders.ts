import { DataLoader } from '@clinicult/kit';
import type { ClinicRegistry } from './domain/clinics.js';
import { gatherOverview, mapWithConcurrency, type ClinicOverview, type OverviewDeps } from './domain/overview.js';
import type { Clinic } from './generated/prisma/client.js';

/**
 * Per-request DataLoaders: every `Clinic` reference in one request is one SQL query, and every
 * clinic's overview one set of three calls (users, patients, visits), however often a page asks.
 */
export interface Loaders {
  clinicById: DataLoader<string, Clinic | null>;
  /** keyed by clinic id; a clinics page gathers at most `concurrency` clinics at once */
  overview: DataLoader<Pick<Clinic, 'id' | 'timeZone'>, ClinicOverview, string>;
}

export interface OverviewLoaderOptions extends OverviewDeps {
  concurrency: number;
  requestId?: string;
}

export function createLoaders(registry: ClinicRegistry, overview: OverviewLoaderOptions): Loaders {
  return {
    clinicById: new DataLoader<string, Clinic | null>(async (ids) => {
      const rows = await registry.byIds(ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    overview: new DataLoader<Pick<Clinic, 'id' | 'timeZone' | 'cluster'>, ClinicOverview, string>(
      (clinics) =>
        mapWithConcurrency(clinics, overview.concurrency, (clinic) =>
          gatherOverview(overview, clinic, overview.requestId ? { requestId: overview.requestId } : {}),
        ),
      { cacheKeyFn: (clinic) => clinic.id },
    ),
  };
}
