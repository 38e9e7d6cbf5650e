import { conflict, forbiddenError, invalidField, notFound } from '@clinicult/kit';
import type { ClinicRole, UserCaller } from '@clinicult/rbac';
import { Prisma, type UsersDb, type UsersTx } from '../db.js';
import type { Invitation as InvitationRow } from '../generated/prisma/client.js';
import { recordAudit, type AuditEvent } from './audit.js';
import { IDENTITY_EVENTS, type InvitationSent } from '@clinicult/contracts';
import { inTransaction, lockUser, type UsersDeps } from './auth-sync.js';
import { awaitAuth, membershipEvent, recordIdentityChange } from './identity-events.js';
import { rolesFromJson, type Actor, type UserRow } from './users.js';
import { createUserInputSchema, parseInput, provisionAdminInputSchema } from './validation.js';

export type { InvitationRow };

/**
 * Invitations (issue 11, DESIGN.md self-service limits). Adding a person to a clinic is an
 * invitation they accept, signed in, before the membership is in any token; the link goes only to
 * them, by email, from auth. The answer and everything the clinic sees of a pending invitation are
 * the same whether the address was new or already had an account (what the inviter typed, never
 * the person's profile or their other clinics), so an ADMIN cannot use it to find out who works
 * elsewhere. A clinic's first ADMIN is invited the same way by an operator (through admin), only
 * while the clinic has no active ADMIN; later ADMINs are invited by the clinic's own.
 */

export interface Inviter {
  kind: 'STAFF' | 'OPERATOR';
  id: string;
}

const isOpen = (i: InvitationRow, now = Date.now()) => !i.acceptedAt && !i.declinedAt && !i.revokedAt && i.expiresAt.getTime() > now;

function audit(deps: UsersDeps, actor: Actor, event: Omit<AuditEvent, 'actor' | 'requestId'>): void {
  recordAudit(deps.logger, { ...event, actor: actor.audit, requestId: actor.requestId });
}

async function displayName(db: UsersDb, userId: string, fallback: string): Promise<string> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { firstName: true, lastName: true } });
  return user ? `${user.firstName} ${user.lastName}` : fallback;
}

/** The profile row for an address: found, or created for a person new to Clinicult (committed on its own). */
async function findOrCreateUser(db: UsersDb, profile: { email: string; firstName: string; lastName: string; phone?: string | null; locale?: string | null }) {
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
    // someone created the same address a moment ago: use theirs
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return { user: await db.user.findUniqueOrThrow({ where: { email: profile.email } }), created: false };
    }
    throw error;
  }
}

interface InviteInput {
  email: string;
  firstName: string;
  lastName: string;
  phone?: string | null;
  locale?: string | null;
  roles: ClinicRole[];
}

async function clinicName(deps: UsersDeps, clinicId: string, requestId: string): Promise<string> {
  const clinic = await deps.clinics.info(clinicId, { requestId });
  if (!clinic) throw invalidField('clinicId', `There is no clinic ${clinicId}; create it in admin first.`);
  return clinic.name;
}

async function invite(deps: UsersDeps, actor: Actor, input: InviteInput, inviter: Inviter): Promise<InvitationRow> {
  const clinicId = actor.clinicId;
  const [name, inviterName] = await Promise.all([
    clinicName(deps, clinicId, actor.requestId),
    displayName(deps.db, inviter.id, inviter.kind === 'OPERATOR' ? 'A Clinicult operator' : 'An ADMIN of the clinic'),
  ]);
  const { user } = await findOrCreateUser(deps.db, input);
  const expiresAt = new Date(Date.now() + deps.invitationTtlHours * 3600_000);

  // the row and the event that has auth create the login (a person new to Clinicult) and send the mail, in one transaction
  const { invitation, event } = await inTransaction(deps, async (tx) => {
    if (!(await lockUser(tx, user.id))) throw conflict(`${input.email} was removed while being invited; try again.`);
    if (await tx.membership.findUnique({ where: { userId_clinicId: { userId: user.id, clinicId } } })) {
      throw conflict(`${input.email} is already a member of this clinic; change their roles with setMembership.`, { reason: 'ALREADY_MEMBER' });
    }
    const existing = await tx.invitation.findUnique({ where: { clinicId_userId: { clinicId, userId: user.id } } });
    if (existing && isOpen(existing)) {
      throw conflict(`${input.email} already has an open invitation to this clinic; resend it instead.`, {
        reason: 'ALREADY_INVITED',
        invitationId: existing.id,
      });
    }
    const fields = {
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
      roles: input.roles,
      invitedByKind: inviter.kind,
      invitedById: inviter.id,
      invitedByName: inviterName,
      sentAt: new Date(),
      expiresAt,
      acceptedAt: null,
      declinedAt: null,
      revokedAt: null,
    };
    const row = await tx.invitation.upsert({
      where: { clinicId_userId: { clinicId, userId: user.id } },
      create: { clinicId, userId: user.id, ...fields },
      update: { ...fields, createdAt: new Date() },
    });
    return { invitation: row, event: await recordIdentityChange(deps, tx, IDENTITY_EVENTS.invitationSent, sentEvent(row, user.email, name)) };
  });
  // the inviter's list shows the mail as queued at auth once it has applied the event (bounded wait)
  await awaitAuth(deps, event);
  audit(deps, actor, {
    action: 'invitation.created',
    clinicId,
    targetUserId: user.id,
    details: { invitationId: invitation.id, roles: input.roles, invitedBy: { kind: inviter.kind, id: inviter.id } },
  });
  return invitation;
}

/** ADMIN: invite a person to the caller's clinic. */
export async function createUser(deps: UsersDeps, actor: Actor, rawInput: unknown): Promise<InvitationRow> {
  const input = parseInput(createUserInputSchema, rawInput);
  if (!actor.userId) throw forbiddenError('Only a clinic ADMIN invites staff.');
  return invite(deps, actor, input, { kind: 'STAFF', id: actor.userId });
}

/** Whether the clinic has an ADMIN who can sign in (an accepted membership, the user not deactivated). */
export async function hasActiveAdmin(db: UsersDb | UsersTx, clinicId: string): Promise<boolean> {
  const admins = await db.membership.findMany({
    where: { clinicId, user: { status: { not: 'DEACTIVATED' } } },
    select: { roles: true },
  });
  return admins.some((m) => rolesFromJson(m.roles).includes('ADMIN'));
}

function activeAdminExists(): Error {
  return conflict(
    'This clinic already has an active ADMIN: further ADMINs are invited by the clinic’s own ADMINs, not by operators.',
    { reason: 'ACTIVE_ADMIN_EXISTS' },
  );
}

/** Internal (admin, for an operator): a clinic's first ADMIN, only while it has no active ADMIN. */
export async function provisionAdminUser(deps: UsersDeps, actor: Actor, rawInput: unknown, operatorId: string): Promise<InvitationRow> {
  const input = parseInput(provisionAdminInputSchema, rawInput);
  if (input.clinicId !== actor.clinicId) {
    throw invalidField('clinicId', `This call names clinic ${actor.clinicId} in its header but provisions ${input.clinicId}; name one clinic.`);
  }
  if (await hasActiveAdmin(deps.db, input.clinicId)) throw activeAdminExists();
  return invite(deps, actor, { ...input, roles: ['ADMIN'] }, { kind: 'OPERATOR', id: operatorId });
}

type Manager = { kind: 'staff'; clinicId: string } | { kind: 'operator' };

/**
 * The invitation a caller may manage: an ADMIN their clinic's; an operator the first-ADMIN
 * invitations of a clinic that still has no active ADMIN. Anything else reads as absent.
 */
async function managedInvitation(deps: UsersDeps, caller: Manager, id: string): Promise<InvitationRow> {
  const invitation = await deps.db.invitation.findUnique({ where: { id } });
  const visible =
    invitation &&
    (caller.kind === 'staff' ? invitation.clinicId === caller.clinicId : invitation.invitedByKind === 'OPERATOR');
  if (!invitation || !visible) throw notFound(`No invitation ${id} here.`);
  if (caller.kind === 'operator' && (await hasActiveAdmin(deps.db, invitation.clinicId))) throw activeAdminExists();
  return invitation;
}

/** An open invitation the caller manages, and the actor acting in its clinic. */
async function openManagedInvitation(deps: UsersDeps, actor: Actor, caller: Manager, id: string, otherwise: string) {
  const found = await managedInvitation(deps, caller, id);
  const closed = closedReason(found);
  if (closed) throw conflict(`This invitation ${closed}; ${otherwise}`, { reason: 'INVITATION_CLOSED' });
  return { found, scoped: { ...actor, clinicId: found.clinicId } };
}

/**
 * What auth needs to create the login (for a person new to Clinicult) and write the mail; `at` is
 * the sending's instant, so auth mails once per sending however often the event arrives.
 */
function sentEvent(row: InvitationRow, email: string, clinicName: string): InvitationSent {
  return {
    invitationId: row.id,
    userId: row.userId,
    email,
    clinicId: row.clinicId,
    clinicName,
    roles: rolesFromJson(row.roles),
    inviterName: row.invitedByName,
    expiresAt: row.expiresAt.toISOString(),
    at: row.sentAt.toISOString(),
  };
}

/** The invitation was withdrawn or declined: auth stops its link. */
function closedEvent(row: InvitationRow, at: Date) {
  return { invitationId: row.id, userId: row.userId, clinicId: row.clinicId, at: at.toISOString() };
}

function closedReason(invitation: InvitationRow): string | null {
  if (invitation.acceptedAt) return 'was accepted';
  if (invitation.declinedAt) return 'was declined';
  if (invitation.revokedAt) return 'was withdrawn';
  return null;
}

export async function resendInvitation(deps: UsersDeps, actor: Actor, caller: Manager, id: string): Promise<InvitationRow> {
  const { found, scoped } = await openManagedInvitation(deps, actor, caller, id, 'invite the person again instead.');
  const clinic = await clinicName(deps, found.clinicId, actor.requestId);
  const expiresAt = new Date(Date.now() + deps.invitationTtlHours * 3600_000);
  const { invitation, event } = await inTransaction(deps, async (tx) => {
    // only while it is still open: withdrawn, declined or accepted by a concurrent request, it gets no new link
    const renewed = await tx.invitation.updateMany({
      where: { id, acceptedAt: null, declinedAt: null, revokedAt: null },
      data: { sentAt: new Date(), expiresAt },
    });
    if (renewed.count === 0) throw conflict('This invitation was answered or withdrawn meanwhile; invite the person again instead.', { reason: 'INVITATION_CLOSED' });
    const row = await tx.invitation.findUniqueOrThrow({ where: { id } });
    const user = await tx.user.findUniqueOrThrow({ where: { id: row.userId }, select: { email: true } });
    return { invitation: row, event: await recordIdentityChange(deps, tx, IDENTITY_EVENTS.invitationSent, sentEvent(row, user.email, clinic)) };
  });
  await awaitAuth(deps, event);
  audit(deps, scoped, { action: 'invitation.resent', clinicId: found.clinicId, targetUserId: found.userId, details: { invitationId: id } });
  return invitation;
}

export async function revokeInvitation(deps: UsersDeps, actor: Actor, caller: Manager, id: string): Promise<InvitationRow> {
  const { found, scoped } = await openManagedInvitation(deps, actor, caller, id, 'there is nothing to withdraw.');
  const { invitation, event } = await inTransaction(deps, async (tx) => {
    const revokedAt = new Date();
    // only while it is still open (a concurrent accept or decline answered it first)
    const withdrawn = await tx.invitation.updateMany({ where: { id, acceptedAt: null, declinedAt: null, revokedAt: null }, data: { revokedAt } });
    if (withdrawn.count === 0) throw conflict('This invitation was answered meanwhile; there is nothing to withdraw.', { reason: 'INVITATION_CLOSED' });
    const row = await tx.invitation.findUniqueOrThrow({ where: { id } });
    return { invitation: row, event: await recordIdentityChange(deps, tx, IDENTITY_EVENTS.invitationClosed, closedEvent(row, revokedAt)) };
  });
  await awaitAuth(deps, event);
  audit(deps, scoped, { action: 'invitation.revoked', clinicId: found.clinicId, targetUserId: found.userId, details: { invitationId: id } });
  return invitation;
}

/** The invitee's own open invitation, or NOT_FOUND (someone else's reads as absent). */
async function ownInvitation(tx: UsersTx, caller: UserCaller, id: string): Promise<InvitationRow> {
  const invitation = await tx.invitation.findUnique({ where: { id } });
  if (!invitation || invitation.userId !== caller.userId) throw notFound(`You have no invitation ${id}.`);
  const closed = closedReason(invitation);
  if (closed) throw conflict(`This invitation ${closed}.`, { reason: 'INVITATION_CLOSED' });
  if (invitation.expiresAt.getTime() <= Date.now()) {
    throw conflict('This invitation has expired; ask the clinic to send a new one.', { reason: 'INVITATION_EXPIRED' });
  }
  return invitation;
}

function selfActor(caller: UserCaller, clinicId: string, requestId: string): Actor {
  return {
    clinicId,
    userId: caller.userId,
    audit: { kind: caller.kind === 'operator' ? 'operator' : 'staff', id: caller.userId },
    permissions: caller.permissions,
    requestId,
  };
}

/**
 * The invited person, signed in (any clinic, or none yet): the membership starts, with the roles
 * of the invitation, and is in their tokens from their next `switchClinic`.
 */
export async function acceptClinicInvitation(
  deps: UsersDeps,
  caller: UserCaller,
  id: string,
  requestId: string,
): Promise<{ clinicId: string; roles: ClinicRole[] }> {
  // the platform's operators never work in a clinic (DESIGN.md: never patient data)
  if (caller.kind === 'operator') throw forbiddenError('An operator account cannot join a clinic; use a staff account of your own.');
  const accepted = await inTransaction(deps, async (tx) => {
    await lockUser(tx, caller.userId);
    const invitation = await ownInvitation(tx, caller, id);
    const roles = rolesFromJson(invitation.roles);
    const now = new Date();
    await tx.membership.create({ data: { userId: caller.userId, clinicId: invitation.clinicId, roles } });
    await tx.invitation.update({ where: { id }, data: { acceptedAt: now } });
    await tx.user.updateMany({ where: { id: caller.userId, status: 'INVITED' }, data: { status: 'ACTIVE', activatedAt: now } });
    // auth learns the roles from this event, and that the invitation's link stops working
    const event = await membershipEvent(deps, tx, {
      userId: caller.userId,
      clinicId: invitation.clinicId,
      roles,
      at: now,
      invitationId: id,
      isNew: true,
    });
    return { invitation, roles, event };
  });
  // the person's next step is switching to the clinic at auth: wait (bounded) until auth knows the roles
  await awaitAuth(deps, accepted.event);
  const actor = selfActor(caller, accepted.invitation.clinicId, requestId);
  const about = { clinicId: accepted.invitation.clinicId, targetUserId: caller.userId };
  audit(deps, actor, { action: 'invitation.accepted', ...about, details: { invitationId: id } });
  audit(deps, actor, { action: 'membership.added', ...about, before: null, after: accepted.roles });
  return { clinicId: accepted.invitation.clinicId, roles: accepted.roles };
}

export async function declineClinicInvitation(deps: UsersDeps, caller: UserCaller, id: string, requestId: string): Promise<InvitationRow> {
  const { declined, event } = await inTransaction(deps, async (tx) => {
    await ownInvitation(tx, caller, id);
    const declinedAt = new Date();
    const row = await tx.invitation.update({ where: { id }, data: { declinedAt } });
    return { declined: row, event: await recordIdentityChange(deps, tx, IDENTITY_EVENTS.invitationClosed, closedEvent(row, declinedAt)) };
  });
  await awaitAuth(deps, event);
  audit(deps, selfActor(caller, declined.clinicId, requestId), {
    action: 'invitation.declined',
    clinicId: declined.clinicId,
    targetUserId: caller.userId,
    details: { invitationId: id },
  });
  return declined;
}

/** An ADMIN's list (their clinic), an operator's (their first-ADMIN invitations to one clinic). */
export async function listInvitations(
  db: UsersDb,
  caller: { kind: 'staff'; clinicId: string } | { kind: 'operator'; clinicId: string },
  options: { includeClosed?: boolean | null; first?: number | null },
): Promise<InvitationRow[]> {
  const now = new Date();
  return db.invitation.findMany({
    where: {
      clinicId: caller.clinicId,
      ...(caller.kind === 'operator' ? { invitedByKind: 'OPERATOR' } : {}),
      ...(options.includeClosed ? {} : { acceptedAt: null, declinedAt: null, revokedAt: null, expiresAt: { gt: now } }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: Math.min(Math.max(options.first ?? 50, 1), 200),
  });
}

/** One's own open invitations. */
export function openInvitationsOf(db: UsersDb, userId: string): Promise<InvitationRow[]> {
  return db.invitation.findMany({
    where: { userId, acceptedAt: null, declinedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: 'asc' },
  });
}

/** An invitation entity as the caller may see it: its clinic's ADMINs, the operator for theirs, the invitee. */
export function visibleInvitation(invitation: InvitationRow | null, viewer: { userId: string | null; clinicId: string | null; operator: boolean }) {
  if (!invitation) return null;
  if (viewer.userId && invitation.userId === viewer.userId) return invitation;
  if (viewer.clinicId && invitation.clinicId === viewer.clinicId) return invitation;
  if (viewer.operator && invitation.invitedByKind === 'OPERATOR') return invitation;
  return null;
}

export type { UserRow };
