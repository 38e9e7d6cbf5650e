import { randomUUID } from 'node:crypto';
import { codes, gql, fieldPaths } from '@clinicult/testing';
import { archived, auditEvents, snapshotOf, startHarness, type Staff, type VisitsHarness } from './__tests__/harness.js';

/**
 * Doctors' addenda (`addVisitAddendum`, `HistoricVisit.addenda`) and the template version a visit
 * was started with (`HistoricVisit.template`): who may add (a DOCTOR only), what is refused and how,
 * that the visit row never changes, the audit event, medical gating of the reads, tenant isolation,
 * one SQL query for a page's addenda, and the history cache dropped on an addendum.
 */
let h: VisitsHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();
const a = {} as Record<'admin' | 'doctor' | 'nurse' | 'office' | 'doctorAdmin', Staff>;
let doctorB: Staff;
const patient = randomUUID();
const patientB = randomUUID();
let visitId: string;
let visitB: string;
const BASE = Date.parse('2026-08-01T08:00:00.000Z');
const instant = (i: number) => new Date(BASE + i * 3_600_000).toISOString();

const TEMPLATE = {
  id: randomUUID(),
  templateId: randomUUID(),
  name: 'Consulta general',
  kind: 'NOTE',
  version: 2,
  fields: [
    { key: 'followUp', label: '¿Revisión?', type: 'CHOICE', required: true, options: ['sí', 'no'] },
    { key: 'pain', label: 'Dolor (0-10)', type: 'NUMBER', required: false, min: 0, max: 10, unit: null, help: null },
  ],
};

beforeAll(async () => {
  h = await startHarness();
  a.admin = await h.staff(clinicA, ['ADMIN']);
  a.doctor = await h.staff(clinicA, ['DOCTOR']);
  a.nurse = await h.staff(clinicA, ['NURSE']);
  a.office = await h.staff(clinicA, ['OFFICE']);
  a.doctorAdmin = await h.staff(clinicA, ['DOCTOR', 'ADMIN']);
  doctorB = await h.staff(clinicB, ['DOCTOR']);
  visitId = await archived(h, snapshotOf(clinicA, patient, { finishedAt: instant(0), templateId: TEMPLATE.templateId, template: TEMPLATE }));
  visitB = await archived(h, snapshotOf(clinicB, patientB, { finishedAt: instant(0) }));
});

afterAll(async () => {
  await h?.close();
});

const ADD = `mutation ($v: ID!, $t: String!) { addVisitAddendum(visitId: $v, text: $t) { id reason notes addenda { id text by { id } at } } }`;
const add = (who: Staff | null, text: string, id = visitId) => gql(h.url, ADD, { v: id, t: text }, who ? { token: who.token } : {});
const addendaRows = () => h.db.visitAddendum.count();
const visitRow = (id = visitId) => h.db.historicVisit.findUniqueOrThrow({ where: { id } });

describe('addVisitAddendum', () => {
  test('a doctor adds addenda (trimmed, oldest first); the visit row never changes; each is one audit event', async () => {
    const before = await visitRow();
    const auditBefore = (await auditEvents(h, 'visit.addVisitAddendum')).length;
    const first = await add(a.doctor, '  Resultado de analítica: normal.  ');
    expect(first.errors).toBeUndefined();
    expect(first.data!.addVisitAddendum).toMatchObject({
      id: visitId,
      reason: 'Dolor de cabeza',
      notes: 'Cefalea tensional',
      addenda: [{ id: expect.any(String), text: 'Resultado de analítica: normal.', by: { id: a.doctor.id }, at: expect.any(String) }],
    });
    const second = await add(a.doctorAdmin, 'Llamada de seguimiento: mejor.');
    expect(second.errors).toBeUndefined();
    const addenda = second.data!.addVisitAddendum.addenda;
    expect(addenda.map((x: any) => [x.text, x.by.id])).toEqual([
      ['Resultado de analítica: normal.', a.doctor.id],
      ['Llamada de seguimiento: mejor.', a.doctorAdmin.id],
    ]);
    expect(Date.parse(addenda[0].at)).toBeLessThanOrEqual(Date.parse(addenda[1].at));
    // the visit itself: every column as it was
    expect(await visitRow()).toEqual(before);
    const stored = await h.db.visitAddendum.findMany({ where: { visitId }, orderBy: { createdAt: 'asc' } });
    expect(stored.map((s) => ({ clinicId: s.clinicId, byUserId: s.byUserId }))).toEqual([
      { clinicId: clinicA, byUserId: a.doctor.id },
      { clinicId: clinicA, byUserId: a.doctorAdmin.id },
    ]);

    const events = (await auditEvents(h, 'visit.addVisitAddendum')).slice(auditBefore);
    expect(events).toEqual([
      expect.objectContaining({
        action: 'visit.addVisitAddendum',
        clinicId: clinicA,
        patientId: patient,
        actorId: a.doctor.id,
        actorKind: 'staff',
        service: 'visits',
        fields: ['addenda'],
        requestId: first.headers.get('x-request-id'),
        details: { visitId, addendumId: addenda[0].id },
      }),
      expect.objectContaining({ actorId: a.doctorAdmin.id, patientId: patient, details: { visitId, addendumId: addenda[1].id } }),
    ]);
    // names, never the text
    expect(JSON.stringify(events)).not.toContain('analítica');
  });

  test.each(['nurse', 'office', 'admin'] as const)('%s is FORBIDDEN and nothing is stored', async (role) => {
    const count = await addendaRows();
    const r = await add(a[role], 'No debería quedar');
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data).toBeNull();
    expect(await addendaRows()).toBe(count);
  });

  test('no token is UNAUTHENTICATED; operators and service tokens are FORBIDDEN; nothing is stored', async () => {
    const count = await addendaRows();
    expect(codes(await add(null, 'x'))).toEqual(['UNAUTHENTICATED']);
    const operator = await h.issuer.operatorToken();
    expect(codes(await gql(h.url, ADD, { v: visitId, t: 'x' }, { token: operator }))).toEqual(['FORBIDDEN']);
    const relay = await h.issuer.serviceToken('patients');
    const bySvc = await gql(h.url, ADD, { v: visitId, t: 'x' }, { token: relay, headers: { 'x-clinicult-clinic-id': clinicA } });
    expect(codes(bySvc)).toEqual(['FORBIDDEN']);
    expect(await addendaRows()).toBe(count);
  });

  test('another clinic’s visit and an unknown id are the same NOT_FOUND; nothing is stored', async () => {
    const count = await addendaRows();
    const auditBefore = (await auditEvents(h, 'visit.addVisitAddendum')).length;
    const foreign = await add(a.doctor, 'Intruso', visitB);
    const unknown = randomUUID();
    const missing = await add(a.doctor, 'Intruso', unknown);
    expect(codes(foreign)).toEqual(['NOT_FOUND']);
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    // word for word the same answer, but for the id the caller gave
    expect(foreign.errors![0]!.message.replace(visitB, '<id>')).toBe(missing.errors![0]!.message.replace(unknown, '<id>'));
    expect(Object.keys(foreign.errors![0]!.extensions!).sort()).toEqual(Object.keys(missing.errors![0]!.extensions!).sort());
    expect(foreign.data).toBeNull();
    expect(await addendaRows()).toBe(count);
    expect((await auditEvents(h, 'visit.addVisitAddendum')).length).toBe(auditBefore);
    // and clinic B's doctor may add to B's visit, which A never sees
    const own = await add(doctorB, 'Nota de la clínica B', visitB);
    expect(own.errors).toBeUndefined();
    const fromA = await gql(h.url, 'query ($v: ID!) { visit(id: $v) { id addenda { text } } }', { v: visitB }, { token: a.doctor.token });
    expect(fromA.data!.visit).toBeNull();
  });

  test('text: blank, or longer than 5000 characters after trimming, is BAD_USER_INPUT naming text', async () => {
    const count = await addendaRows();
    for (const text of ['', '   \n\t ', 'x'.repeat(5001)]) {
      const r = await add(a.doctor, text);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(fieldPaths(r.errors![0]!)).toEqual(['text']);
      expect(r.errors![0]!.message).toMatch(/^text: .*1 to 5000 characters/);
    }
    expect(await addendaRows()).toBe(count);
    // exactly 5000 once trimmed is fine
    const max = await add(a.doctor, `  ${'y'.repeat(5000)}  `);
    expect(max.errors).toBeUndefined();
    expect(max.data!.addVisitAddendum.addenda.at(-1).text).toHaveLength(5000);
  });
});

describe('reading addenda', () => {
  const READ = 'query ($v: ID!) { visit(id: $v) { id reason addenda { text by { id } } } }';

  test.each(['office', 'admin'] as const)('%s: addenda is null with FORBIDDEN; no audit event', async (role) => {
    const before = (await auditEvents(h, 'patient.read.medical')).length;
    const r = await gql(h.url, READ, { v: visitId }, { token: a[role].token });
    expect(r.data!.visit).toEqual({ id: visitId, reason: 'Dolor de cabeza', addenda: null });
    expect(r.errors!.map((e) => [e.extensions!.code, e.path!.join('.')])).toEqual([['FORBIDDEN', 'visit.addenda']]);
    expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([]);
  });

  test('a nurse reads them; the read is a medical read, audited for the patient', async () => {
    const before = (await auditEvents(h, 'patient.read.medical')).length;
    const r = await gql(h.url, READ, { v: visitId }, { token: a.nurse.token });
    expect(r.errors).toBeUndefined();
    expect(r.data!.visit.addenda[0]).toEqual({ text: 'Resultado de analítica: normal.', by: { id: a.doctor.id } });
    expect((await auditEvents(h, 'patient.read.medical')).slice(before)).toEqual([
      expect.objectContaining({ patientId: patient, actorId: a.nurse.id, fields: ['visit.addenda'], details: { visitIds: [visitId] } }),
    ]);
  });

  test('an addendum row of another clinic is never shown with the visit (the clinic is in the WHERE)', async () => {
    // not reachable through the API (addVisitAddendum refuses it); written directly to prove the query's scope
    await h.db.visitAddendum.create({ data: { id: randomUUID(), visitId, clinicId: clinicB, text: 'Fuera de lugar', byUserId: doctorB.id } });
    const r = await gql(h.url, READ, { v: visitId }, { token: a.doctor.token });
    expect(r.data!.visit.addenda.map((x: any) => x.text)).not.toContain('Fuera de lugar');
    expect(r.data!.visit.addenda.length).toBeGreaterThan(0);
  });

  test('a page of 25 visits loads every addendum in one SQL query', async () => {
    const p = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await archived(h, snapshotOf(clinicA, p, { finishedAt: instant(10 + i) })));
    for (const id of ids.slice(0, 5)) expect((await add(a.doctor, `Addendum ${id}`, id)).errors).toBeUndefined();
    h.queries.length = 0;
    // first: 25 is past the cached page size: read from MySQL
    const r = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { history(first: 25) { edges { node { id addenda { text } } } } } } }',
      { r: [{ __typename: 'Patient', id: p }] },
      { token: a.doctor.token },
    );
    expect(r.errors).toBeUndefined();
    const edges = r.data!._entities[0].history.edges;
    expect(edges).toHaveLength(25);
    const withAddenda = edges.filter((e: any) => e.node.addenda.length > 0).map((e: any) => e.node.id);
    expect(withAddenda.sort()).toEqual(ids.slice(0, 5).sort());
    expect(h.queries.filter((q) => /VisitAddendum/.test(q))).toHaveLength(1);
  });
});

describe('history cache', () => {
  const HISTORY = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { history { edges { node { id addenda { text } } } } } } }`;
  const history = (who: Staff, p: string) => gql(h.url, HISTORY, { r: [{ __typename: 'Patient', id: p }] }, { token: who.token });
  const key = (p: string) => `${h.historyCachePrefix}:${clinicA}:${p}`;

  test('the cached first page carries its addenda (no SQL); an addendum drops the entry; the next read shows it', async () => {
    const p = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await archived(h, snapshotOf(clinicA, p, { finishedAt: instant(50 + i) })));
    expect((await add(a.doctor, 'Primera', ids[0])).errors).toBeUndefined();
    const fromDb = await history(a.doctor, p); // fills the entry
    expect(fromDb.errors).toBeUndefined();
    expect(await h.redis.exists(key(p))).toBe(1);
    h.queries.length = 0;
    const cached = await history(a.doctor, p);
    expect(h.queries.filter((q) => /HistoricVisit|VisitAddendum/.test(q))).toEqual([]);
    expect(cached.data).toEqual(fromDb.data);
    expect(cached.data!._entities[0].history.edges.find((e: any) => e.node.id === ids[0]).node.addenda).toEqual([{ text: 'Primera' }]);

    expect((await add(a.doctor, 'Segunda', ids[2])).errors).toBeUndefined();
    expect(await h.redis.exists(key(p))).toBe(0);
    const after = await history(a.doctor, p);
    expect(after.data!._entities[0].history.edges.find((e: any) => e.node.id === ids[2]).node.addenda).toEqual([{ text: 'Segunda' }]);
    // a refused addendum leaves the entry alone
    expect(await h.redis.exists(key(p))).toBe(1);
    expect(codes(await add(a.nurse, 'No', ids[1]))).toEqual(['FORBIDDEN']);
    expect(await h.redis.exists(key(p))).toBe(1);
  });
});

describe('HistoricVisit.template', () => {
  const READ = `query ($v: ID!) { visit(id: $v) { id templateId template { id templateId name kind version
    fields { key label type required options unit min max help } } } }`;

  test('the template version of the snapshot, as delivered; null when the snapshot had none', async () => {
    const r = await gql(h.url, READ, { v: visitId }, { token: a.office.token });
    expect(r.errors).toBeUndefined();
    expect(r.data!.visit).toEqual({
      id: visitId,
      templateId: TEMPLATE.templateId,
      template: {
        ...TEMPLATE,
        fields: [
          { key: 'followUp', label: '¿Revisión?', type: 'CHOICE', required: true, options: ['sí', 'no'], unit: null, min: null, max: null, help: null },
          { key: 'pain', label: 'Dolor (0-10)', type: 'NUMBER', required: false, options: null, unit: null, min: 0, max: 10, help: null },
        ],
      },
    });
    const none = await gql(h.url, READ, { v: visitB }, { token: doctorB.token });
    expect(none.data!.visit).toEqual({ id: visitB, templateId: null, template: null });
  });

  test('a snapshot whose template lacks what TemplateVersion needs is refused whole', async () => {
    const bad = snapshotOf(clinicA, patient, { template: { ...TEMPLATE, kind: 'FORM' } });
    const r = await h.archive(bad);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(r.errors![0]!)).toEqual(['snapshot.template.kind']);
    expect(await h.db.historicVisit.count({ where: { id: bad.visitId } })).toBe(0);
  });
});
