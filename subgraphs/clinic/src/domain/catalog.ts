import { randomUUID } from 'node:crypto';
import { templatePublishedSchema } from '@clinicult/contracts';
import { badInput } from '@clinicult/kit';
import { readStoredFields, type TemplateFieldDef } from '@clinicult/templates';
import type { CatalogTemplateRow, ClinicDb, Prisma, TemplateKind, TemplateRow } from '../db.js';
import { appendVersion, isUniqueViolation } from './templates.js';

/**
 * The operators' global templates as this cluster received them (template.published from admin),
 * and their adoption by a clinic. The catalogue is not clinic data (every clinic of the cluster sees
 * the same entries); what a clinic adopts becomes its own Template, scoped like any other.
 */

export interface CatalogView {
  globalTemplateId: string;
  name: string;
  kind: TemplateKind;
  version: number;
  fields: TemplateFieldDef[];
  retired: boolean;
  publishedAt: Date;
}

function catalogView(row: CatalogTemplateRow): CatalogView {
  return { ...row, fields: readStoredFields(row.fields) };
}

/** What a clinic may adopt: every entry that is not retired, by name. */
export async function listCatalog(db: ClinicDb): Promise<CatalogView[]> {
  const rows = await db.catalogTemplate.findMany({ where: { retired: false }, orderBy: [{ kind: 'asc' }, { name: 'asc' }] });
  return rows.map(catalogView);
}

/** The clinic's templates adopted from these catalogue entries (one query); null when not adopted. */
export async function adoptedByGlobalId(db: ClinicDb, clinicId: string | null, globalIds: readonly string[]): Promise<Array<TemplateRow | null>> {
  if (clinicId === null) return globalIds.map(() => null);
  const rows = await db.template.findMany({ where: { clinicId, globalTemplateId: { in: [...globalIds] } } });
  const byGlobal = new Map(rows.map((r) => [r.globalTemplateId, r]));
  return globalIds.map((id) => byGlobal.get(id) ?? null);
}

/**
 * adoptGlobalTemplate: the clinic's own Template, version 1 = the catalogue's current version.
 * Adopting again answers the template already adopted (the unique (clinicId, globalTemplateId) key
 * makes two concurrent adoptions one). Unknown or retired entries are BAD_USER_INPUT.
 */
export async function adoptGlobalTemplate(db: ClinicDb, clinicId: string, userId: string, globalTemplateId: string): Promise<TemplateRow> {
  const existing = await db.template.findFirst({ where: { clinicId, globalTemplateId } });
  if (existing) return existing;
  const entry = await db.catalogTemplate.findUnique({ where: { globalTemplateId } });
  if (!entry || entry.retired) {
    throw badInput(
      entry
        ? `globalTemplateId: the global template "${entry.name}" has been retired and can no longer be adopted.`
        : `globalTemplateId: no global template ${globalTemplateId} has been published to this clinic's cluster; pick one from templateCatalog.`,
      ['globalTemplateId'], { reason: entry ? 'TEMPLATE_RETIRED' : 'TEMPLATE_NOT_PUBLISHED' },
    );
  }
  const clash = await db.template.findFirst({ where: { clinicId, kind: entry.kind, active: true, name: entry.name }, select: { id: true } });
  if (clash) {
    throw badInput(
      `globalTemplateId: the clinic already has an active ${entry.kind} template named "${entry.name}"; rename or deactivate it first.`,
      ['globalTemplateId'], { reason: 'TEMPLATE_NAME_TAKEN' },
    );
  }
  try {
    return await db.template.create({
      data: {
        id: randomUUID(),
        clinicId,
        name: entry.name,
        kind: entry.kind,
        currentVersion: 1,
        globalTemplateId,
        globalVersion: entry.version,
        versions: { create: { id: randomUUID(), clinicId, version: 1, name: entry.name, kind: entry.kind, fields: entry.fields as Prisma.InputJsonValue, createdBy: userId } },
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const raced = await db.template.findFirst({ where: { clinicId, globalTemplateId } });
    if (!raced) throw error;
    return raced;
  }
}

/** template.published's template (@clinicult/contracts' `templatePublishedSchema`), its instant as a Date. */
export interface PublishedTemplate {
  id: string;
  name: string;
  kind: TemplateKind;
  version: number;
  fields: TemplateFieldDef[];
  retired: boolean;
  publishedAt: Date;
}

/** The payload checked against admin's contract: null when it is not a publication this service understands. */
export function parsePublished(payload: unknown): PublishedTemplate | null {
  const parsed = templatePublishedSchema.safeParse(payload);
  if (!parsed.success) return null;
  const t = parsed.data.template;
  return { ...t, name: t.name.trim(), fields: readStoredFields(t.fields), publishedAt: new Date(t.publishedAt) };
}

export interface PublishResult {
  /** the catalogue entry changed */
  catalogue: boolean;
  /** adopted templates that got a new version */
  followed: number;
}

/**
 * template.published, idempotent by version numbers: the catalogue entry takes the publication only
 * when it is newer than what is stored (a retirement of the current version marks it retired);
 * every clinic template adopted from it whose globalVersion is older gets a new version with the
 * published name and fields (each in its own transaction, guarded by `globalVersion < version`,
 * so a redelivery — or a crash between two clinics — never appends twice). Retirement leaves the
 * adopted copies as they are.
 */
export async function applyPublished(db: ClinicDb, published: PublishedTemplate): Promise<PublishResult> {
  const { id, name, kind, version, fields, retired, publishedAt } = published;
  const catalogue = await db.$transaction(async (tx) => {
    const data = { name, kind, version, fields: fields as unknown as Prisma.InputJsonValue, retired, publishedAt };
    const stored = await tx.catalogTemplate.findUnique({ where: { globalTemplateId: id } });
    if (!stored) {
      try {
        await tx.catalogTemplate.create({ data: { globalTemplateId: id, ...data } });
        return true;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    // newer, or a retirement of the version stored
    const newer = await tx.catalogTemplate.updateMany({ where: { globalTemplateId: id, version: { lt: version } }, data });
    if (newer.count > 0) return true;
    if (!retired) return false;
    const retiredNow = await tx.catalogTemplate.updateMany({ where: { globalTemplateId: id, version, retired: false }, data: { retired: true } });
    return retiredNow.count > 0;
  });
  if (retired) return { catalogue, followed: 0 };

  let followed = 0;
  const behind = await db.template.findMany({ where: { globalTemplateId: id, globalVersion: { lt: version } }, select: { id: true, clinicId: true, kind: true } });
  for (const template of behind) {
    if (template.kind !== kind) continue; // a global template's kind never changes; never mix kinds
    // the guard and the row lock in one statement: only a template still behind is bumped, so two
    // deliveries racing each other append once
    const appended = await db.$transaction((tx) =>
      appendVersion(tx, template.clinicId, template.id, { name, fields, createdBy: 'system:template.published', globalVersion: version }, {
        guard: { globalVersion: { lt: version } },
      }),
    );
    if (appended) followed++;
  }
  return { catalogue, followed };
}
