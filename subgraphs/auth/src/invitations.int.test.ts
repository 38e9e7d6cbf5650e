import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@clinicult/events';
import { codes, gql } from '@clinicult/testing';
import { PASSWORD, startTestAuth } from './__tests__/harness.js';

/**
 * auth's side of an invitation (issue 11): the mail and its link, never a token in an answer.
 * users sends them as identity events (invitation.sent, invitation.closed; issue 13).
 */
let auth: Awaited<ReturnType<typeof startTestAuth>>;
let svc: string;
const clinic = randomUUID();

beforeAll(async () => {
  auth = await startTestAuth();
  svc = (await auth.serviceToken('users')).body.access_token!;
});
afterAll(async () => {
  await auth?.stop();
});

const ACCEPT = `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token clinicId roles } }`;
const STATUS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Invitation { id status delivery { status attempts lastError sentAt } } } }`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** users (re)sends the invitation: an event on the identity stream, resolved once auth applied it. */
async function send(invitationId: string, user: { userId: string; email: string }, at = new Date()): Promise<EventEnvelope> {
  return auth.identity('invitation.sent', {
    invitationId,
    userId: user.userId,
    email: user.email,
    clinicId: clinic,
    clinicName: 'Clínica Norte',
    roles: ['DOCTOR'],
    inviterName: 'Alicia Romero',
    expiresAt: inDays(3),
    at: at.toISOString(),
  });
}

/** users withdrew the invitation, or the person declined it. */
async function close(invitationId: string, userId: string, at = new Date()): Promise<EventEnvelope> {
  return auth.identity('invitation.closed', { invitationId, userId, clinicId: clinic, at: at.toISOString() });
}

function tokenOf(link: string): string {
  return new URL(link).searchParams.get('token')!;
}

test('a new person gets a one-time link by mail; the link sets the password once', async () => {
  const { userId, email } = await auth.addUser({ password: null });
  const invitationId = randomUUID();
  await send(invitationId, { userId, email });
  const mail = await auth.mail.waitFor({ to: email });
  expect(mail.subject).toBe('You are invited to Clínica Norte on Clinicult');
  expect(mail.text).toContain('Alicia Romero invited you to join Clínica Norte on Clinicult as Doctor.');
  const link = mail.links[0]!;
  expect(link).toMatch(/^http:\/\/localhost:3000\/accept-invitation\?token=[A-Za-z0-9_-]{43}$/);
  // the link is not stored readable: only its sha256, and the sent mail's body lost it
  const row = await auth.service.db.accountLink.findFirstOrThrow({ where: { invitationId } });
  expect(row.tokenHash).not.toContain(tokenOf(link));
  await waitFor(async () => (await auth.service.db.mailMessage.findFirstOrThrow({ where: { invitationId } })).status === 'SENT');
  const stored = await auth.service.db.mailMessage.findFirstOrThrow({ where: { invitationId } });
  expect(stored.textBody).not.toContain(tokenOf(link));
  expect(stored.textBody).toContain('[link removed after delivery]');

  expect(codes(await gql(auth.url, ACCEPT, { t: tokenOf(link), p: 'password' }))).toEqual(['BAD_USER_INPUT']);
  const accepted = await gql(auth.url, ACCEPT, { t: tokenOf(link), p: PASSWORD });
  expect(accepted.errors).toBeUndefined();
  // no membership yet: the clinic's invitation is accepted in the app (users), so the token is unscoped
  expect(accepted.data!.acceptInvitation).toMatchObject({ clinicId: null, roles: [] });
  const reused = await gql(auth.url, ACCEPT, { t: tokenOf(link), p: 'Another-pass-3' });
  expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'token' }] });
  expect((await auth.login(email, PASSWORD)).errors).toBeUndefined();
});

test('a person who already signs in gets "sign in and accept", with no link that sets a password', async () => {
  const { userId, email } = await auth.addUser();
  const invitationId = randomUUID();
  await send(invitationId, { userId, email });
  const mail = await auth.mail.waitFor({ to: email });
  expect(mail.subject).toBe('Clínica Norte invites you to join on Clinicult');
  expect(mail.links).toEqual(['http://localhost:3000/invitations']);
  expect(await auth.service.db.accountLink.count({ where: { userId } })).toBe(0);
});

test('an operator or a deactivated login gets no invitation mail', async () => {
  const operator = await auth.addUser({ operator: true });
  const deactivated = await auth.addUser();
  await auth.service.db.credential.update({ where: { userId: deactivated.userId }, data: { status: 'DEACTIVATED' } });
  for (const who of [operator, deactivated]) await send(randomUUID(), who);
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(auth.mail.messages({ to: operator.email })).toEqual([]);
  expect(auth.mail.messages({ to: deactivated.email })).toEqual([]);
});

test('a resend supersedes the earlier link; a withdrawn invitation\'s link stops working', async () => {
  const user = await auth.addUser({ password: null });
  const { email } = user;
  const invitationId = randomUUID();
  await send(invitationId, user);
  const first = tokenOf((await auth.mail.waitFor({ to: email })).links[0]!);
  const seen = auth.mail.messages({ to: email })[0]!.id;
  await send(invitationId, user);
  const second = tokenOf((await waitForNewMail(email, seen)).links[0]!);
  expect(second).not.toBe(first);
  expect(codes(await gql(auth.url, ACCEPT, { t: first, p: PASSWORD }))).toEqual(['BAD_USER_INPUT']);
  await close(invitationId, user.userId);
  expect(codes(await gql(auth.url, ACCEPT, { t: second, p: PASSWORD }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await auth.login(email, PASSWORD))).toEqual(['UNAUTHENTICATED']);
});

test('an address the mail server refuses shows as NOT_DELIVERED to the clinic, and to no other clinic', async () => {
  const bouncing = await auth.addUser({ password: null, email: `nobody-${randomUUID().slice(0, 6)}@bounce.test` });
  const invitationId = randomUUID();
  await send(invitationId, bouncing);
  await waitFor(async () => (await auth.service.db.mailMessage.findFirstOrThrow({ where: { invitationId } })).status === 'FAILED');
  const admin = await auth.addUser({ memberships: [{ clinicId: clinic, roles: ['ADMIN'] }] });
  const adminToken = (await auth.login(admin.email)).data!.login.token;
  const representation = { __typename: 'Invitation', id: invitationId, expiresAt: inDays(3), acceptedAt: null, declinedAt: null, revokedAt: null };
  const seen = await gql(auth.url, STATUS, { r: [representation] }, { token: adminToken });
  expect(seen.errors).toBeUndefined();
  expect(seen.data!._entities[0]).toMatchObject({
    status: 'NOT_DELIVERED',
    delivery: { status: 'FAILED', attempts: 1, lastError: expect.stringContaining('does not exist') },
  });
  const stranger = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['ADMIN'] }] });
  const strangerToken = (await auth.login(stranger.email)).data!.login.token;
  const hidden = await gql(auth.url, STATUS, { r: [representation] }, { token: strangerToken });
  expect(hidden.data!._entities[0]).toEqual({ id: invitationId, status: 'PENDING', delivery: null });
});

test('a person new to Clinicult gets their login from the event: keyed by user id, unique by email, created once', async () => {
  const userId = randomUUID();
  const email = `new-${userId.slice(0, 8)}@example.test`;
  const invitationId = randomUUID();
  await send(invitationId, { userId, email: email.toUpperCase() });
  const credential = await auth.service.db.credential.findUniqueOrThrow({ where: { userId } });
  expect(credential).toMatchObject({ email, passwordHash: null, isOperator: false, status: 'ACTIVE' });
  expect((await auth.mail.waitFor({ to: email })).links[0]).toMatch(/accept-invitation\?token=/);
  // another user's invitation naming the same address is poison: parked, no login moves, no mail
  const intruder = randomUUID();
  const before = auth.mail.messages({ to: email }).length;
  await expect(send(randomUUID(), { userId: intruder, email })).rejects.toThrow(/did not apply/);
  expect(await auth.service.db.credential.findUnique({ where: { userId: intruder } })).toBeNull();
  expect(await auth.service.db.credential.count({ where: { email } })).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(auth.mail.messages({ to: email })).toHaveLength(before);
});

test('a replayed sending mails nothing twice; a sending older than the withdrawal issues no link', async () => {
  const user = await auth.addUser({ password: null });
  const invitationId = randomUUID();
  const sentAt = new Date(Date.now() - 60_000);
  const sent = await send(invitationId, user, sentAt);
  await auth.mail.waitFor({ to: user.email });
  // the same event again (same id: the bus drops it) and re-sent under a new id (auth holds that sending already)
  await auth.identity('invitation.sent', sent.payload as never, sent);
  await auth.identity('invitation.sent', sent.payload as never);
  await close(invitationId, user.userId);
  // a retry of the old sending, arriving after the withdrawal
  await send(invitationId, user, sentAt);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(auth.mail.messages({ to: user.email })).toHaveLength(1);
  expect(await auth.service.db.mailMessage.count({ where: { invitationId } })).toBe(1);
  expect(await auth.service.db.accountLink.count({ where: { invitationId, revokedAt: null } })).toBe(0);
});

test('no API sends, resends or withdraws invitations, nor writes a login: only the identity stream does', async () => {
  const { userId, email } = await auth.addUser({ password: null });
  const staff = await auth.addUser({ memberships: [{ clinicId: clinic, roles: ['ADMIN'] }] });
  const staffToken = (await auth.login(staff.email)).data!.login.token;
  const removed = [
    `mutation($u: ID!) { sendInvitation(invitationId: "${randomUUID()}", userId: $u, clinicId: "${clinic}", clinicName: "X", roles: ["DOCTOR"], inviterName: "X", expiresAt: "${inDays(3)}") }`,
    `mutation($u: ID!) { upsertCredential(userId: $u, email: "taken-over@example.test") }`,
    `mutation { revokeInvitationLinks(invitationId: "${randomUUID()}") }`,
  ];
  for (const mutation of removed) {
    for (const token of [svc, staffToken]) expect(codes(await gql(auth.url, mutation, { u: userId }, { token }))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  }
  expect(await auth.service.db.mailMessage.count({ where: { toAddress: email } })).toBe(0);
  expect((await auth.service.db.credential.findUniqueOrThrow({ where: { userId } })).email).toBe(email);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForNewMail(to: string, afterId: string) {
  for (let i = 0; i < 100; i += 1) {
    const newest = auth.mail.messages({ to, after: afterId })[0];
    if (newest) return newest;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no new mail to ${to}`);
}
