import { codes, gql, fieldPaths } from '@clinicult/testing';
import { auditEvents, personInput, startHarness, type PatientsHarness, type Staff } from './__tests__/harness.js';
import { clinicSnapshot, visitIn } from './__tests__/visits.js';

/**
 * Patients over real HTTP and MariaDB: registration (MRN, duplicates, validation), updates with
 * versions, search and filters, field-level medical gating, audit of medical reads, and tenant
 * isolation by id, search and `_entities`.
 */
let h: PatientsHarness;
let clinicA: string;
let clinicB: string;
const a = {} as Record<'admin' | 'doctor' | 'nurse' | 'office' | 'doctorAdmin', Staff>;
let officeB: Staff;

beforeAll(async () => {
  h = await startHarness();
  clinicA = await h.admin.createClinic('Clínica A', 'Europe/Madrid');
  clinicB = await h.admin.createClinic('Clínica B', 'Atlantic/Canary');
  a.admin = await h.staff(clinicA, ['ADMIN']);
  a.doctor = await h.staff(clinicA, ['DOCTOR']);
  a.nurse = await h.staff(clinicA, ['NURSE']);
  a.office = await h.staff(clinicA, ['OFFICE']);
  a.doctorAdmin = await h.staff(clinicA, ['DOCTOR', 'ADMIN']);
  officeB = await h.staff(clinicB, ['OFFICE']);
});

afterAll(async () => {
  await h?.close();
});

const PATIENT = `id mrn nationalId identifiers { system value } givenName familyName birthDate gender phone email
  address { line1 city postalCode country } emergencyContact { name relationship phone } version`;
const MEDICAL = 'bloodType allergies { substance reaction severity } chronicConditions currentMedications medicalNotes';

const register = (who: Staff, input: Record<string, unknown>, fields = PATIENT) =>
  gql(h.url, `mutation ($i: RegisterPatientInput!) { registerPatient(input: $i) { ${fields} } }`, { i: input }, { token: who.token });

const update = (who: Staff, id: string, input: Record<string, unknown>, expectedVersion?: number, fields = PATIENT) =>
  gql(
    h.url,
    `mutation ($id: ID!, $i: UpdatePatientInput!, $v: Int) { updatePatient(id: $id, input: $i, expectedVersion: $v) { ${fields} } }`,
    { id, i: input, v: expectedVersion },
    { token: who.token },
  );

describe('registerPatient', () => {
  test('the front desk registers a patient: trimmed, normalised, an MRN from the clinic counter', async () => {
    const r = await register(a.office, {
      givenName: ' Lucía ',
      familyName: 'Fernández Ruiz',
      birthDate: '1975-06-30',
      gender: 'FEMALE',
      phone: '+34 611 222 333',
      email: ' Lucia.Fernandez@Example.ES',
      nationalId: '12.345.678-z',
      address: { line1: 'Calle Mayor 5', city: 'Madrid', postalCode: '28013', country: 'es' },
      emergencyContact: { name: 'Pedro Fernández', relationship: 'Hermano', phone: '611 999 888' },
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.registerPatient).toMatchObject({
      mrn: 'MRN-000001',
      nationalId: '12345678Z',
      identifiers: [
        { system: 'urn:clinicult:mrn', value: 'MRN-000001' },
        { system: 'urn:clinicult:national-id', value: '12345678Z' },
      ],
      givenName: 'Lucía',
      birthDate: '1975-06-30',
      email: 'lucia.fernandez@example.es',
      address: { line1: 'Calle Mayor 5', city: 'Madrid', postalCode: '28013', country: 'ES' },
      emergencyContact: { name: 'Pedro Fernández', relationship: 'Hermano', phone: '611 999 888' },
      version: 1,
    });
    expect((await auditEvents(h, 'patient.register')).at(-1)).toMatchObject({
      patientId: r.data!.registerPatient.id,
      clinicId: clinicA,
      actorKind: 'staff',
      actorId: a.office.id,
      api: 'graphql',
      service: 'patients',
      requestId: r.headers.get('x-request-id'),
      fields: ['nationalId', 'givenName', 'familyName', 'birthDate', 'gender', 'phone', 'email', 'address', 'emergencyContact'],
    });
  });

  test('MRNs: one counter per clinic, distinct under concurrency, a typed MRN is skipped, a taken one is CONFLICT', async () => {
    const b = await register(officeB, personInput());
    expect(b.data!.registerPatient.mrn).toBe('MRN-000001');
    // a new clinic's first registrations at once: the counter row is created once
    const fresh = await h.admin.createClinic('Fresh Clinic', 'Europe/Madrid');
    const freshOffice = await h.staff(fresh, ['OFFICE']);
    const first = await Promise.all(Array.from({ length: 6 }, () => register(freshOffice, personInput(), 'mrn')));
    expect(first.map((r) => r.data!.registerPatient.mrn).sort()).toEqual(['MRN-000001', 'MRN-000002', 'MRN-000003', 'MRN-000004', 'MRN-000005', 'MRN-000006']);
    // someone types the next number by hand: the generator skips it
    const typed = await register(a.office, personInput({ mrn: 'MRN-000003' }));
    expect(typed.data!.registerPatient.mrn).toBe('MRN-000003');
    const many = await Promise.all(Array.from({ length: 8 }, () => register(a.office, personInput(), 'mrn')));
    const mrns = many.map((r) => r.data!.registerPatient.mrn);
    expect(new Set(mrns).size).toBe(8);
    expect(mrns).not.toContain('MRN-000003');
    const taken = await register(a.office, personInput({ mrn: 'mrn-000003' }));
    expect(codes(taken)).toEqual(['CONFLICT']);
    expect(taken.errors![0]!.extensions).toMatchObject({ reason: 'MRN_TAKEN', fields: ['mrn'] });
  });

  test('a possible duplicate (name + birth date, or national id) is refused unless confirmed', async () => {
    const first = await register(a.office, { givenName: 'José', familyName: 'Martín Gil', birthDate: '1960-01-02', nationalId: '87654321X' });
    expect(first.errors).toBeUndefined();
    const before = await clinicSnapshot(h, clinicA);
    const sameName = await register(a.office, { givenName: 'jose', familyName: 'MARTIN GIL', birthDate: '1960-01-02' });
    expect(codes(sameName)).toEqual(['CONFLICT']);
    expect(sameName.errors![0]!.extensions).toMatchObject({
      reason: 'POSSIBLE_DUPLICATE',
      duplicates: [{ id: first.data!.registerPatient.id, mrn: first.data!.registerPatient.mrn, givenName: 'José', familyName: 'Martín Gil', birthDate: '1960-01-02' }],
    });
    expect(sameName.errors![0]!.message).toMatch(/allowPossibleDuplicate: true/);
    const sameId = await register(a.office, { givenName: 'Otro', familyName: 'Nombre', birthDate: '1999-09-09', nationalId: '87654321-x' });
    expect(sameId.errors![0]!.extensions!.reason).toBe('POSSIBLE_DUPLICATE');
    expect(await clinicSnapshot(h, clinicA)).toBe(before);
    // another clinic's patient is no duplicate here
    expect((await register(officeB, { givenName: 'José', familyName: 'Martín Gil', birthDate: '1960-01-02' })).errors).toBeUndefined();
    const confirmed = await register(a.office, { givenName: 'José', familyName: 'Martín Gil', birthDate: '1960-01-02', allowPossibleDuplicate: true });
    expect(confirmed.errors).toBeUndefined();
  });

  test.each([
    [{ birthDate: '2999-12-31' }, 'birthDate', /^birthDate: must not be in the future\.$/],
    [{ birthDate: '1850-01-01' }, 'birthDate', /must not be before 1900-01-01/],
    [{ givenName: '  ' }, 'givenName', /^givenName: must not be empty\.$/],
    [{ email: 'nobody@' }, 'email', /^email: not a valid address/],
    [{ phone: 'ring me' }, 'phone', /^phone: use digits/],
    [{ address: { country: 'Spain' } }, 'address.country', /^address.country: a two-letter ISO 3166 code/],
  ])('%j is BAD_USER_INPUT naming %s; nothing written', async (patch, field, message) => {
    const before = await clinicSnapshot(h, clinicA);
    const r = await register(a.office, personInput(patch));
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.message).toMatch(message);
    expect(fieldPaths(r.errors![0]!)).toEqual([field]);
    expect(await clinicSnapshot(h, clinicA)).toBe(before);
  });

  test('a malformed Date is refused by the scalar', async () => {
    const r = await register(a.office, personInput({ birthDate: '30/06/1975' }));
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.message).toMatch(/YYYY-MM-DD/);
  });

  test('medical fields need medical:write: OFFICE is refused whole, a NURSE may', async () => {
    const before = await clinicSnapshot(h, clinicA);
    const office = await register(a.office, personInput({ allergies: [{ substance: 'Penicilina' }], bloodType: 'O+' }));
    expect(codes(office)).toEqual(['FORBIDDEN']);
    expect(office.errors![0]!.message).toMatch(/^registerPatient: bloodType, allergies are medical data and need clinicult:medical:write/);
    expect(office.errors![0]!.extensions!.fields).toEqual(['bloodType', 'allergies']);
    expect(await clinicSnapshot(h, clinicA)).toBe(before);
    const admin = await register(a.admin, personInput());
    expect(codes(admin)).toEqual(['FORBIDDEN']);
    const nurse = await register(a.nurse, personInput({ allergies: [{ substance: 'Penicilina', severity: 'SEVERE' }], bloodType: 'o-' }), `id ${MEDICAL}`);
    expect(nurse.errors).toBeUndefined();
    expect(nurse.data!.registerPatient).toMatchObject({ bloodType: 'O-', allergies: [{ substance: 'Penicilina', reaction: null, severity: 'SEVERE' }] });
  });
});

describe('updatePatient', () => {
  let id: string;
  beforeAll(async () => {
    id = (await register(a.office, personInput({ phone: '600 000 001' }))).data!.registerPatient.id;
  });

  test('changes only the fields given, bumps the version; null clears', async () => {
    const r = await update(a.office, id, { phone: null, email: 'new@example.org' }, 1);
    expect(r.errors).toBeUndefined();
    expect(r.data!.updatePatient).toMatchObject({ phone: null, email: 'new@example.org', version: 2 });
    expect((await auditEvents(h, 'patient.update')).at(-1)).toMatchObject({ patientId: id, clinicId: clinicA, actorId: a.office.id, fields: ['phone', 'email'] });
  });

  test('a stale expectedVersion is CONFLICT with the current version; nothing written', async () => {
    const before = await clinicSnapshot(h, clinicA);
    const r = await update(a.office, id, { givenName: 'Late' }, 1);
    expect(codes(r)).toEqual(['CONFLICT']);
    expect(r.errors![0]!.extensions).toMatchObject({ reason: 'STALE_VERSION', currentVersion: 2 });
    expect(await clinicSnapshot(h, clinicA)).toBe(before);
  });

  test('two updates racing on the same version: exactly one wins', async () => {
    const current = (await h.db.patient.findUniqueOrThrow({ where: { id } })).version;
    const results = await Promise.all(['Uno', 'Dos'].map((givenName) => update(a.office, id, { givenName }, current)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.flatMap(codes)).toEqual(['CONFLICT']);
    expect((await h.db.patient.findUniqueOrThrow({ where: { id } })).version).toBe(current + 1);
  });

  test('medical fields: OFFICE is refused and nothing is written; a DOCTOR writes them', async () => {
    const before = await clinicSnapshot(h, clinicA);
    const r = await update(a.office, id, { email: 'x@example.org', medicalNotes: 'Notes' });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(await clinicSnapshot(h, clinicA)).toBe(before);
    const d = await update(a.doctor, id, { chronicConditions: ['Asma'], currentMedications: ['Salbutamol'], medicalNotes: 'Control anual' }, undefined, MEDICAL);
    expect(d.data!.updatePatient).toMatchObject({ chronicConditions: ['Asma'], currentMedications: ['Salbutamol'], medicalNotes: 'Control anual' });
  });

  test('required fields cannot be cleared; an empty input is refused; unknown ids are NOT_FOUND', async () => {
    expect((await update(a.office, id, { familyName: null })).errors![0]!.message).toBe('familyName: cannot be cleared; give a value.');
    expect((await update(a.office, id, {})).errors![0]!.message).toBe('input: give at least one field to change.');
    expect(codes(await update(a.office, 'no-such-patient', { givenName: 'X' }))).toEqual(['NOT_FOUND']);
  });
});

describe('medical data: field by field', () => {
  let id: string;
  beforeAll(async () => {
    const r = await register(a.nurse, personInput({
      givenName: 'Medical',
      familyName: 'Record',
      bloodType: 'A+',
      allergies: [{ substance: 'Látex', reaction: 'Dermatitis', severity: 'MILD' }],
      chronicConditions: ['Hipotiroidismo'],
      currentMedications: ['Levotiroxina'],
      medicalNotes: 'Sin incidencias',
    }));
    id = r.data!.registerPatient.id;
  });

  const read = (who: Staff) => gql(h.url, `query ($id: ID!) { patient(id: $id) { id givenName birthDate ${MEDICAL} } }`, { id }, { token: who.token });

  test.each(['office', 'admin'] as const)('%s gets the demographics, null medical fields and a FORBIDDEN error per field; no audit event', async (role) => {
    const before = (await auditEvents(h, 'patient.read.medical')).length;
    const r = await read(a[role]);
    expect(r.data!.patient).toEqual({
      id,
      givenName: 'Medical',
      birthDate: '1980-01-15',
      bloodType: null,
      allergies: null,
      chronicConditions: null,
      currentMedications: null,
      medicalNotes: null,
    });
    expect(r.errors!.map((e) => [e.extensions!.code, e.path!.join('.')])).toEqual([
      ['FORBIDDEN', 'patient.bloodType'],
      ['FORBIDDEN', 'patient.allergies'],
      ['FORBIDDEN', 'patient.chronicConditions'],
      ['FORBIDDEN', 'patient.currentMedications'],
      ['FORBIDDEN', 'patient.medicalNotes'],
    ]);
    expect(r.errors![0]!.message).toBe('This needs the permission clinicult:medical:read.');
    expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([]);
  });

  test('a doctor (also a DOCTOR+ADMIN) reads them: exactly one audit event per request', async () => {
    for (const who of [a.doctor, a.doctorAdmin]) {
      const before = (await auditEvents(h, 'patient.read.medical')).length;
      const r = await read(who);
      expect(r.errors).toBeUndefined();
      expect(r.data!.patient).toMatchObject({ bloodType: 'A+', allergies: [{ substance: 'Látex', reaction: 'Dermatitis', severity: 'MILD' }], medicalNotes: 'Sin incidencias' });
      const events = (await auditEvents(h, 'patient.read.medical')).slice(before);
      expect(events).toEqual([
        expect.objectContaining({
          action: 'patient.read.medical',
          patientId: id,
          fields: ['allergies', 'bloodType', 'chronicConditions', 'currentMedications', 'medicalNotes'],
          api: 'graphql',
          clinicId: clinicA,
          actorKind: 'staff',
          actorId: who.id,
          requestId: r.headers.get('x-request-id'),
          details: null,
        }),
      ]);
    }
  });

  test('medical reads of the patient and its visit in one request are one event; denied reads are none', async () => {
    const { patientId, visitId } = await visitIn(h, { office: a.office, nurse: a.nurse, doctor: a.doctor }, 'TRIAGE');
    const query = 'query ($id: ID!) { patient(id: $id) { allergies { substance } currentVisit { vitals { temperatureC } notes } } }';
    let before = (await auditEvents(h, 'patient.read.medical')).length;
    const nurse = await gql(h.url, query, { id: patientId }, { token: a.nurse.token });
    expect(nurse.errors).toBeUndefined();
    expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([
      expect.objectContaining({
        patientId,
        actorId: a.nurse.id,
        fields: ['allergies', 'visit.notes', 'visit.vitals'],
        details: { visitIds: [visitId] },
      }),
    ]);
    before = (await auditEvents(h, 'patient.read.medical')).length;
    const office = await gql(h.url, query, { id: patientId }, { token: a.office.token });
    expect(codes(office)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([]);
  });
});

describe('patients: search, filter, pages', () => {
  let clinic: string;
  let office: Staff;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    clinic = await h.admin.createClinic('Search Clinic', 'Europe/Madrid');
    office = await h.staff(clinic, ['OFFICE']);
    const people: Array<[string, string, string, string, Record<string, unknown>?]> = [
      ['ana', 'Ana', 'García López', '1990-05-01', { phone: '+34 600 123 456', gender: 'FEMALE', nationalId: '11111111H' }],
      ['mariana', 'Mariana', 'García', '1985-01-01', { gender: 'FEMALE' }],
      ['anabel', 'Anabel', 'Sánchez', '2001-03-03', { gender: 'FEMALE' }],
      ['andres', 'Andrés', 'Gómez', '1950-12-12', { gender: 'MALE' }],
      ['pablo', 'Pablo', 'Pérez', '1970-07-07', { gender: 'MALE', phone: '611 222 333' }],
      ['lucas', 'Lucas', 'Luna_x', '2010-10-10', { gender: 'MALE' }],
      ['zoe', 'Zoe', 'Zamora', '1999-09-09', { gender: 'OTHER', mrn: 'EXT-42' }],
    ];
    for (const [key, givenName, familyName, birthDate, extra] of people) {
      const r = await register(office, { givenName, familyName, birthDate, ...extra });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      ids[key] = r.data!.registerPatient.id;
    }
    // clinic B has a García too
    await register(officeB, { givenName: 'Ana', familyName: 'García', birthDate: '1990-05-01' });
  });

  const list = async (args: string, variables: Record<string, unknown> = {}) => {
    const r = await gql(
      h.url,
      `query ($f: PatientFilter) { patients(${args.includes('$f') ? args : `${args}, filter: $f`}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id givenName familyName } } } }`,
      variables,
      { token: office.token },
    );
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data!.patients;
  };
  const found = async (args: string, variables?: Record<string, unknown>) =>
    (await list(args, variables)).edges.map((e: any) => Object.keys(ids).find((k) => ids[k] === e.node.id));

  test('name prefixes in either order, ignoring case and accents; later words of a name too', async () => {
    expect(await found('search: "garcia ana"')).toEqual(['ana']);
    expect(await found('search: "ANA GARCÍA"')).toEqual(['ana']);
    expect(await found('search: "garc"')).toEqual(['mariana', 'ana']);
    expect(await found('search: "lopez"')).toEqual(['ana']);
    expect(await found('search: "an"')).toEqual(['ana', 'andres', 'anabel']);
    expect(await found('search: "ana"')).toEqual(['ana', 'anabel']);
    expect(await found('search: "ndres"')).toEqual([]);
  });

  test('MRN, national id and phone', async () => {
    expect(await found('search: "ext-42"')).toEqual(['zoe']);
    expect(await found('search: "11111111-h"')).toEqual(['ana']);
    expect(await found('search: "600 123 456"')).toEqual(['ana']);
    expect(await found('search: "+34611222333"')).toEqual([]);
    expect(await found('search: "611-222-333"')).toEqual(['pablo']);
  });

  test('totalCount counts a patient found by name or by identifier once (it is counted in two halves)', async () => {
    const own = await h.admin.createClinic('Count Clinic', 'Europe/Madrid');
    const desk = await h.staff(own, ['OFFICE']);
    const named: Record<string, string> = {};
    for (const [key, givenName, familyName, mrn] of [['mariana', 'Mariana', 'García', undefined], ['olga', 'Olga', 'Ruiz', 'MAR'], ['marco', 'Marco', 'Polo', 'MARCO']] as const) {
      const r = await register(desk, { givenName, familyName, birthDate: '1980-01-01', ...(mrn ? { mrn } : {}) });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      named[key] = r.data!.registerPatient.id;
    }
    const search = async (text: string) => {
      const r = await gql(h.url, 'query ($s: String) { patients(search: $s) { totalCount edges { node { id } } } }', { s: text }, { token: desk.token });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return { total: r.data!.patients.totalCount, found: r.data!.patients.edges.map((e: any) => Object.keys(named).find((k) => named[k] === e.node.id)) };
    };
    // by name (Mariana, Marco) and by MRN (Olga, whose name does not match)
    expect(await search('mar')).toEqual({ total: 3, found: ['mariana', 'marco', 'olga'] });
    // Marco matches by name and by MRN: once
    expect(await search('marco')).toEqual({ total: 1, found: ['marco'] });
    expect(await search('MAR')).toEqual({ total: 3, found: ['mariana', 'marco', 'olga'] });
  });

  test('LIKE wildcards are literal', async () => {
    expect(await found('search: "%"')).toEqual([]);
    expect(await found('search: "luna_"')).toEqual(['lucas']);
    expect(await found('search: "lun_"')).toEqual([]);
  });

  test('the structured filter (the FHIR facade maps onto it)', async () => {
    expect(await found('filter: $f', { f: { familyName: 'garcia', gender: 'FEMALE' } })).toEqual(['mariana', 'ana']);
    expect(await found('filter: $f', { f: { givenName: 'an', birthDateFrom: '1960-01-01', birthDateTo: '2000-12-31' } })).toEqual(['ana']);
    expect(await found('filter: $f', { f: { birthDate: '1950-12-12' } })).toEqual(['andres']);
    expect(await found('filter: $f', { f: { identifier: { system: 'urn:clinicult:mrn', value: 'EXT-42' } } })).toEqual(['zoe']);
    expect(await found('filter: $f', { f: { identifier: { system: 'urn:clinicult:national-id', value: '11111111H' } } })).toEqual(['ana']);
    expect(await found('filter: $f', { f: { identifier: { system: 'urn:clinicult:national-id', value: 'EXT-42' } } })).toEqual([]);
    expect(await found('filter: $f', { f: { phone: '+34 611 222 333' } })).toEqual([]);
    expect(await found('filter: $f', { f: { phone: '611222333' } })).toEqual(['pablo']);
    expect(await found('search: "a", filter: $f', { f: { gender: 'FEMALE' } })).toEqual(['ana', 'anabel']);
    const bad = await gql(h.url, 'query ($f: PatientFilter) { patients(filter: $f) { totalCount } }', { f: { identifier: { system: 'ssn', value: '1' } } }, { token: office.token });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0]!.message).toMatch(/^filter.identifier.system: unknown system "ssn"; use urn:clinicult:mrn or urn:clinicult:national-id/);
  });

  test('pages in the stable order (familyName, givenName, id) without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: any = await list(`first: 2${after ? `, after: "${after}"` : ''}`);
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((e: any) => `${e.node.familyName}, ${e.node.givenName}`));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['García, Mariana', 'García López, Ana', 'Gómez, Andrés', 'Luna_x, Lucas', 'Pérez, Pablo', 'Sánchez, Anabel', 'Zamora, Zoe']);
    const bad = await gql(h.url, '{ patients(after: "garbage") { totalCount } }', {}, { token: office.token });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(h.url, '{ patients(first: 1000) { totalCount } }', {}, { token: office.token }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('tenant isolation', () => {
  let patientB: string;
  beforeAll(async () => {
    patientB = (await register(officeB, { givenName: 'Solo', familyName: 'Enbe', birthDate: '1981-01-01', phone: '699 888 777' })).data!.registerPatient.id;
  });

  test('clinic A cannot read clinic B’s patient by id, by search or by _entities', async () => {
    const byId = await gql(h.url, 'query ($id: ID!) { patient(id: $id) { id } }', { id: patientB }, { token: a.doctor.token });
    expect(byId.errors).toBeUndefined();
    expect(byId.data!.patient).toBeNull();
    for (const search of ['Solo', 'Enbe', '699888777']) {
      const r = await gql(h.url, 'query ($s: String) { patients(search: $s) { totalCount } }', { s: search }, { token: a.office.token });
      expect(r.data!.patients.totalCount).toBe(0);
    }
    const entities = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { id givenName } } }',
      { r: [{ __typename: 'Patient', id: patientB }] },
      { token: a.doctor.token },
    );
    expect(entities.errors).toBeUndefined();
    expect(entities.data!._entities).toEqual([null]);
  });

  test('clinic A cannot update or check in clinic B’s patient; nothing changes there', async () => {
    const before = await clinicSnapshot(h, clinicB);
    expect(codes(await update(a.office, patientB, { givenName: 'Hacked' }))).toEqual(['NOT_FOUND']);
    const checkIn = await gql(h.url, 'mutation ($p: ID!) { checkIn(patientId: $p, reason: "x") { id } }', { p: patientB }, { token: a.office.token });
    expect(codes(checkIn)).toEqual(['NOT_FOUND']);
    expect(await clinicSnapshot(h, clinicB)).toBe(before);
  });

  test('_entities: 30 patients are one SQL query, medical fields ruled as everywhere', async () => {
    const rows = await h.db.patient.findMany({ where: { clinicId: clinicA }, take: 30, select: { id: true } });
    h.queries.length = 0;
    const r = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { id mrn } } }',
      { r: rows.map((p) => ({ __typename: 'Patient', id: p.id })) },
      { token: a.office.token },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities.map((p: any) => p.id)).toEqual(rows.map((p) => p.id));
    expect(h.queries).toHaveLength(1);
    const medical = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { id allergies { substance } } } }',
      { r: [{ __typename: 'Patient', id: rows[0]!.id }] },
      { token: a.office.token },
    );
    expect(medical.data!._entities).toEqual([{ id: rows[0]!.id, allergies: null }]);
    expect(codes(medical)).toEqual(['FORBIDDEN']);
  });
});

describe('callers', () => {
  test('without a token: UNAUTHENTICATED; operators and services: FORBIDDEN', async () => {
    expect(codes(await gql(h.url, '{ patients { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
    const operator = await h.issuer.operatorToken();
    expect(codes(await gql(h.url, '{ patients { totalCount } }', {}, { token: operator }))).toEqual(['FORBIDDEN']);
    const service = await h.issuer.serviceToken('users');
    const r = await gql(h.url, '{ queue { id } }', {}, { token: service, headers: { 'x-clinicult-clinic-id': clinicA } });
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });
});
