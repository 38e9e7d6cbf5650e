/**
 * An operator's whole path for a new clinic, with the real auth and users services in-process:
 * create the clinic, invite its first ADMIN (users → auth → mail), the ADMIN follows the mailed
 * link, accepts and works; suspension refuses their token everywhere and their login; reactivation
 * lets them back. The operator never sees a link, and cannot invite once the clinic has an ADMIN.
 */
import { randomUUID } from 'node:crypto';
import { codes, freePort, gql, type TestIssuer } from '@clinicult/testing';
import { createClinic, startAdmin, startRealUsers, testIssuer, type AdminUnderTest, type ServiceUnderTest } from './admin.js';
import { startAuth, type AuthUnderTest } from './auth.js';

let issuer: TestIssuer;
let auth: AuthUnderTest;
let users: ServiceUnderTest;
let admin: AdminUnderTest;
let operator: string;
const OPERATOR_ID = randomUUID();

beforeAll(async () => {
  issuer = await testIssuer();
  auth = await startAuth({ issuer });
  const adminPort = await freePort();
  users = await startRealUsers({ issuer, authUrl: auth.url, adminUrl: `http://127.0.0.1:${adminPort}` });
  admin = await startAdmin({ issuer, authUrl: auth.url, usersUrl: users.url, port: adminPort });
  operator = await issuer.operatorToken(OPERATOR_ID);
});

afterAll(async () => {
  await admin?.stop();
  await users?.stop();
  await auth?.stop();
});

const PROVISION = `mutation($clinicId: ID!, $input: ProvisionAdminInput!) { provisionClinicAdmin(clinicId: $clinicId, input: $input) { id } }`;
const ACCEPT = `mutation($token: String!, $password: String!) { acceptInvitation(token: $token, password: $password) { token clinicId } }`;
const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token clinicId roles } }`;
const OWN_CLINIC = `query($id: ID!) { clinic(id: $id) { id name status } }`;
const PASSWORD = 'correct horse battery staple 42';

/** The invited ADMIN: the link from the mail, a password, the invitation accepted, the clinic chosen. */
async function join(email: string, clinicId: string): Promise<string> {
  const mail = await auth.mail.waitFor({ to: email });
  expect(mail.subject).toMatch(/You are invited to .* on Clinicult/);
  const token = new URL(mail.links[0]!).searchParams.get('token')!;
  const accepted = await gql(auth.url, ACCEPT, { token, password: PASSWORD });
  expect(accepted.errors).toBeUndefined();
  const session = accepted.data!.acceptInvitation.token as string;
  const mine = await gql(users.url, `{ me { invitations { id clinic { id } roles } } }`, {}, { token: session });
  const invitation = mine.data!.me.invitations.find((i: any) => i.clinic.id === clinicId);
  expect(invitation.roles).toEqual(['ADMIN']);
  expect((await gql(users.url, `mutation($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: invitation.id }, { token: session })).errors).toBeUndefined();
  const switched = await gql(auth.url, `mutation($c: ID!) { switchClinic(clinicId: $c) { token roles } }`, { c: clinicId }, { token: session });
  expect(switched.data!.switchClinic.roles).toEqual(['ADMIN']);
  return switched.data!.switchClinic.token;
}

test('create → invite the first ADMIN by mail → they join and read their clinic; suspension shuts them out until reactivation', async () => {
  const clinic = await createClinic(admin.url, operator, { name: `Provisioned ${randomUUID().slice(0, 8)}` });
  const email = `boss-${randomUUID().slice(0, 8)}@clinic.example`;

  const provisioned = await gql(admin.url, PROVISION, { clinicId: clinic.id, input: { email: ` ${email.toUpperCase()} `, firstName: ' Bea ', lastName: 'Boss' } }, { token: operator });
  expect(provisioned.errors).toBeUndefined();
  expect(provisioned.data!.provisionClinicAdmin).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  // the operator follows it at users: status fields only, and no link anywhere
  const followed = await gql(users.url, `query($c: ID) { invitations(clinicId: $c) { id email roles invitedByName } }`, { c: clinic.id }, { token: operator });
  expect(followed.data!.invitations).toEqual([{ id: provisioned.data!.provisionClinicAdmin.id, email, roles: ['ADMIN'], invitedByName: 'A Clinicult operator' }]);

  const staffToken = await join(email, clinic.id);
  const own = await gql(admin.url, OWN_CLINIC, { id: clinic.id }, { token: staffToken });
  expect(own.data!.clinic).toEqual({ id: clinic.id, name: clinic.name, status: 'ACTIVE' });
  const operatorOnly = await gql(admin.url, `mutation($id: ID!) { suspendClinic(id: $id) { id } }`, { id: clinic.id }, { token: staffToken });
  expect(codes(operatorOnly)).toEqual(['FORBIDDEN']);

  const suspended = await gql(admin.url, `mutation($id: ID!) { suspendClinic(id: $id, reason: "contract ended") { status } }`, { id: clinic.id }, { token: operator });
  expect(suspended.data!.suspendClinic.status).toBe('SUSPENDED');
  const refused = await gql(admin.url, OWN_CLINIC, { id: clinic.id }, { token: staffToken });
  expect(refused.errors![0]!.extensions!.reason).toBe('CLINIC_SUSPENDED');
  expect(refused.data ?? null).toBeNull();
  const login = await gql(auth.url, LOGIN, { email, password: PASSWORD });
  expect(login.errors?.[0]?.extensions?.reason).toBe('CLINIC_SUSPENDED');

  const reactivated = await gql(admin.url, `mutation($id: ID!) { reactivateClinic(id: $id) { status } }`, { id: clinic.id }, { token: operator });
  expect(reactivated.data!.reactivateClinic.status).toBe('ACTIVE');
  expect((await gql(admin.url, OWN_CLINIC, { id: clinic.id }, { token: staffToken })).errors).toBeUndefined();
  const loginAgain = await gql(auth.url, LOGIN, { email, password: PASSWORD });
  expect(loginAgain.data!.login).toMatchObject({ clinicId: clinic.id, roles: ['ADMIN'] });

  // issue 11, attack 1: with an active ADMIN, the operator cannot invite another one (and so never gets in)
  const mallory = `mallory-${randomUUID().slice(0, 6)}@attacker.example`;
  const again = await gql(admin.url, PROVISION, { clinicId: clinic.id, input: { email: mallory, firstName: 'Mal', lastName: 'Lory' } }, { token: operator });
  expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ACTIVE_ADMIN_EXISTS', service: 'users' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(auth.mail.messages({ to: mallory })).toEqual([]);
});

test('provisioning the same address twice while it is open: users answers CONFLICT with the open invitation, admin passes it through', async () => {
  const clinic = await createClinic(admin.url, operator, { name: `Twice ${randomUUID().slice(0, 8)}` });
  const input = { email: `twice-${randomUUID().slice(0, 8)}@clinic.example`, firstName: 'Tom', lastName: 'Twice' };
  const first = await gql(admin.url, PROVISION, { clinicId: clinic.id, input }, { token: operator });
  expect(first.errors).toBeUndefined();
  const second = await gql(admin.url, PROVISION, { clinicId: clinic.id, input }, { token: operator });
  expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_INVITED', invitationId: first.data!.provisionClinicAdmin.id });
});

test('users unreachable → SERVICE_UNAVAILABLE naming users, nothing provisioned', async () => {
  const lonely = await startAdmin({ issuer, authUrl: auth.url, usersUrl: `http://127.0.0.1:${await freePort()}` });
  try {
    const clinic = await createClinic(lonely.url, operator, { name: `Lonely ${randomUUID().slice(0, 8)}` });
    const response = await gql(lonely.url, PROVISION, { clinicId: clinic.id, input: { email: 'nobody@clinic.example', firstName: 'No', lastName: 'Body' } }, { token: operator });
    expect(codes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(response.errors![0]!.extensions!.service).toBe('users');
    expect(response.errors![0]!.message).toMatch(/^Could not provision the clinic's admin: the users service could not be reached/);
    expect(response.data).toBeNull();
  } finally {
    await lonely.stop();
  }
});
