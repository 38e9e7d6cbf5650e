import { badInput } from '@clinicult/kit';
import { isClinicRole } from '@clinicult/rbac';
import type { AuthDb } from '../db.js';
import type { FactsWriter } from '../facts-writer.js';
import { endSessions, normalizeEmail } from './sessions.js';

/**
 * Internal operations: the users service keeps auth's copy of logins and roles, admin keeps the
 * clinic status. Each is idempotent so a caller may retry.
 */
export interface InternalDeps {
  db: AuthDb;
  facts: FactsWriter;
}

export async function upsertCredential(
  deps: InternalDeps,
  input: { userId: string; email: string; operator?: boolean | null },
): Promise<boolean> {
  const email = normalizeEmail(input.email);
  const holder = await deps.db.credential.findUnique({ where: { email }, select: { userId: true } });
  if (holder && holder.userId !== input.userId) throw badInput(`The email ${email} already belongs to another user.`, { field: 'email' });
  const credential = await deps.db.credential.upsert({
    where: { userId: input.userId },
    create: { userId: input.userId, email, isOperator: input.operator ?? false },
    update: { email, ...(input.operator == null ? {} : { isOperator: input.operator }) },
  });
  await deps.facts.tokensValidAfter(input.userId, credential.tokensValidAfter);
  return true;
}

export async function syncMembership(
  deps: InternalDeps,
  input: { userId: string; clinicId: string; roles: string[] },
): Promise<boolean> {
  const unknown = input.roles.filter((r) => !isClinicRole(r));
  if (unknown.length) throw badInput(`Unknown role(s): ${unknown.join(', ')}.`, { field: 'roles' });
  const roles = [...new Set(input.roles)].sort();
  const credential = await deps.db.credential.findUnique({ where: { userId: input.userId } });
  if (!credential) throw badInput('Unknown user: create the credential first.', { field: 'userId' });
  const existing = await deps.db.membership.findUnique({
    where: { userId_clinicId: { userId: input.userId, clinicId: input.clinicId } },
  });
  if (roles.length === 0) {
    if (!existing) return true;
    await deps.db.membership.delete({ where: { userId_clinicId: { userId: input.userId, clinicId: input.clinicId } } });
  } else {
    await deps.db.membership.upsert({
      where: { userId_clinicId: { userId: input.userId, clinicId: input.clinicId } },
      create: { userId: input.userId, clinicId: input.clinicId, roles },
      update: { roles },
    });
  }
  // A new membership changes no existing token; a changed or removed one ends the user's sessions.
  const before = existing ? JSON.stringify([...(existing.roles as string[])].sort()) : null;
  if (before !== null && before !== JSON.stringify(roles)) await endSessions(deps, input.userId);
  return true;
}

export async function setCredentialStatus(deps: InternalDeps, input: { userId: string; active: boolean }): Promise<boolean> {
  const credential = await deps.db.credential.findUnique({ where: { userId: input.userId } });
  if (!credential) throw badInput('Unknown user.', { field: 'userId' });
  // one write: the new status and the end of every earlier session
  const now = new Date();
  await deps.db.credential.update({
    where: { userId: input.userId },
    data: { status: input.active ? 'ACTIVE' : 'DEACTIVATED', tokensValidAfter: now },
  });
  await deps.facts.deactivated(input.userId, !input.active);
  await deps.facts.tokensValidAfter(input.userId, now);
  return true;
}

export async function setClinicAccess(
  deps: InternalDeps,
  input: { clinicId: string; access: 'ACTIVE' | 'SUSPENDED' },
): Promise<boolean> {
  await deps.db.clinicStatus.upsert({
    where: { clinicId: input.clinicId },
    create: { clinicId: input.clinicId, status: input.access },
    update: { status: input.access },
  });
  await deps.facts.clinicSuspended(input.clinicId, input.access === 'SUSPENDED');
  return true;
}
