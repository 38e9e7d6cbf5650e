import { DataLoader } from '@clinicult/kit';
import type { ClinicDb, TemplateRow } from './db.js';
import { adoptedByGlobalId } from './domain/catalog.js';
import { settingsByClinic, type SettingsView } from './domain/settings.js';
import { listTemplates, templatesByIds, versionsByKey, versionsByTemplate, type VersionView } from './domain/templates.js';
import type { StaffDirectory, StaffEntry } from './domain/staff-directory.js';

/**
 * Per-request DataLoaders, each bound to the caller's clinic (null: operators and services without
 * a clinic see nothing): one SQL query per kind of row per request, whatever the number of ids.
 * Another clinic's ids resolve to null (or nothing).
 */
export interface Loaders {
  /** Template references (`_entities`, `template(id)`) */
  templates: DataLoader<string, TemplateRow | null>;
  /** `<templateId>:<version>` → that version: a template's current fields */
  versions: DataLoader<string, VersionView | null>;
  /** template id → every version, newest first */
  versionLists: DataLoader<string, VersionView[]>;
  /** Clinic.settings (the caller's clinic only) */
  settings: DataLoader<string, SettingsView | null>;
  /** Clinic.templates (the caller's clinic only): every template, filtered per field */
  clinicTemplates: DataLoader<string, TemplateRow[]>;
  /** CatalogTemplate.adoptedAs: global template id → the clinic's template */
  adopted: DataLoader<string, TemplateRow | null>;
  /** User references (the staff directory): one query, and at most one call to users, per request */
  staff: DataLoader<string, StaffEntry | null>;
}

export function createLoaders(db: ClinicDb, clinicId: string | null, staff?: { directory: StaffDirectory; requestId?: string }): Loaders {
  const own = (ids: readonly string[]) => ids.filter((id) => id === clinicId);
  return {
    templates: new DataLoader((ids: readonly string[]) => templatesByIds(db, clinicId, ids), { maxBatchSize: 500 }),
    versions: new DataLoader((keys: readonly string[]) => versionsByKey(db, clinicId, keys), { maxBatchSize: 500 }),
    versionLists: new DataLoader((ids: readonly string[]) => versionsByTemplate(db, clinicId, ids), { maxBatchSize: 200 }),
    settings: new DataLoader(async (ids: readonly string[]) => {
      const mine = own(ids);
      const found = mine.length > 0 ? await settingsByClinic(db, mine) : [];
      return ids.map((id) => (id === clinicId ? (found[0] ?? null) : null));
    }),
    clinicTemplates: new DataLoader(async (ids: readonly string[]) => {
      const rows = ids.some((id) => id === clinicId) && clinicId !== null ? await listTemplates(db, clinicId) : [];
      return ids.map((id) => (id === clinicId ? rows : []));
    }),
    adopted: new DataLoader((ids: readonly string[]) => adoptedByGlobalId(db, clinicId, ids), { maxBatchSize: 500 }),
    staff: new DataLoader(
      async (ids: readonly string[]) => (staff ? staff.directory.lookup(clinicId, ids, staff.requestId) : ids.map(() => null)),
      { maxBatchSize: 500 },
    ),
  };
}

/** Rows already read (a list) need no second query when a field asks for them by id. */
export function primeTemplates(loaders: Loaders, rows: readonly TemplateRow[]): TemplateRow[] {
  for (const row of rows) loaders.templates.prime(row.id, row);
  return [...rows];
}
