import type { CaughtMail } from './catcher.js';

/** The catcher's web page: what was sent, newest first, with its links clickable. */
const escape = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1d2733}
header{background:#17324d;color:#fff;padding:14px 24px}header h1{margin:0;font-size:18px}
header p{margin:4px 0 0;opacity:.8;font-size:13px}main{max-width:900px;margin:24px auto;padding:0 16px}
.mail{background:#fff;border:1px solid #d8dee6;border-radius:8px;margin-bottom:12px}
.mail a.head{display:block;padding:12px 16px;color:inherit;text-decoration:none}
.mail .subject{font-weight:600}.mail .meta{font-size:13px;color:#5a6878}
pre{white-space:pre-wrap;word-break:break-word;font:14px/1.5 ui-monospace,monospace;padding:16px;margin:0;border-top:1px solid #e4e9ef}
pre a{color:#0b5cad}.empty{color:#5a6878;text-align:center;padding:48px 0}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body><header><h1>Clinicult mail catcher</h1><p>Development only: mail the platform sent, kept here and delivered nowhere.</p></header>
<main>${body}</main></body></html>`;
}

function linkify(text: string): string {
  return escape(text).replace(/https?:\/\/[^\s<>"']+/g, (match) => {
    const url = match.replace(/[.,;]+$/, '');
    return `<a href="${url}">${url}</a>${match.slice(url.length)}`;
  });
}

function meta(mail: CaughtMail): string {
  return `to ${escape(mail.to.join(', '))} · from ${escape(mail.from)} · ${escape(new Date(mail.receivedAt).toLocaleString('en-GB'))}`;
}

export function renderList(mails: CaughtMail[]): string {
  if (mails.length === 0) return layout('Mail', '<p class="empty">No mail yet.</p>');
  const items = mails
    .map(
      (m) => `<article class="mail" data-to="${escape(m.to.join(' '))}"><a class="head" href="/messages/${m.id}">
<div class="subject">${escape(m.subject)}</div><div class="meta">${meta(m)}</div></a><pre>${linkify(m.text)}</pre></article>`,
    )
    .join('\n');
  return layout(`Mail (${mails.length})`, items);
}

export function renderMessage(mail: CaughtMail): string {
  return layout(
    mail.subject,
    `<p><a href="/">← all mail</a></p><article class="mail"><div class="head" style="padding:12px 16px">
<div class="subject">${escape(mail.subject)}</div><div class="meta">${meta(mail)}</div></div><pre>${linkify(mail.text)}</pre></article>`,
  );
}
