import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { invalidField, judgeSession, type SessionStatus } from '@clinicult/kit';
import { isClinicRole, type Caller, type ClinicRole, type UserCaller } from '@clinicult/rbac';
import type { AuthDb } from '../db.js';
import type { AuthDeps } from '../deps.js';
import { enqueueMail } from '../mail/outbox.js';
import { passwordChangedMail, passwordResetMail } from '../mail/messages.js';
import { openChallenge, secondFactorError, type SecondFactorMethod } from '../mfa/challenges.js';
import { hashPassword, passwordWeakness, verifyPassword } from '../passwords.js';
import type { IssuedToken } from '../token-issuer.js';
import { claimLink, invalidLink, issueLink, linkUrl, markLinkUsed } from './links.js';

export interface AuthPayload extends IssuedToken {
  userId: string;
  /** the clinic's region's API (config CLUSTER_API_URLS), when the clinic's tokens go elsewhere */
  apiUrl: string | null;
}

const emailSchema = z.email({ message: 'Enter a valid email address, like name@example.com.' });

export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) throw invalidField('email', `"${raw}" is not a valid email address.`);
  return email;
}

function invalidCredentials(): GraphQLError {
  return new GraphQLError('The email or password is incorrect.', {
    extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' },
  });
}

function refused(reason: 'USER_DEACTIVATED' | 'CLINIC_SUSPENDED', message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', reason } });
}

export function rolesOf(json: unknown): ClinicRole[] {
  const roles = Array.isArray(json) ? json.filter((r): r is ClinicRole => typeof r === 'string' && isClinicRole(r)) : [];
  return [...new Set(roles)].sort();
}

/**
 * How the person proved who they are in this sign-in, as the token's `amr` (RFC 8176): a password
 * (or an emailed link with a new password) and, when given, a second factor — `otp` (TOTP),
 * `hwk` (a passkey), `rec` (a recovery code), or `mfa` alone when carried over from the token a
 * clinic switch started from.
 */
export type SecondFactorProof = 'otp' | 'hwk' | 'rec' | 'carried' | null;

export function amrOf(proof: SecondFactorProof): string[] {
  if (!proof) return ['pwd'];
  return proof === 'carried' ? ['pwd', 'mfa'] : ['pwd', 'mfa', proof];
}

/** The second factors a user has enrolled (confirmed ones only). */
export async function enrolledMethods(db: AuthDb, userId: string): Promise<SecondFactorMethod[]> {
  const [totp, passkeys, codes] = await Promise.all([
    db.totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true } }),
    db.passkey.count({ where: { userId } }),
    db.recoveryCode.count({ where: { userId, usedAt: null } }),
  ]);
  const methods: SecondFactorMethod[] = [];
  if (totp?.confirmedAt) methods.push('TOTP');
  if (passkeys > 0) methods.push('PASSKEY');
  if (methods.length > 0 && codes > 0) methods.push('RECOVERY_CODE');
  return methods;
}

/**
 * Chooses the token for a user who proved who they are (login, a link, a second factor, a clinic
 * switch) — DESIGN.md, login — and asks for the second factor first when it is due: always for
 * someone who has one enrolled; for operators, and for staff of a clinic whose ADMIN requires it,
 * an enrolment when they have none.
 */
export async function tokenFor(
  deps: AuthDeps,
  userId: string,
  requestedClinicId: string | null | undefined,
  proof: SecondFactorProof = null,
): Promise<AuthPayload> {
  const credential = await deps.db.credential.findUnique({ where: { userId }, include: { memberships: true } });
  if (!credential) throw invalidCredentials();
  if (credential.status === 'DEACTIVATED') throw refused('USER_DEACTIVATED', 'This user account has been deactivated.');
  const memberships = credential.memberships.filter((m) => rolesOf(m.roles).length > 0);
  type Scope = { operator: true } | { unscoped: true } | { clinicId: string; roles: ClinicRole[]; cluster?: string | null };
  let scope: Scope;
  if (credential.isOperator && !requestedClinicId) {
    scope = { operator: true };
  } else if (requestedClinicId) {
    const chosen = memberships.find((m) => m.clinicId === requestedClinicId);
    if (!chosen) throw invalidField('clinicId', 'You are not a member of that clinic (unknown clinic or no membership).');
    scope = { clinicId: chosen.clinicId, roles: rolesOf(chosen.roles) };
  } else if (memberships.length === 1) {
    scope = { clinicId: memberships[0]!.clinicId, roles: rolesOf(memberships[0]!.roles) };
  } else {
    // several clinics, or none yet (invitations waiting): a token good only for `me`, `switchClinic`
    // and accepting invitations
    scope = { unscoped: true };
  }
  let clinicRequiresMfa = false;
  if ('clinicId' in scope) {
    const status = await deps.db.clinicStatus.findUnique({ where: { clinicId: scope.clinicId } });
    if (status?.status === 'SUSPENDED') throw refused('CLINIC_SUSPENDED', 'This clinic is suspended. Contact your platform operator.');
    clinicRequiresMfa = status?.mfaRequired ?? false;
    // the clinic's region goes into its tokens (`cl`): each cluster's services serve only their own
    scope = { ...scope, cluster: status?.cluster ?? null };
  }
  if (!proof) {
    const methods = await enrolledMethods(deps.db, userId);
    const required = 'operator' in scope || clinicRequiresMfa;
    if (methods.length > 0 || required) {
      const purpose = methods.length > 0 ? 'VERIFY' : 'ENROL';
      const { ticket, expiresAt } = await openChallenge(deps.db, {
        userId,
        purpose,
        clinicId: requestedClinicId ?? null,
        ttlSeconds: deps.config.LOGIN_CHALLENGE_TTL_SECONDS,
      });
      throw secondFactorError({ purpose, ticket, expiresAt, methods: purpose === 'VERIFY' ? methods : ['TOTP', 'PASSKEY'] });
    }
  }
  const amr = amrOf(proof);
  const issued = await deps.issuer.userToken(userId, scope, amr);
  const cluster = 'cluster' in scope ? scope.cluster : null;
  return { userId, ...issued, apiUrl: (cluster && deps.config.CLUSTER_API_URLS[cluster]) || null };
}

export async function login(
  deps: AuthDeps,
  input: { email: string; password: string; clinicId?: string | null; ip: string },
): Promise<AuthPayload> {
  const email = normalizeEmail(input.email);
  await deps.limits.assertAllowed(email, input.ip);
  const credential = await deps.db.credential.findUnique({ where: { email } });
  const ok = await verifyPassword(credential?.passwordHash ?? null, input.password);
  if (!credential || !ok) {
    await deps.limits.recordFailure(email, input.ip);
    throw invalidCredentials();
  }
  // failures are cleared only once the sign-in is complete: a right password followed by wrong
  // codes keeps counting against the account
  const payload = await tokenFor(deps, credential.userId, input.clinicId);
  await deps.limits.recordSuccess(email);
  return payload;
}

/** Another clinic of one's own; a second factor given at sign-in carries over. */
export async function switchClinic(deps: AuthDeps, caller: UserCaller, clinicId: string): Promise<AuthPayload> {
  return tokenFor(deps, caller.userId, clinicId, caller.mfa ? 'carried' : null);
}

export async function logout(deps: AuthDeps, caller: UserCaller): Promise<boolean> {
  await deps.db.revokedToken.upsert({
    where: { jti: caller.jti },
    create: { jti: caller.jti, userId: caller.userId, expiresAt: caller.expiresAt },
    update: {},
  });
  await deps.facts.revoked(caller.jti, caller.expiresAt);
  return true;
}

export async function changePassword(
  deps: AuthDeps,
  caller: UserCaller,
  input: { currentPassword: string; newPassword: string; ip: string },
): Promise<boolean> {
  const credential = await deps.db.credential.findUnique({ where: { userId: caller.userId } });
  if (!credential) throw invalidCredentials();
  await deps.limits.assertAllowed(credential.email, input.ip);
  if (!(await verifyPassword(credential.passwordHash, input.currentPassword))) {
    await deps.limits.recordFailure(credential.email, input.ip);
    throw invalidField('currentPassword', 'The current password is incorrect.');
  }
  const weakness = passwordWeakness(input.newPassword, credential.email);
  if (weakness) throw invalidField('newPassword', weakness);
  if (input.newPassword === input.currentPassword) {
    throw invalidField('newPassword', 'The new password must differ from the current one.');
  }
  const now = new Date();
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.$transaction(async (tx) => {
    await tx.credential.update({ where: { userId: caller.userId }, data: { passwordHash, tokensValidAfter: now } });
    await enqueueMail(tx, { kind: 'PASSWORD_CHANGED', to: credential.email, userId: credential.userId, ...passwordChangedMail({ how: 'changed', at: now }) });
  });
  deps.mailQueued();
  await deps.facts.tokensValidAfter(caller.userId, now);
  return true;
}

/**
 * A person invited by email sets their first password with the link from the mail (only a login
 * without a password can: anyone else's password is theirs alone). The answer is their session;
 * the clinic's invitation itself is accepted in the app (users' `acceptMembership`), as every invitation is.
 */
export async function acceptInvitation(deps: AuthDeps, input: { token: string; password: string }): Promise<AuthPayload> {
  const link = await claimLink(deps.db, input.token, 'INVITATION');
  if (link.credential.passwordHash) throw invalidLink('INVITATION');
  const weakness = passwordWeakness(input.password, link.credential.email);
  if (weakness) throw invalidField('password', weakness);
  const passwordHash = await hashPassword(input.password);
  await deps.db.$transaction(async (tx) => {
    if (!(await markLinkUsed(tx, link.id))) throw invalidLink('INVITATION');
    await tx.credential.update({ where: { userId: link.userId }, data: { passwordHash } });
  });
  return tokenFor(deps, link.userId, null);
}

/**
 * Forgot password: the same answer (true) whether or not the address has an account; when it has
 * an active one, a one-time link valid for PASSWORD_RESET_TTL_MINUTES goes to it by email. Limited
 * per address and per network address, counted whether or not the address exists.
 */
export async function requestPasswordReset(deps: AuthDeps, input: { email: string; ip: string }): Promise<boolean> {
  const email = normalizeEmail(input.email);
  await deps.resetLimits.consume(email, input.ip);
  const credential = await deps.db.credential.findUnique({ where: { email } });
  if (!credential || credential.status !== 'ACTIVE') return true;
  const minutes = deps.config.PASSWORD_RESET_TTL_MINUTES;
  await deps.db.$transaction(async (tx) => {
    const link = await issueLink(tx, {
      userId: credential.userId,
      purpose: 'PASSWORD_RESET',
      expiresAt: new Date(Date.now() + minutes * 60_000),
    });
    await enqueueMail(tx, {
      kind: 'PASSWORD_RESET',
      to: credential.email,
      userId: credential.userId,
      ...passwordResetMail({ link: linkUrl(deps.config.CLINIC_WEB_URL, 'reset-password', link.token), minutes }),
    });
  });
  deps.mailQueued();
  return true;
}

/**
 * Sets a new password with a reset link: every session of the user ends, the login limits of the
 * account are cleared, a notice goes by email, and the person is signed in (after their second
 * factor, if they have one).
 */
export async function resetPassword(deps: AuthDeps, input: { token: string; password: string }): Promise<AuthPayload> {
  const link = await claimLink(deps.db, input.token, 'PASSWORD_RESET');
  if (link.credential.status !== 'ACTIVE') throw invalidLink('PASSWORD_RESET');
  const weakness = passwordWeakness(input.password, link.credential.email);
  if (weakness) throw invalidField('password', weakness);
  const passwordHash = await hashPassword(input.password);
  const now = new Date();
  await deps.db.$transaction(async (tx) => {
    if (!(await markLinkUsed(tx, link.id))) throw invalidLink('PASSWORD_RESET');
    await tx.credential.update({ where: { userId: link.userId }, data: { passwordHash, tokensValidAfter: now } });
    await enqueueMail(tx, {
      kind: 'PASSWORD_CHANGED',
      to: link.credential.email,
      userId: link.userId,
      ...passwordChangedMail({ how: 'reset', at: now }),
    });
  });
  deps.mailQueued();
  await deps.facts.tokensValidAfter(link.userId, now);
  await deps.limits.recordSuccess(link.credential.email);
  return tokenFor(deps, link.userId, null);
}

/** The session decision from the database: auth's own fallback and /internal/session-status. */
export async function sessionStatusFromDb(db: AuthDb, caller: Exclude<Caller, { kind: 'anonymous' }>): Promise<SessionStatus> {
  if (caller.kind === 'service') return { ok: true };
  if (caller.kind === 'client') return clientStatusFromDb(db, caller);
  const clinicId = caller.kind === 'staff' ? caller.clinicId : null;
  const [credential, revoked, clinic, membership] = await Promise.all([
    db.credential.findUnique({ where: { userId: caller.userId }, select: { status: true, tokensValidAfter: true } }),
    db.revokedToken.findUnique({ where: { jti: caller.jti }, select: { jti: true } }),
    clinicId ? db.clinicStatus.findUnique({ where: { clinicId }, select: { status: true, mfaRequired: true } }) : null,
    clinicId
      ? db.membership.findUnique({ where: { userId_clinicId: { userId: caller.userId, clinicId } }, select: { tokensValidAfter: true } })
      : null,
  ]);
  return judgeSession(caller, {
    revoked: revoked !== null,
    // a token for a user auth does not know (external IdP) is judged on revocation and clinic only
    tokensValidAfterMs: credential ? credential.tokensValidAfter.getTime() : null,
    clinicTokensValidAfterMs: membership?.tokensValidAfter?.getTime() ?? null,
    deactivated: credential?.status === 'DEACTIVATED',
    clinicSuspended: clinic?.status === 'SUSPENDED',
    clinicRequiresMfa: clinic?.mfaRequired ?? false,
  });
}

/** A registered client (a display): refused once revoked, or while its clinic is suspended. */
async function clientStatusFromDb(db: AuthDb, caller: Extract<Caller, { kind: 'client' }>): Promise<SessionStatus> {
  const [client, revoked, clinic] = await Promise.all([
    db.apiClient.findUnique({ where: { id: caller.clientId }, select: { revokedAt: true, clinicId: true } }),
    db.revokedToken.findUnique({ where: { jti: caller.jti }, select: { jti: true } }),
    db.clinicStatus.findUnique({ where: { clinicId: caller.clinicId }, select: { status: true } }),
  ]);
  return judgeSession(caller, {
    revoked: revoked !== null,
    tokensValidAfterMs: null,
    clinicTokensValidAfterMs: null,
    // unknown (deleted) or of another clinic than its token says: as good as revoked
    deactivated: !client || client.revokedAt !== null || client.clinicId !== caller.clinicId,
    clinicSuspended: clinic?.status === 'SUSPENDED',
    clinicRequiresMfa: false,
  });
}
