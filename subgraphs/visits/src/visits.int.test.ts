import { randomUUID } from 'node:crypto';
import { codes, gql, fieldPaths } from '@clinicult/testing';
import { archived, auditEvents, snapshotOf, startHarness, type Staff, type VisitsHarness } from './__tests__/harness.js';

/**
 * visit(id), visits(filter): field-level medical gating and its audit, the medical filters, the
 * other filters and pages, tenant isolation by id, filter and `_entities`, and what `_entities`
 * costs in SQL.
 */
let h: VisitsHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();
const a = {} as Record<'admin' | 'doctor' | 'nurse' | 'office' | 'doctorAdmin', Staff>;
let doctorB: Staff;
const patient = randomUUID();
const patientB = randomUUID();
let visitId: string;
let cancelledId: string;
let visitB: string;

beforeAll(async () => {
  h = await startHarness();
  a.admin = await h.staff(clinicA, ['ADMIN']);
  a.doctor = await h.staff(clinicA, ['DOCTOR']);
  a.nurse = await h.staff(clinicA, ['NURSE']);
  a.office = await h.staff(clinicA, ['OFFICE']);
  a.doctorAdmin = await h.staff(clinicA, ['DOCTOR', 'ADMIN']);
  doctorB = await h.staff(clinicB, ['DOCTOR']);
  visitId = await archived(h, snapshotOf(clinicA, patient, { finishedAt: '2026-11-20T10:00:00.000Z', doctorId: a.doctor.id }));
  cancelledId = await archived(
    h,
    snapshotOf(clinicA, patient, {
      finishedAt: '2026-11-21T10:00:00.000Z',
      status: 'CANCELLED',
      cancelReason: 'El paciente se marchó',
      doctorId: null,
      notes: null,
      diagnoses: null,
      prescriptions: null,
      vitals: null,
      reason: 'Control 50%_off',
    }),
  );
  visitB = await archived(h, snapshotOf(clinicB, patientB, { finishedAt: '2026-11-22T10:00:00.000Z', diagnoses: [{ code: 'J06.9' }], notes: 'Faringitis' }));
});

afterAll(async () => {
  await h?.close();
});

const MEDICAL = `vitals { temperatureC heartRate recordedBy { id } } intakeAnswers notes diagnoses { code description }
  prescriptions { drug dose route frequency durationDays } templateAnswers`;
const PLAIN = `id status reason cancelReason checkedInAt finishedAt localDate timeZone patient { id } nurse { id } doctor { id }
  checkedInBy { id } finishedBy { id } timeline { from to by { id } at }`;

const read = (who: Staff, id = visitId, fields = `${PLAIN} ${MEDICAL}`) =>
  gql(h.url, `query ($id: ID!) { visit(id: $id) { ${fields} } }`, { id }, { token: who.token });

const list = (who: Staff, filter: Record<string, unknown>, extra = '') =>
  gql(h.url, `query ($f: VisitFilter) { visits(filter: $f${extra}) { totalCount edges { node { id } } } }`, { f: filter }, { token: who.token });

describe('visit(id): medical data field by field', () => {
  test.each(['office', 'admin'] as const)('%s gets the visit, null medical fields and a FORBIDDEN error per field; no audit event', async (role) => {
    const before = (await auditEvents(h, 'patient.read.medical')).length;
    const r = await read(a[role]);
    expect(r.data!.visit).toMatchObject({
      id: visitId,
      status: 'FINISHED',
      reason: 'Dolor de cabeza',
      localDate: '2026-11-27',
      timeZone: 'Europe/Madrid',
      patient: { id: patient },
      doctor: { id: a.doctor.id },
      finishedAt: '2026-11-20T10:00:00.000Z',
      vitals: null,
      intakeAnswers: null,
      notes: null,
      diagnoses: null,
      prescriptions: null,
      templateAnswers: null,
    });
    expect(r.data!.visit.timeline.map((t: any) => t.to)).toEqual(['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT', 'FINISHED']);
    expect(r.errors!.map((e) => [e.extensions!.code, e.path!.join('.')])).toEqual([
      ['FORBIDDEN', 'visit.vitals'],
      ['FORBIDDEN', 'visit.intakeAnswers'],
      ['FORBIDDEN', 'visit.notes'],
      ['FORBIDDEN', 'visit.diagnoses'],
      ['FORBIDDEN', 'visit.prescriptions'],
      ['FORBIDDEN', 'visit.templateAnswers'],
    ]);
    expect(r.errors![0]!.message).toBe('This needs the permission clinicult:medical:read.');
    expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([]);
  });

  test('a doctor, a nurse and a DOCTOR+ADMIN read them: one audit event per patient per request', async () => {
    for (const who of [a.doctor, a.nurse, a.doctorAdmin]) {
      const before = (await auditEvents(h, 'patient.read.medical')).length;
      const r = await read(who);
      expect(r.errors).toBeUndefined();
      expect(r.data!.visit).toMatchObject({
        vitals: { temperatureC: 37.9, heartRate: 92, recordedBy: { id: 'nurse-user' } },
        intakeAnswers: { fever: true },
        notes: 'Cefalea tensional',
        diagnoses: [{ code: 'G44.2', description: 'Cefalea tensional' }],
        prescriptions: [{ drug: 'Paracetamol', dose: '1 g', route: 'oral', frequency: 'cada 8 h', durationDays: 3 }],
        templateAnswers: { followUp: 'no' },
      });
      expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([
        expect.objectContaining({
          action: 'patient.read.medical',
          patientId: patient,
          clinicId: clinicA,
          actorKind: 'staff',
          actorId: who.id,
          service: 'visits',
          requestId: r.headers.get('x-request-id'),
          fields: ['visit.diagnoses', 'visit.intakeAnswers', 'visit.notes', 'visit.prescriptions', 'visit.templateAnswers', 'visit.vitals'],
          details: { visitIds: [visitId] },
        }),
      ]);
    }
  });

  test('history lists are gated the same way, through _entities too', async () => {
    const r = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { history { edges { node { id notes } } } } } }',
      { r: [{ __typename: 'Patient', id: patient }] },
      { token: a.office.token },
    );
    expect(r.data!._entities[0].history.edges).toEqual([
      { node: { id: cancelledId, notes: null } },
      { node: { id: visitId, notes: null } },
    ]);
    expect(codes(r)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });
});

describe('visits(filter)', () => {
  test('the clinic’s visits newest first; patientId, doctorId, status, from/to', async () => {
    expect((await list(a.office, {})).data!.visits).toEqual({ totalCount: 2, edges: [{ node: { id: cancelledId } }, { node: { id: visitId } }] });
    expect((await list(a.office, { patientId: patient, status: 'CANCELLED' })).data!.visits.edges).toEqual([{ node: { id: cancelledId } }]);
    expect((await list(a.office, { doctorId: a.doctor.id })).data!.visits.edges).toEqual([{ node: { id: visitId } }]);
    expect((await list(a.office, { from: '2026-11-21T00:00:00Z', to: '2026-11-22T00:00:00Z' })).data!.visits.edges).toEqual([{ node: { id: cancelledId } }]);
    const first = await gql(h.url, '{ visits(first: 1) { pageInfo { hasNextPage endCursor } edges { node { id } } } }', {}, { token: a.office.token });
    expect(first.data!.visits.edges).toEqual([{ node: { id: cancelledId } }]);
    const second = await gql(h.url, 'query ($a: String) { visits(first: 1, after: $a) { pageInfo { hasNextPage } edges { node { id } } } }', { a: first.data!.visits.pageInfo.endCursor }, { token: a.office.token });
    expect(second.data!.visits).toEqual({ pageInfo: { hasNextPage: false }, edges: [{ node: { id: visitId } }] });
  });

  test.each(['office', 'admin'] as const)('diagnosisCode and text need medical:read: %s is FORBIDDEN and gets nothing', async (role) => {
    for (const filter of [{ diagnosisCode: 'G44' }, { text: 'cefalea' }, { diagnosisCode: 'G44', text: 'x' }]) {
      const r = await list(a[role], filter);
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.errors![0]!.message).toMatch(/need(s)? clinicult:medical:read/);
      expect(r.data).toBeNull();
    }
  });

  test('a doctor filters by diagnosis code (or its prefix) and by text; the search is audited', async () => {
    expect((await list(a.doctor, { diagnosisCode: 'g44.2' })).data!.visits.edges).toEqual([{ node: { id: visitId } }]);
    expect((await list(a.doctor, { diagnosisCode: 'G44' })).data!.visits.edges).toEqual([{ node: { id: visitId } }]);
    expect((await list(a.doctor, { diagnosisCode: 'J06' })).data!.visits.totalCount).toBe(0);
    expect((await list(a.doctor, { text: 'TENSIONAL' })).data!.visits.edges).toEqual([{ node: { id: visitId } }]);
    expect((await list(a.doctor, { text: 'se marchó' })).data!.visits.edges).toEqual([{ node: { id: cancelledId } }]);
    // a full-text search of word prefixes (text-search.int.test.ts): LIKE's % and _ mean nothing special
    expect((await list(a.doctor, { text: '50%_off' })).data!.visits.edges).toEqual([{ node: { id: cancelledId } }]);
    expect((await list(a.doctor, { text: '0%xyz' })).data!.visits.totalCount).toBe(0);
    const before = (await auditEvents(h, 'patient.read.medical')).length;
    await list(a.doctor, { diagnosisCode: 'G44' });
    expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([
      expect.objectContaining({ patientId: patient, actorId: a.doctor.id, fields: ['visits.filter.diagnosisCode'], details: { visitIds: [visitId] } }),
    ]);
    const bad = await list(a.doctor, { diagnosisCode: 'G44; DROP' });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad.errors![0]!)).toEqual(['filter.diagnosisCode']);
  });
});

describe('tenant isolation', () => {
  test('clinic A cannot read clinic B’s visit by id, by filter or by _entities', async () => {
    const byId = await read(a.doctor, visitB);
    expect(byId.errors).toBeUndefined();
    expect(byId.data!.visit).toBeNull();
    for (const filter of [{ patientId: patientB }, { diagnosisCode: 'J06' }, { text: 'Faringitis' }, { from: '2026-11-22T00:00:00Z' }]) {
      const r = await list(a.doctor, filter);
      expect(r.data!.visits).toEqual({ totalCount: 0, edges: [] });
    }
    const entities = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on HistoricVisit { id notes } } }',
      { r: [{ __typename: 'HistoricVisit', id: visitB }, { __typename: 'HistoricVisit', id: visitId }] },
      { token: a.doctor.token },
    );
    expect(entities.errors).toBeUndefined();
    expect(entities.data!._entities).toEqual([null, { id: visitId, notes: 'Cefalea tensional' }]);
    // and B sees its own
    expect((await read(doctorB, visitB, 'id notes')).data!.visit).toEqual({ id: visitB, notes: 'Faringitis' });
    expect((await read(doctorB, visitId, 'id')).data!.visit).toBeNull();
  });

  test('_entities: 30 visits are one SQL query; medical fields ruled as everywhere', async () => {
    const clinic = randomUUID();
    const office = await h.staff(clinic, ['OFFICE']);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await archived(h, snapshotOf(clinic, randomUUID())));
    h.queries.length = 0;
    const r = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on HistoricVisit { id status patient { id } doctor { id } } } }',
      { r: ids.map((id) => ({ __typename: 'HistoricVisit', id })) },
      { token: office.token },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities.map((v: any) => v.id)).toEqual(ids);
    expect(h.queries).toHaveLength(1);
    const medical = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on HistoricVisit { id diagnoses { code } } } }',
      { r: [{ __typename: 'HistoricVisit', id: ids[0] }] },
      { token: office.token },
    );
    expect(medical.data!._entities).toEqual([{ id: ids[0], diagnoses: null }]);
    expect(codes(medical)).toEqual(['FORBIDDEN']);
  });
});

describe('callers', () => {
  test('without a token: UNAUTHENTICATED; operators and services: FORBIDDEN', async () => {
    expect(codes(await gql(h.url, '{ visits { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(h.url, '{ visits { totalCount } }', {}, { token: await h.issuer.operatorToken() }))).toEqual(['FORBIDDEN']);
    const relay = await h.issuer.serviceToken('patients', ['clinicult:service:visits-archive']);
    const r = await gql(h.url, '{ visits { totalCount } }', {}, { token: relay, headers: { 'x-clinicult-clinic-id': clinicA } });
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });
});
