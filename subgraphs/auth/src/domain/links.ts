import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { invalidField } from '@clinicult/kit';
import type { LinkPurpose } from '../generated/prisma/client.js';
import type { AuthDb, AuthTx } from '../db.js';

/**
 * One-time account links (an invitation's "choose your password", a password reset). The token
 * exists only in the mail that carries it: auth keeps its sha256, no API returns it, and the mail
 * outbox drops it from the body once sent (DESIGN.md: links go only to the person by email).
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface IssuedLink {
  token: string;
  expiresAt: Date;
}

/**
 * A new link, superseding the open ones it replaces: the same invitation's (a resend), or for a
 * reset every earlier reset link of the user, so only the newest mail works.
 */
export async function issueLink(
  tx: AuthTx,
  input: { userId: string; purpose: LinkPurpose; clinicId?: string | null; invitationId?: string | null; expiresAt: Date },
): Promise<IssuedLink> {
  const supersedes =
    input.purpose === 'PASSWORD_RESET'
      ? { userId: input.userId, purpose: input.purpose }
      : input.invitationId
        ? { invitationId: input.invitationId }
        : null;
  if (supersedes) {
    await tx.accountLink.updateMany({ where: { ...supersedes, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  }
  const token = randomBytes(32).toString('base64url');
  await tx.accountLink.create({
    data: {
      id: randomUUID(),
      tokenHash: hashToken(token),
      purpose: input.purpose,
      userId: input.userId,
      clinicId: input.clinicId ?? null,
      invitationId: input.invitationId ?? null,
      expiresAt: input.expiresAt,
    },
  });
  return { token, expiresAt: input.expiresAt };
}

export function invalidLink(purpose: LinkPurpose) {
  const what = purpose === 'PASSWORD_RESET' ? 'reset link' : 'invitation link';
  return invalidField('token', `This ${what} is invalid, already used or expired. Ask for a new one.`);
}

/**
 * Claims a link for `purpose` exactly once: two tabs using it at once, one wins. Returns the link
 * (with its credential), or refuses with BAD_USER_INPUT naming `token`.
 */
export async function claimLink(db: AuthDb, token: string, purpose: LinkPurpose) {
  if (!token || token.length > 200) throw invalidLink(purpose);
  const link = await db.accountLink.findUnique({ where: { tokenHash: hashToken(token) }, include: { credential: true } });
  if (!link || link.purpose !== purpose || link.usedAt || link.revokedAt || link.expiresAt.getTime() < Date.now()) {
    throw invalidLink(purpose);
  }
  return link;
}

/** Marks the link used if it still is unused; false when another request used it first. */
export async function markLinkUsed(tx: AuthTx, linkId: string): Promise<boolean> {
  const claimed = await tx.accountLink.updateMany({ where: { id: linkId, usedAt: null, revokedAt: null }, data: { usedAt: new Date() } });
  return claimed.count === 1;
}

export function linkUrl(base: string, path: string, token?: string): string {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
