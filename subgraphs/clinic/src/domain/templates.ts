import { randomUUID } from 'node:crypto';
import { badInput, notFound, parseInput } from '@clinicult/kit';
import { readStoredFields, templateInputSchema, type TemplateDefinition, type TemplateFieldDef } from '@clinicult/templates';
import { Prisma, type ClinicDb, type ClinicTx, type TemplateKind, type TemplateRow, type TemplateVersionRow } from '../db.js';

/**
 * A clinic's visit templates. Every function takes the clinic id (from the caller's token, or the
 * clinic a service call names) and puts it in every WHERE: another clinic's template does not exist
 * here. Editing never changes a version: updateTemplate appends the next one, and a visit keeps the
 * version it copied at check-in.
 *
 * Names: among a clinic's *active* templates of one kind a name is used once (case-insensitive), so
 * the list at check-in is unambiguous; inactive templates keep their names. Catalogue publications
 * (template.published) rename adopted templates without this check: an event cannot be refused.
 */

export interface TemplateFilter {
  activeOnly?: boolean | null;
  kind?: TemplateKind | null;
}

/** A version as the API shows it (TemplateVersion): fields read back into complete definitions. */
export interface VersionView {
  id: string;
  templateId: string;
  name: string;
  kind: TemplateKind;
  version: number;
  fields: TemplateFieldDef[];
  createdAt: Date;
  createdBy: string;
}

export function versionView(row: TemplateVersionRow): VersionView {
  return {
    id: row.id,
    templateId: row.templateId,
    name: row.name,
    kind: row.kind,
    version: row.version,
    fields: readStoredFields(row.fields),
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

const json = (fields: TemplateFieldDef[]) => fields as unknown as Prisma.InputJsonValue;

export function parseTemplateInput(raw: unknown): TemplateDefinition {
  return parseInput(templateInputSchema, raw, 'input');
}

export async function listTemplates(db: ClinicDb, clinicId: string, filter: TemplateFilter = {}): Promise<TemplateRow[]> {
  return db.template.findMany({
    where: { clinicId, ...(filter.activeOnly ? { active: true } : {}), ...(filter.kind ? { kind: filter.kind } : {}) },
    orderBy: [{ kind: 'asc' }, { name: 'asc' }, { id: 'asc' }],
  });
}

export function filterTemplates(rows: readonly TemplateRow[], filter: TemplateFilter = {}): TemplateRow[] {
  return rows.filter((t) => (!filter.activeOnly || t.active) && (!filter.kind || t.kind === filter.kind));
}

/** Templates of the clinic by id (one query); another clinic's id is null. */
export async function templatesByIds(db: ClinicDb, clinicId: string | null, ids: readonly string[]): Promise<Array<TemplateRow | null>> {
  if (clinicId === null) return ids.map(() => null);
  const rows = await db.template.findMany({ where: { clinicId, id: { in: [...ids] } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Every version of these templates, newest first (one query). */
export async function versionsByTemplate(db: ClinicDb, clinicId: string | null, templateIds: readonly string[]): Promise<VersionView[][]> {
  if (clinicId === null) return templateIds.map(() => []);
  const rows = await db.templateVersion.findMany({
    where: { clinicId, templateId: { in: [...templateIds] } },
    orderBy: [{ templateId: 'asc' }, { version: 'desc' }],
  });
  const byTemplate = new Map<string, VersionView[]>();
  for (const row of rows) {
    const list = byTemplate.get(row.templateId) ?? [];
    list.push(versionView(row));
    byTemplate.set(row.templateId, list);
  }
  return templateIds.map((id) => byTemplate.get(id) ?? []);
}

/** Versions by `<templateId>:<version>` keys (one query): the current version of each template listed. */
export async function versionsByKey(db: ClinicDb, clinicId: string | null, keys: readonly string[]): Promise<Array<VersionView | null>> {
  if (clinicId === null || keys.length === 0) return keys.map(() => null);
  const pairs = keys.map((k) => {
    const at = k.lastIndexOf(':');
    return { templateId: k.slice(0, at), version: Number(k.slice(at + 1)) };
  });
  const rows = await db.templateVersion.findMany({ where: { clinicId, OR: pairs } });
  const byKey = new Map(rows.map((r) => [`${r.templateId}:${r.version}`, versionView(r)]));
  return keys.map((k) => byKey.get(k) ?? null);
}

export const versionKey = (t: Pick<TemplateRow, 'id' | 'currentVersion'>) => `${t.id}:${t.currentVersion}`;

/** Refuses a name already used by another active template of the same kind in the clinic. */
async function assertNameFree(tx: ClinicTx, clinicId: string, kind: TemplateKind, name: string, exceptId: string | null, field: string): Promise<void> {
  const clash = await tx.template.findFirst({
    where: { clinicId, kind, active: true, name, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) {
    throw badInput(
      `${field}: the clinic already has an active ${kind} template named "${name}"; choose another name or deactivate that one (setTemplateActive).`,
      [field], { reason: 'TEMPLATE_NAME_TAKEN' },
    );
  }
}

export async function createTemplate(db: ClinicDb, clinicId: string, userId: string, raw: unknown): Promise<TemplateRow> {
  const input = parseTemplateInput(raw);
  return db.$transaction(async (tx) => {
    await assertNameFree(tx, clinicId, input.kind, input.name, null, 'input.name');
    const id = randomUUID();
    return tx.template.create({
      data: {
        id,
        clinicId,
        name: input.name,
        kind: input.kind,
        currentVersion: 1,
        versions: { create: { id: randomUUID(), clinicId, version: 1, name: input.name, kind: input.kind, fields: json(input.fields), createdBy: userId } },
      },
    });
  });
}

/**
 * Appends the next version of a template, inside the caller's transaction. The increment of
 * `currentVersion` comes first: it takes the row lock, so concurrent writers queue and each gets its
 * own number (the unique (templateId, version) key backs this up). `guard` narrows the update (a
 * catalogue publication bumps only a template still behind it). Null when no row was bumped.
 */
export async function appendVersion(
  tx: ClinicTx,
  clinicId: string,
  templateId: string,
  next: { name: string; fields: TemplateFieldDef[]; createdBy: string; globalVersion?: number },
  options: { check?: (row: TemplateRow) => Promise<void> | void; guard?: Prisma.TemplateWhereInput } = {},
): Promise<TemplateRow | null> {
  const bumped = await tx.template.updateMany({
    where: { ...options.guard, id: templateId, clinicId },
    data: { currentVersion: { increment: 1 }, name: next.name, ...(next.globalVersion !== undefined ? { globalVersion: next.globalVersion } : {}) },
  });
  if (bumped.count === 0) return null;
  const row = await tx.template.findUniqueOrThrow({ where: { id: templateId } });
  await options.check?.(row);
  await tx.templateVersion.create({
    data: { id: randomUUID(), templateId, clinicId, version: row.currentVersion, name: next.name, kind: row.kind, fields: json(next.fields), createdBy: next.createdBy },
  });
  return row;
}

/** updateTemplate: a new version with the input's name and fields; the kind cannot change. */
export async function updateTemplate(db: ClinicDb, clinicId: string, userId: string, id: string, raw: unknown): Promise<TemplateRow> {
  const input = parseTemplateInput(raw);
  const row = await db.$transaction(async (tx) =>
    appendVersion(tx, clinicId, id, { name: input.name, fields: input.fields, createdBy: userId }, { check: async (current) => {
      if (current.kind !== input.kind) {
        throw badInput(
          `input.kind: a template's kind cannot change (this one is ${current.kind}); create a new ${input.kind} template instead.`,
          ['input.kind'],
        );
      }
      if (current.active) await assertNameFree(tx, clinicId, current.kind, input.name, id, 'input.name');
    } }),
  );
  if (!row) throw notFound(`updateTemplate: no template ${id} in this clinic.`);
  return row;
}

export async function setTemplateActive(db: ClinicDb, clinicId: string, id: string, active: boolean): Promise<TemplateRow> {
  const row = await db.$transaction(async (tx) => {
    const current = await tx.template.findFirst({ where: { id, clinicId } });
    if (!current) return null;
    if (current.active === active) return current;
    if (active) await assertNameFree(tx, clinicId, current.kind, current.name, id, 'active');
    return tx.template.update({ where: { id }, data: { active } });
  });
  if (!row) throw notFound(`setTemplateActive: no template ${id} in this clinic.`);
  return row;
}

/**
 * The internal templateForVisit: the template's current version, for patients to copy onto a visit.
 * Null when the clinic has no such template; an inactive one cannot be chosen (BAD_USER_INPUT,
 * reason TEMPLATE_INACTIVE).
 */
export async function templateForVisit(db: ClinicDb, clinicId: string, templateId: string): Promise<VersionView | null> {
  const template = await db.template.findFirst({ where: { id: templateId, clinicId } });
  if (!template) return null;
  if (!template.active) {
    throw badInput(
      `templateId: the template "${template.name}" is inactive and cannot be chosen for a visit; choose an active template.`,
      ['templateId'], { reason: 'TEMPLATE_INACTIVE' },
    );
  }
  const version = await db.templateVersion.findUnique({ where: { templateId_version: { templateId, version: template.currentVersion } } });
  return version && version.clinicId === clinicId ? versionView(version) : null;
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
