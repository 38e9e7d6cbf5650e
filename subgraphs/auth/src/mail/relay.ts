import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '@clinicult/kit';
import { Prisma, type AuthDb } from '../db.js';
import { withoutLinks } from './messages.js';

/**
 * Delivers the mail outbox over SMTP (nodemailer, `SMTP_URL`). Each round claims a batch of due
 * rows with `FOR UPDATE SKIP LOCKED` and a lease (so several auth replicas share the work and a
 * relay that dies mid-batch only delays its rows), then sends outside any transaction.
 *
 * - sent → SENT; the stored body loses its links (the only copy of a token was in it);
 * - a permanent refusal (SMTP 5xx: no such mailbox, relaying denied) → FAILED at once;
 * - anything else (server down, timeouts, 4xx) → retried with exponential backoff and jitter,
 *   FAILED after `maxAttempts`. A FAILED invitation shows as "not delivered" with a resend.
 * Times are compared on the database's clock (UTC_TIMESTAMP) so replicas' clocks do not matter.
 */
export interface MailRelayOptions {
  db: AuthDb;
  smtpUrl: string;
  from: string;
  logger: Logger;
  registry: Registry;
  intervalMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  batchSize?: number;
  leaseMs?: number;
}

interface ClaimedMail {
  id: string;
  toAddress: string;
  subject: string;
  textBody: string;
  attempts: number;
}

export class MailRelay {
  private readonly transport: Transporter;
  private readonly instance = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly sent: Counter;
  private readonly backlog: Gauge;

  constructor(private readonly options: MailRelayOptions) {
    // short timeouts: a mail server that hangs must not hold a round (the next round retries)
    this.transport = nodemailer.createTransport(options.smtpUrl, {
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      socketTimeout: 10_000,
    } as never);
    this.sent = new Counter({
      name: 'mail_deliveries_total',
      help: 'Mail delivery attempts by outcome (sent, retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [options.registry],
    });
    const db = options.db;
    this.backlog = new Gauge({
      name: 'mail_outbox_pending',
      help: 'Mail waiting in the outbox',
      registers: [options.registry],
      async collect() {
        this.set(await db.mailMessage.count({ where: { status: 'PENDING' } }).catch(() => 0));
      },
    });
  }

  start(): void {
    this.schedule(0);
  }

  /** Sends what is due now; resolves with how many rows it worked. Tests call it directly. */
  async runOnce(): Promise<number> {
    const batch = await this.claim();
    for (const mail of batch) await this.deliver(mail);
    return batch.length;
  }

  /** Mail was just enqueued: a round now rather than at the next tick (a round in progress finds it next). */
  kick(): void {
    if (!this.running) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.options.logger.warn({ err }, 'mail relay: round failed'))
        .finally(() => {
          this.running = null;
          this.schedule(this.options.intervalMs);
        });
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.transport.close();
  }

  private async claim(): Promise<ClaimedMail[]> {
    const { db } = this.options;
    const batchSize = this.options.batchSize ?? 20;
    const leaseMs = this.options.leaseMs ?? 60_000;
    return db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<ClaimedMail[]>`
          SELECT id, toAddress, subject, textBody, attempts FROM MailMessage
          WHERE status = 'PENDING' AND nextAttemptAt <= UTC_TIMESTAMP(3)
            AND (claimedUntil IS NULL OR claimedUntil <= UTC_TIMESTAMP(3))
          ORDER BY nextAttemptAt, id
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED`;
        if (rows.length > 0) {
          await tx.$executeRaw`
            UPDATE MailMessage SET claimedUntil = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ${leaseMs * 1000} MICROSECOND)
            WHERE id IN (${Prisma.join(rows.map((r) => r.id))})`;
        }
        return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
      },
      { isolationLevel: Prisma.TransactionIsolationLevel.ReadCommitted, timeout: 10_000 },
    );
  }

  private async deliver(mail: ClaimedMail): Promise<void> {
    const { db, logger } = this.options;
    const attempts = mail.attempts + 1;
    try {
      await this.transport.sendMail({ from: this.options.from, to: mail.toAddress, subject: mail.subject, text: mail.textBody });
      await db.mailMessage.update({
        where: { id: mail.id },
        data: { status: 'SENT', attempts, sentAt: new Date(), claimedUntil: null, lastError: null, textBody: withoutLinks(mail.textBody) },
      });
      this.sent.inc({ outcome: 'sent' });
      logger.info({ mailId: mail.id, attempts }, 'mail sent');
    } catch (error) {
      const { permanent, message } = describeFailure(error);
      const failed = permanent || attempts >= this.options.maxAttempts;
      const delayMs = Math.round(this.options.retryBaseMs * 2 ** (attempts - 1) * (0.75 + Math.random() * 0.5));
      await db.mailMessage.update({
        where: { id: mail.id },
        data: {
          attempts,
          lastError: message.slice(0, 500),
          claimedUntil: null,
          ...(failed
            ? { status: 'FAILED', textBody: withoutLinks(mail.textBody) }
            : { nextAttemptAt: new Date(Date.now() + delayMs) }),
        },
      });
      this.sent.inc({ outcome: failed ? 'failed' : 'retry' });
      logger[failed ? 'error' : 'warn'](
        { mailId: mail.id, attempts, permanent, err: message },
        failed ? 'mail not delivered: giving up' : 'mail not delivered yet: will retry',
      );
    }
  }
}

/** SMTP 5xx answers are permanent (RFC 5321 §4.2.1); everything else may heal. */
export function describeFailure(error: unknown): { permanent: boolean; message: string } {
  const e = error as { responseCode?: number; response?: string; message?: string; code?: string };
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
  const message = e.response ?? e.message ?? String(error);
  return { permanent, message: e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message };
}
