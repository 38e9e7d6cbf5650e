import { z } from 'zod';
import { badInput, type Logger, escapeLike } from '@clinicult/kit';
import type { EventBus } from '@clinicult/events';
import { IDENTITY_EVENTS, identityEvent, type ClinicAccessChanged } from '@clinicult/contracts';
import type { AdminDb } from '../db.js';
import type { Clinic, Prisma } from '../generated/prisma/client.js';
import { decodeCursor } from './cursor.js';
import { publishClinicEvent, type ClinicEventType } from './events.js';
import { canonicalTimeZone, isUuid, parseInput } from './validation.js';

/**
 * The clinic registry: rules and data access for `Clinic` rows (admin's own database).
 *
 * A status change is one transaction that holds the clinic's row lock: the row, the clinic event
 * for its cluster and the identity event (`clinic.access.changed`, @clinicult/contracts) are
 * written together to admin's own database and outbox, so the change and its events exist
 * together or not at all. The bus delivers the identity event to auth (login) and to every
 * service's facts consumer (tokens), even when auth is down at that moment; the row lock
 * serialises concurrent suspend/reactivate of one clinic, and consumers keep the newest change.
 */

export type ClinicAccess = ClinicAccessChanged['access'];



export const NAME_MIN = 2;
export const NAME_MAX = 200;
export const REASON_MAX = 500;
export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 100;

export interface Actor {
  /** The operator's user id (null for system actions). */
  userId: string | null;
  requestId?: string;
}

export interface ClinicRegistryDeps {
  db: AdminDb;
  bus: EventBus;
  /** Moves the outbox to Redis now (kit ServiceEvents.deliver: every cluster's relay); default: the bus's own flush. */
  deliver?: () => Promise<unknown>;
  /** The identity stream (config IDENTITY_STREAM). */
  identityStream: string;
  /** How long a status change waits for auth to have applied it before answering (config IDENTITY_APPLY_WAIT_MS; it applies later anyway). */
  identityApplyWaitMs: number;
  /** The configured clusters; the first is the default for a new clinic. */
  clusters: readonly string[];
  logger: Logger;
  /** Longest a status transaction may stay open. */
  transactionTimeoutMs?: number;
}

export interface ClinicPage {
  clinics: Clinic[];
  hasNextPage: boolean;
  totalCount: number;
}

/** C0 controls and DEL (tabs, line breaks…): a name is one line of visible text. */
function hasControlCharacters(value: string): boolean {
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const nameSchema = z
  .string()
  .trim()
  .min(NAME_MIN, `must be at least ${NAME_MIN} characters (after trimming spaces)`)
  .max(NAME_MAX, `must be at most ${NAME_MAX} characters`)
  .refine((v) => !hasControlCharacters(v), 'must not contain control characters (tabs, line breaks)');

const createClinicSchema = z.object({
  name: nameSchema,
  cluster: z.string().trim().nullish(),
  timeZone: z.string({ error: 'is required: an IANA time zone such as "Europe/Madrid"' }),
});
export type CreateClinicInput = z.input<typeof createClinicSchema>;

const updateClinicSchema = z.object({
  name: nameSchema.nullish(),
  timeZone: z.string().nullish(),
});
export type UpdateClinicInput = z.input<typeof updateClinicSchema>;

const reasonSchema = z
  .string()
  .trim()
  .max(REASON_MAX, `must be at most ${REASON_MAX} characters`)
  .nullish()
  .transform((v) => (v ? v : null));

const listSchema = z.object({
  search: z.string().trim().max(NAME_MAX, `must be at most ${NAME_MAX} characters`).nullish(),
  first: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(PAGE_MAX, `must be at most ${PAGE_MAX}; page with "after" for more`)
    .nullish(),
  after: z.string().nullish(),
});
export type ListClinicsArgs = z.input<typeof listSchema>;

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

export class ClinicRegistry {
  private readonly transactionTimeoutMs: number;

  constructor(private readonly deps: ClinicRegistryDeps) {
    this.transactionTimeoutMs = deps.transactionTimeoutMs ?? 20_000;
  }

  /** The clinics with these ids (any order, unknown ids left out): one query, for the DataLoader. */
  async byIds(ids: readonly string[]): Promise<Clinic[]> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return [];
    return this.deps.db.clinic.findMany({ where: { id: { in: wanted } } });
  }

  /** One clinic, or null (an id that is not a UUID names no clinic). */
  async get(clinicId: string): Promise<Clinic | null> {
    if (!isUuid(clinicId)) return null;
    return this.deps.db.clinic.findUnique({ where: { id: clinicId } });
  }

  /** A page in the stable order (name, id); `search` matches anywhere in the name, ignoring case. */
  async list(args: ListClinicsArgs): Promise<ClinicPage> {
    const { search, first, after } = parseInput(listSchema, args);
    const take = first ?? PAGE_DEFAULT;
    // Prisma passes `contains` to LIKE as it is: escape LIKE's wildcards so they match themselves.
    const filter: Prisma.ClinicWhereInput = search ? { name: { contains: escapeLike(search) } } : {};
    const cursor = after ? decodeCursor(after) : null;
    const where: Prisma.ClinicWhereInput = cursor
      ? {
          AND: [
            filter,
            { OR: [{ name: { gt: cursor.name } }, { name: cursor.name, id: { gt: cursor.id } }] },
          ],
        }
      : filter;
    const [rows, totalCount] = await Promise.all([
      this.deps.db.clinic.findMany({ where, orderBy: [{ name: 'asc' }, { id: 'asc' }], take: take + 1 }),
      this.deps.db.clinic.count({ where: filter }),
    ]);
    return { clinics: rows.slice(0, take), hasNextPage: rows.length > take, totalCount };
  }

  /**
   * A new ACTIVE clinic. The name is trimmed and unique regardless of case; the time zone must be
   * an IANA zone (stored in its canonical spelling); the cluster one of the configured CLUSTERS.
   * auth is told the clinic is ACTIVE in the same transaction: if auth cannot be reached, no
   * clinic is created.
   */
  async create(input: CreateClinicInput, actor: Actor): Promise<Clinic> {
    const parsed = parseInput(createClinicSchema, input, 'input');
    const timeZone = canonicalTimeZone(parsed.timeZone);
    if (!timeZone) {
      throw badInput(
        `input.timeZone: "${parsed.timeZone}" is not an IANA time zone; use a zone name such as "Europe/Madrid" or "America/New_York".`,
        ['input.timeZone'],
      );
    }
    const { clusters } = this.deps;
    const cluster = parsed.cluster || clusters[0]!;
    if (!clusters.includes(cluster)) {
      throw badInput(
        `input.cluster: unknown cluster "${cluster}"; use one of: ${clusters.join(', ')}.`,
        ['input.cluster'],
      );
    }
    const duplicate = () =>
      badInput(
        `input.name: a clinic named "${parsed.name}" already exists (names are unique regardless of case); choose another name.`,
        ['input.name'],
      );
    if (await this.deps.db.clinic.findUnique({ where: { name: parsed.name }, select: { id: true } })) throw duplicate();

    try {
      const clinic = await this.deps.db.$transaction(
        async (tx) => {
          const created = await tx.clinic.create({ data: { name: parsed.name, cluster, timeZone } });
          await publishClinicEvent(this.deps.bus, tx, 'clinic.created', created, actor.userId);
          // auth names the clinic's cluster in its tokens, so each cluster serves only its own clinics
          await this.deps.bus.enqueue(
            tx,
            this.deps.identityStream,
            identityEvent(IDENTITY_EVENTS.clinicPlaced, { clinicId: created.id, cluster: created.cluster, at: created.createdAt.toISOString() }),
          );
          return created;
        },
        { maxWait: 5000, timeout: this.transactionTimeoutMs },
      );
      this.deliverEvents();
      this.deps.logger.info({ clinicId: clinic.id, cluster, by: actor.userId }, 'clinic created');
      return clinic;
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate();
      throw error;
    }
  }

  /**
   * Renames a clinic and/or changes its time zone, validated as in `create`; the row and its
   * `clinic.updated` event are written in one transaction (the row locked, so concurrent edits of
   * one clinic run one after the other). A change that changes nothing publishes nothing.
   */
  async update(clinicId: string, input: UpdateClinicInput, actor: Actor): Promise<Clinic> {
    if (!isUuid(clinicId)) throw this.unknownClinic(clinicId, 'id');
    const parsed = parseInput(updateClinicSchema, input ?? {}, 'input');
    if (parsed.name == null && parsed.timeZone == null) {
      throw badInput('input: give a new name, a new timeZone, or both.', ['input']);
    }
    let timeZone: string | null = null;
    if (parsed.timeZone != null) {
      timeZone = canonicalTimeZone(parsed.timeZone);
      if (!timeZone) {
        throw badInput(
          `input.timeZone: "${parsed.timeZone}" is not an IANA time zone; use a zone name such as "Europe/Madrid" or "America/New_York".`,
          ['input.timeZone'],
        );
      }
    }
    const name = parsed.name ?? null;
    const duplicate = () =>
      badInput(
        `input.name: a clinic named "${name}" already exists (names are unique regardless of case); choose another name.`,
        ['input.name'],
      );
    try {
      const { clinic, changed } = await this.deps.db.$transaction(
        async (tx) => {
          const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM Clinic WHERE id = ${clinicId} FOR UPDATE`;
          const current = locked.length > 0 ? await tx.clinic.findUnique({ where: { id: clinicId } }) : null;
          if (!current) throw this.unknownClinic(clinicId, 'id');
          const data: Prisma.ClinicUpdateInput = {};
          if (name !== null && name !== current.name) {
            const other = await tx.clinic.findUnique({ where: { name }, select: { id: true } });
            if (other && other.id !== clinicId) throw duplicate();
            data.name = name;
          }
          if (timeZone !== null && timeZone !== current.timeZone) data.timeZone = timeZone;
          if (Object.keys(data).length === 0) return { clinic: current, changed: false };
          const updated = await tx.clinic.update({ where: { id: clinicId }, data });
          await publishClinicEvent(this.deps.bus, tx, 'clinic.updated', updated, actor.userId);
          return { clinic: updated, changed: true };
        },
        { maxWait: 5000, timeout: this.transactionTimeoutMs },
      );
      if (changed) {
        this.deliverEvents();
        this.deps.logger.info({ clinicId, by: actor.userId }, 'clinic updated');
      }
      return clinic;
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate();
      throw error;
    }
  }

  /**
   * Suspends a clinic: its staff's tokens are refused (CLINIC_SUSPENDED) from their next request
   * and they cannot sign in. Suspending a suspended clinic again keeps it suspended (and replaces
   * the reason when one is given).
   */
  async suspend(clinicId: string, reason: string | null | undefined, actor: Actor): Promise<Clinic> {
    const why = parseInput(reasonSchema, reason, 'reason');
    return this.changeStatus(clinicId, 'SUSPENDED', actor, (current) => ({
      status: 'SUSPENDED',
      suspendedReason: why ?? current.suspendedReason,
      suspendedAt: current.status === 'SUSPENDED' ? current.suspendedAt : new Date(),
    }));
  }

  /** Reactivates a clinic: its staff's tokens work again and they can sign in. */
  async reactivate(clinicId: string, actor: Actor): Promise<Clinic> {
    return this.changeStatus(clinicId, 'ACTIVE', actor, () => ({
      status: 'ACTIVE',
      suspendedReason: null,
      suspendedAt: null,
    }));
  }

  /** The clinic a new ADMIN may be provisioned for: it exists and is ACTIVE. */
  async requireActive(clinicId: string, field = 'clinicId'): Promise<Clinic> {
    const clinic = await this.get(clinicId);
    if (!clinic) throw this.unknownClinic(clinicId, field);
    if (clinic.status !== 'ACTIVE') {
      throw badInput(`${field}: clinic ${clinicId} is suspended; reactivate it before provisioning its admin.`, [field]);
    }
    return clinic;
  }

  private unknownClinic(clinicId: string, field: string) {
    return badInput(`${field}: no clinic with id "${clinicId}".`, [field]);
  }

  private async changeStatus(
    clinicId: string,
    target: ClinicAccess,
    actor: Actor,
    change: (current: Clinic) => Prisma.ClinicUpdateInput,
  ): Promise<Clinic> {
    if (!isUuid(clinicId)) throw this.unknownClinic(clinicId, 'id');
    const { clinic, previous, accessEvent } = await this.deps.db.$transaction(
      async (tx) => {
        // Row lock: concurrent status changes of this clinic run one after the other.
        const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM Clinic WHERE id = ${clinicId} FOR UPDATE`;
        const current = locked.length > 0 ? await tx.clinic.findUnique({ where: { id: clinicId } }) : null;
        if (!current) throw this.unknownClinic(clinicId, 'id');
        const updated = await tx.clinic.update({ where: { id: clinicId }, data: change(current) });
        if (current.status === target) return { clinic: updated, previous: current.status, accessEvent: null };
        const type: ClinicEventType = target === 'SUSPENDED' ? 'clinic.suspended' : 'clinic.reactivated';
        await publishClinicEvent(this.deps.bus, tx, type, updated, actor.userId);
        const accessEvent = await this.deps.bus.enqueue(
          tx,
          this.deps.identityStream,
          identityEvent(IDENTITY_EVENTS.clinicAccessChanged, { clinicId, access: target, at: updated.updatedAt.toISOString() }),
        );
        return { clinic: updated, previous: current.status, accessEvent };
      },
      { maxWait: 5000, timeout: this.transactionTimeoutMs },
    );
    this.deliverEvents();
    if (accessEvent && !(await this.deps.bus.waitUntilHandled('auth', accessEvent.id, this.deps.identityApplyWaitMs))) {
      this.deps.logger.warn({ clinicId, status: target }, 'auth has not applied the clinic status yet; it will from the identity stream');
    }
    this.deps.logger.info({ clinicId, status: target, previous, by: actor.userId }, 'clinic status changed');
    return clinic;
  }

  /** Moves the outbox to Redis now instead of waiting for the relay's next round. */
  private deliverEvents(): void {
    const deliver = this.deps.deliver ?? (() => this.deps.bus.flushOutbox());
    deliver().catch((err: unknown) => this.deps.logger.warn({ err }, 'clinic events stay in the outbox for now'));
  }
}
