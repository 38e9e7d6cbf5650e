import { randomUUID } from 'node:crypto';
import { codes, gql } from '@clinicult/testing';
import { PASSWORD, randomIp, startTestAuth } from './__tests__/harness.js';

/** Forgot password (issue 11): a one-time, short-lived link by email; the same answer for everyone. */
let auth: Awaited<ReturnType<typeof startTestAuth>>;
beforeAll(async () => {
  auth = await startTestAuth({ PASSWORD_RESET_MAX_PER_EMAIL: '3', PASSWORD_RESET_MAX_PER_IP: '6' });
});
afterAll(async () => {
  await auth?.stop();
});

const REQUEST = `mutation($e: String!) { requestPasswordReset(email: $e) }`;
const RESET = `mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { token clinicId roles } }`;
const NEW_PASSWORD = 'Brand-new-pass-7';
const request = async (email: string, ip = randomIp()) => gql(auth.url, REQUEST, { e: email }, { headers: await auth.asClient(ip) });
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

test('known and unknown addresses get the same answer; only a known one gets a mail', async () => {
  const { email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['NURSE'] }] });
  const unknown = `nobody-${randomUUID().slice(0, 8)}@example.test`;
  const [known, stranger] = [await request(email), await request(unknown)];
  const shape = (r: typeof known) => ({ status: r.status, data: r.data, errors: r.errors });
  expect(shape(known)).toEqual(shape(stranger));
  expect(known.data).toEqual({ requestPasswordReset: true });
  const mail = await auth.mail.waitFor({ to: email });
  expect(mail.subject).toBe('Reset your Clinicult password');
  expect(mail.links[0]).toMatch(/^http:\/\/localhost:3000\/reset-password\?token=/);
  expect(mail.text).toContain('for 30 minutes');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(auth.mail.messages({ to: unknown })).toEqual([]);
});

test('a reset ends every session, works once, sends a notice, and the new password signs in', async () => {
  const { email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['DOCTOR'] }] });
  const before = (await auth.login(email)).data!.login.token;
  await request(email);
  const link = (await auth.mail.waitFor({ to: email, subject: 'Reset' })).links[0]!;
  const weak = await gql(auth.url, RESET, { t: tokenOf(link), p: 'weak' });
  expect(weak.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'password' }] });
  // a refused reset changes nothing: the old password and the link still work
  expect((await auth.login(email)).errors).toBeUndefined();
  const reset = await gql(auth.url, RESET, { t: tokenOf(link), p: NEW_PASSWORD });
  expect(reset.errors).toBeUndefined();
  expect(reset.data!.resetPassword.token).toEqual(expect.any(String));
  const old = await gql(auth.url, `mutation { logout }`, {}, { token: before });
  expect(old.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  expect(codes(await auth.login(email, PASSWORD))).toEqual(['UNAUTHENTICATED']);
  expect((await auth.login(email, NEW_PASSWORD)).errors).toBeUndefined();
  expect(codes(await gql(auth.url, RESET, { t: tokenOf(link), p: 'Third-pass-9x' }))).toEqual(['BAD_USER_INPUT']);
  await auth.mail.waitFor({ to: email, subject: 'Your Clinicult password was changed' });
});

test('only the newest reset link works, and not after it expires', async () => {
  const { email, userId } = await auth.addUser();
  await request(email);
  const first = (await auth.mail.waitFor({ to: email, subject: 'Reset' })).links[0]!;
  const firstId = auth.mail.messages({ to: email })[0]!.id;
  await request(email);
  let second: string | undefined;
  for (let i = 0; i < 100 && !second; i += 1) {
    second = auth.mail.messages({ to: email, after: firstId })[0]?.links[0];
    if (!second) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(codes(await gql(auth.url, RESET, { t: tokenOf(first), p: NEW_PASSWORD }))).toEqual(['BAD_USER_INPUT']);
  await auth.service.db.accountLink.updateMany({ where: { userId, usedAt: null, revokedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
  expect(codes(await gql(auth.url, RESET, { t: tokenOf(second!), p: NEW_PASSWORD }))).toEqual(['BAD_USER_INPUT']);
  expect((await auth.login(email, PASSWORD)).errors).toBeUndefined();
});

test('requests are limited per address, counted alike whether or not the address exists', async () => {
  const { email } = await auth.addUser();
  const unknown = `ghost-${randomUUID().slice(0, 8)}@example.test`;
  for (const address of [email, unknown]) {
    for (let i = 0; i < 3; i += 1) expect((await request(address)).data).toEqual({ requestPasswordReset: true });
    const limited = await request(address);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  }
});

test('requests are limited per network address across addresses', async () => {
  const ip = randomIp();
  for (let i = 0; i < 6; i += 1) expect((await request(`spray-${i}-${randomUUID().slice(0, 6)}@example.test`, ip)).errors).toBeUndefined();
  expect(codes(await request(`spray-x@example.test`, ip))).toEqual(['TOO_MANY_REQUESTS']);
  expect(codes(await request('not an email'))).toEqual(['BAD_USER_INPUT']);
});
