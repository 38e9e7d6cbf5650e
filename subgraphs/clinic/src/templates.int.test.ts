import { randomUUID } from 'node:crypto';
import { codes, fieldPaths } from '@clinicult/testing';
import { startHarness, templateInput, type ClinicHarness } from './__tests__/harness.js';

/**
 * Templates over real HTTP and MariaDB: who may read and write them, validation that names the
 * field, versions (v1 → v2, newest first, kind fixed, concurrent updates numbered apart), tenant
 * isolation, and the internal templateForVisit that patients calls at check-in.
 */
let h: ClinicHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();
let adminA: string;
let adminB: string;

const FIELDS = 'fields { key label type required options unit min max help }';
const TEMPLATE = `id name kind version active globalTemplateId createdAt updatedAt ${FIELDS}`;
const CREATE = `mutation ($input: TemplateInput!) { createTemplate(input: $input) { ${TEMPLATE} } }`;
const UPDATE = `mutation ($id: ID!, $input: TemplateInput!) { updateTemplate(id: $id, input: $input) { ${TEMPLATE} versions { id templateId version name kind ${FIELDS} } } }`;
const SET_ACTIVE = 'mutation ($id: ID!, $active: Boolean!) { setTemplateActive(id: $id, active: $active) { id active } }';
const LIST = 'query ($activeOnly: Boolean, $kind: TemplateKind) { templates(activeOnly: $activeOnly, kind: $kind) { id name kind version active } }';
const ONE = `query ($id: ID!) { template(id: $id) { ${TEMPLATE} versions { version name } } }`;

beforeAll(async () => {
  h = await startHarness();
  adminA = await h.token(clinicA, ['ADMIN']);
  adminB = await h.token(clinicB, ['ADMIN']);
});

afterAll(async () => {
  await h?.close();
});

async function create(token: string, input: unknown) {
  const r = await h.as(token, CREATE, { input });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data.createTemplate as { id: string; version: number; name: string };
}

describe('grants and denials', () => {
  test('an ADMIN creates a template: version 1, active, every field type stored in full', async () => {
    const r = await h.as(adminA, CREATE, { input: templateInput('Fever intake') });
    expect(r.errors).toBeUndefined();
    const t = r.data.createTemplate;
    expect(t).toMatchObject({ name: 'Fever intake', kind: 'INTAKE', version: 1, active: true, globalTemplateId: null });
    expect(t.fields).toEqual([
      { key: 'complaint', label: 'Complaint', type: 'TEXT', required: true, options: null, unit: null, min: null, max: null, help: 'Own words' },
      { key: 'temperature', label: 'Temperature', type: 'NUMBER', required: false, options: null, unit: '°C', min: 34, max: 43, help: null },
      { key: 'severity', label: 'Severity', type: 'CHOICE', required: false, options: ['Mild', 'Severe'], unit: null, min: null, max: null, help: null },
      { key: 'symptoms', label: 'Symptoms', type: 'MULTI_CHOICE', required: false, options: ['Cough', 'Fever', 'Rash'], unit: null, min: null, max: null, help: null },
      { key: 'onset', label: 'Onset', type: 'DATE', required: false, options: null, unit: null, min: null, max: null, help: null },
      { key: 'smoker', label: 'Smoker', type: 'BOOLEAN', required: true, options: null, unit: null, min: null, max: null, help: null },
    ]);
    expect(await h.db.templateVersion.count({ where: { templateId: t.id } })).toBe(1);
    // the change is logged (not patient data: a structured line, not the audit trail)
    expect(h.logs.some((l) => l.audit === true && l.action === 'clinic.createTemplate' && l.templateId === t.id && l.clinicId === clinicA)).toBe(true);
  });

  test('DOCTOR, NURSE and OFFICE read templates but every write is FORBIDDEN; nothing changes', async () => {
    const t = await create(adminA, templateInput(`Readable ${randomUUID()}`));
    for (const role of ['DOCTOR', 'NURSE', 'OFFICE'] as const) {
      const token = await h.token(clinicA, [role]);
      const list = await h.as(token, LIST);
      expect(list.errors).toBeUndefined();
      expect(list.data.templates.map((x: { id: string }) => x.id)).toContain(t.id);
      const one = await h.as(token, ONE, { id: t.id });
      expect(one.data.template).toMatchObject({ id: t.id, version: 1 });
      expect(codes(await h.as(token, CREATE, { input: templateInput(`By ${role}`) }))).toEqual(['FORBIDDEN']);
      expect(codes(await h.as(token, UPDATE, { id: t.id, input: templateInput('Changed') }))).toEqual(['FORBIDDEN']);
      expect(codes(await h.as(token, SET_ACTIVE, { id: t.id, active: false }))).toEqual(['FORBIDDEN']);
      expect(codes(await h.as(token, 'mutation { adoptGlobalTemplate(globalTemplateId: "x") { id } }'))).toEqual(['FORBIDDEN']);
    }
    expect(await h.db.template.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ currentVersion: 1, active: true });
    expect(await h.db.template.count({ where: { clinicId: clinicA, name: { startsWith: 'By ' } } })).toBe(0);
  });

  test('operators, services and users without a clinic are FORBIDDEN; no token is UNAUTHENTICATED', async () => {
    const operator = await h.issuer.operatorToken();
    const service = await h.issuer.serviceToken('patients');
    const unscoped = await h.issuer.sign({ sub: randomUUID(), roles: [], permissions: [] });
    for (const token of [operator, service, unscoped]) {
      expect(codes(await h.as(token, LIST))).toEqual(['FORBIDDEN']);
      expect(codes(await h.as(token, 'query { templateCatalog { globalTemplateId } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await h.as(token, CREATE, { input: templateInput('Operator made') }))).toEqual(['FORBIDDEN']);
    }
    // a service naming a clinic is still not staff
    expect(codes(await h.as(service, LIST, {}, { 'x-clinicult-clinic-id': clinicA }))).toEqual(['FORBIDDEN']);
    const anonymous = await h.as(undefined, LIST);
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.data?.templates).toBeUndefined();
    expect(await h.db.template.count({ where: { name: 'Operator made' } })).toBe(0);
  });

  test("another clinic's template is invisible and cannot be changed", async () => {
    const t = await create(adminA, templateInput(`Private ${randomUUID()}`));
    const list = await h.as(adminB, LIST);
    expect(list.data.templates.map((x: { id: string }) => x.id)).not.toContain(t.id);
    expect((await h.as(adminB, ONE, { id: t.id })).data.template).toBeNull();
    const update = await h.as(adminB, UPDATE, { id: t.id, input: templateInput('Hijacked') });
    expect(codes(update)).toEqual(['NOT_FOUND']);
    expect(codes(await h.as(adminB, SET_ACTIVE, { id: t.id, active: false }))).toEqual(['NOT_FOUND']);
    // and through federation's _entities
    const entities = await h.as(adminB, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Template { id name } } }', {
      r: [{ __typename: 'Template', id: t.id }],
    });
    expect(entities.errors).toBeUndefined();
    expect(entities.data._entities).toEqual([null]);
    expect(await h.db.template.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ currentVersion: 1, active: true });
  });
});

describe('validation names the field', () => {
  test.each([
    [{ fields: [{ key: 'a', label: 'A', type: 'TEXT' }, { key: 'b', label: 'B', type: 'CHOICE', options: ['only'] }] }, 'input.fields[1].options', /input\.fields\[1\]\.options: a CHOICE field needs at least 2 options/],
    [{ fields: [{ key: 'a', label: 'A', type: 'TEXT' }, { key: 'a', label: 'Again', type: 'TEXT' }] }, 'input.fields[1].key', /keys must be unique/],
    [{ fields: [{ key: 'Bad key', label: 'A', type: 'TEXT' }] }, 'input.fields[0].key', /must start with a lower-case letter/],
    [{ fields: [{ key: 'n', label: 'N', type: 'NUMBER', min: 10, max: 1 }] }, 'input.fields[0].max', /must not be below min/],
    [{ fields: [{ key: 't', label: 'T', type: 'TEXT', unit: 'kg' }] }, 'input.fields[0].unit', /only NUMBER fields have a unit/],
    [{ fields: [] }, 'input.fields', /at least one field/],
    [{ name: '   ' }, 'input.name', /input\.name: must not be empty/],
  ])('%j is BAD_USER_INPUT naming %s; nothing stored', async (patch, field, message) => {
    const name = `Invalid ${randomUUID()}`;
    const r = await h.as(adminA, CREATE, { input: { ...templateInput(name), ...patch } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.message).toMatch(message);
    expect(fieldPaths(r.errors![0]!)).toContain(field);
    expect(await h.db.template.count({ where: { clinicId: clinicA, name } })).toBe(0);
  });

  test('an active template name is used once per clinic and kind; inactive names and other kinds are free', async () => {
    const name = `Unique ${randomUUID()}`;
    const first = await create(adminA, templateInput(name, 'INTAKE'));
    const again = await h.as(adminA, CREATE, { input: templateInput(name.toUpperCase(), 'INTAKE') });
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors![0]!.extensions).toMatchObject({ fields: [{ path: 'input.name' }], reason: 'TEMPLATE_NAME_TAKEN' });
    // another kind, or another clinic: fine
    await create(adminA, templateInput(name, 'NOTE'));
    await create(adminB, templateInput(name, 'INTAKE'));
    // deactivate the first: the name is free again; reactivating it now clashes
    expect((await h.as(adminA, SET_ACTIVE, { id: first.id, active: false })).data.setTemplateActive).toEqual({ id: first.id, active: false });
    await create(adminA, templateInput(name, 'INTAKE'));
    const back = await h.as(adminA, SET_ACTIVE, { id: first.id, active: true });
    expect(codes(back)).toEqual(['BAD_USER_INPUT']);
    expect(back.errors![0]!.extensions!.reason).toBe('TEMPLATE_NAME_TAKEN');
    expect(await h.db.template.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ active: false });
  });
});

describe('versions', () => {
  test('updateTemplate writes v2; versions are listed newest first and v1 is unchanged', async () => {
    const t = await create(adminA, templateInput(`Versioned ${randomUUID()}`));
    const input = { name: 'Versioned, second edition', kind: 'INTAKE', fields: [{ key: 'weight', label: 'Weight', type: 'NUMBER', unit: 'kg', min: 0, max: 300, required: true }] };
    const r = await h.as(adminA, UPDATE, { id: t.id, input });
    expect(r.errors).toBeUndefined();
    const v2 = r.data.updateTemplate;
    expect(v2).toMatchObject({ id: t.id, name: 'Versioned, second edition', version: 2 });
    expect(v2.fields.map((f: { key: string }) => f.key)).toEqual(['weight']);
    expect(v2.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(v2.versions[1]).toMatchObject({ templateId: t.id, version: 1, name: t.name, kind: 'INTAKE' });
    expect(v2.versions[1].fields.map((f: { key: string }) => f.key)).toEqual(['complaint', 'temperature', 'severity', 'symptoms', 'onset', 'smoker']);
    expect(new Set(v2.versions.map((v: { id: string }) => v.id)).size).toBe(2);
  });

  test("a template's kind cannot change: BAD_USER_INPUT on input.kind, no version written", async () => {
    const t = await create(adminA, templateInput(`Kind ${randomUUID()}`, 'INTAKE'));
    const r = await h.as(adminA, UPDATE, { id: t.id, input: templateInput('Now a note', 'NOTE') });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(r.errors![0]!)).toEqual(['input.kind']);
    expect(r.errors![0]!.message).toMatch(/kind cannot change/);
    expect(await h.db.template.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ currentVersion: 1, name: t.name });
    expect(await h.db.templateVersion.count({ where: { templateId: t.id } })).toBe(1);
  });

  test('concurrent updates each get their own version number', async () => {
    const t = await create(adminA, templateInput(`Race ${randomUUID()}`));
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => h.as(adminA, UPDATE, { id: t.id, input: templateInput(`Race edit ${i} ${t.id}`) })),
    );
    expect(results.flatMap(codes)).toEqual([]);
    const numbers = results.map((r) => r.data.updateTemplate.version as number).sort((a, b) => a - b);
    expect(numbers).toEqual([2, 3, 4, 5, 6, 7]);
    const stored = await h.db.templateVersion.findMany({ where: { templateId: t.id }, orderBy: { version: 'asc' } });
    expect(stored.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await h.db.template.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ currentVersion: 7 });
  });

  test('templates(activeOnly, kind) filter by state and kind', async () => {
    const note = await create(adminB, templateInput(`Filter note ${randomUUID()}`, 'NOTE'));
    const off = await create(adminB, templateInput(`Filter off ${randomUUID()}`, 'NOTE'));
    await h.as(adminB, SET_ACTIVE, { id: off.id, active: false });
    const notes = await h.as(adminB, LIST, { kind: 'NOTE' });
    expect(notes.data.templates.every((t: { kind: string }) => t.kind === 'NOTE')).toBe(true);
    expect(notes.data.templates.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([note.id, off.id]));
    const active = await h.as(adminB, LIST, { kind: 'NOTE', activeOnly: true });
    expect(active.data.templates.map((t: { id: string }) => t.id)).toContain(note.id);
    expect(active.data.templates.map((t: { id: string }) => t.id)).not.toContain(off.id);
  });
});

describe('templateForVisit (internal)', () => {
  test("a service with template-read gets the template's current version for the clinic the call names", async () => {
    const t = await create(adminA, templateInput(`Check-in ${randomUUID()}`));
    await h.as(adminA, UPDATE, { id: t.id, input: templateInput(`Check-in v2 ${t.id}`) });
    const r = await h.templateForVisit(clinicA, t.id);
    expect(r.errors).toBeUndefined();
    expect(r.data.templateForVisit).toMatchObject({ templateId: t.id, name: `Check-in v2 ${t.id}`, kind: 'INTAKE', version: 2 });
    expect(r.data.templateForVisit.fields).toHaveLength(6);
    const v2 = await h.db.templateVersion.findUniqueOrThrow({ where: { templateId_version: { templateId: t.id, version: 2 } } });
    expect(r.data.templateForVisit.id).toBe(v2.id);
  });

  test('another clinic named, or an unknown id: null', async () => {
    const t = await create(adminA, templateInput(`Isolated ${randomUUID()}`));
    const other = await h.templateForVisit(clinicB, t.id);
    expect(other.errors).toBeUndefined();
    expect(other.data.templateForVisit).toBeNull();
    expect((await h.templateForVisit(clinicA, randomUUID())).data.templateForVisit).toBeNull();
  });

  test('an inactive template is BAD_USER_INPUT with reason TEMPLATE_INACTIVE', async () => {
    const t = await create(adminA, templateInput(`Retiring ${randomUUID()}`));
    await h.as(adminA, SET_ACTIVE, { id: t.id, active: false });
    const r = await h.templateForVisit(clinicA, t.id);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.extensions).toMatchObject({ reason: 'TEMPLATE_INACTIVE', fields: [{ path: 'templateId' }] });
    expect(r.data?.templateForVisit ?? null).toBeNull();
  });

  test('staff, operators, services without the capability or without a named clinic are refused', async () => {
    const t = await create(adminA, templateInput(`Guarded ${randomUUID()}`));
    for (const roles of [['ADMIN'], ['DOCTOR'], ['NURSE'], ['OFFICE']] as const) {
      const staff = await h.token(clinicA, [...roles]);
      expect(codes(await h.templateForVisit(clinicA, t.id, staff))).toEqual(['FORBIDDEN']);
    }
    expect(codes(await h.templateForVisit(clinicA, t.id, await h.issuer.operatorToken()))).toEqual(['FORBIDDEN']);
    expect(codes(await h.templateForVisit(clinicA, t.id, await h.issuer.serviceToken('visits')))).toEqual(['FORBIDDEN']);
    const unnamed = await h.templateForVisit(null, t.id);
    expect(codes(unnamed)).toEqual(['FORBIDDEN']);
    expect(unnamed.errors![0]!.message).toMatch(/x-clinicult-clinic-id/);
    const anonymous = await h.as(undefined, 'query ($id: ID!) { templateForVisit(templateId: $id) { id } }', { id: t.id });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  test('templateForVisit is @inaccessible in the supergraph', async () => {
    const { readFileSync } = await import('node:fs');
    const supergraph = readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8');
    expect(supergraph).toMatch(/templateForVisit\(templateId: ID!\): TemplateVersion @inaccessible @join__field\(graph: CLINIC\)/);
  });
});
