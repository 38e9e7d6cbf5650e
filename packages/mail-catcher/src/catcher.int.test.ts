import nodemailer from 'nodemailer';
import { fetchMail, startMailCatcher, type MailCatcher } from './index.js';

let catcher: MailCatcher;
beforeAll(async () => {
  catcher = await startMailCatcher({ rejectRecipients: /@nowhere\.test$/ });
});
afterAll(async () => {
  await catcher.stop();
});

const transport = () => nodemailer.createTransport(catcher.smtpUrl);

test('keeps what a real SMTP client sends and finds its links', async () => {
  await transport().sendMail({
    from: 'Clinicult <no-reply@clinicult.test>',
    to: 'Nurse.New@Example.test',
    subject: 'You are invited to Demo Clinic',
    text: 'Set your password: http://localhost:3000/accept-invitation?token=abc_DEF-123.\nThanks',
  });
  const mail = await catcher.waitFor({ to: 'nurse.new@example.test' });
  expect(mail).toMatchObject({ to: ['nurse.new@example.test'], from: 'no-reply@clinicult.test', subject: 'You are invited to Demo Clinic' });
  expect(mail.links).toEqual(['http://localhost:3000/accept-invitation?token=abc_DEF-123']);
  // the JSON API answers the same, for a catcher in another process
  const listed = await fetchMail(catcher.webUrl, { to: 'nurse.new@example.test' });
  expect(listed.map((m) => m.id)).toEqual([mail.id]);
  // the page shows it with the link clickable
  const page = await (await fetch(catcher.webUrl)).text();
  expect(page).toContain('You are invited to Demo Clinic');
  expect(page).toContain('<a href="http://localhost:3000/accept-invitation?token=abc_DEF-123">');
});

test('refuses configured recipients with a permanent error, as a real server refuses an unknown mailbox', async () => {
  const sending = transport().sendMail({ from: 'no-reply@clinicult.test', to: 'ghost@nowhere.test', subject: 'x', text: 'x' });
  await expect(sending).rejects.toMatchObject({ responseCode: 550 });
  expect(catcher.messages({ to: 'ghost@nowhere.test' })).toEqual([]);
});

test('waitFor times out with a clear message when nothing arrives', async () => {
  await expect(catcher.waitFor({ to: 'nobody@example.test', timeoutMs: 200 })).rejects.toThrow(/no mail/);
});

test('waitFor wakes when the mail arrives later', async () => {
  const waiting = catcher.waitFor({ to: 'late@example.test', subject: /reset/i, timeoutMs: 5000 });
  await transport().sendMail({ from: 'no-reply@clinicult.test', to: 'late@example.test', subject: 'Reset your password', text: 'http://x.test/r?t=1' });
  await expect(waiting).resolves.toMatchObject({ subject: 'Reset your password', links: ['http://x.test/r?t=1'] });
});
