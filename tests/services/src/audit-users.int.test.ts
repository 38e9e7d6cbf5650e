import { randomUUID } from 'node:crypto';
import { mysqlExecute, type TestDatabase } from '@clinicult/db';
import { pino } from 'pino';
import type { RunningUsersService } from '@clinicult/users-service';
import { auditLog, createTestIssuer, gql, waitFor, type InProcess, type TestIssuer } from '@clinicult/testing';
import { createClinic, startAdmin, type AdminUnderTest } from './admin.js';
import { startAuditOn, testStream, type AuditUnderTest } from './audit.js';
import { startAuth, type AuthUnderTest } from './auth.js';
import { startUsers } from './services.js';

/**
 * The users service, wired to the kit's audit trail: its role, membership and status changes reach
 * audit, where the clinic's ADMIN finds them with `auditLog(userId)`. users runs in-process beside
 * the real auth (its service tokens, the invitation mail) and the real admin (the clinic's name).
 */

const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let CLINIC: string;
const ADMIN = randomUUID();
const TARGET = randomUUID();
const stream = testStream();

let issuer: TestIssuer;
let audit: AuditUnderTest;
let usersDb: TestDatabase;
let users: InProcess<RunningUsersService>;
let adminToken: string;

let auth: AuthUnderTest;
let admin: AdminUnderTest;

async function seedUser(id: string, roles: string[]): Promise<void> {
  await mysqlExecute(
    usersDb.url,
    "INSERT INTO `User` (id, email, firstName, lastName, status, activatedAt, updatedAt) VALUES (?, ?, 'Test', ?, 'ACTIVE', NOW(3), NOW(3))",
    [id, `${id}@example.org`, `User ${id.slice(0, 8)}`],
  );
  await mysqlExecute(usersDb.url, 'INSERT INTO `Membership` (userId, clinicId, roles, updatedAt) VALUES (?, ?, ?, NOW(3))', [id, CLINIC, JSON.stringify(roles)]);
  // auth's copy of the same login and roles (users keeps the two in step)
  await mysqlExecute(auth.databaseUrl, 'INSERT INTO `Credential` (userId, email, updatedAt) VALUES (?, ?, NOW(3))', [id, `${id}@example.org`]);
  await mysqlExecute(auth.databaseUrl, 'INSERT INTO `Membership` (userId, clinicId, roles, updatedAt) VALUES (?, ?, ?, NOW(3))', [id, CLINIC, JSON.stringify(roles)]);
}

beforeAll(async () => {
  issuer = await createTestIssuer();
  audit = await startAuditOn({ issuer, stream });
  auth = await startAuth({ issuer });
  admin = await startAdmin({ issuer, authUrl: auth.url });
  CLINIC = (await createClinic(admin.url, await issuer.operatorToken(randomUUID()), { name: 'Audit Test Clinic' })).id;
  users = await startUsers({
    issuer,
    env: { AUTH_URL: auth.url, ADMIN_URL: admin.service.url },
    overrides: { logger: silentLogger, auditStream: stream },
  });
  usersDb = users.database;
  await seedUser(ADMIN, ['ADMIN']);
  await seedUser(TARGET, ['OFFICE']);
  adminToken = await issuer.staffToken(ADMIN, CLINIC, ['ADMIN']);
});

afterAll(async () => {
  await users?.stop();
  await admin?.stop();
  await audit?.stop();
  await auth?.stop();
});

test('a role change in users is an audit event that ADMIN finds with auditLog(userId)', async () => {
  const r = await gql(users.url, 'mutation ($id: ID!) { setMembership(userId: $id, roles: [DOCTOR, OFFICE]) { id } }', { id: TARGET }, { token: adminToken });
  expect(r.errors).toBeUndefined();
  const requestId = r.headers.get('x-request-id');

  const log = await waitFor(
    'the role change in the audit log',
    () => auditLog(audit.url, adminToken, { userId: TARGET }),
    // the page and the count are separate reads: wait until the page shows the event
    (res) => (res.data?.auditLog.edges.length ?? 0) > 0,
  );
  expect(log.data!.auditLog.edges.map((e) => e.node)).toEqual([
    {
      id: expect.any(String),
      action: 'membership.changed',
      actor: { id: ADMIN },
      actorId: ADMIN,
      actorKind: 'STAFF',
      patient: null,
      targetUser: { id: TARGET },
      fields: null,
      api: 'GRAPHQL',
      service: 'users',
      requestId,
      occurredAt: expect.any(String),
      details: { before: ['OFFICE'], after: ['DOCTOR', 'OFFICE'] },
    },
  ]);
  // and by the ADMIN who made it
  const byAdmin = await auditLog(audit.url, adminToken, { userId: ADMIN });
  expect(byAdmin.data!.auditLog.edges.map((e) => e.node.action)).toEqual(['membership.changed']);
});

test('inviting a person, their acceptance and their deactivation are audit events too', async () => {
  const created = await gql<{ createUser: { invitation: { id: string } } }>(
    users.url,
    'mutation { createUser(input: { email: "nora@example.org", firstName: "Nora", lastName: "Nurse", roles: [NURSE] }) { invitation { id } } }',
    {},
    { token: adminToken },
  );
  expect(created.errors).toBeUndefined();
  // Nora follows the mail: a password, then the clinic's invitation
  const link = (await auth.mail.waitFor({ to: 'nora@example.org' })).links[0]!;
  const accepted = await gql<{ acceptInvitation: { token: string; user: { id: string } } }>(
    auth.url,
    'mutation ($t: String!) { acceptInvitation(token: $t, password: "Ward-7-night-shift") { token user { id } } }',
    { t: new URL(link).searchParams.get('token') },
  );
  expect(accepted.errors).toBeUndefined();
  const id = accepted.data!.acceptInvitation.user.id;
  const joined = await gql(users.url, 'mutation ($id: ID!) { acceptClinicInvitation(id: $id) { roles } }', { id: created.data!.createUser.invitation.id }, {
    token: accepted.data!.acceptInvitation.token,
  });
  expect(joined.errors).toBeUndefined();
  const off = await gql(users.url, 'mutation ($id: ID!) { deactivateUser(id: $id) { status } }', { id }, { token: adminToken });
  expect(off.errors).toBeUndefined();

  const log = await waitFor(
    'four events about the new user',
    () => auditLog(audit.url, adminToken, { userId: id }),
    (res) => (res.data?.auditLog.edges.length ?? 0) >= 4,
  );
  expect(log.data!.auditLog.edges.map((e) => e.node.action).sort()).toEqual(['invitation.accepted', 'invitation.created', 'membership.added', 'user.deactivated']);
  expect(log.data!.auditLog.edges.find((e) => e.node.action === 'membership.added')!.node.details).toEqual({ before: null, after: ['NURSE'] });
});
