/**
 * When auth cannot be reached, a status change fails with a clear error and nothing changes:
 * no clinic row, no status change, no event.
 */
import { randomUUID } from 'node:crypto';
import { codes, gql, type GraphQLResponse, type TestIssuer } from '@clinicult/testing';
import { CLINIC_FIELDS, deadUrl, startAdmin, testIssuer, type AdminUnderTest } from './__tests__/stack.js';

let issuer: TestIssuer;
let admin: AdminUnderTest;
let operator: string;

beforeAll(async () => {
  issuer = await testIssuer();
  admin = await startAdmin({ issuer, authUrl: await deadUrl(), env: { UPSTREAM_TIMEOUT_MS: '1000' } });
  operator = await issuer.operatorToken();
});

afterAll(async () => {
  await admin?.stop();
});

async function snapshot() {
  const [clinics, outbox] = await Promise.all([
    admin.service.db.clinic.findMany({ orderBy: { id: 'asc' } }),
    admin.service.db.eventOutbox.count(),
  ]);
  return { clinics, outbox };
}

function expectAuthUnavailable(response: GraphQLResponse, action: RegExp) {
  expect(codes(response)).toEqual(['SERVICE_UNAVAILABLE']);
  expect(response.errors![0]!.extensions!.service).toBe('auth');
  expect(response.errors![0]!.message).toMatch(action);
  expect(response.errors![0]!.message).toMatch(/the auth service could not be reached .*Nothing was changed/);
  expect(response.data).toBeNull();
}

test('createClinic fails and creates nothing', async () => {
  const before = await snapshot();
  const response = await gql(
    admin.url,
    `mutation($input: CreateClinicInput!) { createClinic(input: $input) { id } }`,
    { input: { name: 'Never Created', timeZone: 'UTC' } },
    { token: operator },
  );
  expectAuthUnavailable(response, /^Could not record the clinic as active/);
  expect(await snapshot()).toEqual(before);
});

test('suspendClinic and reactivateClinic fail and change nothing', async () => {
  const active = await admin.service.db.clinic.create({ data: { name: `Active ${randomUUID()}`, timeZone: 'UTC' } });
  const suspended = await admin.service.db.clinic.create({
    data: { name: `Suspended ${randomUUID()}`, timeZone: 'UTC', status: 'SUSPENDED', suspendedReason: 'x', suspendedAt: new Date() },
  });
  const before = await snapshot();

  const suspend = await gql(
    admin.url,
    `mutation($id: ID!) { suspendClinic(id: $id, reason: "late") { ${CLINIC_FIELDS} } }`,
    { id: active.id },
    { token: operator },
  );
  expectAuthUnavailable(suspend, /^Could not suspend the clinic/);

  const reactivate = await gql(admin.url, `mutation($id: ID!) { reactivateClinic(id: $id) { id } }`, { id: suspended.id }, { token: operator });
  expectAuthUnavailable(reactivate, /^Could not record the clinic as active/);

  expect(await snapshot()).toEqual(before);
});
