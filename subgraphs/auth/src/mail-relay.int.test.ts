import { startMailCatcher } from '@clinicult/mail-catcher';
import { freePort, gql } from '@clinicult/testing';
import { startTestAuth } from './__tests__/harness.js';

/** The durable mail outbox (issue 11): nothing is lost while the mail server is down. */
let auth: Awaited<ReturnType<typeof startTestAuth>>;
let smtpPort: number;
beforeAll(async () => {
  smtpPort = await freePort();
  // auth's SMTP server is down when this starts
  auth = await startTestAuth({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_MAX_ATTEMPTS: '4', MAIL_RETRY_BASE_MS: '150' });
});
afterAll(async () => {
  await auth?.stop();
});

const REQUEST = `mutation($e: String!) { requestPasswordReset(email: $e) }`;
const mailOf = (email: string) => auth.service.db.mailMessage.findFirstOrThrow({ where: { toAddress: email } });

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a mail written while the server is down is retried with backoff and delivered once it is up', async () => {
  const { email } = await auth.addUser();
  expect((await gql(auth.url, REQUEST, { e: email })).data).toEqual({ requestPasswordReset: true });
  const retried = await until(() => mailOf(email), (m) => m.attempts >= 2);
  expect(retried).toMatchObject({ status: 'PENDING', lastError: expect.stringMatching(/ECONNREFUSED/) });
  expect(retried.nextAttemptAt.getTime()).toBeGreaterThan(retried.updatedAt.getTime());

  const catcher = await startMailCatcher({ smtpPort });
  try {
    const mail = await catcher.waitFor({ to: email, timeoutMs: 8000 });
    expect(mail.links[0]).toMatch(/reset-password\?token=/);
    const sent = await until(() => mailOf(email), (m) => m.status === 'SENT');
    expect(sent.status).toBe('SENT');
    // delivered exactly once, however many rounds ran
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(catcher.messages({ to: email })).toHaveLength(1);
  } finally {
    await catcher.stop();
  }
});

test('after MAIL_MAX_ATTEMPTS the mail is FAILED and its link is dropped from the stored body', async () => {
  const { email } = await auth.addUser();
  await gql(auth.url, REQUEST, { e: email });
  const failed = await until(() => mailOf(email), (m) => m.status === 'FAILED', 15_000);
  expect(failed).toMatchObject({ status: 'FAILED', attempts: 4 });
  expect(failed.textBody).not.toMatch(/token=/);
  const metrics = await (await fetch(`${auth.service.opsUrl}/metrics`)).text();
  expect(metrics).toMatch(/mail_deliveries_total\{[^}]*outcome="failed"[^}]*\} [1-9]/);
});
