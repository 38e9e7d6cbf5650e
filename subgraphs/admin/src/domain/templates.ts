import { z } from 'zod';
import { badInput, decodeKeyset, encodeKeyset, type Logger } from '@clinicult/kit';
import type { EventBus } from '@clinicult/events';
import { readStoredFields, templateInputSchema, type TemplateDefinition, type TemplateFieldDef } from '@clinicult/templates';
import type { AdminDb } from '../db.js';
import type { GlobalTemplate, Prisma } from '../generated/prisma/client.js';
import type { Actor } from './clinics.js';
import { publishTemplateEvent, type TemplatePublishedPayload } from './events.js';
import { isUuid, parseInput } from './validation.js';

/**
 * The operators' global templates: a catalogue every clinic may adopt. Creating one publishes
 * version 1, each update the next version (its kind never changes), retiring marks it retired;
 * each of these writes, in the same transaction as the change, one `template.published` event to
 * EVERY configured cluster's stream (a global template concerns every clinic), so the clusters'
 * clinic services update their catalogue copy and the clinics that adopted it. Fields follow the
 * one set of rules in @clinicult/templates, so a template valid here is valid in every clinic.
 */

export const TEMPLATE_PAGE_DEFAULT = 20;
export const TEMPLATE_PAGE_MAX = 100;

/** What the API shows of a global template: the row plus its current version's fields. */
export interface GlobalTemplateView {
  id: string;
  name: string;
  kind: GlobalTemplate['kind'];
  version: number;
  fields: TemplateFieldDef[];
  retired: boolean;
  publishedAt: Date;
  createdAt: Date;
}

export interface GlobalTemplatePage {
  templates: GlobalTemplateView[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface GlobalTemplateCatalogDeps {
  db: AdminDb;
  bus: EventBus;
  /** Moves the outbox to Redis now (kit ServiceEvents.deliver: every cluster's relay); default: the bus's own flush. */
  deliver?: () => Promise<unknown>;
  /** every configured cluster: each gets each publication */
  clusters: readonly string[];
  logger: Logger;
}

const listSchema = z.object({
  includeRetired: z.boolean().nullish(),
  first: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(TEMPLATE_PAGE_MAX, `must be at most ${TEMPLATE_PAGE_MAX}; page with "after" for more`)
    .nullish(),
  after: z.string().nullish(),
});
export type ListGlobalTemplatesArgs = z.input<typeof listSchema>;

/** `input.fields[2].options` from zod's ['fields', 2, 'options']. */
function fieldPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out;
}

/** TemplateInput → the stored definition, or BAD_USER_INPUT naming the first wrong field. */
export function parseTemplateInput(input: unknown, prefix = 'input'): TemplateDefinition {
  const result = templateInputSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldPath(prefix, issue.path);
  throw badInput(`${field}: ${issue.message}`, [field]);
}

export function encodeTemplateCursor(t: { name: string; id: string }): string {
  return encodeKeyset([t.name, t.id]);
}

function decodeTemplateCursor(value: string): { name: string; id: string } {
  const parts = decodeKeyset(value, ['string', 'string']);
  if (!parts) throw badInput('after: not a cursor of this list; pass pageInfo.endCursor from the previous page.', ['after']);
  return { name: parts[0] as string, id: parts[1] as string };
}

type Tx = Prisma.TransactionClient;

export class GlobalTemplateCatalog {
  constructor(private readonly deps: GlobalTemplateCatalogDeps) {}

  /** One template with its current version, or null (unknown or not a UUID). */
  async get(id: string): Promise<GlobalTemplateView | null> {
    if (!isUuid(id)) return null;
    const row = await this.deps.db.globalTemplate.findUnique({ where: { id } });
    if (!row) return null;
    return (await this.withFields([row]))[0]!;
  }

  /** A page in the stable order (name, id); retired templates only when asked for. */
  async list(args: ListGlobalTemplatesArgs): Promise<GlobalTemplatePage> {
    const { includeRetired, first, after } = parseInput(listSchema, args);
    const take = first ?? TEMPLATE_PAGE_DEFAULT;
    const filter: Prisma.GlobalTemplateWhereInput = includeRetired ? {} : { retired: false };
    const cursor = after ? decodeTemplateCursor(after) : null;
    const where: Prisma.GlobalTemplateWhereInput = cursor
      ? { AND: [filter, { OR: [{ name: { gt: cursor.name } }, { name: cursor.name, id: { gt: cursor.id } }] }] }
      : filter;
    const [rows, totalCount] = await Promise.all([
      this.deps.db.globalTemplate.findMany({ where, orderBy: [{ name: 'asc' }, { id: 'asc' }], take: take + 1 }),
      this.deps.db.globalTemplate.count({ where: filter }),
    ]);
    const page = rows.slice(0, take);
    return { templates: await this.withFields(page), hasNextPage: rows.length > take, totalCount };
  }

  /** Version 1 of a new global template, published to every cluster. */
  async create(input: unknown, actor: Actor): Promise<GlobalTemplateView> {
    const definition = parseTemplateInput(input);
    const view = await this.deps.db.$transaction(async (tx) => {
      const now = new Date();
      const row = await tx.globalTemplate.create({
        data: { name: definition.name, kind: definition.kind, currentVersion: 1, publishedAt: now },
      });
      await this.writeVersion(tx, row.id, 1, definition, actor);
      const created = toView(row, definition.fields);
      await this.publish(tx, created, actor);
      return created;
    });
    this.deliverEvents();
    this.deps.logger.info({ templateId: view.id, version: 1, by: actor.userId }, 'global template created');
    return view;
  }

  /** The next version (same kind), published to every cluster. A retired template cannot change. */
  async update(id: string, input: unknown, actor: Actor): Promise<GlobalTemplateView> {
    if (!isUuid(id)) throw unknownTemplate(id);
    const definition = parseTemplateInput(input);
    const view = await this.deps.db.$transaction(async (tx) => {
      const current = await this.lock(tx, id);
      if (current.retired) {
        throw badInput(`id: global template "${id}" is retired; create a new template instead.`, ['id']);
      }
      if (definition.kind !== current.kind) {
        throw badInput(
          `input.kind: a template's kind cannot change (it is ${current.kind}); create a new ${definition.kind} template instead.`,
          ['input.kind'],
        );
      }
      const version = current.currentVersion + 1;
      await this.writeVersion(tx, id, version, definition, actor);
      const row = await tx.globalTemplate.update({
        where: { id },
        data: { name: definition.name, currentVersion: version, publishedAt: new Date() },
      });
      const updated = toView(row, definition.fields);
      await this.publish(tx, updated, actor);
      return updated;
    });
    this.deliverEvents();
    this.deps.logger.info({ templateId: id, version: view.version, by: actor.userId }, 'global template updated');
    return view;
  }

  /**
   * Retires a template: no longer offered (clinics that adopted it keep their copy). Published to
   * every cluster as its current version with `retired: true`. Retiring it again changes and
   * publishes nothing.
   */
  async retire(id: string, actor: Actor): Promise<GlobalTemplateView> {
    if (!isUuid(id)) throw unknownTemplate(id);
    const { view, changed } = await this.deps.db.$transaction(async (tx) => {
      const current = await this.lock(tx, id);
      const [withFields] = await this.withFields([current], tx);
      if (current.retired) return { view: withFields!, changed: false };
      const row = await tx.globalTemplate.update({ where: { id }, data: { retired: true } });
      const retired = toView(row, withFields!.fields);
      await this.publish(tx, retired, actor);
      return { view: retired, changed: true };
    });
    if (changed) {
      this.deliverEvents();
      this.deps.logger.info({ templateId: id, version: view.version, by: actor.userId }, 'global template retired');
    }
    return view;
  }

  /** The row, locked for this transaction (concurrent edits of one template run one after the other). */
  private async lock(tx: Tx, id: string): Promise<GlobalTemplate> {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM GlobalTemplate WHERE id = ${id} FOR UPDATE`;
    const row = locked.length > 0 ? await tx.globalTemplate.findUnique({ where: { id } }) : null;
    if (!row) throw unknownTemplate(id);
    return row;
  }

  private async writeVersion(tx: Tx, templateId: string, version: number, definition: TemplateDefinition, actor: Actor): Promise<void> {
    await tx.globalTemplateVersion.create({
      data: {
        templateId,
        version,
        name: definition.name,
        kind: definition.kind,
        fields: definition.fields as unknown as Prisma.InputJsonValue,
        createdBy: actor.userId ?? 'system',
      },
    });
  }

  private async publish(tx: Tx, view: GlobalTemplateView, actor: Actor): Promise<void> {
    const payload: TemplatePublishedPayload = {
      template: {
        id: view.id,
        name: view.name,
        kind: view.kind,
        version: view.version,
        fields: view.fields,
        retired: view.retired,
        publishedAt: view.publishedAt.toISOString(),
      },
      by: actor.userId,
      at: new Date().toISOString(),
    };
    await publishTemplateEvent(this.deps.bus, tx, this.deps.clusters, payload);
  }

  /** Each row with its current version's fields: one query for the lot. */
  private async withFields(rows: GlobalTemplate[], client: Tx | AdminDb = this.deps.db): Promise<GlobalTemplateView[]> {
    if (rows.length === 0) return [];
    const versions = await client.globalTemplateVersion.findMany({
      where: { OR: rows.map((r) => ({ templateId: r.id, version: r.currentVersion })) },
      select: { templateId: true, fields: true },
    });
    const fieldsOf = new Map(versions.map((v) => [v.templateId, readStoredFields(v.fields)]));
    return rows.map((row) => toView(row, fieldsOf.get(row.id) ?? []));
  }

  /** Moves the outbox to Redis now instead of waiting for the relay's next round. */
  private deliverEvents(): void {
    const deliver = this.deps.deliver ?? (() => this.deps.bus.flushOutbox());
    deliver().catch((err: unknown) => this.deps.logger.warn({ err }, 'template events stay in the outbox for now'));
  }
}

function toView(row: GlobalTemplate, fields: TemplateFieldDef[]): GlobalTemplateView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    version: row.currentVersion,
    fields,
    retired: row.retired,
    publishedAt: row.publishedAt,
    createdAt: row.createdAt,
  };
}

function unknownTemplate(id: string) {
  return badInput(`id: no global template with id "${id}".`, ['id']);
}
