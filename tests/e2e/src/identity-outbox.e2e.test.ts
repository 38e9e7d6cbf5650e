import { parseStreamFields, type EventEnvelope } from '@clinicult/events';
import { codes, gql, type GraphQLResponse } from '@clinicult/testing';
import { Redis } from 'ioredis';
import { startPlatform, type Platform } from './platform.js';

/**
 * Identity changes are events from users' and admin's outboxes (issue 13), not calls to auth: a
 * role removed or a clinic suspended while auth is down stops working within seconds (every
 * service's facts consumer merges the revocation), auth's restart and its rewrite of the facts do
 * not revive it, auth applies what it missed, and a replayed event changes nothing.
 */
let platform: Platform;
let redis: Redis;
let operator: string;

beforeAll(async () => {
  platform = await startPlatform();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  operator = (await platform.login(platform.demo.operator.email)).token;
});

afterAll(async () => {
  redis?.disconnect();
  await platform?.stop();
});

const PATIENTS = '{ patients(first: 1) { totalCount } }';
const SET_ROLES = 'mutation($id: ID!, $roles: [Role!]!) { setMembership(userId: $id, roles: $roles) { id } }';

/** Polls `request` until it is refused with `reason` (at most `seconds`); returns how long that took. */
async function refusedWithin(seconds: number, reason: string, request: () => Promise<GraphQLResponse>): Promise<number> {
  const started = Date.now();
  for (;;) {
    const response = await request();
    if (response.errors?.[0]?.extensions?.reason === reason) {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data ?? null).toBeNull();
      return Date.now() - started;
    }
    if (Date.now() - started > seconds * 1000) throw new Error(`not refused with ${reason} within ${seconds} s: ${JSON.stringify(response)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function identityEvents(): Promise<Array<{ entryFields: string[]; envelope: EventEnvelope<any> }>> {
  const entries = (await redis.xrange(platform.identityStream, '-', '+')) as Array<[string, string[]]>;
  return entries.map(([, fields]) => ({ entryFields: fields, envelope: parseStreamFields(fields) as EventEnvelope<any> }));
}

async function authIsReady(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${platform.services.auth.opsUrl}/readyz`)).ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('auth never became ready');
}

test("auth stopped while an ADMIN removes a DOCTOR's role: refused within seconds, still refused after auth's restart, auth and users agree, a replay changes nothing", async () => {
  const admin = await platform.login(platform.demo.admin.email);
  const doctor = await platform.login('doctor@demo.clinicult.test');
  const viaGateway = () => platform.query(PATIENTS, {}, doctor.token);
  const direct = () => gql(`${platform.urls.patients}/graphql`, PATIENTS, {}, { token: doctor.token });
  expect((await viaGateway()).errors).toBeUndefined();

  await platform.stopAuth();
  const changed = await platform.query(SET_ROLES, { id: doctor.userId, roles: ['NURSE'] }, admin.token);
  expect(changed.errors).toBeUndefined();
  // no auth anywhere: the facts consumers of the running services revoke the doctor's clinic session
  expect(await refusedWithin(5, 'SESSION_REVOKED', viaGateway)).toBeLessThan(5000);
  await refusedWithin(1, 'SESSION_REVOKED', direct);
  const key = { userId_clinicId: { userId: doctor.userId, clinicId: platform.clinicId } };
  expect((await platform.services.users.db.membership.findUniqueOrThrow({ where: key })).roles).toEqual(['NURSE']);

  await platform.startAuth();
  await authIsReady();
  // auth rewrote the facts from its database on start and then applied what it missed: the old token stays refused
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await refusedWithin(1, 'SESSION_REVOKED', viaGateway);
  await refusedWithin(1, 'SESSION_REVOKED', direct);
  const authRow = await platform.services.auth.db.membership.findUniqueOrThrow({ where: key });
  expect(authRow.roles).toEqual(['NURSE']);
  const again = await platform.login('doctor@demo.clinicult.test');
  expect(again.roles).toEqual(['NURSE']);
  expect((await platform.query(PATIENTS, {}, again.token)).errors).toBeUndefined();

  // a replay: the same stream entry once more (same event id), and the same change under a new id
  const events = await identityEvents();
  const sent = events.filter((e) => e.envelope.type === 'membership.changed' && e.envelope.payload.userId === doctor.userId).at(-1)!;
  expect(sent.envelope.payload).toMatchObject({ clinicId: platform.clinicId, roles: ['NURSE'], endsSessions: true });
  await redis.xadd(platform.identityStream, '*', ...sent.entryFields);
  const renamed = { ...sent.envelope, id: crypto.randomUUID() };
  await redis.xadd(platform.identityStream, '*', 'id', renamed.id, 'type', renamed.type, 'envelope', JSON.stringify(renamed));
  for (let i = 0; i < 50 && !(await redis.exists(`events:done:auth:${renamed.id}`)); i++) await new Promise((r) => setTimeout(r, 100));
  expect(await redis.exists(`events:done:auth:${renamed.id}`)).toBe(1);
  expect(await platform.services.auth.db.membership.findUniqueOrThrow({ where: key })).toEqual(authRow);
  // the session opened after the change is not ended by the replayed (older) cut-off
  expect((await platform.query(PATIENTS, {}, again.token)).errors).toBeUndefined();

  // back as it was, for the other tests
  expect((await platform.query(SET_ROLES, { id: doctor.userId, roles: ['DOCTOR'] }, admin.token)).errors).toBeUndefined();
  expect((await platform.login('doctor@demo.clinicult.test')).roles).toEqual(['DOCTOR']);
});

test('a clinic suspended while auth is down: staff refused within seconds, still refused (and no sign-in) after the restart', async () => {
  const nurse = await platform.login('nurse@demo.clinicult.test');
  const request = () => platform.query(PATIENTS, {}, nurse.token);
  expect((await request()).errors).toBeUndefined();

  await platform.stopAuth();
  const suspended = await platform.query('mutation($id: ID!) { suspendClinic(id: $id, reason: "unpaid") { status } }', { id: platform.clinicId }, operator);
  expect(suspended.errors).toBeUndefined();
  expect(await refusedWithin(5, 'CLINIC_SUSPENDED', request)).toBeLessThan(5000);

  await platform.startAuth();
  await authIsReady();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await refusedWithin(1, 'CLINIC_SUSPENDED', request);
  const login = await gql(platform.gatewayUrl, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
    e: 'nurse@demo.clinicult.test',
    p: platform.password,
  });
  expect(login.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLINIC_SUSPENDED' });
  expect(await platform.services.auth.db.clinicStatus.findUniqueOrThrow({ where: { clinicId: platform.clinicId } })).toMatchObject({
    status: 'SUSPENDED',
  });

  const reactivated = await platform.query('mutation($id: ID!) { reactivateClinic(id: $id) { status } }', { id: platform.clinicId }, operator);
  expect(reactivated.data).toEqual({ reactivateClinic: { status: 'ACTIVE' } });
  expect((await request()).errors).toBeUndefined();
});
