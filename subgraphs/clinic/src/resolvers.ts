import { DateTimeScalar, forbiddenError, requireClinicId, requireStaff, type BaseContext } from '@clinicult/kit';
import type { ClinicDb, TemplateRow } from './db.js';
import { adoptGlobalTemplate, listCatalog } from './domain/catalog.js';
import { emptySettings, updateSettings, type SettingsView } from './domain/settings.js';
import {
  createTemplate,
  filterTemplates,
  listTemplates,
  setTemplateActive,
  templateForVisit,
  updateTemplate,
  versionKey,
} from './domain/templates.js';
import { primeTemplates, type Loaders } from './loaders.js';
import type { Resolvers } from './__generated__/resolvers.js';

/** What clinic's resolvers get: the kit's base context + data layer and loaders. */
export interface ClinicContext extends BaseContext {
  db: ClinicDb;
  /** the caller's clinic (staff, or a service naming one); null: nothing is visible */
  clinicId: string | null;
  loaders: Loaders;
}

/**
 * Template and settings changes are not patient data: they are recorded as one structured log line
 * each (`audit: true`, the action, who, which clinic and template, the version), not in the audit
 * trail (DESIGN.md: the trail is for medical reads, patient writes and role changes).
 */
function logChange(ctx: ClinicContext, action: string, details: Record<string, unknown>): void {
  const who = ctx.caller.kind === 'staff' ? ctx.caller.userId : null;
  ctx.logger.info({ audit: true, action, by: who, clinicId: ctx.clinicId, reqId: ctx.requestId, ...details }, action);
}

/** Clinic.settings / Clinic.templates of another clinic: null with FORBIDDEN beside it. */
function ownClinic(ctx: ClinicContext, clinic: { id: string }, field: string): string {
  const clinicId = requireClinicId(ctx.caller);
  if (clinic.id !== clinicId) throw forbiddenError(`Clinic.${field}: only your own clinic's ${field} can be read.`);
  return clinicId;
}

const templateOut = (ctx: ClinicContext, row: TemplateRow) => {
  ctx.loaders.templates.prime(row.id, row);
  return row;
};

/** Thin resolvers: parse arguments, call the domain layer; rules are in permissions.ts. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    clinicSettings: async (_, __, ctx): Promise<SettingsView> => {
      const clinicId = requireClinicId(ctx.caller);
      return (await ctx.loaders.settings.load(clinicId)) ?? emptySettings(clinicId);
    },
    clinicLanguage: async (_, __, ctx) => {
      const clinicId = requireClinicId(ctx.caller);
      return ((await ctx.loaders.settings.load(clinicId)) ?? emptySettings(clinicId)).defaultLocale;
    },
    templates: async (_, args, ctx) =>
      primeTemplates(ctx.loaders, await listTemplates(ctx.db, requireClinicId(ctx.caller), args)),
    template: (_, { id }, ctx) => ctx.loaders.templates.load(id),
    templateCatalog: (_, __, ctx) => {
      requireClinicId(ctx.caller);
      return listCatalog(ctx.db);
    },
    templateForVisit: (_, { templateId }, ctx) => {
      if (ctx.caller.kind !== 'service' || !ctx.caller.clinicId) {
        throw forbiddenError('templateForVisit: name the clinic of the visit in the x-clinicult-clinic-id header.');
      }
      return templateForVisit(ctx.db, ctx.caller.clinicId, templateId);
    },
  },
  Mutation: {
    updateClinicSettings: async (_, { input }, ctx) => {
      const settings = await updateSettings(ctx.db, requireStaff(ctx.caller).clinicId, input);
      logChange(ctx, 'clinic.updateClinicSettings', { fields: Object.keys(input as object) });
      return settings;
    },
    createTemplate: async (_, { input }, ctx) => {
      const staff = requireStaff(ctx.caller);
      const row = await createTemplate(ctx.db, staff.clinicId, staff.userId, input);
      logChange(ctx, 'clinic.createTemplate', { templateId: row.id, kind: row.kind, version: row.currentVersion });
      return templateOut(ctx, row);
    },
    updateTemplate: async (_, { id, input }, ctx) => {
      const staff = requireStaff(ctx.caller);
      const row = await updateTemplate(ctx.db, staff.clinicId, staff.userId, id, input);
      logChange(ctx, 'clinic.updateTemplate', { templateId: row.id, version: row.currentVersion });
      return templateOut(ctx, row);
    },
    setTemplateActive: async (_, { id, active }, ctx) => {
      const row = await setTemplateActive(ctx.db, requireStaff(ctx.caller).clinicId, id, active);
      logChange(ctx, 'clinic.setTemplateActive', { templateId: row.id, active });
      return templateOut(ctx, row);
    },
    adoptGlobalTemplate: async (_, { globalTemplateId }, ctx) => {
      const staff = requireStaff(ctx.caller);
      const row = await adoptGlobalTemplate(ctx.db, staff.clinicId, staff.userId, globalTemplateId);
      logChange(ctx, 'clinic.adoptGlobalTemplate', { templateId: row.id, globalTemplateId, globalVersion: row.globalVersion });
      return templateOut(ctx, row);
    },
  },
  // the staff directory: a person of the caller's clinic (another clinic's, or never seen: null)
  User: {
    __resolveReference: (ref, ctx) => ctx.loaders.staff.load(ref.id),
  },
  Clinic: {
    __resolveReference: (ref) => ({ id: ref.id }),
    settings: async (clinic, _args, ctx) => {
      const clinicId = ownClinic(ctx, clinic, 'settings');
      return (await ctx.loaders.settings.load(clinicId)) ?? emptySettings(clinicId);
    },
    templates: async (clinic, args, ctx) => {
      const clinicId = ownClinic(ctx, clinic, 'templates');
      return primeTemplates(ctx.loaders, filterTemplates(await ctx.loaders.clinicTemplates.load(clinicId), args));
    },
  },
  Template: {
    __resolveReference: (ref, ctx) => ctx.loaders.templates.load(ref.id),
    version: (t) => t.currentVersion,
    fields: async (t, _args, ctx) => (await ctx.loaders.versions.load(versionKey(t)))?.fields ?? [],
    versions: (t, _args, ctx) => ctx.loaders.versionLists.load(t.id),
  },
  CatalogTemplate: {
    adoptedAs: (entry, _args, ctx) => ctx.loaders.adopted.load(entry.globalTemplateId),
  },
};
