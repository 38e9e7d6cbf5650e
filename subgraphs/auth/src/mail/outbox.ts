import { randomUUID } from 'node:crypto';
import type { MailKind } from '../generated/prisma/client.js';
import type { AuthTx } from '../db.js';
import type { Mail } from './messages.js';

/**
 * The durable mail outbox (DESIGN.md: a durable mail outbox in auth). A mail is a row written in
 * the same transaction as the decision to send it (the link it carries, the invitation), so
 * either both exist or neither; the relay (relay.ts) delivers it afterwards, retrying.
 */
export interface OutgoingMail extends Mail {
  kind: MailKind;
  to: string;
  userId?: string | null;
  clinicId?: string | null;
  invitationId?: string | null;
}

export async function enqueueMail(tx: AuthTx, mail: OutgoingMail): Promise<string> {
  const id = randomUUID();
  await tx.mailMessage.create({
    data: {
      id,
      kind: mail.kind,
      toAddress: mail.to,
      subject: mail.subject,
      textBody: mail.text,
      userId: mail.userId ?? null,
      clinicId: mail.clinicId ?? null,
      invitationId: mail.invitationId ?? null,
      nextAttemptAt: new Date(),
    },
  });
  return id;
}
