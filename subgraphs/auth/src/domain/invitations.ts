import { DataLoader, invalidField } from '@clinicult/kit';
import type { Caller } from '@clinicult/rbac';
import type { MailMessage } from '../generated/prisma/client.js';
import type { AuthDb, AuthTx } from '../db.js';
import type { AuthDeps } from '../deps.js';
import { invitationMail, membershipInvitationMail } from '../mail/messages.js';
import { enqueueMail } from '../mail/outbox.js';
import { issueLink, linkUrl } from './links.js';

/**
 * The mail of an invitation (issue 11). users owns the invitation (who, which clinic, which
 * roles, its expiry, its acceptance); auth owns the login and the mail. users' identity events
 * (invitation.sent, invitation.closed; domain/identity.ts) have auth send, resend and withdraw it; auth decides what the mail says from the login it holds, so users — and the
 * inviting ADMIN — never learn whether the address already had an account:
 *  - a login without a password (a new person): a one-time link to choose the password;
 *  - a login with one: "sign in and accept the invitation" (the app lists it).
 * A resend supersedes the earlier link. Nothing is returned but `true`.
 */
export interface SendInvitationInput {
  invitationId: string;
  userId: string;
  clinicId: string;
  clinicName: string;
  roles: string[];
  inviterName: string;
  expiresAt: Date;
}

/** What sending an invitation's mail needs of auth. */
export type InvitationMailDeps = Pick<AuthDeps, 'db' | 'mailQueued'> & { config: Pick<AuthDeps['config'], 'CLINIC_WEB_URL'> };

/**
 * Writes the invitation's mail (and link) to the mail outbox. `within` runs in the same
 * transaction (the identity consumer records there that this sending was applied, so a replay
 * sends nothing).
 */
export async function sendInvitation(
  deps: InvitationMailDeps,
  input: SendInvitationInput,
  within?: (tx: AuthTx) => Promise<unknown>,
): Promise<boolean> {
  const credential = await deps.db.credential.findUnique({ where: { userId: input.userId } });
  if (!credential) throw invalidField('userId', 'Unknown user: create the login first.');
  if (input.expiresAt.getTime() <= Date.now()) throw invalidField('expiresAt', 'The invitation has already expired.');
  await deps.db.$transaction(async (tx) => {
    await within?.(tx);
    // a deactivated login cannot sign in, an operator never joins a clinic: nothing to send, and the same answer
    if (credential.status !== 'ACTIVE' || credential.isOperator) return;
    if (!credential.passwordHash) {
      const link = await issueLink(tx, {
        userId: credential.userId,
        purpose: 'INVITATION',
        clinicId: input.clinicId,
        invitationId: input.invitationId,
        expiresAt: input.expiresAt,
      });
      await enqueueMail(tx, {
        kind: 'INVITATION',
        to: credential.email,
        userId: credential.userId,
        clinicId: input.clinicId,
        invitationId: input.invitationId,
        ...invitationMail({ ...input, link: linkUrl(deps.config.CLINIC_WEB_URL, 'accept-invitation', link.token), expiresAt: link.expiresAt }),
      });
    } else {
      await tx.accountLink.updateMany({ where: { invitationId: input.invitationId, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
      await enqueueMail(tx, {
        kind: 'MEMBERSHIP_INVITATION',
        to: credential.email,
        userId: credential.userId,
        clinicId: input.clinicId,
        invitationId: input.invitationId,
        ...membershipInvitationMail({ ...input, link: linkUrl(deps.config.CLINIC_WEB_URL, 'invitations') }),
      });
    }
  });
  deps.mailQueued();
  return true;
}

/** The invitation was withdrawn or answered: its link stops working. */
export async function revokeInvitationLinks(db: AuthDb | AuthTx, invitationId: string): Promise<boolean> {
  await db.accountLink.updateMany({ where: { invitationId, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  return true;
}

export type DeliveryStatus = 'QUEUED' | 'SENT' | 'FAILED';

export interface Delivery {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  queuedAt: Date;
}

/**
 * The newest mail of each invitation, as the caller may see it: staff only their clinic's, an
 * operator any (delivery facts only, never the text).
 */
export function deliveryLoader(db: AuthDb, caller: Caller): DataLoader<string, Delivery | null> {
  return new DataLoader(async (ids: readonly string[]) => {
    const clinicScope = caller.kind === 'staff' ? { clinicId: caller.clinicId } : caller.kind === 'operator' ? {} : null;
    if (!clinicScope) return ids.map(() => null);
    const rows = await db.mailMessage.findMany({
      where: { invitationId: { in: [...ids] }, ...clinicScope },
      orderBy: { createdAt: 'desc' },
      select: { invitationId: true, status: true, attempts: true, lastError: true, sentAt: true, createdAt: true },
    });
    const newest = new Map<string, Pick<MailMessage, 'status' | 'attempts' | 'lastError' | 'sentAt' | 'createdAt'>>();
    for (const row of rows) if (row.invitationId && !newest.has(row.invitationId)) newest.set(row.invitationId, row);
    return ids.map((id) => {
      const row = newest.get(id);
      if (!row) return null;
      const status: DeliveryStatus = row.status === 'PENDING' ? 'QUEUED' : row.status;
      return { status, attempts: row.attempts, lastError: row.lastError, sentAt: row.sentAt, queuedAt: row.createdAt };
    });
  });
}

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'REVOKED' | 'NOT_DELIVERED';

/** One status for the people who follow an invitation: what users knows, and whether the mail went. */
export function invitationStatus(
  invitation: { acceptedAt?: string | Date | null; declinedAt?: string | Date | null; revokedAt?: string | Date | null; expiresAt?: string | Date | null },
  delivery: Delivery | null,
  now = Date.now(),
): InvitationStatus {
  if (invitation.acceptedAt) return 'ACCEPTED';
  if (invitation.declinedAt) return 'DECLINED';
  if (invitation.revokedAt) return 'REVOKED';
  if (invitation.expiresAt && new Date(invitation.expiresAt).getTime() < now) return 'EXPIRED';
  if (delivery?.status === 'FAILED') return 'NOT_DELIVERED';
  return 'PENDING';
}
