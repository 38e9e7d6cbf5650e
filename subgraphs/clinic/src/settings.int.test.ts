import { randomUUID } from 'node:crypto';
import { codes, fieldPaths } from '@clinicult/testing';
import { DEFAULT_TEMPLATES, DEFAULT_VISIT_REASONS } from './domain/defaults.js';
import { DEFAULT_WAIT_THRESHOLDS } from './domain/settings.js';
import { startHarness, templateInput, type ClinicHarness } from './__tests__/harness.js';

/**
 * Clinic settings over real HTTP and MariaDB (read by every clinic role, written by ADMIN, validated
 * field by field) and the fields clinic contributes to admin's Clinic entity (own clinic only).
 */
let h: ClinicHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();

const SETTINGS = 'address phone openingHours { day opens closes } visitReasons waitThresholds { state minutes } defaultLocale updatedAt';
const READ = `query { clinicSettings { ${SETTINGS} } }`;
const WRITE = `mutation ($input: ClinicSettingsInput!) { updateClinicSettings(input: $input) { ${SETTINGS} } }`;
const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Clinic { id settings { visitReasons } templates(activeOnly: true) { id name kind version } } } }`;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

test("the first update creates the clinic's defaults with it; every role reads, only ADMIN writes", async () => {
  const admin = await h.token(clinicA, ['ADMIN']);
  const r = await h.as(admin, WRITE, {
    input: {
      address: ' Calle Mayor 1, Madrid ',
      phone: '+34 912 345 678',
      openingHours: [
        { day: 'SATURDAY', opens: '09:00', closes: '13:00' },
        { day: 'MONDAY', opens: '08:30', closes: '19:00' },
      ],
    },
  });
  expect(r.errors).toBeUndefined();
  expect(r.data.updateClinicSettings).toMatchObject({
    address: 'Calle Mayor 1, Madrid',
    phone: '+34 912 345 678',
    // week order, whatever the order sent
    openingHours: [
      { day: 'MONDAY', opens: '08:30', closes: '19:00' },
      { day: 'SATURDAY', opens: '09:00', closes: '13:00' },
    ],
    // not given: the defaults stay
    visitReasons: DEFAULT_VISIT_REASONS,
  });
  // the settings row stands for "defaults done": the default templates came with it, once
  expect(await h.db.template.count({ where: { clinicId: clinicA } })).toBe(DEFAULT_TEMPLATES.length);

  for (const role of ['DOCTOR', 'NURSE', 'OFFICE', 'ADMIN'] as const) {
    const token = await h.token(clinicA, [role]);
    const read = await h.as(token, READ);
    expect(read.errors).toBeUndefined();
    expect(read.data.clinicSettings.address).toBe('Calle Mayor 1, Madrid');
    if (role !== 'ADMIN') expect(codes(await h.as(token, WRITE, { input: { address: 'Elsewhere' } }))).toEqual(['FORBIDDEN']);
  }
  const cleared = await h.as(admin, WRITE, { input: { phone: null, visitReasons: ['Vaccination', 'Check-up'] } });
  expect(cleared.data.updateClinicSettings).toMatchObject({ phone: null, address: 'Calle Mayor 1, Madrid', visitReasons: ['Vaccination', 'Check-up'] });
  expect(await h.db.template.count({ where: { clinicId: clinicA } })).toBe(DEFAULT_TEMPLATES.length);
  expect((await h.db.clinicSettings.findUniqueOrThrow({ where: { clinicId: clinicA } })).address).toBe('Calle Mayor 1, Madrid');
});

test('operators and services are FORBIDDEN, no token UNAUTHENTICATED; a clinic without settings yet reads empty settings', async () => {
  for (const token of [await h.issuer.operatorToken(), await h.issuer.serviceToken('patients')]) {
    expect(codes(await h.as(token, READ))).toEqual(['FORBIDDEN']);
    expect(codes(await h.as(token, WRITE, { input: { address: 'X' } }))).toEqual(['FORBIDDEN']);
  }
  expect(codes(await h.as(undefined, READ))).toEqual(['UNAUTHENTICATED']);
  const fresh = randomUUID();
  const r = await h.as(await h.token(fresh, ['OFFICE']), READ);
  expect(r.data.clinicSettings).toMatchObject({ address: null, phone: null, openingHours: [], visitReasons: [] });
  // a read writes nothing
  expect(await h.db.clinicSettings.count({ where: { clinicId: fresh } })).toBe(0);
});

test('the long-wait thresholds and the default language: defaults until the ADMIN sets them, one per state, [] turns them off', async () => {
  const clinic = randomUUID();
  const admin = await h.token(clinic, ['ADMIN']);
  const nurse = await h.token(clinic, ['NURSE']);
  expect((await h.as(nurse, READ)).data.clinicSettings).toMatchObject({ waitThresholds: DEFAULT_WAIT_THRESHOLDS, defaultLocale: 'en' });
  const set = await h.as(admin, WRITE, {
    input: { waitThresholds: [{ state: 'WITH_DOCTOR', minutes: 60 }, { state: 'WAITING', minutes: 10 }], defaultLocale: 'es' },
  });
  expect(set.errors).toBeUndefined();
  // in the visit's order, whatever the order sent; a state left out is never highlighted
  expect(set.data.updateClinicSettings).toMatchObject({
    waitThresholds: [{ state: 'WAITING', minutes: 10 }, { state: 'WITH_DOCTOR', minutes: 60 }],
    defaultLocale: 'es',
  });
  expect((await h.as(nurse, READ)).data.clinicSettings).toMatchObject({ defaultLocale: 'es', waitThresholds: [{ state: 'WAITING', minutes: 10 }, { state: 'WITH_DOCTOR', minutes: 60 }] });
  // a NURSE may read them, not set them
  expect(codes(await h.as(nurse, WRITE, { input: { waitThresholds: [] } }))).toEqual(['FORBIDDEN']);
  const off = await h.as(admin, WRITE, { input: { waitThresholds: [] } });
  expect(off.data.updateClinicSettings).toMatchObject({ waitThresholds: [], defaultLocale: 'es' });
});

test.each([
  [{ phone: 'call me' }, 'input.phone', /input\.phone: use digits/],
  [{ openingHours: [{ day: 'MONDAY', opens: '8:00', closes: '18:00' }] }, 'input.openingHours[0].opens', /HH:MM/],
  [{ openingHours: [{ day: 'MONDAY', opens: '18:00', closes: '08:00' }] }, 'input.openingHours[0].closes', /later than opens/],
  [{ openingHours: [{ day: 'MONDAY', opens: '24:00', closes: '24:30' }] }, 'input.openingHours[0].opens', /HH:MM/],
  [{ openingHours: [{ day: 'TUESDAY', opens: '08:00', closes: '12:00' }, { day: 'TUESDAY', opens: '15:00', closes: '19:00' }] }, 'input.openingHours[1].day', /one entry per day/],
  [{ visitReasons: ['Flu', '  '] }, 'input.visitReasons[1]', /must not be empty/],
  [{ visitReasons: ['Flu', 'flu'] }, 'input.visitReasons[1]', /each reason once/],
  [{ visitReasons: Array.from({ length: 51 }, (_, i) => `Reason ${i}`) }, 'input.visitReasons', /at most 50/],
  [{ waitThresholds: [{ state: 'WAITING', minutes: 0 }] }, 'input.waitThresholds[0].minutes', /at least 1 minute/],
  [{ waitThresholds: [{ state: 'TRIAGE', minutes: 721 }] }, 'input.waitThresholds[0].minutes', /at most 720 minutes/],
  [{ waitThresholds: [{ state: 'TRIAGE', minutes: 10 }, { state: 'TRIAGE', minutes: 20 }] }, 'input.waitThresholds[1].state', /one per state/],
  [{ defaultLocale: 'fr' }, 'input.defaultLocale', /one of en, es/],
  [{ defaultLocale: null }, 'input.defaultLocale', /one of en, es/],
  [{}, 'input', /give at least one of/],
])('%j is BAD_USER_INPUT naming %s; nothing changes', async (input, field, message) => {
  const admin = await h.token(clinicB, ['ADMIN']);
  const before = await h.as(admin, READ);
  const r = await h.as(admin, WRITE, { input });
  expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  expect(r.errors![0]!.message).toMatch(message);
  expect(fieldPaths(r.errors![0]!)).toContain(field);
  expect((await h.as(admin, READ)).data.clinicSettings).toEqual(before.data.clinicSettings);
});

describe('the Clinic entity (federated through admin)', () => {
  test("the caller's own clinic: settings and templates through one _entities call", async () => {
    const admin = await h.token(clinicA, ['DOCTOR']);
    const r = await h.as(admin, ENTITIES, { r: [{ __typename: 'Clinic', id: clinicA }] });
    expect(r.errors).toBeUndefined();
    const [clinic] = r.data._entities;
    expect(clinic.id).toBe(clinicA);
    expect(clinic.settings.visitReasons).toEqual(['Vaccination', 'Check-up']);
    expect(clinic.templates.map((t: { name: string }) => t.name).sort()).toEqual(DEFAULT_TEMPLATES.map((t) => t.name).sort());
  });

  test("another clinic's settings and templates are null with FORBIDDEN beside them", async () => {
    const adminA = await h.token(clinicA, ['ADMIN']);
    await h.as(await h.token(clinicB, ['ADMIN']), 'mutation ($i: TemplateInput!) { createTemplate(input: $i) { id } }', { i: templateInput('B only') });
    const r = await h.as(adminA, ENTITIES, { r: [{ __typename: 'Clinic', id: clinicB }, { __typename: 'Clinic', id: clinicA }] });
    expect(r.data._entities[0]).toEqual({ id: clinicB, settings: null, templates: null });
    expect(r.data._entities[1].templates.length).toBeGreaterThan(0);
    expect(codes(r)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(r.errors!.map((e) => e.path!.slice(-1)[0]).sort()).toEqual(['settings', 'templates']);
  });

  test('an operator (admin answers their clinic(id)) gets FORBIDDEN on both fields; OFFICE without template:write still reads templates', async () => {
    const r = await h.as(await h.issuer.operatorToken(), ENTITIES, { r: [{ __typename: 'Clinic', id: clinicA }] });
    expect(r.data._entities[0]).toEqual({ id: clinicA, settings: null, templates: null });
    expect(codes(r)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    const office = await h.as(await h.token(clinicA, ['OFFICE']), ENTITIES, { r: [{ __typename: 'Clinic', id: clinicA }] });
    expect(office.errors).toBeUndefined();
    expect(office.data._entities[0].templates.length).toBe(DEFAULT_TEMPLATES.length);
  });
});
