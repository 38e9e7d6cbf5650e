import { badInput, conflict, forbiddenError, notFound, type Logger } from '@clinicult/kit';
import type { ClinicRole } from '@clinicult/rbac';
import type { AuthCallContext, AuthClient, InvitationTicket } from '../auth-client.js';
import type { ClinicDirectory } from '../clinics.js';
import { Prisma, type UsersDb, type UsersTx } from '../db.js';
import { recordAudit, type AuditEvent } from './audit.js';
import { rolesFromJson, type Actor, type MembershipRow, type UserRow } from './users.js';
import {
  canonicalRoles,
  createUserInputSchema,
  parseInput,
  provisionAdminInputSchema,
  rolesSchema,
} from './validation.js';

/**
 * Memberships, roles and account status: the writes that change what a person may do, so each one
 * is kept in step with auth (which puts the roles in tokens) and recorded for the audit trail.
 *
 * Ordering (DESIGN.md: users is the only service that changes roles in auth). Each change runs in
 * one database transaction that first locks the user's row, writes here, then calls auth, and
 * commits only when auth has answered:
 *  - auth fails or cannot be reached → the transaction rolls back: nothing changed anywhere that
 *    matters (SERVICE_UNAVAILABLE, try again);
 *  - two ADMINs change the same user at once → the second waits on the row lock, so auth and this
 *    database apply the changes in the same order and end up agreeing;
 *  - the commit fails after auth answered (rare) → auth is put back (`undo`), and every auth call
 *    is idempotent, so repeating the change converges anyway.
 * A new user's profile row is written (and committed) before all that, on its own: without a
 * membership it is invisible to every clinic, and a retry finds it by email and reuses its id, so
 * auth's login (keyed by user id, unique by email) is never created twice.
 */

export interface UsersDeps {
  db: UsersDb;
  auth: AuthClient;
  clinics: ClinicDirectory;
  logger: Logger;
  invitationTtlHours: number;
  /** invitation links are `${clinicWebUrl}/accept-invitation?token=…` */
  clinicWebUrl: string;
}

export interface InvitationResult {
  token: string;
  url: string;
  expiresAt: Date;
  user: UserRow;
}

const TX_OPTIONS = { maxWait: 5_000, timeout: 30_000 } as const;

/** Locks the user's row for the rest of the transaction; false when there is no such user. */
async function lockUser(tx: UsersTx, userId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM \`User\` WHERE id = ${userId} FOR UPDATE`;
  return rows.length > 0;
}

/**
 * The transaction described above: `write` inside it, then `sync` (auth), then commit; `undo` puts
 * auth back when the commit fails after `sync` succeeded.
 */
async function writeThenSync<T>(
  deps: UsersDeps,
  write: (tx: UsersTx) => Promise<T>,
  sync: (result: T) => Promise<void>,
  undo?: (result: T) => Promise<void>,
): Promise<T> {
  const state: { synced?: T } = {};
  try {
    return await deps.db.$transaction(async (tx) => {
      const result = await write(tx);
      await sync(result);
      state.synced = result;
      return result;
    }, TX_OPTIONS);
  } catch (error) {
    if ('synced' in state && undo) {
      deps.logger.error({ err: error }, 'commit failed after auth was updated; putting auth back');
      await undo(state.synced as T).catch((undoError: unknown) =>
        deps.logger.error({ err: undoError }, 'could not put auth back: auth and users disagree until the change is repeated'),
      );
    }
    throw error;
  }
}

function authContext(actor: Actor): AuthCallContext {
  return { clinicId: actor.clinicId, requestId: actor.requestId };
}

function invitationUrl(deps: UsersDeps, token: string): string {
  return `${deps.clinicWebUrl.replace(/\/+$/, '')}/accept-invitation?token=${encodeURIComponent(token)}`;
}

function sameRoles(a: readonly ClinicRole[], b: readonly ClinicRole[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

function audit(deps: UsersDeps, actor: Actor, event: Omit<AuditEvent, 'actor' | 'clinicId' | 'requestId'>): void {
  recordAudit(deps.logger, { ...event, actor: actor.audit, clinicId: actor.clinicId, requestId: actor.requestId });
}

function notInClinic(userId: string): Error {
  return notFound(`No user with id ${userId} belongs to this clinic.`);
}

interface NewProfile {
  email: string;
  firstName: string;
  lastName: string;
  phone?: string | null | undefined;
  locale?: string | null | undefined;
}

/** Step one of adding a person: the profile row by email (created when new, committed on its own). */
async function findOrCreateUser(db: UsersDb, profile: NewProfile): Promise<{ user: UserRow; created: boolean }> {
  const existing = await db.user.findUnique({ where: { email: profile.email } });
  if (existing) return { user: existing, created: false };
  try {
    const user = await db.user.create({
      data: {
        email: profile.email,
        firstName: profile.firstName,
        lastName: profile.lastName,
        phone: profile.phone ?? null,
        ...(profile.locale ? { locale: profile.locale } : {}),
      },
    });
    return { user, created: true };
  } catch (error) {
    // Someone created the same email a moment ago: use theirs.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return { user: await db.user.findUniqueOrThrow({ where: { email: profile.email } }), created: false };
    }
    throw error;
  }
}

interface MembershipPicture {
  user: UserRow;
  here: MembershipRow | undefined;
  elsewhere: MembershipRow[];
  /**
   * Whether this person may be handed an invitation (a link that sets their password): only one
   * who has never signed in and works in no other clinic. Otherwise the link would let whoever
   * holds it take over a login that other clinics rely on.
   */
  invitable: boolean;
}

async function lockAndRead(tx: UsersTx, userId: string, clinicId: string): Promise<MembershipPicture | null> {
  if (!(await lockUser(tx, userId))) return null;
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
  const memberships = await tx.membership.findMany({ where: { userId } });
  const here = memberships.find((m) => m.clinicId === clinicId);
  const elsewhere = memberships.filter((m) => m.clinicId !== clinicId);
  return { user, here, elsewhere, invitable: user.status === 'INVITED' && elsewhere.length === 0 };
}

/** A person with no membership anywhere yet: their profile is still the inviter's to fill in. */
async function refreshUnclaimedProfile(tx: UsersTx, picture: MembershipPicture, profile: NewProfile): Promise<UserRow> {
  if (!picture.invitable || picture.here) return picture.user;
  return tx.user.update({
    where: { id: picture.user.id },
    data: {
      firstName: profile.firstName,
      lastName: profile.lastName,
      ...(profile.phone !== undefined ? { phone: profile.phone } : {}),
      ...(profile.locale ? { locale: profile.locale } : {}),
    },
  });
}

// ---------------------------------------------------------------------------------------------

export interface CreateUserResult {
  user: UserRow;
  invitation: InvitationResult | null;
}

/**
 * ADMIN: add a person to the caller's clinic. A new email creates the user, the membership, the
 * login in auth and an invitation link; an email that already has a login only gains the
 * membership (invitation null).
 */
export async function createUser(deps: UsersDeps, actor: Actor, rawInput: unknown): Promise<CreateUserResult> {
  const input = parseInput(createUserInputSchema, rawInput);
  const { user: found, created } = await findOrCreateUser(deps.db, input);
  const clinicId = actor.clinicId;
  let ticket: InvitationTicket | null = null;

  const outcome = await writeThenSync(
    deps,
    async (tx) => {
      const picture = await lockAndRead(tx, found.id, clinicId);
      if (!picture) throw conflict(`${input.email} was removed while being added; try again.`);
      if (picture.here) {
        throw conflict(`${input.email} is already a member of this clinic; change their roles with setMembership.`, {
          userId: picture.user.id,
        });
      }
      const user = await refreshUnclaimedProfile(tx, picture, input);
      await tx.membership.create({ data: { userId: user.id, clinicId, roles: input.roles } });
      return { user, invite: picture.invitable };
    },
    async ({ user, invite }) => {
      const ctx = authContext(actor);
      if (invite) await deps.auth.upsertCredential(user.id, user.email, ctx);
      await deps.auth.syncMembership(user.id, clinicId, input.roles, ctx);
      if (invite) ticket = await deps.auth.createInvitation(user.id, clinicId, deps.invitationTtlHours, ctx);
    },
    ({ user }) => deps.auth.syncMembership(user.id, clinicId, [], authContext(actor)),
  );

  const { user } = outcome;
  if (created) audit(deps, actor, { action: 'user.created', targetUserId: user.id });
  audit(deps, actor, { action: 'membership.added', targetUserId: user.id, before: null, after: input.roles });
  const issued = ticket as InvitationTicket | null;
  if (!issued) return { user, invitation: null };
  audit(deps, actor, { action: 'invitation.created', targetUserId: user.id });
  return { user, invitation: { ...issued, url: invitationUrl(deps, issued.token), user } };
}

/**
 * Internal (admin service): a clinic's first ADMIN. Creates (or finds) the user, makes them ADMIN
 * of the clinic and returns an invitation. Repeating it for a person who has not accepted yet
 * issues a fresh link; a person who already signs in (or works elsewhere) is refused with
 * CONFLICT, because an operator must never be able to set a staff member's password (DESIGN.md).
 */
export async function provisionAdminUser(deps: UsersDeps, actor: Actor, rawInput: unknown): Promise<InvitationResult> {
  const input = parseInput(provisionAdminInputSchema, rawInput);
  if (input.clinicId !== actor.clinicId) {
    throw badInput(`clinicId: this call names clinic ${actor.clinicId} in its header but provisions ${input.clinicId}; name one clinic.`);
  }
  if (!(await deps.clinics.exists(input.clinicId, { requestId: actor.requestId }))) {
    throw badInput(`clinicId: there is no clinic ${input.clinicId}; create it in admin first.`, { fields: ['clinicId'] });
  }
  const clinicId = input.clinicId;
  // Refuse an established login before writing anything.
  const known = await deps.db.user.findUnique({ where: { email: input.email }, include: { memberships: true } });
  if (known && (known.status !== 'INVITED' || known.memberships.some((m) => m.clinicId !== clinicId))) {
    throw conflict(
      `${input.email} already has a Clinicult login (or works in another clinic); provisioning only invites people new to Clinicult. ` +
        'Provision a different email, or have an ADMIN of this clinic add this person with createUser.',
      { reason: 'EXISTING_LOGIN' },
    );
  }
  const { user: found, created } = await findOrCreateUser(deps.db, input);
  let ticket: InvitationTicket | null = null;

  const outcome = await writeThenSync(
    deps,
    async (tx) => {
      const picture = await lockAndRead(tx, found.id, clinicId);
      if (!picture) throw conflict(`${input.email} was removed while being provisioned; try again.`);
      if (!picture.invitable) {
        throw conflict(`${input.email} signed in or joined another clinic meanwhile; provisioning only invites new people.`, {
          reason: 'EXISTING_LOGIN',
        });
      }
      const user = await refreshUnclaimedProfile(tx, picture, input);
      const before = picture.here ? rolesFromJson(picture.here.roles) : null;
      const roles = canonicalRoles([...(before ?? []), 'ADMIN']);
      await tx.membership.upsert({
        where: { userId_clinicId: { userId: user.id, clinicId } },
        create: { userId: user.id, clinicId, roles },
        update: { roles },
      });
      return { user, before, roles };
    },
    async ({ user, roles }) => {
      const ctx = authContext(actor);
      await deps.auth.upsertCredential(user.id, user.email, ctx);
      await deps.auth.syncMembership(user.id, clinicId, roles, ctx);
      ticket = await deps.auth.createInvitation(user.id, clinicId, deps.invitationTtlHours, ctx);
    },
    ({ user, before }) => deps.auth.syncMembership(user.id, clinicId, before ?? [], authContext(actor)),
  );

  const { user, before, roles } = outcome;
  if (created) audit(deps, actor, { action: 'user.created', targetUserId: user.id });
  if (!before || !sameRoles(before, roles)) {
    audit(deps, actor, { action: before ? 'membership.changed' : 'membership.added', targetUserId: user.id, before, after: roles });
  }
  audit(deps, actor, { action: 'invitation.created', targetUserId: user.id });
  const issued = ticket as unknown as InvitationTicket;
  return { ...issued, url: invitationUrl(deps, issued.token), user };
}

function refuseSelf(actor: Actor, userId: string, message: string): void {
  if (actor.userId !== null && actor.userId === userId) throw forbiddenError(message);
}

/** ADMIN: a user's roles in the caller's clinic (never one's own). Ends the user's sessions. */
export async function setMembership(deps: UsersDeps, actor: Actor, userId: string, rawRoles: unknown): Promise<UserRow> {
  refuseSelf(actor, userId, 'Nobody can change their own roles; ask another ADMIN of this clinic.');
  const roles = parseInput(rolesSchema, rawRoles);
  const { user, before, changed } = await writeThenSync(
    deps,
    async (tx) => {
      const picture = await lockAndRead(tx, userId, actor.clinicId);
      if (!picture?.here) throw notInClinic(userId);
      const before = rolesFromJson(picture.here.roles);
      if (sameRoles(before, roles)) return { user: picture.user, before, changed: false };
      await tx.membership.update({
        where: { userId_clinicId: { userId, clinicId: actor.clinicId } },
        data: { roles },
      });
      return { user: picture.user, before, changed: true };
    },
    async ({ changed }) => {
      if (changed) await deps.auth.syncMembership(userId, actor.clinicId, roles, authContext(actor));
    },
    async ({ before, changed }) => {
      if (changed) await deps.auth.syncMembership(userId, actor.clinicId, before, authContext(actor));
    },
  );
  if (changed) audit(deps, actor, { action: 'membership.changed', targetUserId: userId, before, after: roles });
  return user;
}

/** ADMIN: take a user out of the caller's clinic (never oneself); other clinics' memberships stay. */
export async function removeMembership(deps: UsersDeps, actor: Actor, userId: string): Promise<UserRow> {
  refuseSelf(actor, userId, 'You cannot remove yourself from the clinic; ask another ADMIN of this clinic.');
  const { user, before } = await writeThenSync(
    deps,
    async (tx) => {
      const picture = await lockAndRead(tx, userId, actor.clinicId);
      if (!picture?.here) throw notInClinic(userId);
      await tx.membership.delete({ where: { userId_clinicId: { userId, clinicId: actor.clinicId } } });
      return { user: picture.user, before: rolesFromJson(picture.here.roles) };
    },
    () => deps.auth.syncMembership(userId, actor.clinicId, [], authContext(actor)),
    ({ before }) => deps.auth.syncMembership(userId, actor.clinicId, before, authContext(actor)),
  );
  audit(deps, actor, { action: 'membership.removed', targetUserId: userId, before, after: null });
  return user;
}

/**
 * Deactivation and reactivation act on the whole login, so an ADMIN may do them only for a user
 * who belongs to their clinic alone; for someone who also works elsewhere, removeMembership.
 */
async function setActive(deps: UsersDeps, actor: Actor, userId: string, active: boolean): Promise<UserRow> {
  refuseSelf(actor, userId, active ? 'You cannot reactivate yourself.' : 'You cannot deactivate yourself; ask another ADMIN of this clinic.');
  const { user, changed } = await writeThenSync(
    deps,
    async (tx) => {
      const picture = await lockAndRead(tx, userId, actor.clinicId);
      if (!picture?.here) throw notInClinic(userId);
      if (picture.elsewhere.length > 0) {
        const n = picture.elsewhere.length;
        throw forbiddenError(
          `${picture.user.email} also works in ${n} other clinic${n === 1 ? '' : 's'}; an ADMIN can ${active ? 're' : 'de'}activate only ` +
            `users who belong to this clinic alone. ${active ? '' : 'To end their access here, use removeMembership instead.'}`.trim(),
        );
      }
      const isDeactivated = picture.user.status === 'DEACTIVATED';
      if (isDeactivated !== active) return { user: picture.user, changed: false };
      const status = active ? (picture.user.activatedAt ? 'ACTIVE' : 'INVITED') : 'DEACTIVATED';
      const user = await tx.user.update({ where: { id: userId }, data: { status } });
      return { user, changed: true };
    },
    async ({ changed }) => {
      if (changed) await deps.auth.setCredentialStatus(userId, active, authContext(actor));
    },
    async ({ changed }) => {
      if (changed) await deps.auth.setCredentialStatus(userId, !active, authContext(actor));
    },
  );
  if (changed) audit(deps, actor, { action: active ? 'user.reactivated' : 'user.deactivated', targetUserId: userId });
  return user;
}

export function deactivateUser(deps: UsersDeps, actor: Actor, userId: string): Promise<UserRow> {
  return setActive(deps, actor, userId, false);
}

export function reactivateUser(deps: UsersDeps, actor: Actor, userId: string): Promise<UserRow> {
  return setActive(deps, actor, userId, true);
}
