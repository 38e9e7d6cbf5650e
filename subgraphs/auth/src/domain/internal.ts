import { invalidField } from '@clinicult/kit';
import { isClinicRole } from '@clinicult/rbac';
import type { AuthDb } from '../db.js';
import type { FactsWriter } from '../facts-writer.js';
import { secondFactorsRemovedMail } from '../mail/messages.js';
import { enqueueMail } from '../mail/outbox.js';
import { normalizeEmail, rolesOf } from './sessions.js';

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
  if (holder && holder.userId !== input.userId) throw invalidField('email', `The email ${email} already belongs to another user.`);
  const credential = await deps.db.credential.upsert({
    where: { userId: input.userId },
    create: { userId: input.userId, email, isOperator: input.operator ?? false },
    update: { email, ...(input.operator == null ? {} : { isOperator: input.operator }) },
  });
  await deps.facts.tokensValidAfter(input.userId, credential.tokensValidAfter);
  return true;
}

/**
 * The roles a user holds in a clinic, as users decided them. A new membership changes no existing
 * token; a changed or removed one ends the user's sessions **in that clinic only** (a cut-off per
 * user and clinic): their other clinics are not another clinic's ADMIN's to sign out. A removed
 * membership keeps its row with no roles, so its cut-off outlives it.
 */
export async function syncMembership(
  deps: InternalDeps,
  input: { userId: string; clinicId: string; roles: string[] },
): Promise<boolean> {
  const unknown = input.roles.filter((r) => !isClinicRole(r));
  if (unknown.length) throw invalidField('roles', `Unknown role(s): ${unknown.join(', ')}.`);
  const roles = [...new Set(input.roles)].sort();
  const credential = await deps.db.credential.findUnique({ where: { userId: input.userId } });
  if (!credential) throw invalidField('userId', 'Unknown user: create the credential first.');
  const key = { userId_clinicId: { userId: input.userId, clinicId: input.clinicId } };
  const existing = await deps.db.membership.findUnique({ where: key });
  const before = existing ? JSON.stringify(rolesOf(existing.roles)) : null;
  const changed = before !== null && before !== '[]' && before !== JSON.stringify(roles);
  if (!existing && roles.length === 0) return true;
  const cutOff = changed ? new Date() : undefined;
  await deps.db.membership.upsert({
    where: key,
    create: { userId: input.userId, clinicId: input.clinicId, roles },
    update: { roles, ...(cutOff ? { tokensValidAfter: cutOff } : {}) },
  });
  if (cutOff) await deps.facts.clinicTokensValidAfter(input.userId, input.clinicId, cutOff);
  return true;
}

export async function setCredentialStatus(deps: InternalDeps, input: { userId: string; active: boolean }): Promise<boolean> {
  const credential = await deps.db.credential.findUnique({ where: { userId: input.userId } });
  if (!credential) throw invalidField('userId', 'Unknown user.');
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

/** The clinic's ADMIN requires (or stops requiring) a second factor of its staff: from their next request. */
export async function setClinicMfaRequired(deps: InternalDeps, clinicId: string, required: boolean): Promise<void> {
  await deps.db.clinicStatus.upsert({ where: { clinicId }, create: { clinicId, mfaRequired: required }, update: { mfaRequired: required } });
  await deps.facts.clinicRequiresMfa(clinicId, required);
}

/**
 * A lost authenticator and lost recovery codes: the person's clinic ADMIN (through users) removes
 * every second factor. Every session ends, and a notice goes to the person by email; a clinic or
 * an operator account that requires a factor has them set up a new one at the next sign-in.
 */
export async function clearSecondFactors(deps: InternalDeps & { mailQueued(): void }, userId: string): Promise<boolean> {
  const credential = await deps.db.credential.findUnique({ where: { userId } });
  if (!credential) throw invalidField('userId', 'Unknown user.');
  const now = new Date();
  await deps.db.$transaction(async (tx) => {
    await tx.totpFactor.deleteMany({ where: { userId } });
    await tx.passkey.deleteMany({ where: { userId } });
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.credential.update({ where: { userId }, data: { tokensValidAfter: now } });
    await enqueueMail(tx, { kind: 'SECOND_FACTORS_REMOVED', to: credential.email, userId, ...secondFactorsRemovedMail({ at: now }) });
  });
  deps.mailQueued();
  await deps.facts.tokensValidAfter(userId, now);
  return true;
}
