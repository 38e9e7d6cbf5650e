import { randomUUID } from 'node:crypto';
import type { StaffEntry, StaffNamesSource } from './domain/staff-directory.js';
import { startHarness, type ClinicHarness } from './__tests__/harness.js';

/**
 * The cluster's staff directory over real HTTP and MariaDB: names asked of users once per person
 * (one batched call per request), kept, asked again after the TTL, and used as they are while
 * users cannot answer; another clinic's people never. The names' source here is a recording
 * stand-in for users' `staffNames` (the e2e tests run the real one: tests/e2e regions, visit journey).
 */
let h: ClinicHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();
const nurse = randomUUID();
const doctor = randomUUID();
const stranger = randomUUID();
const TTL_MS = 1500;

/** users as the directory sees it: clinic A's two people; every call recorded; it can be "down". */
const people: Record<string, Record<string, string>> = { [clinicA]: { [nurse]: 'Nuria Vidal', [doctor]: 'Daniel Ortega' } };
const calls: Array<{ clinicId: string; userIds: string[] }> = [];
let usersDown = false;
const source: StaffNamesSource = {
  async names(clinicId, userIds) {
    calls.push({ clinicId, userIds: [...userIds].sort() });
    if (usersDown) throw new Error('users unreachable');
    return userIds.flatMap((id): StaffEntry[] => (people[clinicId]?.[id] ? [{ id, displayName: people[clinicId]![id]! }] : []));
  },
};

const NAMES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } } }`;
const refs = (...ids: string[]) => ids.map((id) => ({ __typename: 'User', id }));

beforeAll(async () => {
  h = await startHarness({ staffNames: source, staffTtlMs: TTL_MS });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  calls.length = 0;
  usersDown = false;
});

test('first sight: one call to users for every unknown person of the request, then the names come from the cluster', async () => {
  const token = await h.token(clinicA, ['NURSE']);
  const first = await h.as(token, NAMES, { r: refs(nurse, doctor, nurse) });
  expect(first.errors).toBeUndefined();
  expect(first.data._entities).toEqual([
    { id: nurse, displayName: 'Nuria Vidal' },
    { id: doctor, displayName: 'Daniel Ortega' },
    { id: nurse, displayName: 'Nuria Vidal' },
  ]);
  expect(calls).toEqual([{ clinicId: clinicA, userIds: [nurse, doctor].sort() }]);
  // again, within the TTL: nobody is asked
  const again = await h.as(token, NAMES, { r: refs(doctor, nurse) });
  expect(again.data._entities.map((u: StaffEntry) => u.displayName)).toEqual(['Daniel Ortega', 'Nuria Vidal']);
  expect(calls).toHaveLength(1);
  expect(await h.db.staffMember.count({ where: { clinicId: clinicA } })).toBe(2);
});

test('after the TTL a changed name shows; while users cannot answer, the names held are shown as they are', async () => {
  const token = await h.token(clinicA, ['DOCTOR']);
  await h.as(token, NAMES, { r: refs(nurse) });
  people[clinicA]![nurse] = 'Nuria Vidal-Soler';
  await new Promise((r) => setTimeout(r, TTL_MS + 100));
  const renamed = await h.as(token, NAMES, { r: refs(nurse) });
  expect(renamed.data._entities[0].displayName).toBe('Nuria Vidal-Soler');

  await new Promise((r) => setTimeout(r, TTL_MS + 100));
  usersDown = true;
  const held = await h.as(token, NAMES, { r: refs(nurse, stranger) });
  expect(held.errors).toBeUndefined();
  // the held name; a person never seen is nobody until users answers
  expect(held.data._entities).toEqual([{ id: nurse, displayName: 'Nuria Vidal-Soler' }, null]);
  expect(h.logs.some((l) => /staff directory: users did not answer/.test(l.msg))).toBe(true);
});

test("another clinic's staff sees none of clinic A's names, and users is asked for clinic B's people only", async () => {
  const tokenB = await h.token(clinicB, ['NURSE']);
  const answer = await h.as(tokenB, NAMES, { r: refs(nurse, doctor) });
  expect(answer.errors).toBeUndefined();
  expect(answer.data._entities).toEqual([null, null]);
  expect(calls.every((c) => c.clinicId === clinicB)).toBe(true);
  // no clinic in the token (an operator): nothing, and nobody is asked
  calls.length = 0;
  const operator = await h.issuer.operatorToken();
  const none = await h.as(operator, NAMES, { r: refs(nurse) });
  expect(none.data?._entities ?? [null]).toEqual([null]);
  expect(calls).toEqual([]);
});

test('no token: UNAUTHENTICATED, and no name', async () => {
  const anonymous = await h.as(undefined, NAMES, { r: refs(nurse) });
  expect(anonymous.data ?? null).toBeNull();
  expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});
