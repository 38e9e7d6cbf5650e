import {
  IDENTITY_EVENTS,
  type ClinicAccessChanged,
  type ClinicPlaced,
  type IdentityEvent,
  type InvitationClosed,
  type InvitationSent,
  type MembershipChanged,
  type UserAccessChanged,
} from '@clinicult/contracts';
import { PoisonMessageError } from '@clinicult/events';
import { invalidField, type Logger } from '@clinicult/kit';
import type { AuthDb, AuthTx } from '../db.js';
import type { FactsWriter } from '../facts-writer.js';
import { revokeInvitationLinks, sendInvitation, type InvitationMailDeps } from './invitations.js';
import { normalizeEmail, rolesOf } from './sessions.js';

/**
 * auth's copy of who may do what, kept from the identity stream (users: memberships and account
 * status; admin: clinic access). Every row remembers the instant of the newest change applied, so
 * a change older than what auth holds (a replay, a retry overtaken by a later change) changes
 * nothing; applying is idempotent as the bus's at-least-once delivery needs.
 *
 * A cut-off is the later of the change's instant and now: a token auth minted between the change
 * and this moment still carried the old roles, and must end as well.
 */
export interface IdentityDeps extends InvitationMailDeps {
  db: AuthDb;
  facts: FactsWriter;
  logger: Logger;
}

export type Applied = 'applied' | 'stale' | 'unknown-user';

export function applyIdentityEvent(deps: IdentityDeps, event: IdentityEvent): Promise<Applied> {
  switch (event.type) {
    case IDENTITY_EVENTS.membershipChanged:
      return applyMembership(deps, event.payload);
    case IDENTITY_EVENTS.userAccessChanged:
      return applyUserAccess(deps, event.payload);
    case IDENTITY_EVENTS.clinicAccessChanged:
      return applyClinicAccess(deps, event.payload);
    case IDENTITY_EVENTS.clinicPlaced:
      return applyClinicPlacement(deps, event.payload);
    case IDENTITY_EVENTS.invitationSent:
      return applyInvitationSent(deps, event.payload);
    case IDENTITY_EVENTS.invitationClosed:
      return applyInvitationClosed(deps, event.payload);
  }
}

const later = (a: Date, b: Date | null | undefined) => (b && b > a ? b : a);

async function applyMembership(deps: IdentityDeps, change: MembershipChanged): Promise<Applied> {
  const at = new Date(change.at);
  // the login comes with the invitation (invitation.sent, earlier on the same stream) before any membership
  const credential = await deps.db.credential.findUnique({ where: { userId: change.userId }, select: { userId: true } });
  if (!credential) return 'unknown-user';
  const key = { userId_clinicId: { userId: change.userId, clinicId: change.clinicId } };
  const existing = await deps.db.membership.findUnique({ where: key });
  if (existing?.changedAt && existing.changedAt >= at) return 'stale';
  const roles = [...new Set(change.roles)].sort();
  const cutOff = change.endsSessions ? later(later(at, new Date()), existing?.tokensValidAfter) : undefined;
  await deps.db.membership.upsert({
    where: key,
    create: { userId: change.userId, clinicId: change.clinicId, roles, changedAt: at, ...(cutOff ? { tokensValidAfter: cutOff } : {}) },
    update: { roles, changedAt: at, ...(cutOff ? { tokensValidAfter: cutOff } : {}) },
  });
  if (cutOff) await deps.facts.clinicTokensValidAfter(change.userId, change.clinicId, cutOff);
  if (change.invitationId) await revokeInvitationLinks(deps.db, change.invitationId);
  return 'applied';
}

async function applyUserAccess(deps: IdentityDeps, change: UserAccessChanged): Promise<Applied> {
  const at = new Date(change.at);
  const credential = await deps.db.credential.findUnique({ where: { userId: change.userId } });
  if (!credential) return 'unknown-user';
  if (credential.accessChangedAt && credential.accessChangedAt >= at) return 'stale';
  // one write: the new status and the end of every earlier session
  const cutOff = later(later(at, new Date()), credential.tokensValidAfter);
  await deps.db.credential.update({
    where: { userId: change.userId },
    data: { status: change.active ? 'ACTIVE' : 'DEACTIVATED', accessChangedAt: at, tokensValidAfter: cutOff },
  });
  await deps.facts.deactivated(change.userId, !change.active, at);
  await deps.facts.tokensValidAfter(change.userId, cutOff);
  return 'applied';
}

async function applyClinicAccess(deps: IdentityDeps, change: ClinicAccessChanged): Promise<Applied> {
  const at = new Date(change.at);
  const existing = await deps.db.clinicStatus.findUnique({ where: { clinicId: change.clinicId } });
  if (existing?.accessChangedAt && existing.accessChangedAt >= at) return 'stale';
  await deps.db.clinicStatus.upsert({
    where: { clinicId: change.clinicId },
    create: { clinicId: change.clinicId, status: change.access, accessChangedAt: at },
    update: { status: change.access, accessChangedAt: at },
  });
  await deps.facts.clinicSuspended(change.clinicId, change.access === 'SUSPENDED', at);
  return 'applied';
}

/** Where the clinic is served: fixed when it is created, so applying it again changes nothing. */
async function applyClinicPlacement(deps: IdentityDeps, placed: ClinicPlaced): Promise<Applied> {
  await deps.db.clinicStatus.upsert({
    where: { clinicId: placed.clinicId },
    create: { clinicId: placed.clinicId, cluster: placed.cluster },
    update: { cluster: placed.cluster },
  });
  return 'applied';
}

/** Whether a sending or closing at `at` is newer than what auth applied of the invitation. */
async function newerThanApplied(db: AuthDb, invitationId: string, at: Date): Promise<boolean> {
  const state = await db.invitationState.findUnique({ where: { invitationId } });
  return !state || state.changedAt < at;
}

/**
 * An invitation (re)sent: the login of a person new to Clinicult (keyed by user id, unique by
 * email), then the mail, recorded as applied in the mail's own transaction, so a replayed event
 * sends no second mail and an older sending never revives a withdrawn invitation's link.
 */
async function applyInvitationSent(deps: IdentityDeps, sent: InvitationSent): Promise<Applied> {
  const at = new Date(sent.at);
  if (!(await newerThanApplied(deps.db, sent.invitationId, at))) return 'stale';
  const email = normalizeEmail(sent.email);
  const holder = await deps.db.credential.findUnique({ where: { email }, select: { userId: true } });
  if (holder && holder.userId !== sent.userId) {
    // users and auth disagree about who owns the address: no retry fixes that (the reconcile command reports it)
    throw new PoisonMessageError(`invitation ${sent.invitationId}: ${email} belongs to another login in auth`);
  }
  if (!holder) {
    const credential = await deps.db.credential.upsert({ where: { userId: sent.userId }, create: { userId: sent.userId, email }, update: {} });
    await deps.facts.tokensValidAfter(sent.userId, credential.tokensValidAfter);
  }
  const record = (tx: AuthDb | AuthTx) =>
    tx.invitationState.upsert({
      where: { invitationId: sent.invitationId },
      create: { invitationId: sent.invitationId, changedAt: at, closed: false },
      update: { changedAt: at, closed: false },
    });
  if (new Date(sent.expiresAt).getTime() <= Date.now()) {
    // it expired before auth heard of it (auth was down that long): nothing to send
    await record(deps.db);
    return 'applied';
  }
  await sendInvitation(deps, { ...sent, expiresAt: new Date(sent.expiresAt) }, record);
  return 'applied';
}

/** An invitation withdrawn or declined: its link stops working, and an older sending arriving later sends nothing. */
async function applyInvitationClosed(deps: IdentityDeps, closed: InvitationClosed): Promise<Applied> {
  const at = new Date(closed.at);
  if (!(await newerThanApplied(deps.db, closed.invitationId, at))) return 'stale';
  await deps.db.$transaction(async (tx) => {
    await tx.invitationState.upsert({
      where: { invitationId: closed.invitationId },
      create: { invitationId: closed.invitationId, changedAt: at, closed: true },
      update: { changedAt: at, closed: true },
    });
    await revokeInvitationLinks(tx, closed.invitationId);
  });
  return 'applied';
}

/** auth's copy of these users, for users' reconcile command (domain/reconcile.ts there). */
export async function identities(db: AuthDb, userIds: readonly string[]) {
  if (userIds.length > 500) throw invalidField('userIds', 'userIds: at most 500 ids per call.');
  const credentials = await db.credential.findMany({
    where: { userId: { in: [...userIds] } },
    select: { userId: true, status: true, memberships: { select: { clinicId: true, roles: true } } },
  });
  return credentials.map((c) => ({
    userId: c.userId,
    active: c.status !== 'DEACTIVATED',
    memberships: c.memberships.map((m) => ({ clinicId: m.clinicId, roles: rolesOf(m.roles) })),
  }));
}
