import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, createRemoteJWKSet, SignJWT } from 'jose';
import { CLIENT_ASSERTION_TYPE, devServiceKey, generateServiceKey, serviceKeyFromJwk, signClientAssertion } from '@clinicult/kit';
import { assertMigratedMatchesSchema } from '@clinicult/db';
import { codes, gql, tokenRequest } from '@clinicult/testing';
import type { IdentityEvent } from '@clinicult/contracts';
import { createEventBus } from '@clinicult/events';
import { permissionsForRoles, SERVICE_CLIENTS, type ClinicRole } from '@clinicult/rbac';
import { PASSWORD, randomIp, startTestAuth } from './__tests__/harness.js';

type MembershipEvent = Extract<IdentityEvent, { type: 'membership.changed' }>;
type UserAccessEvent = Extract<IdentityEvent, { type: 'user.access.changed' }>;

let auth: Awaited<ReturnType<typeof startTestAuth>>;
const clinicA = randomUUID();
const clinicB = randomUUID();

beforeAll(async () => {
  auth = await startTestAuth();
});
afterAll(async () => {
  await auth?.stop();
});

const SWITCH = `mutation($clinicId: ID!) { switchClinic(clinicId: $clinicId) { token clinicId roles permissions } }`;
const LOGOUT = `mutation { logout }`;
const CHANGE = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`;

test('the migrated database matches prisma/auth/schema.prisma', async () => {
  await assertMigratedMatchesSchema({ service: 'auth' });
});

describe('login', () => {
  test('one membership: a 14-day Ed25519 token whose claims match DESIGN.md', async () => {
    const { userId, email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['DOCTOR', 'ADMIN'] }] });
    const response = await auth.login(email.toUpperCase());
    expect(response.errors).toBeUndefined();
    const payload = response.data!.login;
    expect(payload.clinicId).toBe(clinicA);
    expect(payload.roles).toEqual(['ADMIN', 'DOCTOR']);
    expect(payload.user.id).toBe(userId);

    const header = decodeProtectedHeader(payload.token);
    expect(header.alg).toBe('EdDSA');
    expect(header.kid).toBeTruthy();
    const claims = decodeJwt(payload.token);
    expect(claims).toMatchObject({
      sub: userId,
      cid: clinicA,
      roles: ['ADMIN', 'DOCTOR'],
      permissions: permissionsForRoles(['ADMIN', 'DOCTOR']),
      iss: auth.config.JWT_ISSUER,
      aud: auth.config.JWT_AUDIENCE,
    });
    expect(typeof claims.jti).toBe('string');
    expect(claims.exp! - claims.iat!).toBe(14 * 24 * 3600);
    expect(new Date(payload.expiresAt).getTime()).toBe(claims.exp! * 1000);

    // verifiable by anyone with the published JWKS
    const jwks = createRemoteJWKSet(new URL(`${auth.service.url}/.well-known/jwks.json`));
    await expect(jwtVerify(payload.token, jwks, { algorithms: ['EdDSA'] })).resolves.toBeTruthy();
  });

  test('a wrong password and an unknown email get the same refusal', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['NURSE'] }] });
    const wrong = await auth.login(email, 'Wrong-password-1');
    const unknown = await auth.login(`nobody-${randomUUID().slice(0, 8)}@example.test`, 'Wrong-password-1');
    expect(wrong.data).toBeNull();
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
  });

  test('a malformed email is BAD_USER_INPUT naming the problem', async () => {
    const response = await auth.login('not-an-email', PASSWORD);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toMatch(/not a valid email/);
  });

  test("a guesser's failures lock out only the guesser's address; the owner, from theirs, waits seconds, then signs in", async () => {
    const victim = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }] });
    const bystander = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }] });
    const guesser = randomIp();
    for (let i = 0; i < auth.config.LOGIN_MAX_FAILURES_PER_ACCOUNT; i++) {
      expect(codes(await auth.login(victim.email, `Wrong-password-${i}`, undefined, guesser))).toEqual(['UNAUTHENTICATED']);
    }
    // the guesser's address is locked out of this account, even with the right password
    const locked = await auth.login(victim.email, PASSWORD, undefined, guesser);
    expect(codes(locked)).toEqual(['TOO_MANY_REQUESTS']);
    expect(locked.errors?.[0]?.message).toMatch(/Too many failed sign-in attempts for this account from this network address/);
    expect(locked.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(60);
    // the owner elsewhere meets the account's short delay, never the lock
    const owner = randomIp();
    const slowed = await auth.login(victim.email, PASSWORD, undefined, owner);
    expect(codes(slowed)).toEqual(['TOO_MANY_REQUESTS']);
    expect(slowed.errors?.[0]?.extensions?.retryAfterSeconds).toBeLessThanOrEqual(auth.config.LOGIN_MAX_DELAY_SECONDS);
    await new Promise((resolve) => setTimeout(resolve, slowed.errors![0]!.extensions!.retryAfterSeconds * 1000 + 100));
    expect((await auth.login(victim.email, PASSWORD, undefined, owner)).errors).toBeUndefined();
    expect((await auth.login(bystander.email, PASSWORD, undefined, guesser)).errors).toBeUndefined();
  });

  test('failures from ever new addresses double the account\'s delay up to LOGIN_MAX_DELAY_SECONDS; a success clears it', async () => {
    const local = await startTestAuth({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '2', LOGIN_MAX_DELAY_SECONDS: '2' });
    try {
      const { email } = await local.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }] });
      const waits: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        // each guess from a fresh address, as a sprayer rotating addresses would
        expect(codes(await local.login(email, 'Wrong-password-1', undefined, randomIp()))).toEqual(['UNAUTHENTICATED']);
        if (i < 1) continue;
        const refused = await local.login(email, 'Wrong-password-1', undefined, randomIp());
        expect(codes(refused)).toEqual(['TOO_MANY_REQUESTS']);
        const wait = refused.errors![0]!.extensions!.retryAfterSeconds as number;
        waits.push(wait);
        await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
      }
      expect(waits).toEqual([1, 2, 2]);
      expect((await local.login(email, PASSWORD, undefined, randomIp())).errors).toBeUndefined();
      // cleared: the next failure is free again
      expect(codes(await local.login(email, 'Wrong-password-1', undefined, randomIp()))).toEqual(['UNAUTHENTICATED']);
      expect((await local.login(email, PASSWORD, undefined, randomIp())).errors).toBeUndefined();
    } finally {
      await local.stop();
    }
  });

  test('without the edge token, a client cannot name the address auth counts (x-forwarded-for is ignored)', async () => {
    const local = await startTestAuth({ LOGIN_MAX_FAILURES_PER_IP: '3' });
    try {
      const login = `mutation($e: String!) { login(email: $e, password: "Wrong-password-1") { token } }`;
      for (let i = 0; i < 3; i++) {
        await gql(local.url, login, { e: `spray-${i}-${randomUUID().slice(0, 8)}@example.test` }, { headers: { 'x-forwarded-for': randomIp() } });
      }
      // all three counted for the connecting peer, whatever they claimed
      const fourth = await gql(local.url, login, { e: `spray-x@example.test` }, { headers: { 'x-forwarded-for': randomIp() } });
      expect(codes(fourth)).toEqual(['TOO_MANY_REQUESTS']);
      // the gateway (with its edge token) still speaks for its clients
      const { email } = await local.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }] });
      expect((await local.login(email, PASSWORD, undefined, randomIp())).errors).toBeUndefined();
    } finally {
      await local.stop();
    }
  });

  test('repeated failures from one address lock that address out across accounts', async () => {
    const local = await startTestAuth({ LOGIN_MAX_FAILURES_PER_IP: '3' });
    try {
      const ip = randomIp();
      const user = await local.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }] });
      for (let i = 0; i < 3; i++) await local.login(`someone-${i}-${randomUUID().slice(0, 8)}@example.test`, 'Wrong-password-1', undefined, ip);
      expect(codes(await local.login(user.email, PASSWORD, undefined, ip))).toEqual(['TOO_MANY_REQUESTS']);
      expect((await local.login(user.email, PASSWORD, undefined, randomIp())).errors).toBeUndefined();
    } finally {
      await local.stop();
    }
  });

  test('successful logins are never limited', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }] });
    const ip = randomIp();
    for (let i = 0; i < auth.config.LOGIN_MAX_FAILURES_PER_ACCOUNT + 3; i++) {
      expect((await auth.login(email, PASSWORD, undefined, ip)).errors).toBeUndefined();
    }
  });

  test('several clinics: no clinic, no permissions; switchClinic picks one; an unknown clinic is BAD_USER_INPUT', async () => {
    const { email } = await auth.addUser({
      memberships: [
        { clinicId: clinicA, roles: ['DOCTOR'] },
        { clinicId: clinicB, roles: ['OFFICE'] },
      ],
    });
    const first = (await auth.login(email)).data!.login;
    expect(first.clinicId).toBeNull();
    expect(first.permissions).toEqual([]);
    expect(decodeJwt(first.token).cid).toBeUndefined();

    const switched = await gql(auth.url, SWITCH, { clinicId: clinicB }, { token: first.token });
    expect(switched.errors).toBeUndefined();
    expect(switched.data!.switchClinic).toMatchObject({ clinicId: clinicB, roles: ['OFFICE'] });

    const direct = await auth.login(email, PASSWORD, clinicA);
    expect(direct.data!.login).toMatchObject({ clinicId: clinicA, roles: ['DOCTOR'] });

    const unknown = await gql(auth.url, SWITCH, { clinicId: randomUUID() }, { token: first.token });
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(codes(await auth.login(email, PASSWORD, randomUUID()))).toEqual(['BAD_USER_INPUT']);
  });

  test('operators must enrol a second factor before they get any token (no clinic, platform only)', async () => {
    const { email } = await auth.addUser({ operator: true });
    const refused = await auth.login(email);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SECOND_FACTOR_ENROLMENT_REQUIRED' });
    expect(refused.errors?.[0]?.extensions?.ticket).toEqual(expect.any(String));
    // the rest of the operator's sign-in (enrolment, the token's claims): second-factor.int.test.ts
  });
});

describe('sessions end', () => {
  test('logout makes the token useless', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['DOCTOR'] }, { clinicId: clinicB, roles: ['DOCTOR'] }] });
    const token = (await auth.login(email)).data!.login.token;
    expect((await gql(auth.url, LOGOUT, {}, { token })).data).toEqual({ logout: true });
    const after = await gql(auth.url, SWITCH, { clinicId: clinicA }, { token });
    expect(after.data ?? null).toBeNull();
    expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });

  test('changePassword ends earlier sessions; the new password works; a weak one is refused and nothing changes', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['NURSE'] }] });
    const token = (await auth.login(email)).data!.login.token;
    const other = (await auth.login(email)).data!.login.token;

    const weak = await gql(auth.url, CHANGE, { c: PASSWORD, n: 'short' }, { token });
    expect(codes(weak)).toEqual(['BAD_USER_INPUT']);
    expect(weak.errors?.[0]?.message).toMatch(/at least 10 characters/);
    expect((await gql(auth.url, LOGOUT, {}, { token: other })).errors).toBeUndefined(); // still valid: nothing changed

    const wrongCurrent = await gql(auth.url, CHANGE, { c: 'Not-the-password-1', n: 'Brand-new-pass-2' }, { token });
    expect(codes(wrongCurrent)).toEqual(['BAD_USER_INPUT']);

    expect((await gql(auth.url, CHANGE, { c: PASSWORD, n: 'Brand-new-pass-2' }, { token })).data).toEqual({ changePassword: true });
    const old = await gql(auth.url, LOGOUT, {}, { token });
    expect(old.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    expect(codes(await auth.login(email, PASSWORD))).toEqual(['UNAUTHENTICATED']);
    expect((await auth.login(email, 'Brand-new-pass-2')).errors).toBeUndefined();
  });
});

describe('service tokens and internal operations', () => {
  test('client credentials with a signed assertion: a token with exactly the service capabilities', async () => {
    const good = await auth.serviceToken('users');
    expect(good.status).toBe(200);
    expect(decodeJwt(good.body.access_token!)).toMatchObject({ sub: 'service:users', svc: 'users' });
    expect(decodeJwt(good.body.access_token!).permissions).toEqual([...SERVICE_CLIENTS.users]);
  });

  test('refused with 401 invalid_client: a client secret, another key, another audience, a replay, an unknown or long-lived client', async () => {
    const withAssertion = (assertion: string, clientId = 'users') =>
      tokenRequest(auth.service.url, { grant_type: 'client_credentials', client_id: clientId, client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion });
    // the secrets of before
    const secret = await tokenRequest(auth.service.url, { grant_type: 'client_credentials', client_id: 'users', client_secret: 'dev-only-service-secret-users' });
    expect([secret.status, secret.body]).toEqual([401, expect.objectContaining({ error: 'invalid_client' })]);
    // a key that is not users' (same kid, even)
    const own = devServiceKey('users');
    const { privateJwk } = generateServiceKey('users', { dev: true });
    const impostor = serviceKeyFromJwk('users', { ...privateJwk, kid: own.kid });
    expect((await withAssertion(await signClientAssertion(impostor, auth.config.JWT_ISSUER))).status).toBe(401);
    // users' key, but meant for another audience
    expect((await withAssertion(await signClientAssertion(own, 'https://elsewhere.example'))).status).toBe(401);
    // one assertion, twice
    const once = await signClientAssertion(own, auth.config.JWT_ISSUER);
    expect((await withAssertion(once)).status).toBe(200);
    expect((await withAssertion(once)).status).toBe(401);
    // users' assertion presented as admin's client id; a service that is no client
    expect((await withAssertion(await signClientAssertion(own, auth.config.JWT_ISSUER), 'admin')).status).toBe(401);
    const visits = serviceKeyFromJwk('visits', generateServiceKey('visits', { dev: true }).privateJwk);
    expect((await withAssertion(await signClientAssertion(visits, auth.config.JWT_ISSUER), 'visits')).status).toBe(401);
    // an assertion good for an hour (a stolen one would be too)
    const longLived = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: own.kid })
      .setIssuer('users')
      .setSubject('users')
      .setAudience(auth.config.JWT_ISSUER)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(own.privateKey);
    expect((await withAssertion(longLived)).status).toBe(401);
  });

  test('internal mutations need the service capability: staff get FORBIDDEN, no token UNAUTHENTICATED, nothing changes', async () => {
    const { userId, email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['ADMIN'] }] });
    const staffToken = (await auth.login(email)).data!.login.token;
    const before = await auth.service.db.credential.findUniqueOrThrow({ where: { userId } });
    const mutation = `mutation($u: ID!) { clearSecondFactors(userId: $u) }`;
    const asStaff = await gql(auth.url, mutation, { u: userId }, { token: staffToken });
    expect(codes(asStaff)).toEqual(['FORBIDDEN']);
    const anonymous = await gql(auth.url, mutation, { u: userId });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const adminService = (await auth.serviceToken('admin')).body.access_token!;
    expect(codes(await gql(auth.url, mutation, { u: userId }, { token: adminService }))).toEqual(['FORBIDDEN']);
    // clearing the factors would have ended every session (tokensValidAfter moves): nothing moved
    expect(await auth.service.db.credential.findUniqueOrThrow({ where: { userId } })).toEqual(before);
    expect((await auth.login(email)).errors).toBeUndefined();
  });

  test('roles, statuses, clinic access, logins and invitations are no mutations of auth: they arrive as identity events only', async () => {
    const svc = (await auth.serviceToken('users')).body.access_token!;
    const removed = await gql(auth.url, `mutation { syncMembership(userId: "u", clinicId: "c", roles: []) }`, {}, { token: svc });
    expect(codes(removed)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const login = await gql(auth.url, `mutation { upsertCredential(userId: "u", email: "taken-over@example.test") }`, {}, { token: svc });
    expect(codes(login)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

const at = () => new Date().toISOString();

describe('identity changes from the identity stream', () => {
  test("a role change or removal ends the user's sessions in that clinic only; a new membership ends none; a replay changes nothing", async () => {
    const { userId, email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['NURSE'] }, { clinicId: clinicB, roles: ['OFFICE'] }] });
    const inA = (await auth.login(email, PASSWORD, clinicA)).data!.login.token;
    const inB = (await auth.login(email, PASSWORD, clinicB)).data!.login.token;
    const membership = (clinicId: string, roles: ClinicRole[], endsSessions = true) =>
      auth.identity('membership.changed', { userId, clinicId, roles, endsSessions, invitationId: null, at: at() });
    const clinicC = randomUUID();
    await membership(clinicC, ['OFFICE'], false);
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: inA })).errors).toBeUndefined();

    const promoted = await membership(clinicA, ['NURSE', 'DOCTOR']);
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: inA })).errors?.[0]?.extensions?.reason).toBe('SESSION_REVOKED');
    // the session in clinic B is not clinic A's to end
    expect((await gql(auth.url, SWITCH, { clinicId: clinicB }, { token: inB })).errors).toBeUndefined();
    const again = (await auth.login(email, PASSWORD, clinicA)).data!.login;
    expect(again.roles).toEqual(['DOCTOR', 'NURSE']);
    // the same event again (same id: the bus drops it) or re-sent with a new id (older than what auth holds): nothing changes
    const row = () => auth.service.db.membership.findUniqueOrThrow({ where: { userId_clinicId: { userId, clinicId: clinicA } } });
    const held = await row();
    await auth.identity('membership.changed', promoted.payload as MembershipEvent['payload'], promoted);
    await auth.identity('membership.changed', promoted.payload as MembershipEvent['payload']);
    expect(await row()).toEqual(held);
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: again.token })).errors).toBeUndefined();

    await membership(clinicB, []);
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: inB })).errors?.[0]?.extensions?.reason).toBe('SESSION_REVOKED');
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: again.token })).errors).toBeUndefined();
    expect(codes(await auth.login(email, PASSWORD, clinicB))).toEqual(['BAD_USER_INPUT']);
    // the cut-off is a fact in Redis and in the database alike (services that ask auth get the same answer)
    const status = await fetch(`${auth.service.url}/internal/session-status`, { method: 'POST', headers: { authorization: `Bearer ${inB}` } });
    expect(await status.json()).toEqual({ ok: false, reason: 'SESSION_REVOKED' });
  });

  test('deactivation and clinic suspension refuse login and existing tokens with their reasons; reactivation restores', async () => {
    const { userId, email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }, { clinicId: clinicB, roles: ['OFFICE'] }] });
    const suspendedClinic = randomUUID();
    await auth.service.db.membership.create({ data: { userId, clinicId: suspendedClinic, roles: ['OFFICE'] } });
    const token = (await auth.login(email, PASSWORD, suspendedClinic)).data!.login.token;
    const access = (state: 'ACTIVE' | 'SUSPENDED') =>
      auth.identity('clinic.access.changed', { clinicId: suspendedClinic, access: state, at: at() });

    await access('SUSPENDED');
    const refusedToken = await gql(auth.url, LOGOUT, {}, { token });
    expect(refusedToken.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLINIC_SUSPENDED' });
    const refusedLogin = await auth.login(email, PASSWORD, suspendedClinic);
    expect(refusedLogin.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLINIC_SUSPENDED' });
    await access('ACTIVE');
    const fresh = (await auth.login(email, PASSWORD, suspendedClinic)).data!.login.token;
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: fresh })).errors).toBeUndefined();

    const status = (active: boolean) => auth.identity('user.access.changed', { userId, active, at: at() });
    const off = await status(false);
    expect((await gql(auth.url, LOGOUT, {}, { token: fresh })).errors?.[0]?.extensions?.reason).toBe('USER_DEACTIVATED');
    expect((await auth.login(email, PASSWORD, clinicA)).errors?.[0]?.extensions?.reason).toBe('USER_DEACTIVATED');
    await status(true);
    expect((await auth.login(email, PASSWORD, clinicA)).errors).toBeUndefined();
    // the deactivation arriving again after the reactivation (a late retry) is older: the account stays active
    await auth.identity('user.access.changed', off.payload as UserAccessEvent['payload']);
    expect((await auth.login(email, PASSWORD, clinicA)).errors).toBeUndefined();
  });

  test('an event the schema does not allow is parked, not applied', async () => {
    const { userId } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['NURSE'] }] });
    const redis = auth.service.runtime.redis;
    const before = await auth.service.db.membership.findUniqueOrThrow({ where: { userId_clinicId: { userId, clinicId: clinicA } } });
    const bus = createEventBus({ redis, service: 'intruder' });
    const sent = await bus.publish(auth.config.IDENTITY_STREAM, {
      type: 'membership.changed',
      payload: { userId, clinicId: clinicA, roles: ['SUPERUSER'], endsSessions: false, invitationId: null, at: at() },
    });
    const parked = async () => ((await redis.xrange(`${auth.config.IDENTITY_STREAM}:parked`, '-', '+')) as Array<[string, string[]]>).map(([, f]) => f[1]);
    for (let i = 0; i < 200 && !(await parked()).includes(sent.id); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await parked()).toContain(sent.id);
    expect(await auth.service.db.membership.findUniqueOrThrow({ where: { userId_clinicId: { userId, clinicId: clinicA } } })).toEqual(before);
    await bus.close();
  }, 60_000);
});

describe('signing keys', () => {
  test('rotation publishes the new key and keeps the old one verifying until its tokens expire', async () => {
    const { email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['DOCTOR'] }, { clinicId: clinicB, roles: ['DOCTOR'] }] });
    const before = (await auth.login(email)).data!.login.token;
    const oldKid = decodeProtectedHeader(before).kid;
    const newKid = await auth.service.keys.rotate();
    const jwks = (await (await fetch(`${auth.service.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; d?: string }> };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true); // never a private part
    const after = (await auth.login(email)).data!.login.token;
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: before })).errors).toBeUndefined();
  });
});

describe('revocation facts in Redis', () => {
  test('Redis losing the facts (eviction, restart) never revives a session; auth rewrites them', async () => {
    // a private Redis: dropping the shared hash would make other services on this machine ask auth
    const { FACTS_HASH, factKeys } = await import('@clinicult/kit');
    const { startPrivateRedis } = await import('@clinicult/testing');
    const privateRedis = await startPrivateRedis();
    const local = await startTestAuth({ REDIS_URL: privateRedis.url });
    try {
      const { email } = await local.addUser({ memberships: [{ clinicId: clinicA, roles: ['DOCTOR'] }, { clinicId: clinicB, roles: ['DOCTOR'] }] });
      const token = (await local.login(email)).data!.login.token;
      await gql(local.url, LOGOUT, {}, { token });
      const redis = local.service.runtime.redis;
      await redis.del(FACTS_HASH); // everything gone at once, `ready` included
      expect((await gql(local.url, SWITCH, { clinicId: clinicA }, { token })).errors?.[0]?.extensions?.reason).toBe('SESSION_REVOKED');
      await new Promise((r) => setTimeout(r, 800)); // FACTS_WARM_INTERVAL_MS is 300 in tests
      expect(await redis.hget(FACTS_HASH, factKeys.ready)).toBeTruthy();
      expect(await redis.hget(FACTS_HASH, factKeys.revokedJti(decodeJwt(token).jti!))).toBeTruthy();
    } finally {
      await local.stop();
      await privateRedis.stop();
    }
  });

  test('revocations of tokens that expired anyway are pruned', async () => {
    const { FACTS_HASH, factKeys } = await import('@clinicult/kit');
    const jti = randomUUID();
    const redis = auth.service.runtime.redis;
    await redis.hset(FACTS_HASH, factKeys.revokedJti(jti), String(Date.now() - 1000));
    await auth.service.facts.pruneExpiredRevocations();
    expect(await redis.hexists(FACTS_HASH, factKeys.revokedJti(jti))).toBe(0);
  });
});
