import { DataLoader } from '@clinicult/kit';
import type { ClinicRegistry } from './domain/clinics.js';
import type { Clinic } from './generated/prisma/client.js';

/** Per-request DataLoaders: every `Clinic` reference in one request is one SQL query. */
export interface Loaders {
  clinicById: DataLoader<string, Clinic | null>;
}

export function createLoaders(registry: ClinicRegistry): Loaders {
  return {
    clinicById: new DataLoader<string, Clinic | null>(async (ids) => {
      const rows = await registry.byIds(ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
