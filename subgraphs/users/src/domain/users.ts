import { badInput, forbiddenError, notFound, decodeKeyset, encodeKeyset, escapeLike } from '@clinicult/kit';

/** Re-exported for this module's tests and callers: the one definition is the kit's. */
export { escapeLike };
import { hasPermission, type Caller, type ClinicRole } from '@clinicult/rbac';
import type { Prisma, UsersDb } from '../db.js';
import type { Membership as MembershipRow, User as UserRow } from '../generated/prisma/client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { canonicalRoles, parseInput, updateUserInputSchema } from './validation.js';
import type { Logger } from '@clinicult/kit';

export type { UserRow, MembershipRow };

/**
 * Reading users and editing profiles. Every function takes the clinic (or the whole visibility
 * scope) explicitly and puts it in the WHERE: a user is visible to staff of a clinic only through a
 * membership in that clinic, so cross-clinic reads are impossible, not merely unlisted.
 */

/** What a caller may see: oneself (any signed-in person) and the users of one clinic. */
export interface Scope {
  userId: string | null;
  clinicId: string | null;
}

export function scopeOf(caller: Caller): Scope {
  switch (caller.kind) {
    case 'staff':
      return { userId: caller.userId, clinicId: caller.clinicId };
    case 'unscoped':
    case 'operator':
      return { userId: caller.userId, clinicId: null };
    case 'service':
      return { userId: null, clinicId: caller.clinicId };
    default:
      return { userId: null, clinicId: null };
  }
}

/** A staff member or a service acting in one clinic (mutations). */
export interface Actor {
  clinicId: string;
  /** the staff user; null for a service */
  userId: string | null;
  audit: AuditActor;
  permissions: readonly string[];
  requestId: string;
}

export function visibleUserWhere(scope: Scope): Prisma.UserWhereInput {
  const or: Prisma.UserWhereInput[] = [];
  if (scope.userId) or.push({ id: scope.userId });
  if (scope.clinicId) or.push({ memberships: { some: { clinicId: scope.clinicId } } });
  return or.length > 0 ? { OR: or } : { id: { in: [] } };
}

export function inClinicWhere(clinicId: string): Prisma.UserWhereInput {
  return { memberships: { some: { clinicId } } };
}

/** Roles as stored (a JSON array), read defensively: unknown values are dropped. */
export function rolesFromJson(value: Prisma.JsonValue): ClinicRole[] {
  return canonicalRoles(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
}

export interface MembershipView {
  userId: string;
  clinicId: string;
  roles: ClinicRole[];
}

/** The signed-in person's own profile (any status; the session check already refused deactivated users). */
export async function getMe(db: UsersDb, userId: string): Promise<UserRow | null> {
  return db.user.findUnique({ where: { id: userId } });
}

/** One user, if the scope may see it (null otherwise: other clinics' users do not exist here). */
export async function getVisibleUser(db: UsersDb, scope: Scope, id: string): Promise<UserRow | null> {
  return db.user.findFirst({ where: { AND: [{ id }, visibleUserWhere(scope)] } });
}

/** Entity references and other batched reads: one query for all ids, in the order asked. */
export async function loadVisibleUsers(db: UsersDb, scope: Scope, ids: readonly string[]): Promise<Array<UserRow | null>> {
  const rows = await db.user.findMany({ where: { AND: [{ id: { in: [...ids] } }, visibleUserWhere(scope)] } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Memberships the scope may see, per user: all of one's own; of others only the scope's clinic. */
export async function loadVisibleMemberships(
  db: UsersDb,
  scope: Scope,
  userIds: readonly string[],
): Promise<MembershipView[][]> {
  const or: Prisma.MembershipWhereInput[] = [];
  if (scope.userId) or.push({ userId: scope.userId });
  if (scope.clinicId) or.push({ clinicId: scope.clinicId });
  if (or.length === 0) return userIds.map(() => []);
  const rows = await db.membership.findMany({
    where: { userId: { in: [...userIds] }, OR: or },
    orderBy: [{ createdAt: 'asc' }, { clinicId: 'asc' }],
  });
  const byUser = new Map<string, MembershipView[]>();
  for (const row of rows) {
    const list = byUser.get(row.userId) ?? [];
    list.push({ userId: row.userId, clinicId: row.clinicId, roles: rolesFromJson(row.roles) });
    byUser.set(row.userId, list);
  }
  return userIds.map((id) => byUser.get(id) ?? []);
}

// ---------------------------------------------------------------------------------------------
// `users`: the clinic's staff list, searched by name/email prefix, in a stable order.

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface ListUsersArgs {
  search?: string | null;
  first?: number | null;
  after?: string | null;
}

type CursorKey = [lastName: string, firstName: string, id: string];

export function encodeCursor(user: Pick<UserRow, 'lastName' | 'firstName' | 'id'>): string {
  return encodeKeyset([user.lastName, user.firstName, user.id] satisfies CursorKey);
}

export function decodeCursor(cursor: string): CursorKey {
  const parts = decodeKeyset(cursor, ['string', 'string', 'string']);
  if (!parts) throw badInput('after: not a cursor from this list; pass a pageInfo.endCursor or edges.cursor value you received.', ['after']);
  return parts as CursorKey;
}

/** Each word of `search` must start one of firstName, lastName or email (case-insensitive collation). */
export function searchWhere(search: string | null | undefined): Prisma.UserWhereInput | null {
  const text = (search ?? '').trim();
  if (text === '') return null;
  if (text.length > 100) throw badInput('search: at most 100 characters.', ['search']);
  const words = text.split(/\s+/).slice(0, 5).map(escapeLike);
  return {
    AND: words.map((word) => ({
      OR: [{ lastName: { startsWith: word } }, { firstName: { startsWith: word } }, { email: { startsWith: word } }],
    })),
  };
}

export async function listUsers(db: UsersDb, clinicId: string, args: ListUsersArgs): Promise<Page<UserRow>> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first: give a number from 1 to ${MAX_PAGE_SIZE}.`, ['first']);
  }
  const filters: Prisma.UserWhereInput[] = [inClinicWhere(clinicId)];
  const search = searchWhere(args.search);
  if (search) filters.push(search);
  const base: Prisma.UserWhereInput = { AND: filters };
  let where = base;
  if (args.after) {
    const [lastName, firstName, id] = decodeCursor(args.after);
    where = {
      AND: [
        ...filters,
        {
          OR: [
            { lastName: { gt: lastName } },
            { lastName, firstName: { gt: firstName } },
            { lastName, firstName, id: { gt: id } },
          ],
        },
      ],
    };
  }
  const [rows, totalCount] = await Promise.all([
    db.user.findMany({
      where,
      orderBy: [{ lastName: 'asc' }, { firstName: 'asc' }, { id: 'asc' }],
      take: first + 1,
    }),
    db.user.count({ where: base }),
  ]);
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

// ---------------------------------------------------------------------------------------------
// updateUser: oneself (name, phone, locale) or an ADMIN for users of their clinic.

export const USER_WRITE = 'clinicult:user:write';

export async function updateUser(db: UsersDb, logger: Logger, actor: Actor, id: string, rawInput: unknown): Promise<UserRow> {
  const self = actor.userId === id;
  if (!self && !hasPermission(actor.permissions, USER_WRITE)) {
    throw forbiddenError('You can edit only your own profile; an ADMIN of the clinic edits other users.');
  }
  const input = parseInput(updateUserInputSchema, rawInput);
  const data: Prisma.UserUpdateInput = {};
  if (input.firstName != null) data.firstName = input.firstName;
  if (input.lastName != null) data.lastName = input.lastName;
  // null goes back to the clinic's default language
  if (input.locale !== undefined) data.locale = input.locale;
  if (input.phone !== undefined) data.phone = input.phone;
  const scope: Scope = { userId: actor.userId, clinicId: actor.clinicId };
  const existing = await getVisibleUser(db, scope, id);
  if (!existing) throw notFound(`No user with id ${id} belongs to this clinic.`);
  if (!self) {
    // a profile is the person's own; a clinic's ADMIN keeps it only for someone who works nowhere else
    const elsewhere = await db.membership.count({ where: { userId: id, clinicId: { not: actor.clinicId } } });
    if (elsewhere > 0) {
      throw forbiddenError(
        'This person also works in another clinic, so their profile is theirs to edit; you can change their roles and status here.',
      );
    }
  }
  const user = await db.user.update({ where: { id }, data });
  recordAudit(logger, {
    action: 'user.updated',
    actor: actor.audit,
    clinicId: actor.clinicId,
    targetUserId: id,
    requestId: actor.requestId,
    fields: Object.keys(data),
  });
  return user;
}
