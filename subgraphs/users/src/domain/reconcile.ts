import { IDENTITY_EVENTS } from '@clinicult/contracts';
import type { ClinicRole } from '@clinicult/rbac';
import type { UsersDb } from '../db.js';
import type { AuthIdentity } from './ports.js';
import type { UsersDeps } from './auth-sync.js';
import { recordIdentityChange } from './identity-events.js';
import { rolesFromJson } from './users.js';

/**
 * Drift between users (the source of memberships, roles and account status) and auth's copy of
 * them. The identity stream keeps them in step; this finds what a lost event, a restored backup or
 * a hand edit left behind, and repairs it the same way a change travels: an identity event from
 * users' outbox, newer than anything auth holds.
 */
export type Drift =
  | { kind: 'roles'; userId: string; clinicId: string; users: ClinicRole[]; auth: string[] }
  | { kind: 'status'; userId: string; usersActive: boolean; authActive: boolean }
  /** users has the person, auth has no login for them: an invitation whose login was never created */
  | { kind: 'no-login'; userId: string };

const sorted = (roles: readonly string[]) => [...new Set(roles)].sort();
const same = (a: readonly string[], b: readonly string[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** Compares every user (in pages of `pageSize`) with what auth answers for them. */
export async function findDrift(
  db: UsersDb,
  authIdentities: (userIds: string[]) => Promise<AuthIdentity[]>,
  pageSize = 200,
): Promise<Drift[]> {
  const drift: Drift[] = [];
  let after: string | undefined;
  for (;;) {
    const users = await db.user.findMany({
      where: after ? { id: { gt: after } } : {},
      orderBy: { id: 'asc' },
      take: pageSize,
      select: { id: true, status: true, memberships: { select: { clinicId: true, roles: true } } },
    });
    if (users.length === 0) return drift;
    after = users.at(-1)!.id;
    const atAuth = new Map((await authIdentities(users.map((u) => u.id))).map((i) => [i.userId, i]));
    for (const user of users) {
      const auth = atAuth.get(user.id);
      if (!auth) {
        drift.push({ kind: 'no-login', userId: user.id });
        continue;
      }
      const usersActive = user.status !== 'DEACTIVATED';
      if (usersActive !== auth.active) drift.push({ kind: 'status', userId: user.id, usersActive, authActive: auth.active });
      const here = new Map(user.memberships.map((m) => [m.clinicId, rolesFromJson(m.roles)]));
      const there = new Map(auth.memberships.filter((m) => m.roles.length > 0).map((m) => [m.clinicId, m.roles]));
      for (const clinicId of new Set([...here.keys(), ...there.keys()])) {
        const roles = here.get(clinicId) ?? [];
        const authRoles = there.get(clinicId) ?? [];
        if (!same(roles, authRoles)) drift.push({ kind: 'roles', userId: user.id, clinicId, users: roles, auth: authRoles });
      }
    }
  }
}

/**
 * Sends users' truth for each drift as an identity event (now: newer than what auth holds). A role
 * difference ends the person's sessions in that clinic, as any role change does. A missing login
 * cannot be repaired by an event: it is reported (invite the person again).
 */
export async function repairDrift(deps: Pick<UsersDeps, 'db' | 'bus' | 'identityStream'>, drift: readonly Drift[]): Promise<number> {
  let sent = 0;
  for (const d of drift) {
    if (d.kind === 'no-login') continue;
    await deps.db.$transaction(async (tx) => {
      const at = new Date().toISOString();
      if (d.kind === 'roles') {
        await recordIdentityChange(deps, tx, IDENTITY_EVENTS.membershipChanged, {
          userId: d.userId,
          clinicId: d.clinicId,
          roles: d.users,
          endsSessions: true,
          invitationId: null,
          at,
        });
      } else {
        await recordIdentityChange(deps, tx, IDENTITY_EVENTS.userAccessChanged, {
          userId: d.userId,
          active: d.usersActive,
          at,
        });
      }
    });
    sent += 1;
  }
  await deps.bus.flushOutbox();
  return sent;
}

/** One line per drift, for the command's report. */
export function describeDrift(d: Drift): string {
  switch (d.kind) {
    case 'roles':
      return `user ${d.userId} in clinic ${d.clinicId}: users says [${d.users.join(', ')}], auth says [${d.auth.join(', ')}]`;
    case 'status':
      return `user ${d.userId}: users says ${d.usersActive ? 'active' : 'deactivated'}, auth says ${d.authActive ? 'active' : 'deactivated'}`;
    case 'no-login':
      return `user ${d.userId}: auth has no login for them (invite them again)`;
  }
}
