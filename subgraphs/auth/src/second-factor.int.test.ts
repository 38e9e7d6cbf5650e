import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { codes, createSoftAuthenticator, createTotpApp, gql as send, type GraphQLResponse } from '@clinicult/testing';
import { PASSWORD, randomIp, startTestAuth } from './__tests__/harness.js';

/** Second factors (issue 11): TOTP, passkeys, recovery codes; required for operators and by clinic. */
let auth: Awaited<ReturnType<typeof startTestAuth>>;
const ORIGIN = 'http://localhost:3000';
beforeAll(async () => {
  auth = await startTestAuth({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '8', WEBAUTHN_ORIGINS: `${ORIGIN},http://localhost:3001` });
});
afterAll(async () => {
  await auth?.stop();
});

// this file's own client address: the per-address login limits in the shared Redis are not another file's
const CLIENT_IP = randomIp();
const gql: typeof send = async (url, query, variables = {}, options = {}) =>
  send(url, query, variables, { ...options, headers: { ...(await auth.asClient(CLIENT_IP)), ...options.headers } });

const START_TOTP = `mutation($t: String) { startTotpEnrolment(ticket: $t) { secret otpauthUrl qrCodeDataUrl } }`;
const CONFIRM_TOTP = `mutation($c: String!, $t: String) { confirmTotpEnrolment(code: $c, ticket: $t) { recoveryCodes session { token clinicId roles } } }`;
const VERIFY = `mutation($t: String!, $c: String, $r: String, $p: JSON) {
  verifySecondFactor(ticket: $t, code: $c, recoveryCode: $r, passkey: $p) { token clinicId roles permissions }
}`;
const FACTORS = `{ mySecondFactors { totp passkeys { id name } recoveryCodesLeft required } }`;
const PASSKEY_OPTIONS = `mutation($t: String) { passkeyRegistrationOptions(ticket: $t) }`;
const REGISTER = `mutation($r: JSON!, $n: String, $t: String) { registerPasskey(response: $r, name: $n, ticket: $t) { recoveryCodes session { token roles } } }`;
const LOGIN_OPTIONS = `mutation($t: String!) { passkeyLoginOptions(ticket: $t) }`;
const SWITCH = `mutation($c: ID!) { switchClinic(clinicId: $c) { token clinicId } }`;

function challengeOf(response: GraphQLResponse<any>): { reason: string; ticket: string; methods: string[] } {
  expect(response.data ?? null).toBeNull();
  const extensions = response.errors?.[0]?.extensions as Record<string, any>;
  expect(extensions?.code).toBe('UNAUTHENTICATED');
  return extensions as { reason: string; ticket: string; methods: string[] };
}

/** A signed-in user enrols TOTP; returns the app that computes their codes. */
async function enrolTotp(token: string) {
  const started = await gql(auth.url, START_TOTP, {}, { token });
  expect(started.errors).toBeUndefined();
  const app = createTotpApp(started.data!.startTotpEnrolment.secret);
  const confirmed = await gql(auth.url, CONFIRM_TOTP, { c: await app.nextCode() }, { token });
  expect(confirmed.errors).toBeUndefined();
  return { app, recoveryCodes: confirmed.data!.confirmTotpEnrolment.recoveryCodes as string[], enrolment: started.data!.startTotpEnrolment };
}

describe('TOTP and recovery codes', () => {
  test('enrol signed in: a QR code and secret, the first code confirms, ten recovery codes shown once', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['DOCTOR'] }] });
    const token = (await auth.login(email)).data!.login.token;
    const started = await gql(auth.url, START_TOTP, {}, { token });
    const { secret, otpauthUrl, qrCodeDataUrl } = started.data!.startTotpEnrolment;
    expect(otpauthUrl).toBe(`otpauth://totp/Clinicult:${encodeURIComponent(email)}?issuer=Clinicult&secret=${secret}&algorithm=SHA1&digits=6&period=30`);
    expect(qrCodeDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const app = createTotpApp(secret);
    const wrong = await gql(auth.url, CONFIRM_TOTP, { c: app.wrongCode() }, { token });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'code' }] });
    expect((await gql(auth.url, FACTORS, {}, { token })).data!.mySecondFactors).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
    const confirmed = await gql(auth.url, CONFIRM_TOTP, { c: await app.nextCode() }, { token });
    const codesShown = confirmed.data!.confirmTotpEnrolment.recoveryCodes as string[];
    expect(codesShown).toHaveLength(10);
    expect(new Set(codesShown).size).toBe(10);
    expect(confirmed.data!.confirmTotpEnrolment.session).toBeNull();
    expect((await gql(auth.url, FACTORS, {}, { token })).data!.mySecondFactors).toEqual({ totp: true, passkeys: [], recoveryCodesLeft: 10, required: false });
    // the secret is sealed at rest
    const stored = await auth.service.db.totpFactor.findFirstOrThrow({ where: { confirmedAt: { not: null } }, orderBy: { createdAt: 'desc' } });
    expect(stored.secret).not.toContain(secret);
  });

  test('once enrolled, a password alone gives no token; the code finishes the sign-in, once', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['NURSE'] }] });
    const { app } = await enrolTotp((await auth.login(email)).data!.login.token);
    const challenge = challengeOf(await auth.login(email));
    expect(challenge).toMatchObject({ reason: 'SECOND_FACTOR_REQUIRED', methods: ['TOTP', 'RECOVERY_CODE'] });
    const wrong = await gql(auth.url, VERIFY, { t: challenge.ticket, c: app.wrongCode() });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_SECOND_FACTOR' });
    const code = await app.nextCode();
    const done = await gql(auth.url, VERIFY, { t: challenge.ticket, c: code });
    expect(done.errors).toBeUndefined();
    expect(done.data!.verifySecondFactor.roles).toEqual(['NURSE']);
    expect(decodeJwt(done.data!.verifySecondFactor.token).amr).toEqual(['pwd', 'mfa', 'otp']);
    // the ticket is spent, and the same code does not work twice
    expect(codes(await gql(auth.url, VERIFY, { t: challenge.ticket, c: code }))).toEqual(['BAD_USER_INPUT']);
    const again = challengeOf(await auth.login(email));
    expect((await gql(auth.url, VERIFY, { t: again.ticket, c: code })).errors?.[0]?.extensions?.reason).toBe('INVALID_SECOND_FACTOR');
  });

  test('a recovery code works once; a ticket dies after 5 wrong answers', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['OFFICE'] }] });
    const { app, recoveryCodes } = await enrolTotp((await auth.login(email)).data!.login.token);
    const first = challengeOf(await auth.login(email));
    const recovered = await gql(auth.url, VERIFY, { t: first.ticket, r: recoveryCodes[3]!.toLowerCase().replace('-', '') });
    expect(recovered.errors).toBeUndefined();
    expect(decodeJwt(recovered.data!.verifySecondFactor.token).amr).toEqual(['pwd', 'mfa', 'rec']);
    const second = challengeOf(await auth.login(email));
    expect((await gql(auth.url, VERIFY, { t: second.ticket, r: recoveryCodes[3] })).errors?.[0]?.extensions?.reason).toBe('INVALID_SECOND_FACTOR');
    for (let i = 0; i < 4; i += 1) await gql(auth.url, VERIFY, { t: second.ticket, c: app.wrongCode() });
    expect(codes(await gql(auth.url, VERIFY, { t: second.ticket, c: await app.nextCode() }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(auth.url, VERIFY, { t: 'made-up', c: '123456' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(auth.url, VERIFY, { t: second.ticket }))).toEqual(['BAD_USER_INPUT']);
  });

  test('wrong codes count like wrong passwords (the lockout of that address holds the right password too)', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['OFFICE'] }] });
    const { app } = await enrolTotp((await auth.login(email)).data!.login.token);
    const ip = CLIENT_IP;
    for (let round = 0; round < 2; round += 1) {
      const challenge = challengeOf(await auth.login(email, PASSWORD, undefined, ip));
      for (let i = 0; i < 4; i += 1) await gql(auth.url, VERIFY, { t: challenge.ticket, c: app.wrongCode() });
    }
    const locked = await auth.login(email, PASSWORD, undefined, ip);
    expect(locked.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });
});

describe('passkeys', () => {
  test('register a passkey signed in, then finish sign-ins with it; a response for another origin is refused', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['DOCTOR'] }] });
    const token = (await auth.login(email)).data!.login.token;
    const device = createSoftAuthenticator({ origin: ORIGIN, rpId: 'localhost' });
    const options = (await gql(auth.url, PASSKEY_OPTIONS, {}, { token })).data!.passkeyRegistrationOptions;
    expect(options).toMatchObject({ rp: { id: 'localhost', name: 'Clinicult' }, attestation: 'none' });
    const registered = await gql(auth.url, REGISTER, { r: device.register(options), n: 'Laptop' }, { token });
    expect(registered.errors).toBeUndefined();
    expect(registered.data!.registerPasskey.recoveryCodes).toHaveLength(10);
    const factors = (await gql(auth.url, FACTORS, {}, { token })).data!.mySecondFactors;
    expect(factors.passkeys).toEqual([{ id: device.credentialIds[0], name: 'Laptop' }]);

    const challenge = challengeOf(await auth.login(email));
    expect(challenge.methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);
    const request = (await gql(auth.url, LOGIN_OPTIONS, { t: challenge.ticket })).data!.passkeyLoginOptions;
    expect(request.allowCredentials).toEqual([expect.objectContaining({ id: device.credentialIds[0] })]);
    const impostor = createSoftAuthenticator({ origin: 'https://evil.example', rpId: 'localhost' });
    const forged = await gql(auth.url, VERIFY, { t: challenge.ticket, p: { ...device.authenticate(request), response: { ...impostorAnswer(impostor, device, request) } } });
    expect(forged.errors?.[0]?.extensions?.reason).toBe('INVALID_SECOND_FACTOR');
    const done = await gql(auth.url, VERIFY, { t: challenge.ticket, p: device.authenticate(request) });
    expect(done.errors).toBeUndefined();
    expect(decodeJwt(done.data!.verifySecondFactor.token).amr).toEqual(['pwd', 'mfa', 'hwk']);
    const stored = await auth.service.db.passkey.findUniqueOrThrow({ where: { id: device.credentialIds[0]! } });
    expect(Number(stored.counter)).toBeGreaterThan(0);
    expect(stored.lastUsedAt).not.toBeNull();
  });
});

/** The response of a different authenticator (another origin) dressed up as the right credential. */
function impostorAnswer(impostor: ReturnType<typeof createSoftAuthenticator>, device: ReturnType<typeof createSoftAuthenticator>, request: any) {
  impostor.register({ challenge: 'x', rp: { id: 'localhost' }, user: { id: 'u' } });
  const answer = impostor.authenticate({ ...request, allowCredentials: [] }) as { response: Record<string, string> };
  return { ...answer.response, userHandle: (device.authenticate(request) as any).response.userHandle };
}

describe('when a second factor is required', () => {
  test('an operator enrols during the first sign-in; the enrolment finishes it; a token without mfa is refused everywhere', async () => {
    const { userId, email } = await auth.addUser({ operator: true });
    const challenge = challengeOf(await auth.login(email));
    expect(challenge).toMatchObject({ reason: 'SECOND_FACTOR_ENROLMENT_REQUIRED', methods: ['TOTP', 'PASSKEY'] });
    // the ticket is good for enrolment only, never as a bearer token
    expect(codes(await gql(auth.url, FACTORS, {}, { token: challenge.ticket }))).toEqual(['UNAUTHENTICATED']);
    const started = await gql(auth.url, START_TOTP, { t: challenge.ticket });
    const app = createTotpApp(started.data!.startTotpEnrolment.secret);
    const finished = await gql(auth.url, CONFIRM_TOTP, { c: await app.nextCode(), t: challenge.ticket });
    expect(finished.errors).toBeUndefined();
    const session = finished.data!.confirmTotpEnrolment.session;
    expect(session).toMatchObject({ clinicId: null, roles: ['OPERATOR'] });
    expect(decodeJwt(session.token).amr).toEqual(['pwd', 'mfa', 'otp']);
    expect((await gql(auth.url, FACTORS, {}, { token: session.token })).data!.mySecondFactors).toMatchObject({ totp: true, required: true });

    // a token for the operator that somehow lacks the second factor (say, minted by a bug) is refused
    const weak = await auth.service.issuer.userToken(userId, { operator: true }, ['pwd']);
    const refused = await gql(auth.url, FACTORS, {}, { token: weak.token });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SECOND_FACTOR_REQUIRED' });
    // an operator must keep a factor
    const removal = await gql(auth.url, `mutation($p: String!) { removeTotp(password: $p) { totp } }`, { p: PASSWORD }, { token: session.token });
    expect(codes(removal)).toEqual(['FORBIDDEN']);
  });

  test("a clinic's ADMIN requires it (only with a factor of their own); staff without one are signed out and enrol at sign-in", async () => {
    const clinicId = randomUUID();
    const admin = await auth.addUser({ memberships: [{ clinicId, roles: ['ADMIN'] }] });
    const nurse = await auth.addUser({ memberships: [{ clinicId, roles: ['NURSE'] }] });
    const outsider = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['ADMIN'] }] });
    const REQUIRE = `mutation($r: Boolean!) { setClinicMfaRequired(required: $r) { id mfaRequired } }`;
    const adminToken = (await auth.login(admin.email)).data!.login.token;
    expect(codes(await gql(auth.url, REQUIRE, { r: true }, { token: adminToken }))).toEqual(['FORBIDDEN']);
    const nurseToken = (await auth.login(nurse.email)).data!.login.token;
    expect(codes(await gql(auth.url, REQUIRE, { r: true }, { token: nurseToken }))).toEqual(['FORBIDDEN']);

    const { app } = await enrolTotp(adminToken);
    const verified = await gql(auth.url, VERIFY, { t: challengeOf(await auth.login(admin.email)).ticket, c: await app.nextCode() });
    const mfaAdmin = verified.data!.verifySecondFactor.token;
    const required = await gql(auth.url, REQUIRE, { r: true }, { token: mfaAdmin });
    expect(required.data).toEqual({ setClinicMfaRequired: { id: clinicId, mfaRequired: true } });
    // the ADMIN's own session (with a factor) goes on; the nurse's (without) ends at its next request
    expect((await gql(auth.url, FACTORS, {}, { token: mfaAdmin })).errors).toBeUndefined();
    expect((await gql(auth.url, FACTORS, {}, { token: nurseToken })).errors?.[0]?.extensions?.reason).toBe('SECOND_FACTOR_REQUIRED');
    const status = await fetch(`${auth.service.url}/internal/session-status`, { method: 'POST', headers: { authorization: `Bearer ${nurseToken}` } });
    expect(await status.json()).toEqual({ ok: false, reason: 'SECOND_FACTOR_REQUIRED' });

    const enrolment = challengeOf(await auth.login(nurse.email));
    expect(enrolment.reason).toBe('SECOND_FACTOR_ENROLMENT_REQUIRED');
    const device = createSoftAuthenticator({ origin: ORIGIN, rpId: 'localhost' });
    const options = (await gql(auth.url, PASSKEY_OPTIONS, { t: enrolment.ticket })).data!.passkeyRegistrationOptions;
    const registered = await gql(auth.url, REGISTER, { r: device.register(options), n: 'Ward tablet', t: enrolment.ticket });
    expect(registered.errors).toBeUndefined();
    expect(registered.data!.registerPasskey.session.roles).toEqual(['NURSE']);

    const ENTITY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Clinic { id mfaRequired } } }`;
    const rep = [{ __typename: 'Clinic', id: clinicId }];
    expect((await gql(auth.url, ENTITY, { r: rep }, { token: mfaAdmin })).data!._entities).toEqual([{ id: clinicId, mfaRequired: true }]);
    const outsiderToken = (await auth.login(outsider.email)).data!.login.token;
    expect((await gql(auth.url, ENTITY, { r: rep }, { token: outsiderToken })).data!._entities).toEqual([{ id: clinicId, mfaRequired: null }]);
  });

  test('a second factor given at sign-in carries over to a clinic switch', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const { email } = await auth.addUser({ memberships: [{ clinicId: a, roles: ['DOCTOR'] }, { clinicId: b, roles: ['OFFICE'] }] });
    const { app } = await enrolTotp((await auth.login(email, PASSWORD, a)).data!.login.token);
    const unscoped = await gql(auth.url, VERIFY, { t: challengeOf(await auth.login(email)).ticket, c: await app.nextCode() });
    expect(unscoped.data!.verifySecondFactor.clinicId).toBeNull();
    const switched = await gql(auth.url, SWITCH, { c: b }, { token: unscoped.data!.verifySecondFactor.token });
    expect(switched.errors).toBeUndefined();
    expect(decodeJwt(switched.data!.switchClinic.token).amr).toEqual(['pwd', 'mfa']);
  });

  test('removing a factor asks for the password; without one left, sign-in asks for none', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['DOCTOR'] }] });
    const token = (await auth.login(email)).data!.login.token;
    await enrolTotp(token);
    const REMOVE = `mutation($p: String!) { removeTotp(password: $p) { totp recoveryCodesLeft } }`;
    const wrong = await gql(auth.url, REMOVE, { p: 'Not-the-password-1' }, { token });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'password' }] });
    expect((await gql(auth.url, REMOVE, { p: PASSWORD }, { token })).data).toEqual({ removeTotp: { totp: false, recoveryCodesLeft: 0 } });
    expect((await auth.login(email)).errors).toBeUndefined();
  });
});

test("users (for the person's ADMIN) removes every second factor: sessions end, a notice is mailed, the next sign-in asks for none", async () => {
  const { userId, email } = await auth.addUser({ memberships: [{ clinicId: randomUUID(), roles: ['NURSE'] }] });
  const { app } = await enrolTotp((await auth.login(email)).data!.login.token);
  const session = await gql(auth.url, VERIFY, { t: challengeOf(await auth.login(email)).ticket, c: await app.nextCode() });
  const token = session.data!.verifySecondFactor.token as string;
  const svc = (await auth.serviceToken('users')).body.access_token!;
  const CLEAR = `mutation($u: ID!) { clearSecondFactors(userId: $u) }`;
  expect(codes(await gql(auth.url, CLEAR, { u: userId }, { token }))).toEqual(['FORBIDDEN']);
  expect((await gql(auth.url, CLEAR, { u: userId }, { token: svc })).data).toEqual({ clearSecondFactors: true });
  expect((await gql(auth.url, FACTORS, {}, { token })).errors?.[0]?.extensions?.reason).toBe('SESSION_REVOKED');
  expect(await auth.service.db.recoveryCode.count({ where: { userId } })).toBe(0);
  await auth.mail.waitFor({ to: email, subject: 'The second factors of your Clinicult account were removed' });
  expect((await auth.login(email)).errors).toBeUndefined();
});

