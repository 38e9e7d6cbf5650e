import { invalidField } from '@clinicult/kit';
import type { AuthDb } from '../db.js';
import type { FactsWriter } from '../facts-writer.js';
import { secondFactorsRemovedMail } from '../mail/messages.js';
import { enqueueMail } from '../mail/outbox.js';

/**
 * Internal operations: the users service clears second factors (logins, invitations, roles,
 * memberships and statuses arrive as identity events, domain/identity.ts). Each is idempotent so
 * a caller may retry.
 */
export interface InternalDeps {
  db: AuthDb;
  facts: FactsWriter;
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
