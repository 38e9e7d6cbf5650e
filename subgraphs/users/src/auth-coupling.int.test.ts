import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, mysqlQuery, type TestDatabase } from '@clinicult/db';
import { repoRoot, type RunningService } from '@clinicult/kit';
import { codes, gql } from '@clinicult/testing';
import { startHarness, type UsersHarness } from './__tests__/harness.js';
import { staticClinicDirectory } from './clinics.js';

/**
 * users against the real auth service (in-process, its own database): what users changes reaches
 * auth, and tokens issued before a role change or a deactivation stop working at users.
 */
interface AuthModule {
  loadAuthConfig(env: Record<string, string | undefined>): unknown;
  startAuthService(config: unknown): Promise<RunningService>;
}

const CLINIC = randomUUID();
const PASSWORD = 'Correct-Horse-Battery-9';

let authDb: TestDatabase;
let auth: RunningService;
let h: UsersHarness;

beforeAll(async () => {
  // auth is another workspace: loaded by path so users' own compile stays within src/
  const mod = (await import(path.join(repoRoot(), 'subgraphs/auth/src/index.ts'))) as AuthModule;
  authDb = await createTestDatabase('auth');
  auth = await mod.startAuthService(
    mod.loadAuthConfig({ ...process.env, NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: authDb.url, FACTS_WARM_INTERVAL_MS: '300' }),
  );
  h = await startHarness({
    trustTestIssuer: false,
    clinics: staticClinicDirectory([CLINIC]),
    env: { AUTH_URL: auth.url },
  });
});

afterAll(async () => {
  await h?.close();
  await auth?.stop();
  await authDb?.drop();
});

const authGql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  gql(`${auth.url}/graphql`, query, variables, {
    ...(token ? { token } : {}),
    headers: { 'x-forwarded-for': `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.9` },
  });

async function serviceToken(clientId: string): Promise<string> {
  const response = await fetch(`${auth.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: `dev-only-service-secret-${clientId}` }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function accept(token: string): Promise<string> {
  const r = await authGql(`mutation ($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token clinicId roles } }`, {
    t: token,
    p: PASSWORD,
  });
  expect(r.errors).toBeUndefined();
  return r.data!.acceptInvitation.token;
}

async function login(email: string) {
  return authGql(`mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token roles } }`, { e: email, p: PASSWORD });
}

const authRows = <T>(sql: string, params: unknown[]) => mysqlQuery<T>(authDb.url, sql, params);

test('provisioning, invitations, role changes and deactivation reach auth', async () => {
  // admin (the service) provisions the clinic's first ADMIN; the ADMIN accepts at auth
  const provision = await gql(
    h.url,
    `mutation ($c: ID!) { provisionAdminUser(clinicId: $c, email: "boss@clinic.example", firstName: "Bea", lastName: "Boss") { token user { id } } }`,
    { c: CLINIC },
    { token: await serviceToken('admin'), headers: { 'x-clinicult-clinic-id': CLINIC } },
  );
  expect(provision.errors).toBeUndefined();
  const bossId = provision.data!.provisionAdminUser.user.id;
  const [credential] = await authRows<{ email: string; status: string }>('SELECT email, status FROM Credential WHERE userId = ?', [bossId]);
  expect(credential).toEqual({ email: 'boss@clinic.example', status: 'ACTIVE' });
  const bossToken = await accept(provision.data!.provisionAdminUser.token);
  const me = await gql(h.url, `{ me { status memberships { clinic { id } roles } } }`, {}, { token: bossToken });
  expect(me.data!.me).toEqual({ status: 'ACTIVE', memberships: [{ clinic: { id: CLINIC }, roles: ['ADMIN'] }] });

  // the ADMIN adds a nurse, who accepts and signs in
  const created = await gql(
    h.url,
    `mutation { createUser(input: { email: "nina@clinic.example", firstName: "Nina", lastName: "Nurse", roles: [NURSE] }) { user { id } invitation { token } } }`,
    {},
    { token: bossToken },
  );
  expect(created.errors).toBeUndefined();
  const ninaId = created.data!.createUser.user.id;
  const ninaToken = await accept(created.data!.createUser.invitation.token);
  expect((await gql(h.url, `{ me { id } }`, {}, { token: ninaToken })).data!.me.id).toBe(ninaId);

  // a role change lands in auth and ends the nurse's sessions
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
  expect((await login('nina@clinic.example')).errors).toBeUndefined();

  // removing the membership removes it in auth too
  await gql(h.url, `mutation ($id: ID!) { removeMembership(userId: $id) { id } }`, { id: ninaId }, { token: bossToken });
  expect(await authRows('SELECT roles FROM Membership WHERE userId = ?', [ninaId])).toEqual([]);
});
