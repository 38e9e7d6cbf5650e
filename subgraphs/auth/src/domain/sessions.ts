import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GraphQLError } from 'graphql';
import { badInput, forbiddenError, judgeSession, type SessionStatus } from '@clinicult/kit';
import { isClinicRole, type Caller, type ClinicRole, type UserCaller } from '@clinicult/rbac';
import type { AuthDb } from '../db.js';
import type { FactsWriter } from '../facts-writer.js';
import type { LoginLimits } from '../login-limits.js';
import { hashPassword, passwordWeakness, verifyPassword } from '../passwords.js';
import type { IssuedToken, TokenIssuer } from '../token-issuer.js';

export interface AuthPayload extends IssuedToken {
  userId: string;
}

export interface SessionDeps {
  db: AuthDb;
  issuer: TokenIssuer;
  facts: FactsWriter;
  limits: LoginLimits;
}

const emailSchema = z.email({ message: 'Enter a valid email address, like name@example.com.' });

export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) throw badInput(`"${raw}" is not a valid email address.`, { field: 'email' });
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

function rolesOf(json: unknown): ClinicRole[] {
  const roles = Array.isArray(json) ? json.filter((r): r is ClinicRole => typeof r === 'string' && isClinicRole(r)) : [];
  return [...new Set(roles)].sort();
}

/** Chooses the token for a user who proved who they are (login, invitation) — DESIGN.md, login. */
async function tokenFor(deps: SessionDeps, userId: string, requestedClinicId: string | null | undefined): Promise<AuthPayload> {
  const credential = await deps.db.credential.findUnique({ where: { userId }, include: { memberships: true } });
  if (!credential) throw invalidCredentials();
  if (credential.status === 'DEACTIVATED') throw refused('USER_DEACTIVATED', 'This user account has been deactivated.');
  if (credential.isOperator && !requestedClinicId) {
    return { userId, ...(await deps.issuer.userToken(userId, { operator: true })) };
  }
  const memberships = credential.memberships.filter((m) => rolesOf(m.roles).length > 0);
  let chosen = memberships.length === 1 && !requestedClinicId ? memberships[0] : undefined;
  if (requestedClinicId) {
    chosen = memberships.find((m) => m.clinicId === requestedClinicId);
    if (!chosen) throw badInput('You are not a member of that clinic (unknown clinic or no membership).', { field: 'clinicId' });
  }
  if (!chosen) {
    if (memberships.length === 0) throw forbiddenError('This account has no clinic membership yet. Ask your clinic ADMIN.');
    // several clinics: a token good only for `me` and `switchClinic`
    return { userId, ...(await deps.issuer.userToken(userId, { unscoped: true })) };
  }
  const status = await deps.db.clinicStatus.findUnique({ where: { clinicId: chosen.clinicId } });
  if (status?.status === 'SUSPENDED') throw refused('CLINIC_SUSPENDED', 'This clinic is suspended. Contact your platform operator.');
  return { userId, ...(await deps.issuer.userToken(userId, { clinicId: chosen.clinicId, roles: rolesOf(chosen.roles) })) };
}

export async function login(
  deps: SessionDeps,
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
  const payload = await tokenFor(deps, credential.userId, input.clinicId);
  await deps.limits.recordSuccess(email);
  return payload;
}

export async function switchClinic(deps: SessionDeps, caller: UserCaller, clinicId: string): Promise<AuthPayload> {
  return tokenFor(deps, caller.userId, clinicId);
}

export async function logout(deps: SessionDeps, caller: UserCaller): Promise<boolean> {
  await deps.db.revokedToken.upsert({
    where: { jti: caller.jti },
    create: { jti: caller.jti, userId: caller.userId, expiresAt: caller.expiresAt },
    update: {},
  });
  await deps.facts.revoked(caller.jti, caller.expiresAt);
  return true;
}

/** Moves tokensValidAfter to now: every earlier token of the user stops working on its next request. */
export async function endSessions(deps: Pick<SessionDeps, 'db' | 'facts'>, userId: string): Promise<void> {
  const now = new Date();
  await deps.db.credential.update({ where: { userId }, data: { tokensValidAfter: now } });
  await deps.facts.tokensValidAfter(userId, now);
}

export async function changePassword(
  deps: SessionDeps,
  caller: UserCaller,
  input: { currentPassword: string; newPassword: string; ip: string },
): Promise<boolean> {
  const credential = await deps.db.credential.findUnique({ where: { userId: caller.userId } });
  if (!credential) throw invalidCredentials();
  await deps.limits.assertAllowed(credential.email, input.ip);
  if (!(await verifyPassword(credential.passwordHash, input.currentPassword))) {
    await deps.limits.recordFailure(credential.email, input.ip);
    throw badInput('The current password is incorrect.', { field: 'currentPassword' });
  }
  const weakness = passwordWeakness(input.newPassword, credential.email);
  if (weakness) throw badInput(weakness, { field: 'newPassword' });
  if (input.newPassword === input.currentPassword) {
    throw badInput('The new password must differ from the current one.', { field: 'newPassword' });
  }
  const now = new Date();
  await deps.db.credential.update({
    where: { userId: caller.userId },
    data: { passwordHash: await hashPassword(input.newPassword), tokensValidAfter: now },
  });
  await deps.facts.tokensValidAfter(caller.userId, now);
  return true;
}

export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createInvitation(
  db: AuthDb,
  input: { userId: string; clinicId: string | null; ttlHours: number },
): Promise<{ token: string; expiresAt: Date }> {
  const credential = await db.credential.findUnique({ where: { userId: input.userId } });
  if (!credential) throw badInput('Unknown user: create the credential first.', { field: 'userId' });
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + input.ttlHours * 3600_000);
  await db.invitation.create({
    data: { id: randomUUID(), tokenHash: hashInvitationToken(token), userId: input.userId, clinicId: input.clinicId, expiresAt },
  });
  return { token, expiresAt };
}

export async function acceptInvitation(deps: SessionDeps, input: { token: string; password: string }): Promise<AuthPayload> {
  const invalid = () => badInput('This invitation link is invalid, already used or expired. Ask for a new one.', { field: 'token' });
  if (!input.token || input.token.length > 200) throw invalid();
  const invitation = await deps.db.invitation.findUnique({
    where: { tokenHash: hashInvitationToken(input.token) },
    include: { credential: true },
  });
  if (!invitation || invitation.usedAt || invitation.expiresAt.getTime() < Date.now()) throw invalid();
  const weakness = passwordWeakness(input.password, invitation.credential.email);
  if (weakness) throw badInput(weakness, { field: 'password' });
  const passwordHash = await hashPassword(input.password);
  // mark used only if still unused: two tabs accepting at once, exactly one wins
  const claimed = await deps.db.invitation.updateMany({
    where: { id: invitation.id, usedAt: null },
    data: { usedAt: new Date() },
  });
  if (claimed.count !== 1) throw invalid();
  await deps.db.credential.update({ where: { userId: invitation.userId }, data: { passwordHash } });
  return tokenFor(deps, invitation.userId, invitation.clinicId);
}

/** The session decision from the database: auth's own fallback and /internal/session-status. */
export async function sessionStatusFromDb(db: AuthDb, caller: Exclude<Caller, { kind: 'anonymous' }>): Promise<SessionStatus> {
  if (caller.kind === 'service') return { ok: true };
  const clinicId = caller.kind === 'staff' ? caller.clinicId : null;
  const [credential, revoked, clinic] = await Promise.all([
    db.credential.findUnique({ where: { userId: caller.userId }, select: { status: true, tokensValidAfter: true } }),
    db.revokedToken.findUnique({ where: { jti: caller.jti }, select: { jti: true } }),
    clinicId ? db.clinicStatus.findUnique({ where: { clinicId }, select: { status: true } }) : null,
  ]);
  return judgeSession(caller, {
    revoked: revoked !== null,
    // a token for a user auth does not know (external IdP) is judged on revocation and clinic only
    tokensValidAfterMs: credential ? credential.tokensValidAfter.getTime() : null,
    deactivated: credential?.status === 'DEACTIVATED',
    clinicSuspended: clinic?.status === 'SUSPENDED',
  });
}
