import { z } from 'zod';
import { badInput } from '@clinicult/kit';
import type { AuditDb, AuditEventRow, Prisma } from '../db.js';
import { decodeCursor, encodeCursor, type AuditCursor } from './cursor.js';

/**
 * Reading the audit log of one clinic. `clinicId` comes from the caller's token and is in every
 * WHERE, so another clinic's events (and operators' clinic-less ones) are never reachable.
 */

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

const idArg = (field: string) => z.string().trim().min(1, `${field}: must not be empty.`).max(100, `${field}: at most 100 characters.`);

export const auditLogArgsSchema = z
  .object({
    patientId: idArg('patientId').nullish(),
    userId: idArg('userId').nullish(),
    from: z.date().nullish(),
    to: z.date().nullish(),
    first: z
      .number()
      .int()
      .min(1, `first: ask for 1 to ${MAX_PAGE} events.`)
      .max(MAX_PAGE, `first: at most ${MAX_PAGE} events per page; page on with after.`)
      .nullish(),
    after: z.string().nullish(),
  })
  .refine((a) => !a.from || !a.to || a.from < a.to, { message: 'from must be before to (from is inclusive, to exclusive).', path: ['from'] });

export type AuditLogArgs = z.input<typeof auditLogArgsSchema>;

export interface AuditEventConnection {
  edges: Array<{ cursor: string; node: AuditEventRow }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

const NEWEST_FIRST: Prisma.AuditEventOrderByWithRelationInput[] = [{ occurredAt: 'desc' }, { id: 'desc' }];

/** Rows strictly after the cursor in newest-first order. */
function olderThan(cursor: AuditCursor): Prisma.AuditEventWhereInput {
  return { OR: [{ occurredAt: { lt: cursor.occurredAt } }, { occurredAt: cursor.occurredAt, id: { lt: cursor.id } }] };
}

/** Newest first by (occurredAt, id), as the database orders them (ids are lower-case UUIDs). */
function newestFirst(a: AuditEventRow, b: AuditEventRow): number {
  const byTime = b.occurredAt.getTime() - a.occurredAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function parseArgs(raw: AuditLogArgs) {
  const parsed = auditLogArgsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badInput(issue?.message ?? 'invalid arguments', [issue?.path.join('.')]);
  }
  return parsed.data;
}

/**
 * `auditLog`: the clinic's events newest first, optionally about one patient and/or by or about one
 * user, within [from, to). Keyset pagination on (occurredAt, id); each query follows an index
 * (clinicId + patientId / actorId / targetUserId + occurredAt, the primary key appended by InnoDB).
 * "By or about a user" without a patient runs the actor and the target query separately and merges
 * them, so both stay index scans that stop after one page (an OR would sort every matching row).
 */
export async function auditLog(db: AuditDb, clinicId: string, rawArgs: AuditLogArgs): Promise<AuditEventConnection> {
  const args = parseArgs(rawArgs);
  const first = args.first ?? DEFAULT_PAGE;
  const cursor = args.after ? decodeCursor(args.after) : null;

  const base: Prisma.AuditEventWhereInput = { clinicId };
  if (args.patientId) base.patientId = args.patientId;
  if (args.from || args.to) base.occurredAt = { ...(args.from ? { gte: args.from } : {}), ...(args.to ? { lt: args.to } : {}) };
  const page = (where: Prisma.AuditEventWhereInput) =>
    db.auditEvent.findMany({ where: cursor ? { AND: [where, olderThan(cursor)] } : where, orderBy: NEWEST_FIRST, take: first + 1 });

  let rows: AuditEventRow[];
  let totalCount: number;
  const userId = args.userId;
  if (userId && !args.patientId) {
    const asActor: Prisma.AuditEventWhereInput = { ...base, actorId: userId };
    const asTarget: Prisma.AuditEventWhereInput = { ...base, targetUserId: userId };
    // one transaction: the pages and the counts see the same snapshot while events keep arriving
    const [byActor, byTarget, actorCount, targetOnlyCount] = await db.$transaction([
      page(asActor),
      page(asTarget),
      db.auditEvent.count({ where: asActor }),
      db.auditEvent.count({ where: { ...asTarget, actorId: { not: userId } } }),
    ]);
    const merged = new Map<string, AuditEventRow>();
    for (const row of [...byActor, ...byTarget]) merged.set(row.id, row);
    rows = [...merged.values()].sort(newestFirst).slice(0, first + 1);
    totalCount = actorCount + targetOnlyCount;
  } else {
    const where: Prisma.AuditEventWhereInput = userId ? { ...base, OR: [{ actorId: userId }, { targetUserId: userId }] } : base;
    [rows, totalCount] = await db.$transaction([page(where), db.auditEvent.count({ where })]);
  }

  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
