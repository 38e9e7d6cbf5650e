import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { renderMessage, renderList } from './page.js';

/**
 * A mail catcher: a real SMTP server (nodemailer's smtp-server) that keeps every message it
 * accepts in memory and shows them on a small web page, so a person running the platform locally
 * can open the invitation and reset links auth sends, and tests can read them the same way.
 * Nothing is delivered anywhere.
 *
 *   const catcher = await startMailCatcher();           // free ports on 127.0.0.1
 *   startAuth({ SMTP_URL: catcher.smtpUrl });
 *   const mail = await catcher.waitFor({ to: 'new.doctor@example.com' });
 *   const link = mail.links[0];
 */
export interface CaughtMail {
  id: string;
  /** envelope recipients, lower-case */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string | null;
  /** every http(s) URL in the text part, in order */
  links: string[];
  receivedAt: string;
}

export interface MailCatcherOptions {
  host?: string;
  /** 0 (default): any free port */
  smtpPort?: number;
  webPort?: number;
  /**
   * Recipients the server refuses with a permanent error (550), as a real server refuses an
   * unknown mailbox: how tests and demos see a delivery that fails.
   */
  rejectRecipients?: RegExp;
  /** the most messages kept (oldest dropped first); default 500 */
  keep?: number;
}

export interface MailQuery {
  to?: string;
  subject?: RegExp | string;
  /** only messages received after this one (by id) */
  after?: string;
}

export interface MailCatcher {
  smtpUrl: string;
  webUrl: string;
  messages(query?: MailQuery): CaughtMail[];
  /** Resolves with the first matching message (newest first), waiting up to `timeoutMs` (default 10 s). */
  waitFor(query: MailQuery & { timeoutMs?: number }): Promise<CaughtMail>;
  clear(): void;
  stop(): Promise<void>;
}

const LINK = /https?:\/\/[^\s<>"')\]]+/g;

export function linksIn(text: string): string[] {
  return [...text.matchAll(LINK)].map((m) => m[0].replace(/[.,;]+$/, ''));
}

export function matches(mail: CaughtMail, query: MailQuery): boolean {
  if (query.to && !mail.to.includes(query.to.trim().toLowerCase())) return false;
  if (query.subject) {
    const ok = typeof query.subject === 'string' ? mail.subject.includes(query.subject) : query.subject.test(mail.subject);
    if (!ok) return false;
  }
  return true;
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 500;
  const store: CaughtMail[] = [];
  const waiters = new Set<() => void>();

  const select = (query: MailQuery = {}): CaughtMail[] => {
    let list = [...store].reverse();
    if (query.after) {
      const at = list.findIndex((m) => m.id === query.after);
      if (at !== -1) list = list.slice(0, at);
    }
    return list.filter((m) => matches(m, query));
  };

  const smtp = new SMTPServer({
    // development and tests only, on loopback: no TLS, no authentication
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    banner: 'Clinicult mail catcher',
    size: 5 * 1024 * 1024,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipients?.test(address.address)) {
        const error = Object.assign(new Error(`Mailbox ${address.address} does not exist`), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const text = parsed.text ?? '';
          store.push({
            id: randomUUID(),
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: typeof session.envelope.mailFrom === 'object' && session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text,
            html: typeof parsed.html === 'string' ? parsed.html : null,
            links: linksIn(text),
            receivedAt: new Date().toISOString(),
          });
          if (store.length > keep) store.splice(0, store.length - keep);
          for (const wake of waiters) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, host, () => resolve());
  });
  smtp.on('error', () => undefined); // a client that hangs up mid-session is not our problem
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const web = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://catcher');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method === 'GET' && url.pathname === '/healthz') {
      send(200, 'application/json', JSON.stringify({ status: 'ok', service: 'mail-catcher', smtp: smtpPort }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/messages') {
      const to = url.searchParams.get('to') ?? undefined;
      const subject = url.searchParams.get('subject') ?? undefined;
      send(200, 'application/json', JSON.stringify(select({ ...(to ? { to } : {}), ...(subject ? { subject } : {}) })));
      return;
    }
    if (req.method === 'DELETE' && url.pathname === '/api/messages') {
      store.length = 0;
      send(204, 'text/plain', '');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/') {
      send(200, 'text/html; charset=utf-8', renderList(select()));
      return;
    }
    const one = /^\/messages\/([0-9a-f-]{36})$/.exec(url.pathname);
    const mail = one ? store.find((m) => m.id === one[1]) : undefined;
    if (req.method === 'GET' && mail) {
      send(200, 'text/html; charset=utf-8', renderMessage(mail));
      return;
    }
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => web.listen(options.webPort ?? 0, host, resolve));
  const webPort = (web.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    webUrl: `http://${host}:${webPort}`,
    messages: select,
    async waitFor(query) {
      const deadline = Date.now() + (query.timeoutMs ?? 10_000);
      for (;;) {
        const found = select(query)[0];
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail ${JSON.stringify({ to: query.to, subject: String(query.subject ?? '') })} arrived in time`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    clear() {
      store.length = 0;
    },
    async stop() {
      await Promise.all([
        new Promise<void>((resolve) => smtp.close(() => resolve())),
        new Promise<void>((resolve) => {
          web.closeAllConnections();
          web.close(() => resolve());
        }),
      ]);
    },
  };
}

/** Reads a catcher that runs in another process (npm start's), over its JSON API. */
export async function fetchMail(webUrl: string, query: { to?: string; subject?: string } = {}): Promise<CaughtMail[]> {
  const url = new URL('/api/messages', webUrl);
  if (query.to) url.searchParams.set('to', query.to);
  if (query.subject) url.searchParams.set('subject', query.subject);
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`the mail catcher at ${webUrl} answered ${response.status}`);
  return (await response.json()) as CaughtMail[];
}
