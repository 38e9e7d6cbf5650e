import {
  IDENTITY_EVENTS,
  type ClinicAccessChanged,
  type IdentityEvent,
  type MembershipChanged,
  type UserAccessChanged,
} from '@clinicult/contracts';
import { invalidField, type Logger } from '@clinicult/kit';
import type { AuthDb } from '../db.js';
import type { FactsWriter } from '../facts-writer.js';
import { revokeInvitationLinks } from './invitations.js';
import { rolesOf } from './sessions.js';

/**
 * auth's copy of who may do what, kept from the identity stream (users: memberships and account
 * status; admin: clinic access). Every row remembers the instant of the newest change applied, so
 * a change older than what auth holds (a replay, a retry overtaken by a later change) changes
 * nothing; applying is idempotent as the bus's at-least-once delivery needs.
 *
 * A cut-off is the later of the change's instant and now: a token auth minted between the change
 * and this moment still carried the old roles, and must end as well.
 */
export interface IdentityDeps {
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
  }
}

const later = (a: Date, b: Date | null | undefined) => (b && b > a ? b : a);

async function applyMembership(deps: IdentityDeps, change: MembershipChanged): Promise<Applied> {
  const at = new Date(change.at);
  // users creates the login (upsertCredential) before anyone can hold a membership
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
