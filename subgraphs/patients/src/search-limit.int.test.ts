import { randomUUID } from 'node:crypto';
import { mysqlExecute } from '@clinicult/db';
import { codes, fieldPaths, gql } from '@clinicult/testing';
import { startHarness, type PatientsHarness } from './__tests__/harness.js';

/**
 * A patient search can never run unbounded (issue 14): a word inside names or the end of a phone
 * number is no index prefix, so those searches run on the pool whose statements the server stops
 * after SEARCH_TIMEOUT_MS. Shown with a limit of 1 ms over 40,000 patients of one clinic.
 */
let h: PatientsHarness;
let clinic: string;
let office: string;

const PATIENTS = `query ($search: String, $filter: PatientFilter) { patients(search: $search, filter: $filter, first: 20) { totalCount edges { node { id } } } }`;

beforeAll(async () => {
  h = await startHarness({ env: { SEARCH_TIMEOUT_MS: '1' } });
  clinic = await h.admin.createClinic('Clínica Grande', 'Europe/Madrid');
  const family = ['García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez'];
  for (let batch = 0; batch < 8; batch++) {
    const rows: unknown[] = [];
    for (let i = 0; i < 5000; i++) {
      const k = batch * 5000 + i;
      rows.push(randomUUID(), clinic, `LIM-${k}`, 'Ana María', `${family[k % family.length]} ${k}`, '1980-01-01', 'FEMALE', `+34 600 ${String(k).padStart(6, '0')}`, `34600${String(k).padStart(6, '0')}`);
    }
    const values = Array.from({ length: 5000 }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3))').join(', ');
    await mysqlExecute(h.database.url, `INSERT INTO Patient (id, clinicId, mrn, givenName, familyName, birthDate, gender, phone, phoneDigits, updatedAt) VALUES ${values}`, rows);
  }
  office = (await h.staff(clinic, ['OFFICE'])).token;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

test('a name search past the limit is BAD_USER_INPUT on search, saying how to narrow it', async () => {
  // "maría" is the second word of every given name: a scan of the whole clinic
  const r = await gql(h.url, PATIENTS, { search: 'maría' }, { token: office });
  expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  expect(fieldPaths(r.errors?.[0])).toEqual(['search']);
  expect(r.errors?.[0]?.message).toMatch(/matches too many patients to answer within 1 ms\. Type more of the name/);
});

test('a phone search past the limit is BAD_USER_INPUT on filter.phone', async () => {
  const r = await gql(h.url, PATIENTS, { filter: { phone: '000 123' } }, { token: office });
  expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  expect(fieldPaths(r.errors?.[0])).toEqual(['filter.phone']);
});

test('a family-name filter (an index prefix, not a search) is not limited', async () => {
  const r = await gql(h.url, PATIENTS, { filter: { familyName: 'garcía' } }, { token: office });
  expect(r.errors).toBeUndefined();
  expect(r.data?.patients.totalCount).toBe(5000);
});
