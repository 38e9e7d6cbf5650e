import { randomUUID } from 'node:crypto';
import { SERVICE_CAPABILITIES } from '@clinicult/rbac';
import { codes, gql } from '@clinicult/testing';
import { seedUser, startHarness, type UsersHarness } from './users.js';

/**
 * `clinicStaffCount` (internal, for admin's operator overview): a service token holding
 * clinicult:service:clinic-counts, the clinic named in x-clinicult-clinic-id, a number only —
 * over real HTTP and a real MariaDB database.
 */
// staff counts ask admin nothing: clinic ids of memberships seeded here
const CLINIC_A = randomUUID();
const CLINIC_B = randomUUID();
const QUERY = '{ clinicStaffCount }';

let h: UsersHarness;
let adminToken: string;

const named = (clinicId: string) => ({ 'x-clinicult-clinic-id': clinicId });

beforeAll(async () => {
  h = await startHarness();
  // clinic A: 3 working staff (one invited, one in both clinics), 1 deactivated; clinic B: 2
  await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['ADMIN'] }]);
  await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['DOCTOR', 'NURSE'] }], { status: 'INVITED' });
  await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['OFFICE'] }, { clinicId: CLINIC_B, roles: ['OFFICE'] }]);
  await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['NURSE'] }], { status: 'DEACTIVATED' });
  await seedUser(h.db, [{ clinicId: CLINIC_B, roles: ['ADMIN'] }]);
  adminToken = await h.issuer.serviceToken('admin');
});

afterAll(async () => {
  await h?.close();
});

test("admin's service token counts the named clinic's staff only, in one SQL query", async () => {
  h.queries.length = 0;
  const a = await gql(h.url, QUERY, {}, { token: adminToken, headers: named(CLINIC_A) });
  expect(a.errors).toBeUndefined();
  expect(a.data).toEqual({ clinicStaffCount: 3 });
  expect(h.queries).toHaveLength(1);

  const b = await gql(h.url, QUERY, {}, { token: adminToken, headers: named(CLINIC_B) });
  expect(b.data).toEqual({ clinicStaffCount: 2 });
  const empty = await gql(h.url, QUERY, {}, { token: adminToken, headers: named(randomUUID()) });
  expect(empty.data).toEqual({ clinicStaffCount: 0 });
});

test('a removed membership and a deactivation lower the count', async () => {
  const clinic = randomUUID();
  const kept = await seedUser(h.db, [{ clinicId: clinic, roles: ['DOCTOR'] }]);
  const removed = await seedUser(h.db, [{ clinicId: clinic, roles: ['NURSE'] }]);
  const count = async () => (await gql(h.url, QUERY, {}, { token: adminToken, headers: named(clinic) })).data!.clinicStaffCount;
  expect(await count()).toBe(2);
  await h.db.membership.delete({ where: { userId_clinicId: { userId: removed.id, clinicId: clinic } } });
  expect(await count()).toBe(1);
  await h.db.user.update({ where: { id: kept.id }, data: { status: 'DEACTIVATED' } });
  expect(await count()).toBe(0);
});

test('staff, operators and services without clinic-counts get FORBIDDEN', async () => {
  const tokens = [
    await h.issuer.staffToken(randomUUID(), CLINIC_A, ['ADMIN']),
    await h.issuer.operatorToken(),
    await h.issuer.serviceToken('patients'),
    await h.issuer.serviceToken('admin', [SERVICE_CAPABILITIES.userProvision]),
  ];
  for (const token of tokens) {
    const response = await gql(h.url, QUERY, {}, { token, headers: named(CLINIC_A) });
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(response.data ?? null).toBeNull();
  }
});

test('no token → UNAUTHENTICATED', async () => {
  const response = await gql(h.url, QUERY, {}, { headers: named(CLINIC_A) });
  expect(codes(response)).toEqual(['UNAUTHENTICATED']);
});

test('no clinic named, or not a clinic id → BAD_USER_INPUT naming the header', async () => {
  const none = await gql(h.url, QUERY, {}, { token: adminToken });
  expect(codes(none)).toEqual(['BAD_USER_INPUT']);
  expect(none.errors![0]!.message).toMatch(/x-clinicult-clinic-id/);
  const garbage = await gql(h.url, QUERY, {}, { token: adminToken, headers: named("' OR 1=1 --") });
  expect(codes(garbage)).toEqual(['BAD_USER_INPUT']);
});
