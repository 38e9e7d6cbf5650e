import { IDENTITY_EVENTS } from '@clinicult/contracts';
import { forbiddenError, notFound } from '@clinicult/kit';
import type { ClinicRole } from '@clinicult/rbac';
import type { UsersTx } from '../db.js';
import { recordAudit, type AuditEvent } from './audit.js';
import { authContext, inTransaction, lockUser, type UsersDeps } from './auth-sync.js';
import { awaitAuth, membershipEvent, recordIdentityChange } from './identity-events.js';
import { rolesFromJson, type Actor, type MembershipRow, type UserRow } from './users.js';
import { parseInput, rolesSchema } from './validation.js';

export type { UsersDeps };

/**
 * Memberships, roles and account status: the writes that change what a person may do in a clinic,
 * each with its identity event for auth and the revocation facts (identity-events.ts) and recorded
 * in the clinic's audit trail.
 * A change of roles or a removal ends the person's sessions in this clinic only (auth keeps a
 * cut-off per user and clinic); their other clinics are not this clinic's ADMIN's to touch.
 * Adding people is an invitation (domain/invitations.ts).
 */

function sameRoles(a: readonly ClinicRole[], b: readonly ClinicRole[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

function audit(deps: UsersDeps, actor: Actor, event: Omit<AuditEvent, 'actor' | 'clinicId' | 'requestId'>): void {
  recordAudit(deps.logger, { ...event, actor: actor.audit, clinicId: actor.clinicId, requestId: actor.requestId });
}

function notInClinic(userId: string): Error {
  return notFound(`No user with id ${userId} belongs to this clinic.`);
}

interface MembershipPicture {
  user: UserRow;
  here: MembershipRow | undefined;
  elsewhere: MembershipRow[];
}

async function lockAndRead(tx: UsersTx, userId: string, clinicId: string): Promise<MembershipPicture | null> {
  if (!(await lockUser(tx, userId))) return null;
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
  const memberships = await tx.membership.findMany({ where: { userId } });
  return { user, here: memberships.find((m) => m.clinicId === clinicId), elsewhere: memberships.filter((m) => m.clinicId !== clinicId) };
}

function refuseSelf(actor: Actor, userId: string, message: string): void {
  if (actor.userId !== null && actor.userId === userId) throw forbiddenError(message);
}

/** ADMIN: a user's roles in the caller's clinic (never one's own). Ends the user's sessions in this clinic. */
export async function setMembership(deps: UsersDeps, actor: Actor, userId: string, rawRoles: unknown): Promise<UserRow> {
  refuseSelf(actor, userId, 'Nobody can change their own roles; ask another ADMIN of this clinic.');
  const roles = parseInput(rolesSchema, rawRoles);
  const { user, before, event } = await inTransaction(deps, async (tx) => {
    const picture = await lockAndRead(tx, userId, actor.clinicId);
    if (!picture?.here) throw notInClinic(userId);
    const before = rolesFromJson(picture.here.roles);
    if (sameRoles(before, roles)) return { user: picture.user, before, event: null };
    const updated = await tx.membership.update({
      where: { userId_clinicId: { userId, clinicId: actor.clinicId } },
      data: { roles },
    });
    const event = await membershipEvent(deps, tx, { userId, clinicId: actor.clinicId, roles, at: updated.updatedAt });
    return { user: picture.user, before, event };
  });
  await awaitAuth(deps, event);
  const changed = event !== null;
  if (changed) audit(deps, actor, { action: 'membership.changed', targetUserId: userId, before, after: roles });
  return user;
}

/** ADMIN: take a user out of the caller's clinic (never oneself); other clinics' memberships stay. */
export async function removeMembership(deps: UsersDeps, actor: Actor, userId: string): Promise<UserRow> {
  refuseSelf(actor, userId, 'You cannot remove yourself from the clinic; ask another ADMIN of this clinic.');
  const { user, before, event } = await inTransaction(deps, async (tx) => {
    const picture = await lockAndRead(tx, userId, actor.clinicId);
    if (!picture?.here) throw notInClinic(userId);
    await tx.membership.delete({ where: { userId_clinicId: { userId, clinicId: actor.clinicId } } });
    const event = await membershipEvent(deps, tx, { userId, clinicId: actor.clinicId, roles: [], at: new Date() });
    return { user: picture.user, before: rolesFromJson(picture.here.roles), event };
  });
  await awaitAuth(deps, event);
  audit(deps, actor, { action: 'membership.removed', targetUserId: userId, before, after: null });
  return user;
}

/**
 * Deactivation and reactivation act on the whole login, so an ADMIN may do them only for a user
 * who belongs to their clinic alone; for someone who also works elsewhere, removeMembership.
 */
async function setActive(deps: UsersDeps, actor: Actor, userId: string, active: boolean): Promise<UserRow> {
  refuseSelf(actor, userId, active ? 'You cannot reactivate yourself.' : 'You cannot deactivate yourself; ask another ADMIN of this clinic.');
  const { user, event } = await inTransaction(deps, async (tx) => {
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
    if (isDeactivated !== active) return { user: picture.user, event: null };
    const status = active ? (picture.user.activatedAt ? 'ACTIVE' : 'INVITED') : 'DEACTIVATED';
    const user = await tx.user.update({ where: { id: userId }, data: { status } });
    const event = await recordIdentityChange(
      deps,
      tx,
      IDENTITY_EVENTS.userAccessChanged,
      { userId, active, at: user.updatedAt.toISOString() },
    );
    return { user, event };
  });
  await awaitAuth(deps, event);
  const changed = event !== null;
  if (changed) audit(deps, actor, { action: active ? 'user.reactivated' : 'user.deactivated', targetUserId: userId });
  return user;
}

export function deactivateUser(deps: UsersDeps, actor: Actor, userId: string): Promise<UserRow> {
  return setActive(deps, actor, userId, false);
}

export function reactivateUser(deps: UsersDeps, actor: Actor, userId: string): Promise<UserRow> {
  return setActive(deps, actor, userId, true);
}

/**
 * A colleague lost their phone and their recovery codes: the ADMIN removes their second factors
 * (auth ends every session and tells them by email). Like deactivation it acts on the whole
 * login, so only for someone who works in this clinic alone.
 */
export async function resetSecondFactors(deps: UsersDeps, actor: Actor, userId: string): Promise<UserRow> {
  refuseSelf(actor, userId, 'Use one of your recovery codes, or ask another ADMIN of this clinic to reset your second factor.');
  // read and checked in a transaction; auth is called after it, never inside (auth's removal is idempotent: repeat it on failure)
  const user = await inTransaction(deps, async (tx) => {
    const picture = await lockAndRead(tx, userId, actor.clinicId);
    if (!picture?.here) throw notInClinic(userId);
    if (picture.elsewhere.length > 0) {
      throw forbiddenError(`${picture.user.email} also works in another clinic; their sign-in is not this clinic's alone to reset.`);
    }
    return picture.user;
  });
  await deps.auth.clearSecondFactors(userId, authContext(actor));
  audit(deps, actor, { action: 'user.second_factors_reset', targetUserId: userId });
  return user;
}
