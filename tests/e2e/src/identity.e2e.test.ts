import { createHmac, randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { ROLE_PERMISSIONS, permissionsForRoles } from '@clinicult/rbac';
import { codes, createTestIssuer, gql } from '@clinicult/testing';
import { startPlatform, type Platform } from './platform.js';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const ME = `{ me { id email firstName lastName memberships { clinic { id name } roles } } }`;
const USERS = `query($search: String) { users(search: $search, first: 50) { totalCount edges { node { id email } } } }`;

function expectRefused(response: { data?: unknown; errors?: Array<{ extensions?: Record<string, any> }> }, reason: string) {
  expect(response.data ?? null).toBeNull();
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
}

describe('login through the gateway', () => {
  test.each([
    ['admin', 'ADMIN'],
    ['doctor', 'DOCTOR'],
    ['nurse', 'NURSE'],
    ['office', 'OFFICE'],
  ] as const)('%s: token claims match DESIGN.md and `me` works', async (who, role) => {
    const email = `${who}@demo.clinicult.test`;
    const session = await platform.login(email);
    expect(session.clinicId).toBe(platform.clinicId);
    expect(session.roles).toEqual([role]);
    expect(session.permissions).toEqual([...ROLE_PERMISSIONS[role]].sort());
    const claims = decodeJwt(session.token);
    expect(claims).toMatchObject({ sub: session.userId, cid: platform.clinicId, roles: [role], permissions: permissionsForRoles([role]) });
    expect(claims.iss).toBeTruthy();
    expect(claims.aud).toBe('clinicult');
    expect(claims.jti).toBeTruthy();
    expect(claims.exp! - claims.iat!).toBe(14 * 24 * 3600);

    const me = await platform.query(ME, {}, session.token);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: session.userId, email });
    expect(me.data!.me.memberships).toEqual([{ clinic: { id: platform.clinicId, name: 'Demo Clinic' }, roles: [role] }]);
  });

  test('the operator signs in without a clinic and holds only the platform', async () => {
    const session = await platform.login(platform.demo.operator.email);
    expect(session.clinicId).toBeNull();
    expect(session.permissions).toEqual(['clinicult:platform:*']);
    const clinics = await platform.query(`{ clinics { totalCount edges { node { name status } } } }`, {}, session.token);
    expect(clinics.errors).toBeUndefined();
    expect(clinics.data!.clinics.edges.map((e: any) => e.node.name)).toContain('Demo Clinic');
  });

  test('login returns the user with memberships in the same request (no second round trip needed)', async () => {
    const response = await platform.query(
      `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { clinicId user { email memberships { clinic { name } roles } } } }`,
      { e: 'doctor@demo.clinicult.test', p: platform.password },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.login.user).toEqual({
      email: 'doctor@demo.clinicult.test',
      memberships: [{ clinic: { name: 'Demo Clinic' }, roles: ['DOCTOR'] }],
    });
  });
});

describe('tokens are checked at the gateway and at every subgraph', () => {
  test('logout makes the token useless at the gateway and at every subgraph', async () => {
    const { token } = await platform.login('nurse@demo.clinicult.test');
    expect((await platform.query(ME, {}, token)).errors).toBeUndefined();
    expect((await platform.query('mutation { logout }', {}, token)).data).toEqual({ logout: true });
    expectRefused(await platform.query(ME, {}, token), 'SESSION_REVOKED');
    expectRefused(await gql(platform.urls.users, ME, {}, { token }), 'SESSION_REVOKED');
    expectRefused(await gql(platform.urls.admin, `query($id: ID!) { clinic(id: $id) { name } }`, { id: platform.clinicId }, { token }), 'SESSION_REVOKED');
    expectRefused(await gql(platform.urls.auth, 'mutation { logout }', {}, { token }), 'SESSION_REVOKED');
  });

  test('without a token: the gateway and every subgraph answer no data', async () => {
    expectRefused(await platform.query(ME), 'TOKEN_INVALID');
    for (const url of Object.values(platform.urls)) {
      const response = await gql(url, '{ _service { sdl } }');
      expect(response.data ?? null).toBeNull();
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    }
    const entities = await gql(platform.urls.users, `{ _entities(representations: [{ __typename: "User", id: "x" }]) { ... on User { email } } }`);
    expect(entities.data ?? null).toBeNull();
  });

  test('forged, foreign, expired and mis-addressed tokens are refused', async () => {
    const real = await platform.login('doctor@demo.clinicult.test');
    const realClaims = decodeJwt(real.token);
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

    // alg: none
    expectRefused(await platform.query(ME, {}, `${b64({ alg: 'none' })}.${b64(realClaims)}.`), 'TOKEN_INVALID');
    // another key, same issuer name
    const impostor = await createTestIssuer(String(realClaims.iss), 'clinicult');
    expectRefused(await platform.query(ME, {}, await impostor.staffToken(real.userId, platform.clinicId, ['ADMIN'])), 'TOKEN_INVALID');
    // HS256 signed with the published public key
    const jwks = (await (await fetch(`${platform.urls.auth}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const body = b64(realClaims);
    const hmac = createHmac('sha256', JSON.stringify(jwks.keys[0])).update(`${header}.${body}`).digest('base64url');
    expectRefused(await platform.query(ME, {}, `${header}.${body}.${hmac}`), 'TOKEN_INVALID');
    // tampered payload
    const [h, , s] = real.token.split('.');
    expectRefused(await platform.query(ME, {}, `${h}.${b64({ ...realClaims, roles: ['ADMIN'] })}.${s}`), 'TOKEN_INVALID');
    // signed by auth's own key but expired, or for another audience/issuer
    const { kid, privateKey } = platform.services.auth.keys.signer();
    const signWith = (claims: Record<string, unknown>, iss: string, aud: string, iat: number, exp: number) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).setIssuer(iss).setAudience(aud).setJti(randomUUID()).setIssuedAt(iat).setExpirationTime(exp).sign(privateKey);
    const base = { sub: real.userId, cid: platform.clinicId, roles: ['DOCTOR'], permissions: real.permissions };
    expectRefused(await platform.query(ME, {}, await signWith(base, String(realClaims.iss), 'clinicult', now - 7200, now - 3600)), 'TOKEN_EXPIRED');
    expectRefused(await platform.query(ME, {}, await signWith(base, String(realClaims.iss), 'another-api', now, now + 600)), 'TOKEN_INVALID');
    expectRefused(await platform.query(ME, {}, await signWith(base, 'https://evil.example', 'clinicult', now, now + 600)), 'TOKEN_INVALID');
    // and the genuine one still works
    expect((await platform.query(ME, {}, real.token)).errors).toBeUndefined();
  });

  test('a token issued before a password change is refused; the new password signs in', async () => {
    const staff = await createStaff('NURSE');
    const old = await platform.login(staff.email);
    const newPassword = 'Changed-Password-7';
    const changed = await platform.query(
      `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`,
      { c: platform.password, n: newPassword },
      old.token,
    );
    expect(changed.data).toEqual({ changePassword: true });
    expectRefused(await platform.query(ME, {}, old.token), 'SESSION_REVOKED');
    expectRefused(await gql(platform.urls.users, ME, {}, { token: old.token }), 'SESSION_REVOKED');
    const fresh = await gql(platform.gatewayUrl, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: staff.email, p: newPassword });
    expect(fresh.errors).toBeUndefined();
  });
});

/** A staff member of Demo Clinic invited by its ADMIN, who followed the mailed link with the demo password and joined. */
async function createStaff(role: 'ADMIN' | 'DOCTOR' | 'NURSE' | 'OFFICE', email = `${role.toLowerCase()}-${randomUUID().slice(0, 8)}@demo.clinicult.test`) {
  const admin = await platform.login(platform.demo.admin.email);
  const created = await platform.query(
    `mutation($input: CreateUserInput!) { createUser(input: $input) { invitation { id } } }`,
    { input: { email, firstName: 'Test', lastName: role, roles: [role] } },
    admin.token,
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  const session = await platform.joinFromMail(email);
  return { id: session.userId, email };
}

describe('users and roles', () => {
  test('ADMIN creates a user; OFFICE cannot and nothing is written', async () => {
    const office = await platform.login('office@demo.clinicult.test');
    const email = `not-created-${randomUUID().slice(0, 8)}@demo.clinicult.test`;
    const denied = await platform.query(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { invitation { id } } }`,
      { input: { email, firstName: 'No', lastName: 'Body', roles: ['DOCTOR'] } },
      office.token,
    );
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    const admin = await platform.login(platform.demo.admin.email);
    expect((await platform.query(USERS, { search: 'not-created' }, admin.token)).data!.users.totalCount).toBe(0);
    const staff = await createStaff('DOCTOR');
    expect((await platform.query(USERS, { search: staff.email }, admin.token)).data!.users.totalCount).toBe(1);
  });

  test('an address the mail server refuses shows as NOT_DELIVERED to the ADMIN, who can resend or withdraw it', async () => {
    const admin = await platform.login(platform.demo.admin.email);
    const FIELDS = 'id status delivery { status attempts lastError }';
    const email = `typo-${randomUUID().slice(0, 6)}@bounce.test`;
    const created = await platform.query(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { invitation { ${FIELDS} } } }`,
      { input: { email, firstName: 'Ty', lastName: 'Po', roles: ['OFFICE'] } },
      admin.token,
    );
    const id = created.data!.createUser.invitation.id as string;
    let seen: any;
    for (let i = 0; i < 100; i += 1) {
      seen = (await platform.query(`{ invitations { ${FIELDS} } }`, {}, admin.token)).data!.invitations.find((x: any) => x.id === id);
      if (seen.status === 'NOT_DELIVERED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toMatchObject({ status: 'NOT_DELIVERED', delivery: { status: 'FAILED', attempts: 1, lastError: expect.stringContaining('does not exist') } });
    const resent = await platform.query(`mutation($id: ID!) { resendInvitation(id: $id) { ${FIELDS} } }`, { id }, admin.token);
    expect(resent.data!.resendInvitation.delivery.status).toBe('QUEUED');
    const withdrawn = await platform.query(`mutation($id: ID!) { revokeInvitation(id: $id) { ${FIELDS} } }`, { id }, admin.token);
    expect(withdrawn.data!.revokeInvitation.status).toBe('REVOKED');
    // another clinic's ADMIN sees none of it
    const boston = await platform.login(platform.demo.secondClinic.admin.email);
    const theirs = await platform.query(`{ invitations(includeClosed: true) { id } }`, {}, boston.token);
    expect(theirs.data!.invitations.map((x: any) => x.id)).not.toContain(id);
    expect(codes(await platform.query(`mutation($id: ID!) { resendInvitation(id: $id) { id } }`, { id }, boston.token))).toEqual(['NOT_FOUND']);
  });

  test('an ADMIN cannot change their own roles', async () => {
    const admin = await platform.login(platform.demo.admin.email);
    const response = await platform.query(
      `mutation($u: ID!) { setMembership(userId: $u, roles: [ADMIN, DOCTOR]) { id } }`,
      { u: admin.userId },
      admin.token,
    );
    expect(codes(response)).toEqual(['FORBIDDEN']);
    const me = await platform.query(ME, {}, admin.token);
    expect(me.data!.me.memberships[0].roles).toEqual(['ADMIN']);
  });

  test('a role change takes effect on the user\'s next request', async () => {
    const staff = await createStaff('NURSE');
    const before = await platform.login(staff.email);
    const admin = await platform.login(platform.demo.admin.email);
    const changed = await platform.query(`mutation($u: ID!) { setMembership(userId: $u, roles: [NURSE, DOCTOR]) { id } }`, { u: staff.id }, admin.token);
    expect(changed.errors).toBeUndefined();
    expectRefused(await platform.query(ME, {}, before.token), 'SESSION_REVOKED');
    const after = await platform.login(staff.email);
    expect(after.roles).toEqual(['DOCTOR', 'NURSE']);
  });

  test('deactivation refuses the user\'s tokens and login with USER_DEACTIVATED', async () => {
    const staff = await createStaff('OFFICE');
    const session = await platform.login(staff.email);
    const admin = await platform.login(platform.demo.admin.email);
    expect((await platform.query(`mutation($u: ID!) { deactivateUser(id: $u) { status } }`, { u: staff.id }, admin.token)).errors).toBeUndefined();
    expectRefused(await platform.query(ME, {}, session.token), 'USER_DEACTIVATED');
    const login = await gql(platform.gatewayUrl, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: staff.email, p: platform.password });
    expect(login.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'USER_DEACTIVATED' });
  });

  test('bad input gets BAD_USER_INPUT saying what is wrong, and nothing is written', async () => {
    const admin = await platform.login(platform.demo.admin.email);
    const countBefore = (await platform.query(USERS, {}, admin.token)).data!.users.totalCount;
    const malformed = await platform.query(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { invitation { id } } }`,
      { input: { email: 'not an email', firstName: 'A', lastName: 'B', roles: ['DOCTOR'] } },
      admin.token,
    );
    expect(codes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors![0]!.message).toMatch(/email/i);
    const weak = await platform.query(
      `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`,
      { c: platform.password, n: 'weak' },
      admin.token,
    );
    expect(codes(weak)).toEqual(['BAD_USER_INPUT']);
    expect(weak.errors![0]!.message).toMatch(/at least 10 characters/);
    const unknownClinic = await gql(platform.gatewayUrl, `mutation($e: String!, $p: String!, $c: ID) { login(email: $e, password: $p, clinicId: $c) { token } }`, {
      e: platform.demo.admin.email,
      p: platform.password,
      c: randomUUID(),
    });
    expect(codes(unknownClinic)).toEqual(['BAD_USER_INPUT']);
    expect((await platform.query(USERS, {}, admin.token)).data!.users.totalCount).toBe(countBefore);
    expect((await platform.query(ME, {}, admin.token)).errors).toBeUndefined(); // password unchanged: token still good
  });
});

describe('clinics, operators and tenants', () => {
  let clinicB: string;
  let adminB: { token: string; userId: string };

  beforeAll(async () => {
    const operator = await platform.login(platform.demo.operator.email);
    const created = await platform.query(
      `mutation($input: CreateClinicInput!) { createClinic(input: $input) { id name status timeZone } }`,
      { input: { name: `Clinic B ${randomUUID().slice(0, 6)}`, timeZone: 'America/New_York', cluster: 'us-1' } },
      operator.token,
    );
    expect(created.errors).toBeUndefined();
    clinicB = created.data!.createClinic.id;
    const email = `admin-${randomUUID().slice(0, 6)}@b.clinicult.test`;
    const invitation = await platform.query(
      `mutation($c: ID!, $input: ProvisionAdminInput!) { provisionClinicAdmin(clinicId: $c, input: $input) { id status delivery { status } } }`,
      { c: clinicB, input: { email, firstName: 'Bea', lastName: 'Admin' } },
      operator.token,
    );
    expect(invitation.errors).toBeUndefined();
    expect(invitation.data!.provisionClinicAdmin).toMatchObject({ status: 'PENDING', delivery: { status: expect.stringMatching(/QUEUED|SENT/) } });
    const joined = await platform.joinFromMail(email);
    expect(joined).toMatchObject({ clinicId: clinicB, roles: ['ADMIN'] });
    adminB = { token: joined.token, userId: joined.userId };
  });

  test('clinic roles get FORBIDDEN on operator operations and nothing changes', async () => {
    const admin = await platform.login(platform.demo.admin.email);
    expect(codes(await platform.query(`{ clinics { totalCount } }`, {}, admin.token))).toEqual(['FORBIDDEN']);
    const create = await platform.query(`mutation { createClinic(input: { name: "Sneaky", timeZone: "UTC" }) { id } }`, {}, admin.token);
    expect(codes(create)).toEqual(['FORBIDDEN']);
    const suspend = await platform.query(`mutation($id: ID!) { suspendClinic(id: $id) { status } }`, { id: clinicB }, admin.token);
    expect(codes(suspend)).toEqual(['FORBIDDEN']);
    expect((await platform.query(`{ me { id } }`, {}, adminB.token)).errors).toBeUndefined(); // clinic B not suspended
    const operator = await platform.login(platform.demo.operator.email);
    const names = (await platform.query(`{ clinics(search: "Sneaky") { totalCount } }`, {}, operator.token)).data!.clinics.totalCount;
    expect(names).toBe(0);
  });

  test('staff read their own clinic, not another', async () => {
    const doctor = await platform.login('doctor@demo.clinicult.test');
    const own = await platform.query(`query($id: ID!) { clinic(id: $id) { name timeZone } }`, { id: platform.clinicId }, doctor.token);
    expect(own.data!.clinic).toEqual({ name: 'Demo Clinic', timeZone: 'Europe/Madrid' });
    const other = await platform.query(`query($id: ID!) { clinic(id: $id) { name } }`, { id: clinicB }, doctor.token);
    expect(other.data?.clinic ?? null).toBeNull();
    expect(JSON.stringify(other)).not.toContain('Clinic B');
  });

  test('a user of clinic A cannot read or change users of clinic B', async () => {
    const adminA = await platform.login(platform.demo.admin.email);
    const byId = await platform.query(`query($id: ID!) { user(id: $id) { email } }`, { id: adminB.userId }, adminA.token);
    expect(byId.data?.user ?? null).toBeNull();
    const search = await platform.query(USERS, { search: 'admin-' }, adminA.token);
    expect(search.data!.users.edges.map((e: any) => e.node.id)).not.toContain(adminB.userId);
    const update = await platform.query(`mutation($id: ID!) { updateUser(id: $id, input: { firstName: "Hacked" }) { id } }`, { id: adminB.userId }, adminA.token);
    expect(update.data?.updateUser ?? null).toBeNull();
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(codes(update)[0]);
    const roles = await platform.query(`mutation($id: ID!) { setMembership(userId: $id, roles: [OFFICE]) { id } }`, { id: adminB.userId }, adminA.token);
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(codes(roles)[0]);
    const me = await platform.query(`{ me { firstName memberships { roles } } }`, {}, adminB.token);
    expect(me.data!.me).toEqual({ firstName: 'Bea', memberships: [{ roles: ['ADMIN'] }] });
  });

  test('a user in two clinics chooses one; each clinic\'s ADMIN sees only their own membership', async () => {
    const email = `two-clinics-${randomUUID().slice(0, 6)}@demo.clinicult.test`;
    const staff = await createStaff('DOCTOR', email);
    const addedInB = await platform.query(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { invitation { id } } }`,
      { input: { email, firstName: 'Test', lastName: 'Two', roles: ['OFFICE'] } },
      adminB.token,
    );
    expect(addedInB.errors).toBeUndefined();
    // an account already: the mail says "sign in and accept", and the person does
    const mail = await platform.mail.waitFor({ to: email, subject: /invites you to join/ });
    expect(mail.links).toEqual(['http://localhost:3000/invitations']);
    const atA = await platform.login(email);
    const accepted = await platform.query(`mutation($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: addedInB.data!.createUser.invitation.id }, atA.token);
    expect(accepted.data).toEqual({ acceptClinicInvitation: { roles: ['OFFICE'] } });

    const first = await gql(platform.gatewayUrl, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token clinicId permissions user { memberships { clinic { id } roles } } } }`, {
      e: email,
      p: platform.password,
    });
    expect(first.errors).toBeUndefined();
    expect(first.data!.login.clinicId).toBeNull();
    expect(first.data!.login.permissions).toEqual([]);
    expect(first.data!.login.user.memberships.map((m: any) => m.clinic.id).sort()).toEqual([platform.clinicId, clinicB].sort());
    // the unscoped token reads `me` but no clinic data
    expect(codes(await platform.query(USERS, {}, first.data!.login.token))).toEqual(['FORBIDDEN']);
    const switched = await platform.query(`mutation($c: ID!) { switchClinic(clinicId: $c) { token clinicId roles } }`, { c: clinicB }, first.data!.login.token);
    expect(switched.data!.switchClinic).toMatchObject({ clinicId: clinicB, roles: ['OFFICE'] });

    const adminA = await platform.login(platform.demo.admin.email);
    const seenByA = await platform.query(`query($id: ID!) { user(id: $id) { memberships { clinic { id } roles } } }`, { id: staff.id }, adminA.token);
    expect(seenByA.data!.user.memberships).toEqual([{ clinic: { id: platform.clinicId }, roles: ['DOCTOR'] }]);
  });

  test('suspending a clinic refuses its staff\'s next request and login; reactivating restores both', async () => {
    const operator = await platform.login(platform.demo.operator.email);
    const staffB = await platform.query(`{ me { id } }`, {}, adminB.token);
    expect(staffB.errors).toBeUndefined();
    const suspended = await platform.query(`mutation($id: ID!) { suspendClinic(id: $id, reason: "unpaid invoice") { status } }`, { id: clinicB }, operator.token);
    expect(suspended.data!.suspendClinic.status).toBe('SUSPENDED');
    expectRefused(await platform.query(`{ me { id } }`, {}, adminB.token), 'CLINIC_SUSPENDED');
    expectRefused(await gql(platform.urls.users, `{ me { id } }`, {}, { token: adminB.token }), 'CLINIC_SUSPENDED');
    // Demo Clinic's staff are unaffected
    expect((await platform.query(ME, {}, (await platform.login('doctor@demo.clinicult.test')).token)).errors).toBeUndefined();
    const reactivated = await platform.query(`mutation($id: ID!) { reactivateClinic(id: $id) { status } }`, { id: clinicB }, operator.token);
    expect(reactivated.data!.reactivateClinic.status).toBe('ACTIVE');
    expect((await platform.query(`{ me { id } }`, {}, adminB.token)).errors).toBeUndefined();
  });
});
