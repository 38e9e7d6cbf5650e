import { createHash, randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { invalidField } from '@clinicult/kit';
import type { ChallengePurpose, LoginChallenge } from '../generated/prisma/client.js';
import type { AuthDb, AuthTx } from '../db.js';

/**
 * Half a sign-in. When the password (or an emailed link) was right but a second factor is due,
 * auth answers no token: `UNAUTHENTICATED` with `reason` SECOND_FACTOR_REQUIRED (verify one) or
 * SECOND_FACTOR_ENROLMENT_REQUIRED (none enrolled yet, but the account or clinic requires one),
 * and a ticket in `extensions` — as Auth0 answers `mfa_required` with an `mfa_token`. The ticket is
 * good for a few minutes, for that user and the clinic asked for, and for 5 wrong codes at most.
 */
export const MAX_CHALLENGE_ATTEMPTS = 5;

export type SecondFactorMethod = 'TOTP' | 'PASSKEY' | 'RECOVERY_CODE';

const hashTicket = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

export async function openChallenge(
  db: AuthDb | AuthTx,
  input: { userId: string; purpose: ChallengePurpose; clinicId: string | null; ttlSeconds: number },
): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
  await db.loginChallenge.create({
    data: { id: hashTicket(ticket), userId: input.userId, purpose: input.purpose, clinicId: input.clinicId, expiresAt },
  });
  // tidy up: tickets nobody finished
  await db.loginChallenge.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - 24 * 3600_000) } } });
  return { ticket, expiresAt };
}

export function secondFactorError(input: {
  purpose: ChallengePurpose;
  ticket: string;
  expiresAt: Date;
  methods: SecondFactorMethod[];
}): GraphQLError {
  const enrol = input.purpose === 'ENROL';
  return new GraphQLError(
    enrol
      ? 'This account needs a second factor before it can sign in: set up an authenticator app or a passkey.'
      : 'Enter the code from your authenticator app, use your passkey, or a recovery code.',
    {
      extensions: {
        code: 'UNAUTHENTICATED',
        reason: enrol ? 'SECOND_FACTOR_ENROLMENT_REQUIRED' : 'SECOND_FACTOR_REQUIRED',
        ticket: input.ticket,
        expiresAt: input.expiresAt.toISOString(),
        methods: input.methods,
      },
    },
  );
}

function invalidTicket(): GraphQLError {
  return invalidField('ticket', 'This sign-in has expired or was already finished. Sign in again.');
}

/** The open challenge behind a ticket, for `purpose`; refused when unknown, used, expired or worn out. */
export async function loadChallenge(db: AuthDb, ticket: string, purpose: ChallengePurpose): Promise<LoginChallenge> {
  if (!ticket || ticket.length > 200) throw invalidTicket();
  const challenge = await db.loginChallenge.findUnique({ where: { id: hashTicket(ticket) } });
  if (
    !challenge ||
    challenge.purpose !== purpose ||
    challenge.usedAt ||
    challenge.expiresAt.getTime() < Date.now() ||
    challenge.attempts >= MAX_CHALLENGE_ATTEMPTS
  ) {
    throw invalidTicket();
  }
  return challenge;
}

/** One wrong answer on this ticket. */
export async function countFailedAttempt(db: AuthDb, challenge: LoginChallenge): Promise<void> {
  await db.loginChallenge.update({ where: { id: challenge.id }, data: { attempts: { increment: 1 } } });
}

/** Finishes the challenge exactly once (two tabs, one wins). */
export async function finishChallenge(db: AuthDb | AuthTx, challenge: LoginChallenge): Promise<boolean> {
  const done = await db.loginChallenge.updateMany({ where: { id: challenge.id, usedAt: null }, data: { usedAt: new Date() } });
  return done.count === 1;
}
