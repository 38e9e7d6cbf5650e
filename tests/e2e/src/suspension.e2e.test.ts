import { codes, gql, type GraphQLResponse } from '@clinicult/testing';
import { startPlatform, type Platform } from './platform.js';

/**
 * A clinic's suspension reaches every service, including one that was down while it happened
 * (issue 5): the staff's next request — at the gateway and at the restarted service itself — and
 * their login are refused with CLINIC_SUSPENDED; after reactivation (also while that service was
 * down) the same, still unexpired tokens work again.
 */
let platform: Platform;
let operator: string;

beforeAll(async () => {
  platform = await startPlatform();
  operator = (await platform.login(platform.demo.operator.email)).token;
});

afterAll(async () => {
  await platform?.stop();
});

const PATIENTS = '{ patients(first: 1) { totalCount } }';

function expectSuspended(response: GraphQLResponse) {
  expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  expect(response.errors![0]!.extensions!.reason).toBe('CLINIC_SUSPENDED');
  expect(response.data ?? null).toBeNull();
}

async function setStatus(action: 'suspendClinic' | 'reactivateClinic') {
  const r = await platform.query(`mutation($id: ID!) { ${action}(id: $id) { status } }`, { id: platform.clinicId }, operator);
  expect(r.errors).toBeUndefined();
  return r.data![action].status as string;
}

test('suspended and reactivated while patients was down: its first requests after the restart follow both', async () => {
  const doctor = await platform.login('doctor@demo.clinicult.test');
  const direct = () => gql(`${platform.urls.patients}/graphql`, PATIENTS, {}, { token: doctor.token });
  expect((await direct()).errors).toBeUndefined();

  await platform.stopPatients();
  expect(await setStatus('suspendClinic')).toBe('SUSPENDED');
  await platform.startPatients();

  expectSuspended(await direct());
  expectSuspended(await platform.query(PATIENTS, {}, doctor.token));
  const login = await gql(platform.gatewayUrl, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
    e: 'doctor@demo.clinicult.test',
    p: platform.password,
  });
  expect(codes(login)).toEqual(['UNAUTHENTICATED']);
  expect(login.errors![0]!.extensions!.reason).toBe('CLINIC_SUSPENDED');

  await platform.stopPatients();
  expect(await setStatus('reactivateClinic')).toBe('ACTIVE');
  await platform.startPatients();

  const again = await direct();
  expect(again.errors).toBeUndefined();
  expect(again.data!.patients.totalCount).toBeGreaterThan(0);
  expect((await platform.query(PATIENTS, {}, doctor.token)).errors).toBeUndefined();
  expect((await platform.login('doctor@demo.clinicult.test')).token).toEqual(expect.any(String));
});
