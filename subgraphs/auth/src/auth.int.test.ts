import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, createRemoteJWKSet } from 'jose';
import { assertMigratedMatchesSchema } from '@clinicult/db';
import { codes, gql } from '@clinicult/testing';
import { permissionsForRoles } from '@clinicult/rbac';
import { PASSWORD, randomIp, startTestAuth } from './__tests__/harness.js';

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

  test('repeated failures lock the account out (even with the right password); other accounts unaffected', async () => {
    const victim = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }] });
    const bystander = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }] });
    for (let i = 0; i < auth.config.LOGIN_MAX_FAILURES_PER_ACCOUNT; i++) {
      expect(codes(await auth.login(victim.email, `Wrong-password-${i}`))).toEqual(['UNAUTHENTICATED']);
    }
    const locked = await auth.login(victim.email, PASSWORD);
    expect(codes(locked)).toEqual(['TOO_MANY_REQUESTS']);
    expect(locked.errors?.[0]?.message).toMatch(/Too many failed sign-in attempts/);
    expect(locked.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect((await auth.login(bystander.email)).errors).toBeUndefined();
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
  test('client credentials: a right secret gets a token with exactly the service capabilities; a wrong one 401', async () => {
    const good = await auth.serviceToken('users');
    expect(good.status).toBe(200);
    expect(decodeJwt(good.body.access_token!)).toMatchObject({ sub: 'service:users', svc: 'users' });
    expect(decodeJwt(good.body.access_token!).permissions).toContain('clinicult:service:credentials-write');
    expect((await auth.serviceToken('users', 'wrong')).status).toBe(401);
    expect((await auth.serviceToken('nobody', 'x')).status).toBe(401);
  });

  test('internal mutations need the service capability: staff get FORBIDDEN, no token UNAUTHENTICATED, nothing changes', async () => {
    const { userId, email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['ADMIN'] }] });
    const staffToken = (await auth.login(email)).data!.login.token;
    const mutation = `mutation($u: ID!, $c: ID!) { syncMembership(userId: $u, clinicId: $c, roles: ["ADMIN", "DOCTOR"]) }`;
    const asStaff = await gql(auth.url, mutation, { u: userId, c: clinicA }, { token: staffToken });
    expect(codes(asStaff)).toEqual(['FORBIDDEN']);
    const anonymous = await gql(auth.url, mutation, { u: userId, c: clinicA });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const adminService = (await auth.serviceToken('admin')).body.access_token!;
    expect(codes(await gql(auth.url, mutation, { u: userId, c: clinicA }, { token: adminService }))).toEqual(['FORBIDDEN']);
    const membership = await auth.service.db.membership.findUniqueOrThrow({ where: { userId_clinicId: { userId, clinicId: clinicA } } });
    expect(membership.roles).toEqual(['ADMIN']);
  });

  test("a role change or removal through syncMembership ends the user's sessions in that clinic only; a new membership ends none", async () => {
    const { userId, email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['NURSE'] }, { clinicId: clinicB, roles: ['OFFICE'] }] });
    const inA = (await auth.login(email, PASSWORD, clinicA)).data!.login.token;
    const inB = (await auth.login(email, PASSWORD, clinicB)).data!.login.token;
    const svc = (await auth.serviceToken('users')).body.access_token!;
    const sync = `mutation($u: ID!, $c: ID!, $r: [String!]!) { syncMembership(userId: $u, clinicId: $c, roles: $r) }`;
    const clinicC = randomUUID();
    expect((await gql(auth.url, sync, { u: userId, c: clinicC, r: ['OFFICE'] }, { token: svc })).errors).toBeUndefined();
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: inA })).errors).toBeUndefined();

    expect((await gql(auth.url, sync, { u: userId, c: clinicA, r: ['NURSE', 'DOCTOR'] }, { token: svc })).errors).toBeUndefined();
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: inA })).errors?.[0]?.extensions?.reason).toBe('SESSION_REVOKED');
    // the session in clinic B is not clinic A's to end
    expect((await gql(auth.url, SWITCH, { clinicId: clinicB }, { token: inB })).errors).toBeUndefined();
    const again = (await auth.login(email, PASSWORD, clinicA)).data!.login;
    expect(again.roles).toEqual(['DOCTOR', 'NURSE']);

    expect((await gql(auth.url, sync, { u: userId, c: clinicB, r: [] }, { token: svc })).errors).toBeUndefined();
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: inB })).errors?.[0]?.extensions?.reason).toBe('SESSION_REVOKED');
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: again.token })).errors).toBeUndefined();
    expect(codes(await auth.login(email, PASSWORD, clinicB))).toEqual(['BAD_USER_INPUT']);
    // the cut-off is a fact in Redis and in the database alike (services that ask auth get the same answer)
    const status = await fetch(`${auth.service.url}/internal/session-status`, { method: 'POST', headers: { authorization: `Bearer ${inB}` } });
    expect(await status.json()).toEqual({ ok: false, reason: 'SESSION_REVOKED' });

    const bad = await gql(auth.url, sync, { u: userId, c: clinicA, r: ['SUPERUSER'] }, { token: svc });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  });

  test('deactivation and clinic suspension refuse login and existing tokens with their reasons; reactivation restores', async () => {
    const { userId, email } = await auth.addUser({ memberships: [{ clinicId: clinicA, roles: ['OFFICE'] }, { clinicId: clinicB, roles: ['OFFICE'] }] });
    const svcUsers = (await auth.serviceToken('users')).body.access_token!;
    const svcAdmin = (await auth.serviceToken('admin')).body.access_token!;
    const access = `mutation($c: ID!, $a: ClinicAccess!) { setClinicAccess(clinicId: $c, access: $a) }`;
    const suspendedClinic = randomUUID();
    await auth.service.db.membership.create({ data: { userId, clinicId: suspendedClinic, roles: ['OFFICE'] } });
    const token = (await auth.login(email, PASSWORD, suspendedClinic)).data!.login.token;

    expect((await gql(auth.url, access, { c: suspendedClinic, a: 'SUSPENDED' }, { token: svcAdmin })).errors).toBeUndefined();
    const refusedToken = await gql(auth.url, LOGOUT, {}, { token });
    expect(refusedToken.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLINIC_SUSPENDED' });
    const refusedLogin = await auth.login(email, PASSWORD, suspendedClinic);
    expect(refusedLogin.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLINIC_SUSPENDED' });
    await gql(auth.url, access, { c: suspendedClinic, a: 'ACTIVE' }, { token: svcAdmin });
    const fresh = (await auth.login(email, PASSWORD, suspendedClinic)).data!.login.token;
    expect((await gql(auth.url, SWITCH, { clinicId: clinicA }, { token: fresh })).errors).toBeUndefined();

    const status = `mutation($u: ID!, $a: Boolean!) { setCredentialStatus(userId: $u, active: $a) }`;
    await gql(auth.url, status, { u: userId, a: false }, { token: svcUsers });
    expect((await gql(auth.url, LOGOUT, {}, { token: fresh })).errors?.[0]?.extensions?.reason).toBe('USER_DEACTIVATED');
    expect((await auth.login(email, PASSWORD, clinicA)).errors?.[0]?.extensions?.reason).toBe('USER_DEACTIVATED');
    await gql(auth.url, status, { u: userId, a: true }, { token: svcUsers });
    expect((await auth.login(email, PASSWORD, clinicA)).errors).toBeUndefined();
  });
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
