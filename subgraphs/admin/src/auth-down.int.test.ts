/**
 * A clinic's access no longer depends on reaching auth (issue 13): with auth down, suspending and
 * reactivating succeed, each stored with its identity event in one transaction; the event waits
 * in the stream for auth (and is merged into the revocation facts by every running service).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseStreamFields } from '@clinicult/events';
import { gql, type TestIssuer } from '@clinicult/testing';
import { CLINIC_FIELDS, deadUrl, startAdmin, testIssuer, type AdminUnderTest } from './__tests__/stack.js';

const IDENTITY_STREAM = `events:identity:test:admin-down:${randomUUID()}`;
let issuer: TestIssuer;
let admin: AdminUnderTest;
let operator: string;
let redis: Redis;

beforeAll(async () => {
  issuer = await testIssuer();
  admin = await startAdmin({ issuer, authUrl: await deadUrl(), env: { UPSTREAM_TIMEOUT_MS: '1000', IDENTITY_STREAM, IDENTITY_APPLY_WAIT_MS: '300' } });
  operator = await issuer.operatorToken();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});

afterAll(async () => {
  await redis?.del(IDENTITY_STREAM);
  redis?.disconnect();
  await admin?.stop();
});

async function accessEvents(clinicId: string) {
  const entries = (await redis.xrange(IDENTITY_STREAM, '-', '+')) as Array<[string, string[]]>;
  return entries
    .map(([, fields]) => parseStreamFields(fields))
    .filter((e) => e.type === 'clinic.access.changed' && (e.payload as { clinicId: string }).clinicId === clinicId)
    .map((e) => (e.payload as { access: string }).access);
}

test('createClinic needs no auth: the clinic is created', async () => {
  const response = await gql(
    admin.url,
    `mutation($input: CreateClinicInput!) { createClinic(input: $input) { id status } }`,
    { input: { name: `Created Without Auth ${randomUUID()}`, timeZone: 'UTC' } },
    { token: operator },
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.createClinic.status).toBe('ACTIVE');
});

test('suspendClinic and reactivateClinic succeed while auth is down; their identity events wait in the stream', async () => {
  const clinic = await admin.service.db.clinic.create({ data: { name: `Active ${randomUUID()}`, timeZone: 'UTC' } });
  const suspend = await gql(admin.url, `mutation($id: ID!) { suspendClinic(id: $id, reason: "late") { ${CLINIC_FIELDS} } }`, { id: clinic.id }, { token: operator });
  expect(suspend.errors).toBeUndefined();
  expect(suspend.data!.suspendClinic).toMatchObject({ status: 'SUSPENDED', suspendedReason: 'late' });
  const reactivate = await gql(admin.url, `mutation($id: ID!) { reactivateClinic(id: $id) { status } }`, { id: clinic.id }, { token: operator });
  expect(reactivate.data).toEqual({ reactivateClinic: { status: 'ACTIVE' } });
  expect(await accessEvents(clinic.id)).toEqual(['SUSPENDED', 'ACTIVE']);
  expect((await admin.service.db.clinic.findUniqueOrThrow({ where: { id: clinic.id } })).status).toBe('ACTIVE');
});
