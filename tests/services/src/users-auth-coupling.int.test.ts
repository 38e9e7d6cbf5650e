import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mysqlQuery } from '@clinicult/db';
import { repoRoot } from '@clinicult/kit';
import { codes, createTotpApp, gql, serviceTokenFromAuth } from '@clinicult/testing';
import { createClinic, startAdmin, testIssuer, type AdminUnderTest } from './admin.js';
import { startAuth, type AuthUnderTest } from './auth.js';
import { startUsers } from './services.js';

/**
 * users against the real auth and admin services (in-process, each on its own database; auth with
 * its own mail catcher): what users changes reaches auth (identity events for invitations, roles
 * and statuses), invitations arrive by mail only, tokens issued before a role change or a
 * deactivation stop working at users, and users learns clinics from admin.
 */
// auth reads the identity changes users writes: one stream for both, of this file's own
const IDENTITY_STREAM = `events:identity:test:coupling:${randomUUID()}`;
const PASSWORD = 'Correct-Horse-Battery-9';

let auth: AuthUnderTest;
let admin: AdminUnderTest;
let users: Awaited<ReturnType<typeof startUsers>>;
let CLINIC: string;

beforeAll(async () => {
  auth = await startAuth({ env: { FACTS_WARM_INTERVAL_MS: '300', IDENTITY_STREAM } });
  const issuer = await testIssuer();
  admin = await startAdmin({ issuer, authUrl: auth.url, env: { IDENTITY_STREAM } });
  CLINIC = (await createClinic(admin.url, await issuer.operatorToken(randomUUID()), { name: `Coupling ${randomUUID().slice(0, 8)}` })).id;
  // users trusts auth's tokens only, and answers once auth has applied a change (bounded wait), as in production
  users = await startUsers({ env: { AUTH_URL: auth.url, ADMIN_URL: admin.service.url, IDENTITY_STREAM, IDENTITY_APPLY_WAIT_MS: '5000' } });
});

afterAll(async () => {
  await users?.stop();
  await admin?.stop();
  await auth?.stop();
});

const authGql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  gql(`${auth.url}/graphql`, query, variables, token ? { token } : {});
const h = { get url() { return `${users.url}/graphql`; } };

async function serviceToken(clientId: string): Promise<string> {
  return (await serviceTokenFromAuth(auth.url, clientId)).body.access_token!;
}

/**
 * What an invited person does: open the link in the mail, choose a password (auth), accept the
 * clinic's invitation in the app (users), and switch to the clinic (auth). Returns their token there.
 */
async function join(email: string): Promise<string> {
  const link = (await auth.mail.waitFor({ to: email })).links[0]!;
  const token = new URL(link).searchParams.get('token')!;
  const accepted = await authGql(`mutation ($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token clinicId } }`, { t: token, p: PASSWORD });
  expect(accepted.errors).toBeUndefined();
  expect(accepted.data!.acceptInvitation.clinicId).toBeNull();
  const unscoped = accepted.data!.acceptInvitation.token as string;
  const invitations = await gql(h.url, `{ me { invitations { id clinic { id } } } }`, {}, { token: unscoped });
  const [invitation] = invitations.data!.me.invitations;
  const joined = await gql(h.url, `mutation ($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: invitation.id }, { token: unscoped });
  expect(joined.errors).toBeUndefined();
  const switched = await authGql(`mutation ($c: ID!) { switchClinic(clinicId: $c) { token } }`, { c: invitation.clinic.id }, unscoped);
  expect(switched.errors).toBeUndefined();
  return switched.data!.switchClinic.token;
}

async function login(email: string) {
  return authGql(`mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token roles } }`, { e: email, p: PASSWORD });
}

const authRows = <T>(sql: string, params: unknown[]) => mysqlQuery<T>(auth.databaseUrl, sql, params);

/** `npm run identity:reconcile` as an operator runs it where users runs (users' environment; users is built before this package's tests). */
function reconcile(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: users.database.url, AUTH_URL: auth.url, IDENTITY_STREAM };
  return new Promise((resolve) =>
    execFile('npm', ['run', '--silent', 'identity:reconcile', '--', ...args], { env, cwd: repoRoot() }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

test('provisioning, invitations by mail, role changes and deactivation reach auth', async () => {
  // admin (the service) invites the clinic's first ADMIN; the answer has no link, the mail has
  const provision = await gql(
    h.url,
    `mutation ($c: ID!, $by: ID!) { provisionAdminUser(clinicId: $c, email: "boss@clinic.example", firstName: "Bea", lastName: "Boss", invitedBy: $by) { id email } }`,
    { c: CLINIC, by: randomUUID() },
    { token: await serviceToken('admin'), headers: { 'x-clinicult-clinic-id': CLINIC } },
  );
  expect(provision.errors).toBeUndefined();
  expect(JSON.stringify(provision.data)).not.toMatch(/token/);
  const bossToken = await join('boss@clinic.example');
  const me = await gql(h.url, `{ me { id status memberships { clinic { id } roles } } }`, {}, { token: bossToken });
  expect(me.data!.me).toMatchObject({ status: 'ACTIVE', memberships: [{ clinic: { id: CLINIC }, roles: ['ADMIN'] }] });
  const [credential] = await authRows<{ email: string; status: string }>('SELECT email, status FROM Credential WHERE userId = ?', [me.data!.me.id]);
  expect(credential).toEqual({ email: 'boss@clinic.example', status: 'ACTIVE' });

  // the ADMIN invites a nurse, who joins the same way
  const created = await gql(
    h.url,
    `mutation { createUser(input: { email: "nina@clinic.example", firstName: "Nina", lastName: "Nurse", roles: [NURSE] }) { invitation { id } } }`,
    {},
    { token: bossToken },
  );
  expect(created.errors).toBeUndefined();
  const ninaToken = await join('nina@clinic.example');
  const ninaId = (await gql(h.url, `{ me { id } }`, {}, { token: ninaToken })).data!.me.id as string;

  // a role change lands in auth and ends the nurse's session in this clinic
  const changed = await gql(h.url, `mutation ($id: ID!) { setMembership(userId: $id, roles: [NURSE, OFFICE]) { id } }`, { id: ninaId }, { token: bossToken });
  expect(changed.errors).toBeUndefined();
  const [membership] = await authRows<{ roles: unknown }>('SELECT roles FROM Membership WHERE userId = ? AND clinicId = ?', [ninaId, CLINIC]);
  expect(typeof membership!.roles === 'string' ? JSON.parse(membership!.roles) : membership!.roles).toEqual(['NURSE', 'OFFICE']);
  const stale = await gql(h.url, `{ me { id } }`, {}, { token: ninaToken });
  expect(codes(stale)).toEqual(['UNAUTHENTICATED']);
  expect(stale.errors![0]!.extensions!.reason).toBe('SESSION_REVOKED');
  const relogin = await login('nina@clinic.example');
  expect(relogin.data!.login.roles).toEqual(['NURSE', 'OFFICE']);

  // deactivation: auth refuses the login and users refuses the token
  const off = await gql(h.url, `mutation ($id: ID!) { deactivateUser(id: $id) { status } }`, { id: ninaId }, { token: bossToken });
  expect(off.data!.deactivateUser.status).toBe('DEACTIVATED');
  expect((await authRows<{ status: string }>('SELECT status FROM Credential WHERE userId = ?', [ninaId]))[0]!.status).toBe('DEACTIVATED');
  const refused = await gql(h.url, `{ me { id } }`, {}, { token: relogin.data!.login.token });
  expect(refused.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'USER_DEACTIVATED' });
  expect(codes(await login('nina@clinic.example'))).not.toEqual([]);

  const on = await gql(h.url, `mutation ($id: ID!) { reactivateUser(id: $id) { status } }`, { id: ninaId }, { token: bossToken });
  expect(on.data!.reactivateUser.status).toBe('ACTIVE');
  const back = await login('nina@clinic.example');
  expect(back.errors).toBeUndefined();

  // removing the membership takes its roles out of auth (the row stays for its cut-off) and ends that session
  await gql(h.url, `mutation ($id: ID!) { removeMembership(userId: $id) { id } }`, { id: ninaId }, { token: bossToken });
  const [removed] = await authRows<{ roles: unknown }>('SELECT roles FROM Membership WHERE userId = ?', [ninaId]);
  expect(typeof removed!.roles === 'string' ? JSON.parse(removed!.roles) : removed!.roles).toEqual([]);
  expect((await gql(h.url, `{ me { id } }`, {}, { token: back.data!.login.token })).errors![0]!.extensions!.reason).toBe('SESSION_REVOKED');
});

test('resetSecondFactors (a lost phone) removes the factors in auth and ends the sessions; a refused reset leaves them', async () => {
  const boss = await login('boss@clinic.example');
  expect(boss.errors).toBeUndefined();
  const bossToken = boss.data!.login.token as string;
  const created = await gql(
    h.url,
    `mutation { createUser(input: { email: "paul@clinic.example", firstName: "Paul", lastName: "Phone", roles: [NURSE] }) { invitation { id } } }`,
    {},
    { token: bossToken },
  );
  expect(created.errors).toBeUndefined();
  const paulToken = await join('paul@clinic.example');
  const paulId = (await gql(h.url, `{ me { id } }`, {}, { token: paulToken })).data!.me.id as string;

  // Paul enrols an authenticator app: from then on a sign-in asks for its code
  const started = await authGql(`mutation { startTotpEnrolment { secret } }`, {}, paulToken);
  const app = createTotpApp(started.data!.startTotpEnrolment.secret);
  const confirmed = await authGql(`mutation ($c: String!) { confirmTotpEnrolment(code: $c) { recoveryCodes } }`, { c: await app.nextCode() }, paulToken);
  expect(confirmed.errors).toBeUndefined();
  const asksForCode = await login('paul@clinic.example');
  expect(asksForCode.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SECOND_FACTOR_REQUIRED' });

  // nobody resets their own factors (Paul, or the ADMIN hers): auth keeps them
  const RESET = `mutation ($id: ID!) { resetSecondFactors(id: $id) { id } }`;
  expect(codes(await gql(h.url, RESET, { id: paulId }, { token: paulToken }))).toEqual(['FORBIDDEN']);
  const factors = await authGql(`{ mySecondFactors { totp } }`, {}, paulToken);
  expect(factors.data!.mySecondFactors.totp).toBe(true);

  // the ADMIN resets them: gone in auth, Paul's sessions end, and he signs in with his password alone
  const reset = await gql(h.url, RESET, { id: paulId }, { token: bossToken });
  expect(reset.errors).toBeUndefined();
  expect(reset.data).toEqual({ resetSecondFactors: { id: paulId } });
  const [left] = await authRows<{ n: number | bigint }>('SELECT COUNT(*) AS n FROM TotpFactor WHERE userId = ?', [paulId]);
  expect(Number(left!.n)).toBe(0);
  expect(codes(await authGql(`{ mySecondFactors { totp } }`, {}, paulToken))).toEqual(['UNAUTHENTICATED']);
  const again = await login('paul@clinic.example');
  expect(again.errors).toBeUndefined();
  expect((await authGql(`{ mySecondFactors { totp } }`, {}, again.data!.login.token)).data!.mySecondFactors.totp).toBe(false);
});

test('identity:reconcile reports drift between users and auth; --repair sends users’ version through the identity stream', async () => {
  const bossToken = (await login('boss@clinic.example')).data!.login.token as string;
  const created = await gql(
    h.url,
    `mutation { createUser(input: { email: "rita@clinic.example", firstName: "Rita", lastName: "Reyes", roles: [NURSE] }) { invitation { id } } }`,
    {},
    { token: bossToken },
  );
  expect(created.errors).toBeUndefined();
  const ritaToken = await join('rita@clinic.example');
  const ritaId = (await gql(h.url, `{ me { id } }`, {}, { token: ritaToken })).data!.me.id as string;
  // a lost event, a restored backup or a hand edit: auth now grants what users never decided
  await authRows('UPDATE Membership SET roles = ? WHERE userId = ? AND clinicId = ?', [JSON.stringify(['ADMIN', 'NURSE']), ritaId, CLINIC]);
  expect((await login('rita@clinic.example')).data!.login.roles).toEqual(['ADMIN', 'NURSE']);

  const report = await reconcile([]);
  expect(report).toMatchObject({ code: 1, stderr: "" });
  expect(report.stdout).toContain(`user ${ritaId} in clinic ${CLINIC}: users says [NURSE], auth says [ADMIN, NURSE]`);

  const repaired = await reconcile(['--repair']);
  expect(repaired).toMatchObject({ code: 0, stderr: "" });
  expect(repaired.stdout).toMatch(/repaired by identity events/);
  // auth applies users' version from the stream: the escalated roles are gone, and so is the session that held them
  const rolesAtAuth = async () => {
    const [row] = await authRows<{ roles: unknown }>('SELECT roles FROM Membership WHERE userId = ? AND clinicId = ?', [ritaId, CLINIC]);
    return typeof row!.roles === 'string' ? JSON.parse(row!.roles) : row!.roles;
  };
  for (let i = 0; i < 50 && JSON.stringify(await rolesAtAuth()) !== '["NURSE"]'; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await rolesAtAuth()).toEqual(['NURSE']);
  expect((await gql(h.url, `{ me { id } }`, {}, { token: ritaToken })).errors?.[0]?.extensions?.reason).toBe('SESSION_REVOKED');
  expect((await login('rita@clinic.example')).data!.login.roles).toEqual(['NURSE']);
  const again = await reconcile([]);
  expect(again).toMatchObject({ code: 0 });
  expect(again.stdout).toContain('users and auth agree.');
});
