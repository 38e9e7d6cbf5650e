import { randomUUID } from 'node:crypto';
import { SERVICE_CAPABILITIES } from '@clinicult/rbac';
import { codes, gql } from '@clinicult/testing';
import { seedUser, startHarness, type UsersHarness } from './users.js';

/**
 * `staffNames` (internal, for each cluster's staff directory in clinic): a service token holding
 * clinicult:service:staff-names, the clinic named in x-clinicult-clinic-id; the names of that
 * clinic's people only, in one query — over real HTTP and a real MariaDB database.
 */
const CLINIC_A = randomUUID();
const CLINIC_B = randomUUID();
const QUERY = 'query ($ids: [ID!]!) { staffNames(userIds: $ids) { id displayName } }';
const named = (clinicId: string) => ({ 'x-clinicult-clinic-id': clinicId });

let h: UsersHarness;
let clinicToken: string;
let nurse: { id: string; firstName: string; lastName: string };
let other: { id: string };

beforeAll(async () => {
  h = await startHarness();
  nurse = await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['NURSE'] }]);
  other = await seedUser(h.db, [{ clinicId: CLINIC_B, roles: ['DOCTOR'] }]);
  clinicToken = await h.issuer.serviceToken('clinic');
});

afterAll(async () => {
  await h?.close();
});

test("clinic's service token reads the named clinic's people's names, never another clinic's, in one SQL query", async () => {
  h.queries.length = 0;
  const a = await gql(h.url, QUERY, { ids: [nurse.id, other.id, randomUUID(), nurse.id] }, { token: clinicToken, headers: named(CLINIC_A) });
  expect(a.errors).toBeUndefined();
  expect(a.data).toEqual({ staffNames: [{ id: nurse.id, displayName: `${nurse.firstName} ${nurse.lastName}` }] });
  expect(h.queries).toHaveLength(1);
  const b = await gql(h.url, QUERY, { ids: [nurse.id] }, { token: clinicToken, headers: named(CLINIC_B) });
  expect(b.data).toEqual({ staffNames: [] });
});

test('staff, operators and services without staff-names get FORBIDDEN; no token UNAUTHENTICATED; no clinic named BAD_USER_INPUT', async () => {
  const tokens = [
    await h.issuer.staffToken(randomUUID(), CLINIC_A, ['ADMIN']),
    await h.issuer.operatorToken(),
    await h.issuer.serviceToken('patients'),
    await h.issuer.serviceToken('clinic', [SERVICE_CAPABILITIES.clinicCounts]),
  ];
  for (const token of tokens) {
    const response = await gql(h.url, QUERY, { ids: [nurse.id] }, { token, headers: named(CLINIC_A) });
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(response.data ?? null).toBeNull();
  }
  expect(codes(await gql(h.url, QUERY, { ids: [nurse.id] }, { headers: named(CLINIC_A) }))).toEqual(['UNAUTHENTICATED']);
  const none = await gql(h.url, QUERY, { ids: [nurse.id] }, { token: clinicToken });
  expect(codes(none)).toEqual(['BAD_USER_INPUT']);
  const many = await gql(h.url, QUERY, { ids: Array.from({ length: 501 }, () => randomUUID()) }, { token: clinicToken, headers: named(CLINIC_A) });
  expect(codes(many)).toEqual(['BAD_USER_INPUT']);
});
