import { startHarness, type PatientsHarness } from './__tests__/harness.js';
import { ok } from './__tests__/visits.js';
import { demoPeople, seedDemoPatients } from './seed.js';

/** The demo seed through the API (here this subgraph; the lead's script points it at the gateway). */
let h: PatientsHarness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

test('demo people: plausible, distinct, varied', () => {
  const people = demoPeople(50);
  expect(new Set(people.map((p) => `${p.givenName} ${p.familyName} ${p.birthDate}`)).size).toBe(50);
  expect(new Set(people.map((p) => p.gender))).toEqual(new Set(['MALE', 'FEMALE']));
  const years = people.map((p) => Number(p.birthDate.slice(0, 4)));
  expect(Math.max(...years) - Math.min(...years)).toBeGreaterThan(50);
  expect(people.every((p) => /^\d{8}[A-Z]$/.test(p.nationalId))).toBe(true);
});

test('~50 patients, some with allergies, visits in every state; running again changes nothing', async () => {
  const clinic = await h.admin.createClinic('Demo Clinic', 'Europe/Madrid');
  const [office, nurse, doctor] = await Promise.all([h.staff(clinic, ['OFFICE']), h.staff(clinic, ['NURSE']), h.staff(clinic, ['DOCTOR'])]);
  const tokens = { office: office.token, nurse: nurse.token, doctor: doctor.token };
  const first = await seedDemoPatients({ url: h.service.url, tokens });
  expect(first).toMatchObject({ skipped: false, registered: 50, existing: 0 });

  const data = await ok<{ patients: { totalCount: number; edges: Array<{ node: { allergies: unknown[] | null } }> }; queue: Array<{ state: string }> }>(
    h,
    doctor,
    '{ patients(first: 100) { totalCount edges { node { allergies { substance } } } } queue { state } }',
  );
  expect(data.patients.totalCount).toBe(50);
  expect(data.patients.edges.filter((e) => e.node.allergies?.length).length).toBeGreaterThan(3);
  expect(new Set(data.queue.map((v) => v.state))).toEqual(new Set(['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT']));
  expect(await h.db.archiveOutbox.count({ where: { clinicId: clinic } })).toBe(3);

  const again = await seedDemoPatients({ url: `${h.service.url}/graphql`, tokens });
  expect(again).toMatchObject({ skipped: true, registered: 0 });
  expect(await h.db.patient.count({ where: { clinicId: clinic } })).toBe(50);
});

test('a partly seeded clinic is completed without duplicates', async () => {
  const clinic = await h.admin.createClinic('Half Clinic', 'Europe/Madrid');
  const [office, nurse, doctor] = await Promise.all([h.staff(clinic, ['OFFICE']), h.staff(clinic, ['NURSE']), h.staff(clinic, ['DOCTOR'])]);
  const tokens = { office: office.token, nurse: nurse.token, doctor: doctor.token };
  await seedDemoPatients({ url: h.service.url, tokens, count: 5 });
  const result = await seedDemoPatients({ url: h.service.url, tokens, count: 8 });
  expect(result).toMatchObject({ skipped: false, registered: 3, existing: 5 });
  expect(await h.db.patient.count({ where: { clinicId: clinic } })).toBe(8);
});
