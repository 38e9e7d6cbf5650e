import { randomUUID } from 'node:crypto';
import { codes } from '@clinicult/testing';
import { startPlatform, type Platform } from './platform.js';

/**
 * The clinic subgraph through the gateway, with the real auth, admin and event streams: the
 * federated Clinic (admin's registry + clinic's settings and templates), a new clinic getting its
 * default templates through clinic.created, and its invited ADMIN seeing them.
 */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const DEFAULT_NAMES = ['General check-up intake', 'General consultation note', 'Pediatric follow-up intake'];
const CLINIC = `query ($id: ID!) { clinic(id: $id) { id name cluster settings { visitReasons openingHours { day opens closes } } templates { name kind version } } }`;

async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("a clinic ADMIN reads its clinic with settings and templates: the defaults plus the seed's", async () => {
  const admin = await platform.login(platform.demo.admin.email);
  const r = await platform.query(CLINIC, { id: platform.clinicId }, admin.token);
  expect(r.errors).toBeUndefined();
  const clinic = r.data!.clinic;
  expect(clinic).toMatchObject({ id: platform.clinicId, name: 'Demo Clinic', cluster: 'eu-1' });
  expect(clinic.settings.visitReasons).toEqual(expect.arrayContaining(['General check-up', 'Follow-up', 'Vaccination']));
  expect(clinic.settings.openingHours).toContainEqual({ day: 'MONDAY', opens: '08:00', closes: '18:00' });
  const names = clinic.templates.map((t: { name: string }) => t.name);
  expect(names).toEqual(expect.arrayContaining([...DEFAULT_NAMES, ...platform.demo.templates.map((t: { name: string }) => t.name)]));
  expect(clinic.templates.every((t: { version: number }) => t.version >= 1)).toBe(true);
  for (const kind of ['INTAKE', 'NOTE']) expect(clinic.templates.filter((t: { kind: string }) => t.kind === kind).length).toBeGreaterThanOrEqual(3);
});

test('a DOCTOR reads templates but cannot create one; an operator gets the registry fields and FORBIDDEN on settings and templates', async () => {
  const doctor = await platform.login('doctor@demo.clinicult.test');
  const list = await platform.query('{ templates(activeOnly: true) { id name } }', {}, doctor.token);
  expect(list.errors).toBeUndefined();
  expect(list.data!.templates.length).toBeGreaterThanOrEqual(DEFAULT_NAMES.length);
  const create = await platform.query('mutation ($i: TemplateInput!) { createTemplate(input: $i) { id } }', {
    i: { name: 'Doctor made', kind: 'NOTE', fields: [{ key: 'text', label: 'Text', type: 'TEXT' }] },
  }, doctor.token);
  expect(codes(create)).toEqual(['FORBIDDEN']);

  const operator = await platform.login(platform.demo.operator.email);
  const r = await platform.query(CLINIC, { id: platform.clinicId }, operator.token);
  expect(r.data!.clinic).toMatchObject({ id: platform.clinicId, name: 'Demo Clinic', settings: null, templates: null });
  expect(codes(r).sort()).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  expect(codes(await platform.query('{ templates { id } }', {}, operator.token))).toEqual(['FORBIDDEN']);
});

test('an operator creates a clinic → its default templates appear; its invited ADMIN accepts, logs in and sees them', async () => {
  const operator = await platform.login(platform.demo.operator.email);
  const name = `E2E Clinic ${randomUUID().slice(0, 8)}`;
  const created = await platform.query('mutation ($i: CreateClinicInput!) { createClinic(input: $i) { id cluster } }', {
    i: { name, cluster: 'eu-1', timeZone: 'Europe/Lisbon' },
  }, operator.token);
  expect(created.errors).toBeUndefined();
  const clinicId: string = created.data!.createClinic.id;
  const email = `admin-${randomUUID().slice(0, 8)}@e2e.clinicult.test`;
  const invited = await platform.query('mutation ($c: ID!, $i: ProvisionAdminInput!) { provisionClinicAdmin(clinicId: $c, input: $i) { id } }', {
    c: clinicId,
    i: { email, firstName: 'Eva', lastName: 'Ende' },
  }, operator.token);
  expect(invited.errors).toBeUndefined();
  const joined = await platform.joinFromMail(email);
  expect(joined).toMatchObject({ clinicId, roles: ['ADMIN'] });

  const admin = await platform.login(email);
  expect(admin.clinicId).toBe(clinicId);
  const templates = await eventually(async () => {
    const r = await platform.query('{ templates { id name kind version active } }', {}, admin.token);
    return r.data?.templates?.length === DEFAULT_NAMES.length ? r.data.templates : undefined;
  }, "the new clinic's default templates");
  expect(templates.map((t: { name: string }) => t.name).sort()).toEqual(DEFAULT_NAMES);
  expect(templates.every((t: { version: number; active: boolean }) => t.version === 1 && t.active)).toBe(true);
  const viaClinic = await platform.query(CLINIC, { id: clinicId }, admin.token);
  expect(viaClinic.errors).toBeUndefined();
  expect(viaClinic.data!.clinic.templates.map((t: { name: string }) => t.name).sort()).toEqual(DEFAULT_NAMES);

  // tenants: the new clinic's templates are its own copies, never Demo Clinic's (and the reverse)
  const demoAdmin = await platform.login(platform.demo.admin.email);
  const demoIds = (await platform.query('{ templates { id } }', {}, demoAdmin.token)).data!.templates.map((t: { id: string }) => t.id);
  expect(templates.filter((t: { id: string }) => demoIds.includes(t.id))).toEqual([]);
  const peek = await platform.query('query ($id: ID!) { template(id: $id) { id } }', { id: templates[0].id }, demoAdmin.token);
  expect(peek.data!.template).toBeNull();
});

test('the second demo clinic, in cluster us-1, got its defaults through its own cluster stream', async () => {
  const second = platform.demo.secondClinic;
  const admin = await platform.login(second.admin.email);
  expect(admin.clinicId).toBeTruthy();
  expect(admin.clinicId).not.toBe(platform.clinicId);
  const r = await platform.query(CLINIC, { id: admin.clinicId }, admin.token);
  expect(r.errors).toBeUndefined();
  expect(r.data!.clinic).toMatchObject({ name: second.clinic.name, cluster: 'us-1' });
  expect(r.data!.clinic.templates.map((t: { name: string }) => t.name).sort()).toEqual(DEFAULT_NAMES);
});

test('a global template published by an operator reaches the catalogue; a clinic adopts it; v2 becomes a new version there, and a visit started on v1 keeps v1', async () => {
  const operator = await platform.login(platform.demo.operator.email);
  const admin = await platform.login(platform.demo.admin.email);
  const office = await platform.login('office@demo.clinicult.test');
  const name = `Travel vaccination intake ${randomUUID().slice(0, 6)}`;
  const v1 = { name, kind: 'INTAKE', fields: [{ key: 'destination', label: 'Destination', type: 'TEXT', required: true }] };
  const created = await platform.query('mutation ($i: TemplateInput!) { createGlobalTemplate(input: $i) { id version } }', { i: v1 }, operator.token);
  expect(created.errors).toBeUndefined();
  const globalId: string = created.data!.createGlobalTemplate.id;

  // clinic roles cannot publish
  expect(codes(await platform.query('mutation ($i: TemplateInput!) { createGlobalTemplate(input: $i) { id } }', { i: v1 }, admin.token))).toEqual(['FORBIDDEN']);

  const CATALOG = '{ templateCatalog { globalTemplateId name version adoptedAs { id version } } }';
  await eventually(async () => {
    const r = await platform.query(CATALOG, {}, admin.token);
    return r.data?.templateCatalog.find((t: { globalTemplateId: string }) => t.globalTemplateId === globalId);
  }, 'the published template in the clinic catalogue');

  const adopted = await platform.query('mutation ($g: ID!) { adoptGlobalTemplate(globalTemplateId: $g) { id name version globalTemplateId } }', { g: globalId }, admin.token);
  expect(adopted.errors).toBeUndefined();
  expect(adopted.data!.adoptGlobalTemplate).toMatchObject({ name, version: 1, globalTemplateId: globalId });
  const templateId: string = adopted.data!.adoptGlobalTemplate.id;

  // a visit checked in on v1
  const patient = await platform.query('mutation { registerPatient(input: { givenName: "Viajera", familyName: "Global", birthDate: "1990-01-01", gender: FEMALE }) { id } }', {}, office.token);
  const checkIn = await platform.query('mutation ($p: ID!, $t: ID) { checkIn(patientId: $p, reason: "Travel", templateId: $t) { id template { version fields { key } } } }', { p: patient.data!.registerPatient.id, t: templateId }, office.token);
  expect(checkIn.errors).toBeUndefined();
  expect(checkIn.data!.checkIn.template).toEqual({ version: 1, fields: [{ key: 'destination' }] });

  const v2 = { ...v1, fields: [...v1.fields, { key: 'yellowFever', label: 'Yellow fever vaccinated', type: 'BOOLEAN', required: true }] };
  const updated = await platform.query('mutation ($id: ID!, $i: TemplateInput!) { updateGlobalTemplate(id: $id, input: $i) { version } }', { id: globalId, i: v2 }, operator.token);
  expect(updated.data!.updateGlobalTemplate.version).toBe(2);

  const TEMPLATE = 'query ($id: ID!) { template(id: $id) { version fields { key } versions { version } } }';
  const current = await eventually(async () => {
    const r = await platform.query(TEMPLATE, { id: templateId }, admin.token);
    return r.data?.template?.version === 2 ? r.data.template : null;
  }, 'version 2 of the adopted template');
  expect(current.fields.map((f: { key: string }) => f.key)).toEqual(['destination', 'yellowFever']);
  expect(current.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

  // the visit started on v1 still shows it
  const visit = await platform.query('query ($v: ID!) { currentVisit(id: $v) { template { version } } }', { v: checkIn.data!.checkIn.id }, office.token);
  expect(visit.data!.currentVisit.template.version).toBe(1);
});
