import { DateTimeScalar, forbiddenError, requireClinicId, requireStaff, type BaseContext, type SubgraphOptions } from '@clinicult/kit';
import type { ClinicDb, TemplateRow } from './db.js';
import { adoptGlobalTemplate, listCatalog, type CatalogView } from './domain/catalog.js';
import { emptySettings, updateSettings, type SettingsView } from './domain/settings.js';
import {
  createTemplate,
  filterTemplates,
  listTemplates,
  setTemplateActive,
  templateForVisit,
  updateTemplate,
  versionKey,
  type TemplateFilter,
} from './domain/templates.js';
import { primeTemplates, type Loaders } from './loaders.js';

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
export const resolvers: SubgraphOptions<ClinicContext>['resolvers'] = {
  DateTime: DateTimeScalar,
  Query: {
    clinicSettings: async (_: unknown, __: unknown, ctx: ClinicContext): Promise<SettingsView> => {
      const clinicId = requireClinicId(ctx.caller);
      return (await ctx.loaders.settings.load(clinicId)) ?? emptySettings(clinicId);
    },
    templates: async (_: unknown, args: TemplateFilter, ctx: ClinicContext) =>
      primeTemplates(ctx.loaders, await listTemplates(ctx.db, requireClinicId(ctx.caller), args)),
    template: (_: unknown, { id }: { id: string }, ctx: ClinicContext) => ctx.loaders.templates.load(id),
    templateCatalog: (_: unknown, __: unknown, ctx: ClinicContext) => {
      requireClinicId(ctx.caller);
      return listCatalog(ctx.db);
    },
    templateForVisit: (_: unknown, { templateId }: { templateId: string }, ctx: ClinicContext) => {
      if (ctx.caller.kind !== 'service' || !ctx.caller.clinicId) {
        throw forbiddenError('templateForVisit: name the clinic of the visit in the x-clinicult-clinic-id header.');
      }
      return templateForVisit(ctx.db, ctx.caller.clinicId, templateId);
    },
  },
  Mutation: {
    updateClinicSettings: async (_: unknown, { input }: { input: unknown }, ctx: ClinicContext) => {
      const settings = await updateSettings(ctx.db, requireStaff(ctx.caller).clinicId, input);
      logChange(ctx, 'clinic.updateClinicSettings', { fields: Object.keys(input as object) });
      return settings;
    },
    createTemplate: async (_: unknown, { input }: { input: unknown }, ctx: ClinicContext) => {
      const staff = requireStaff(ctx.caller);
      const row = await createTemplate(ctx.db, staff.clinicId, staff.userId, input);
      logChange(ctx, 'clinic.createTemplate', { templateId: row.id, kind: row.kind, version: row.currentVersion });
      return templateOut(ctx, row);
    },
    updateTemplate: async (_: unknown, { id, input }: { id: string; input: unknown }, ctx: ClinicContext) => {
      const staff = requireStaff(ctx.caller);
      const row = await updateTemplate(ctx.db, staff.clinicId, staff.userId, id, input);
      logChange(ctx, 'clinic.updateTemplate', { templateId: row.id, version: row.currentVersion });
      return templateOut(ctx, row);
    },
    setTemplateActive: async (_: unknown, { id, active }: { id: string; active: boolean }, ctx: ClinicContext) => {
      const row = await setTemplateActive(ctx.db, requireStaff(ctx.caller).clinicId, id, active);
      logChange(ctx, 'clinic.setTemplateActive', { templateId: row.id, active });
      return templateOut(ctx, row);
    },
    adoptGlobalTemplate: async (_: unknown, { globalTemplateId }: { globalTemplateId: string }, ctx: ClinicContext) => {
      const staff = requireStaff(ctx.caller);
      const row = await adoptGlobalTemplate(ctx.db, staff.clinicId, staff.userId, globalTemplateId);
      logChange(ctx, 'clinic.adoptGlobalTemplate', { templateId: row.id, globalTemplateId, globalVersion: row.globalVersion });
      return templateOut(ctx, row);
    },
  },
  Clinic: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    settings: async (clinic: { id: string }, _: unknown, ctx: ClinicContext) => {
      const clinicId = ownClinic(ctx, clinic, 'settings');
      return (await ctx.loaders.settings.load(clinicId)) ?? emptySettings(clinicId);
    },
    templates: async (clinic: { id: string }, args: TemplateFilter, ctx: ClinicContext) => {
      const clinicId = ownClinic(ctx, clinic, 'templates');
      return primeTemplates(ctx.loaders, filterTemplates(await ctx.loaders.clinicTemplates.load(clinicId), args));
    },
  },
  Template: {
    __resolveReference: (ref: { id: string }, ctx: ClinicContext) => ctx.loaders.templates.load(ref.id),
    version: (t: TemplateRow) => t.currentVersion,
    fields: async (t: TemplateRow, _: unknown, ctx: ClinicContext) => (await ctx.loaders.versions.load(versionKey(t)))?.fields ?? [],
    versions: (t: TemplateRow, _: unknown, ctx: ClinicContext) => ctx.loaders.versionLists.load(t.id),
  },
  CatalogTemplate: {
    adoptedAs: (entry: CatalogView, _: unknown, ctx: ClinicContext) => ctx.loaders.adopted.load(entry.globalTemplateId),
  },
};
