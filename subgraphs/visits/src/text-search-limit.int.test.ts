import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@clinicult/db';
import { codes, fieldPaths, gql } from '@clinicult/testing';
import { startHarness, type VisitsHarness } from './__tests__/harness.js';
import { seedVisits } from './seed/visits-seed.js';

/**
 * A text search can never run unbounded (issue 14): its statements run on a connection pool whose
 * every statement the server stops after SEARCH_TIMEOUT_MS, and the caller is asked to narrow the
 * search. Shown with a limit of 2 ms over 6,000 visits, most of which say "dolor" somewhere.
 */
let h: VisitsHarness;
const clinic = randomUUID();
let doctorToken: string;
let someDoctor: string;

const VISITS = `query ($filter: VisitFilter, $first: Int) { visits(filter: $filter, first: $first) { totalCount edges { node { id } } } }`;

beforeAll(async () => {
  const database = await createTestDatabase('visits');
  await seedVisits({ url: database.url, clinicId: clinic, count: 6000, patients: 300, migrate: false, seed: 7 });
  h = await startHarness({ database, env: { SEARCH_TIMEOUT_MS: '2' } });
  doctorToken = (await h.staff(clinic, ['DOCTOR'])).token;
  const [row] = await h.db.historicVisit.findMany({ where: { clinicId: clinic, doctorId: { not: null } }, take: 1 });
  someDoctor = row!.doctorId!;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

test('a text search past the limit is BAD_USER_INPUT on filter.text, saying how to narrow it', async () => {
  const r = await gql(h.url, VISITS, { filter: { text: 'dolor' }, first: 20 }, { token: doctorToken });
  expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  expect(fieldPaths(r.errors?.[0])).toEqual(['filter.text']);
  expect(r.errors?.[0]?.message).toMatch(/matches too many visits to answer within 2 ms\. Add a word, a patient, a doctor or a date range/);
  expect(r.data?.visits ?? null).toBeNull();
});

test('the limit is for text searches only: other filters over the same visits answer in full', async () => {
  const r = await gql(h.url, VISITS, { filter: { doctorId: someDoctor }, first: 20 }, { token: doctorToken });
  expect(r.errors).toBeUndefined();
  expect(r.data?.visits.totalCount).toBeGreaterThan(100);
  expect(r.data?.visits.edges).toHaveLength(20);
});
