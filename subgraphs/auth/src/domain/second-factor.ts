import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { forbiddenError, invalidField } from '@clinicult/kit';
import type { UserCaller } from '@clinicult/rbac';
import type { LoginChallenge } from '../generated/prisma/client.js';
import type { AuthDb, AuthTx } from '../db.js';
import type { AuthDeps } from '../deps.js';
import { countFailedAttempt, finishChallenge, loadChallenge } from '../mfa/challenges.js';
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration } from '../mfa/passkeys.js';
import { hashRecoveryCode, newRecoveryCodes } from '../mfa/recovery-codes.js';
import { enrolmentOf, matchingStep, newTotpSecret } from '../mfa/totp.js';
import { verifyPassword } from '../passwords.js';
import { enrolledMethods, tokenFor, type AuthPayload, type SecondFactorProof } from './sessions.js';

/**
 * Second factors (issue 11; HIPAA person authentication): TOTP, passkeys and one-time recovery
 * codes. Required for operators always and for a clinic's staff when its ADMIN turns it on;
 * offered to everyone. Enrolment happens either signed in (the security page) or in the middle of
 * a sign-in that requires it, with the ticket of a SECOND_FACTOR_ENROLMENT_REQUIRED answer; the
 * enrolment then finishes that sign-in. Wrong codes count against the account like wrong passwords.
 */

/** Who is enrolling: a signed-in user, or the holder of an enrolment ticket. */
export type Enroller = { caller: UserCaller } | { ticket: string };

interface EnrollerFacts {
  userId: string;
  challenge: LoginChallenge | null;
}

async function resolveEnroller(db: AuthDb, who: Enroller): Promise<EnrollerFacts> {
  if ('ticket' in who) {
    const challenge = await loadChallenge(db, who.ticket, 'ENROL');
    return { userId: challenge.userId, challenge };
  }
  return { userId: who.caller.userId, challenge: null };
}

async function emailOf(db: AuthDb, userId: string): Promise<string> {
  const credential = await db.credential.findUniqueOrThrow({ where: { userId }, select: { email: true } });
  return credential.email;
}

/** Ten fresh recovery codes, replacing any earlier ones (shown once, stored hashed). */
async function replaceRecoveryCodes(tx: AuthTx, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: codes.map((code) => ({ id: randomUUID(), userId, codeHash: hashRecoveryCode(code) })) });
  return codes;
}

export interface EnrolmentResult {
  /** shown once: the recovery codes, when this enrolment made new ones (the first factor) */
  recoveryCodes: string[];
  /** the finished sign-in, when the enrolment was part of one */
  session: AuthPayload | null;
}

/** After a factor is stored: recovery codes for a first factor, and the sign-in it was part of. */
async function finishEnrolment(deps: AuthDeps, facts: EnrollerFacts, proof: SecondFactorProof, firstFactor: boolean): Promise<EnrolmentResult> {
  const recoveryCodes = firstFactor ? await deps.db.$transaction((tx) => replaceRecoveryCodes(tx, facts.userId)) : [];
  if (!facts.challenge) return { recoveryCodes, session: null };
  if (!(await finishChallenge(deps.db, facts.challenge))) throw invalidField('ticket', 'This sign-in was already finished. Sign in again.');
  return { recoveryCodes, session: await tokenFor(deps, facts.userId, facts.challenge.clinicId, proof) };
}

// --- TOTP ------------------------------------------------------------------------------------

export async function startTotpEnrolment(deps: AuthDeps, who: Enroller) {
  const facts = await resolveEnroller(deps.db, who);
  const existing = await deps.db.totpFactor.findUnique({ where: { userId: facts.userId } });
  if (existing?.confirmedAt) {
    throw new GraphQLError('An authenticator app is already set up; remove it first to set up another.', { extensions: { code: 'CONFLICT' } });
  }
  const secret = newTotpSecret();
  const sealed = deps.secrets.seal(secret);
  await deps.db.totpFactor.upsert({
    where: { userId: facts.userId },
    create: { userId: facts.userId, secret: sealed },
    update: { secret: sealed, confirmedAt: null, lastUsedStep: null },
  });
  return enrolmentOf(secret, await emailOf(deps.db, facts.userId));
}

export async function confirmTotpEnrolment(deps: AuthDeps, who: Enroller, code: string, ip: string): Promise<EnrolmentResult> {
  const facts = await resolveEnroller(deps.db, who);
  const factor = await deps.db.totpFactor.findUnique({ where: { userId: facts.userId } });
  if (!factor || factor.confirmedAt) throw invalidField('code', 'Start the authenticator set-up first (startTotpEnrolment).');
  const email = await emailOf(deps.db, facts.userId);
  await deps.limits.assertAllowed(email, ip);
  const step = matchingStep(deps.secrets.open(factor.secret), code);
  if (step === null) {
    await deps.limits.recordFailure(email, ip);
    if (facts.challenge) await countFailedAttempt(deps.db, facts.challenge);
    throw invalidField('code', 'That code is not right. Enter the 6-digit code your authenticator app shows now.');
  }
  const firstFactor = (await enrolledMethods(deps.db, facts.userId)).length === 0;
  await deps.db.totpFactor.update({ where: { userId: facts.userId }, data: { confirmedAt: new Date(), lastUsedStep: BigInt(step) } });
  return finishEnrolment(deps, facts, 'otp', firstFactor);
}

// --- passkeys --------------------------------------------------------------------------------

export async function passkeyRegistrationOptions(deps: AuthDeps, who: Enroller) {
  const facts = await resolveEnroller(deps.db, who);
  const [email, existing] = await Promise.all([emailOf(deps.db, facts.userId), deps.db.passkey.findMany({ where: { userId: facts.userId } })]);
  const options = await registrationOptions(deps.rp, { userId: facts.userId, email }, existing);
  const expiresAt = new Date(Date.now() + deps.config.LOGIN_CHALLENGE_TTL_SECONDS * 1000);
  if (facts.challenge) {
    await deps.db.loginChallenge.update({ where: { id: facts.challenge.id }, data: { webauthnChallenge: options.challenge } });
  } else {
    await deps.db.credential.update({ where: { userId: facts.userId }, data: { passkeyChallenge: options.challenge, passkeyChallengeExpiresAt: expiresAt } });
  }
  return options;
}

export async function registerPasskey(deps: AuthDeps, who: Enroller, input: { response: unknown; name?: string | null }): Promise<EnrolmentResult> {
  const facts = await resolveEnroller(deps.db, who);
  let expected: string | null;
  if (facts.challenge) {
    expected = facts.challenge.webauthnChallenge;
  } else {
    const credential = await deps.db.credential.findUniqueOrThrow({ where: { userId: facts.userId } });
    expected = credential.passkeyChallengeExpiresAt && credential.passkeyChallengeExpiresAt.getTime() > Date.now() ? credential.passkeyChallenge : null;
  }
  if (!expected) throw invalidField('response', 'Start the passkey set-up first (passkeyRegistrationOptions), then answer within a few minutes.');
  const verified = await verifyRegistration(deps.rp, input.response, expected);
  if (!verified) throw invalidField('response', 'The browser did not return a valid passkey for this set-up. Try again.');
  const name = (input.name ?? '').trim().slice(0, 100) || 'Passkey';
  const firstFactor = (await enrolledMethods(deps.db, facts.userId)).length === 0;
  await deps.db.$transaction(async (tx) => {
    await tx.passkey.create({
      data: { id: verified.id, userId: facts.userId, publicKey: verified.publicKey, counter: BigInt(verified.counter), transports: verified.transports ?? undefined, name },
    });
    if (!facts.challenge) await tx.credential.update({ where: { userId: facts.userId }, data: { passkeyChallenge: null, passkeyChallengeExpiresAt: null } });
  });
  return finishEnrolment(deps, facts, 'hwk', firstFactor);
}

// --- finishing a sign-in -----------------------------------------------------------------------

/** WebAuthn options for the second step of a sign-in (the user's passkeys, a fresh challenge). */
export async function passkeyLoginOptions(deps: AuthDeps, ticket: string) {
  const challenge = await loadChallenge(deps.db, ticket, 'VERIFY');
  const passkeys = await deps.db.passkey.findMany({ where: { userId: challenge.userId } });
  if (passkeys.length === 0) throw invalidField('ticket', 'This account has no passkey; use the authenticator app or a recovery code.');
  const options = await authenticationOptions(deps.rp, passkeys);
  await deps.db.loginChallenge.update({ where: { id: challenge.id }, data: { webauthnChallenge: options.challenge } });
  return options;
}

export interface SecondFactorAnswer {
  ticket: string;
  code?: string | null;
  recoveryCode?: string | null;
  passkey?: unknown;
  ip: string;
}

/** Checks one answer against the user's factors; the proof it gives, or null when it is wrong. */
async function check(deps: AuthDeps, challenge: LoginChallenge, answer: SecondFactorAnswer): Promise<SecondFactorProof> {
  const { db } = deps;
  const userId = challenge.userId;
  if (answer.code) {
    const factor = await db.totpFactor.findUnique({ where: { userId } });
    if (!factor?.confirmedAt) return null;
    const step = matchingStep(deps.secrets.open(factor.secret), answer.code);
    if (step === null) return null;
    // a code works once: only a step after the last one used, claimed in the same UPDATE
    const claimed = await db.totpFactor.updateMany({
      where: { userId, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: BigInt(step) } }] },
      data: { lastUsedStep: BigInt(step) },
    });
    return claimed.count === 1 ? 'otp' : null;
  }
  if (answer.recoveryCode) {
    const used = await db.recoveryCode.updateMany({
      where: { userId, codeHash: hashRecoveryCode(answer.recoveryCode), usedAt: null },
      data: { usedAt: new Date() },
    });
    return used.count === 1 ? 'rec' : null;
  }
  if (answer.passkey) {
    if (!challenge.webauthnChallenge) return null;
    const passkeys = await db.passkey.findMany({ where: { userId } });
    const verified = await verifyAuthentication(deps.rp, answer.passkey, challenge.webauthnChallenge, passkeys);
    if (!verified) return null;
    await db.passkey.update({ where: { id: verified.passkeyId }, data: { counter: BigInt(verified.newCounter), lastUsedAt: new Date() } });
    return 'hwk';
  }
  return null;
}

export async function verifySecondFactor(deps: AuthDeps, answer: SecondFactorAnswer): Promise<AuthPayload> {
  const given = [answer.code, answer.recoveryCode, answer.passkey].filter((v) => v !== undefined && v !== null && v !== '');
  if (given.length !== 1) throw invalidField('code', 'Give exactly one of: code, recoveryCode, passkey.');
  const challenge = await loadChallenge(deps.db, answer.ticket, 'VERIFY');
  const email = await emailOf(deps.db, challenge.userId);
  await deps.limits.assertAllowed(email, answer.ip);
  const proof = await check(deps, challenge, answer);
  if (!proof) {
    await deps.limits.recordFailure(email, answer.ip);
    await countFailedAttempt(deps.db, challenge);
    const path = answer.code ? 'code' : answer.recoveryCode ? 'recoveryCode' : 'passkey';
    throw new GraphQLError('That second factor is not right. Try again, or use another method.', {
      extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_SECOND_FACTOR', fields: [{ path, message: 'not accepted' }] },
    });
  }
  if (!(await finishChallenge(deps.db, challenge))) throw invalidField('ticket', 'This sign-in was already finished. Sign in again.');
  const session = await tokenFor(deps, challenge.userId, challenge.clinicId, proof);
  await deps.limits.recordSuccess(email);
  return session;
}

// --- signed in: one's own factors --------------------------------------------------------------

/** Whether this user must keep a second factor: an operator, or staff of a clinic that requires one. */
async function mfaRequiredFor(db: AuthDb, userId: string): Promise<boolean> {
  const credential = await db.credential.findUniqueOrThrow({ where: { userId }, include: { memberships: true } });
  if (credential.isOperator) return true;
  const clinicIds = credential.memberships.filter((m) => Array.isArray(m.roles) && m.roles.length > 0).map((m) => m.clinicId);
  if (clinicIds.length === 0) return false;
  return (await db.clinicStatus.count({ where: { clinicId: { in: clinicIds }, mfaRequired: true } })) > 0;
}

export async function mySecondFactors(db: AuthDb, userId: string) {
  const [totp, passkeys, recoveryCodesLeft, required] = await Promise.all([
    db.totpFactor.findUnique({ where: { userId } }),
    db.passkey.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
    db.recoveryCode.count({ where: { userId, usedAt: null } }),
    mfaRequiredFor(db, userId),
  ]);
  return {
    totp: Boolean(totp?.confirmedAt),
    passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt })),
    recoveryCodesLeft,
    required,
  };
}

/** Removing a factor asks for the password again, and never leaves a required account without one. */
async function assertMayRemove(deps: AuthDeps, caller: UserCaller, password: string, ip: string, remaining: number): Promise<void> {
  const credential = await deps.db.credential.findUniqueOrThrow({ where: { userId: caller.userId } });
  await deps.limits.assertAllowed(credential.email, ip);
  if (!(await verifyPassword(credential.passwordHash, password))) {
    await deps.limits.recordFailure(credential.email, ip);
    throw invalidField('password', 'The password is incorrect.');
  }
  if (remaining === 0 && (await mfaRequiredFor(deps.db, caller.userId))) {
    throw forbiddenError('Your account must keep a second factor (operators, and clinics that require one). Add another before removing this one.');
  }
}

export async function removeTotp(deps: AuthDeps, caller: UserCaller, password: string, ip: string) {
  const passkeys = await deps.db.passkey.count({ where: { userId: caller.userId } });
  await assertMayRemove(deps, caller, password, ip, passkeys);
  await deps.db.$transaction(async (tx) => {
    await tx.totpFactor.deleteMany({ where: { userId: caller.userId } });
    if (passkeys === 0) await tx.recoveryCode.deleteMany({ where: { userId: caller.userId } });
  });
  return mySecondFactors(deps.db, caller.userId);
}

export async function removePasskey(deps: AuthDeps, caller: UserCaller, passkeyId: string, password: string, ip: string) {
  const [passkey, others, totp] = await Promise.all([
    deps.db.passkey.findFirst({ where: { id: passkeyId, userId: caller.userId } }),
    deps.db.passkey.count({ where: { userId: caller.userId, id: { not: passkeyId } } }),
    deps.db.totpFactor.findUnique({ where: { userId: caller.userId } }),
  ]);
  if (!passkey) throw invalidField('id', 'You have no passkey with that id.');
  const remaining = others + (totp?.confirmedAt ? 1 : 0);
  await assertMayRemove(deps, caller, password, ip, remaining);
  await deps.db.$transaction(async (tx) => {
    await tx.passkey.delete({ where: { id: passkeyId } });
    if (remaining === 0) await tx.recoveryCode.deleteMany({ where: { userId: caller.userId } });
  });
  return mySecondFactors(deps.db, caller.userId);
}

export async function regenerateRecoveryCodes(deps: AuthDeps, caller: UserCaller): Promise<string[]> {
  if ((await enrolledMethods(deps.db, caller.userId)).filter((m) => m !== 'RECOVERY_CODE').length === 0) {
    throw forbiddenError('Set up an authenticator app or a passkey first; recovery codes stand in for one.');
  }
  return deps.db.$transaction((tx) => replaceRecoveryCodes(tx, caller.userId));
}
