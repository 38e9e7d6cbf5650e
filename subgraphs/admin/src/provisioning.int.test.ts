/**
 * An operator's whole path for a new clinic, with the real auth and users services in-process:
 * create the clinic, provision its first ADMIN (users → auth), the ADMIN accepts the invitation and
 * works; suspension refuses their token everywhere and their login; reactivation lets them back.
 */
import { randomUUID } from 'node:crypto';
import { codes, freePort, gql, type TestIssuer } from '@clinicult/testing';
import {
  createClinic,
  startAdmin,
  startRealAuth,
  startRealUsers,
  testIssuer,
  type AdminUnderTest,
  type AuthUnderTest,
} from './__tests__/stack.js';

let issuer: TestIssuer;
let auth: AuthUnderTest;
let users: AuthUnderTest;
let admin: AdminUnderTest;
let operator: string;

beforeAll(async () => {
  issuer = await testIssuer();
  auth = await startRealAuth(issuer);
  const adminPort = await freePort();
  users = await startRealUsers({ issuer, authUrl: auth.url, adminUrl: `http://127.0.0.1:${adminPort}` });
  admin = await startAdmin({ issuer, authUrl: auth.url, usersUrl: users.url, port: adminPort });
  operator = await issuer.operatorToken();
});

afterAll(async () => {
  await admin?.stop();
  await users?.stop();
  await auth?.stop();
});

const PROVISION = `mutation($clinicId: ID!, $input: ProvisionAdminInput!) {
  provisionClinicAdmin(clinicId: $clinicId, input: $input) { token url expiresAt user { id } }
}`;
const ACCEPT = `mutation($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) { token clinicId roles permissions user { id } }
}`;
const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token clinicId roles } }`;
const OWN_CLINIC = `query($id: ID!) { clinic(id: $id) { id name status } }`;

test('create → provision the first ADMIN → they sign in and read their clinic; suspension shuts them out until reactivation', async () => {
  const clinic = await createClinic(admin.url, operator, { name: `Provisioned ${randomUUID().slice(0, 8)}` });
  const email = `boss-${randomUUID().slice(0, 8)}@clinic.example`;

  const provisioned = await gql(
    admin.url,
    PROVISION,
    { clinicId: clinic.id, input: { email: ` ${email.toUpperCase()} `, firstName: ' Bea ', lastName: 'Boss' } },
    { token: operator },
  );
  expect(provisioned.errors).toBeUndefined();
  const invitation = provisioned.data!.provisionClinicAdmin;
  expect(invitation.token).toEqual(expect.any(String));
  expect(invitation.url).toContain(encodeURIComponent(invitation.token));
  expect(new Date(invitation.expiresAt).getTime()).toBeGreaterThan(Date.now());
  expect(invitation.user.id).toMatch(/^[0-9a-f-]{36}$/);

  const password = 'correct horse battery staple 42';
  const accepted = await gql(auth.url, ACCEPT, { token: invitation.token, password });
  expect(accepted.errors).toBeUndefined();
  expect(accepted.data!.acceptInvitation).toMatchObject({ clinicId: clinic.id, roles: ['ADMIN'], user: { id: invitation.user.id } });
  const staffToken: string = accepted.data!.acceptInvitation.token;

  const own = await gql(admin.url, OWN_CLINIC, { id: clinic.id }, { token: staffToken });
  expect(own.errors).toBeUndefined();
  expect(own.data!.clinic).toEqual({ id: clinic.id, name: clinic.name, status: 'ACTIVE' });
  const operatorOnly = await gql(admin.url, `mutation($id: ID!) { suspendClinic(id: $id) { id } }`, { id: clinic.id }, { token: staffToken });
  expect(codes(operatorOnly)).toEqual(['FORBIDDEN']);

  const suspended = await gql(admin.url, `mutation($id: ID!) { suspendClinic(id: $id, reason: "contract ended") { status } }`, { id: clinic.id }, { token: operator });
  expect(suspended.data!.suspendClinic.status).toBe('SUSPENDED');

  const refused = await gql(admin.url, OWN_CLINIC, { id: clinic.id }, { token: staffToken });
  expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
  expect(refused.errors![0]!.extensions!.reason).toBe('CLINIC_SUSPENDED');
  expect(refused.data ?? null).toBeNull();
  const login = await gql(auth.url, LOGIN, { email, password });
  expect(login.errors?.[0]?.extensions?.reason).toBe('CLINIC_SUSPENDED');

  const reactivated = await gql(admin.url, `mutation($id: ID!) { reactivateClinic(id: $id) { status } }`, { id: clinic.id }, { token: operator });
  expect(reactivated.data!.reactivateClinic.status).toBe('ACTIVE');
  const back = await gql(admin.url, OWN_CLINIC, { id: clinic.id }, { token: staffToken });
  expect(back.errors).toBeUndefined();
  const loginAgain = await gql(auth.url, LOGIN, { email, password });
  expect(loginAgain.errors).toBeUndefined();
  expect(loginAgain.data!.login).toMatchObject({ clinicId: clinic.id, roles: ['ADMIN'] });

  // users' own decisions about the person pass through with their code: an established login
  const elsewhere = await createClinic(admin.url, operator, { name: `Elsewhere ${randomUUID().slice(0, 8)}` });
  const existing = await gql(
    admin.url,
    PROVISION,
    { clinicId: elsewhere.id, input: { email, firstName: 'Bea', lastName: 'Boss' } },
    { token: operator },
  );
  expect(codes(existing)).toEqual(['CONFLICT']);
  expect(existing.errors![0]!.message).toMatch(/already has a Clinicult login/);
  expect(existing.errors![0]!.extensions!.service).toBe('users');
});

test('provisioning the same email twice: users answers, admin passes its decision through', async () => {
  const clinic = await createClinic(admin.url, operator, { name: `Twice ${randomUUID().slice(0, 8)}` });
  const input = { email: `twice-${randomUUID().slice(0, 8)}@clinic.example`, firstName: 'Tom', lastName: 'Twice' };
  const first = await gql(admin.url, PROVISION, { clinicId: clinic.id, input }, { token: operator });
  expect(first.errors).toBeUndefined();
  const second = await gql(admin.url, PROVISION, { clinicId: clinic.id, input }, { token: operator });
  // users re-issues an invitation for a user who has not accepted yet (same user id)
  if (!second.errors) expect(second.data!.provisionClinicAdmin.user.id).toBe(first.data!.provisionClinicAdmin.user.id);
  else expect(['BAD_USER_INPUT', 'CONFLICT']).toContain(codes(second)[0]);
});

test('users unreachable → SERVICE_UNAVAILABLE naming users, nothing provisioned', async () => {
  const lonely = await startAdmin({ issuer, authUrl: auth.url, usersUrl: `http://127.0.0.1:${await freePort()}` });
  try {
    const clinic = await createClinic(lonely.url, operator, { name: `Lonely ${randomUUID().slice(0, 8)}` });
    const response = await gql(
      lonely.url,
      PROVISION,
      { clinicId: clinic.id, input: { email: 'nobody@clinic.example', firstName: 'No', lastName: 'Body' } },
      { token: operator },
    );
    expect(codes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(response.errors![0]!.extensions!.service).toBe('users');
    expect(response.errors![0]!.message).toMatch(/^Could not provision the clinic's admin: the users service could not be reached/);
    expect(response.data).toBeNull();
  } finally {
    await lonely.stop();
  }
});
