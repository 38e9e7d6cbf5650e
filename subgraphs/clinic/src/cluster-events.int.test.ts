import { randomUUID } from 'node:crypto';
import { clusterStream } from '@clinicult/kit';
import { codes } from '@clinicult/testing';
import { createClusterHandler } from './cluster-events.js';
import { DEFAULT_OPENING_HOURS, DEFAULT_TEMPLATES, DEFAULT_VISIT_REASONS } from './domain/defaults.js';
import { clinicCreated, eventually, startHarness, templatePublished, type ClinicHarness } from './__tests__/harness.js';

/**
 * The cluster consumer with the real event bus on private cluster streams: defaults for a new
 * clinic (once, whatever the redeliveries), a consumer that was down catches up, a handler that
 * crashes half-way gets the event again, and global templates flow from publication to adoption to
 * new versions while a visit's copy of v1 stays v1.
 */
let h: ClinicHarness;
/** clinic.created for this clinic fails once, after writing its rows (a crash half-way) */
const crashing = randomUUID();
const attempts = new Map<string, number>();

beforeAll(async () => {
  h = await startHarness({
    clusters: 2,
    hooks: {
      onEvent: (envelope, attempt) => {
        if (envelope.clinicId) attempts.set(envelope.clinicId, Math.max(attempt, attempts.get(envelope.clinicId) ?? 0));
      },
      beforeDefaultsCommit: (clinicId) => {
        if (clinicId === crashing && (attempts.get(clinicId) ?? 0) < 2) throw new Error('injected crash before commit');
      },
    },
  });
});

afterAll(async () => {
  await h?.close();
});

const templatesOf = (clinicId: string) => h.db.template.findMany({ where: { clinicId }, include: { versions: true }, orderBy: { name: 'asc' } });
const hasDefaults = async (clinicId: string) => (await h.db.clinicSettings.count({ where: { clinicId } })) === 1;
const parked = async () => (await Promise.all(h.clusters.map((c) => h.redis.xlen(`${clusterStream(c)}:parked`)))).reduce((a, b) => a + b, 0);

async function expectOneDefaultSet(clinicId: string) {
  const templates = await templatesOf(clinicId);
  expect(templates.map((t) => t.name)).toEqual(DEFAULT_TEMPLATES.map((t) => t.name).sort());
  for (const t of templates) {
    expect(t.versions).toHaveLength(1);
    expect(t).toMatchObject({ currentVersion: 1, active: true, globalTemplateId: null });
  }
  const settings = await h.db.clinicSettings.findUniqueOrThrow({ where: { clinicId } });
  expect(settings.visitReasons).toEqual(DEFAULT_VISIT_REASONS);
  expect(settings.openingHours).toEqual(DEFAULT_OPENING_HOURS);
}

test('clinic.created on either cluster: the new clinic gets its default settings and templates, readable by its staff', async () => {
  const first = randomUUID();
  const second = randomUUID();
  await h.publish(clinicCreated(first));
  await h.publish(clinicCreated(second), h.clusters[1]);
  await eventually(() => hasDefaults(first), 'defaults of the first clinic');
  await eventually(() => hasDefaults(second), 'defaults of the second clinic');
  await expectOneDefaultSet(first);
  await expectOneDefaultSet(second);

  const nurse = await h.token(first, ['NURSE']);
  const r = await h.as(nurse, 'query { templates(activeOnly: true) { name kind version fields { type } } clinicSettings { visitReasons openingHours { day opens closes } } }');
  expect(r.errors).toBeUndefined();
  expect(r.data.templates.map((t: { name: string }) => t.name).sort()).toEqual(DEFAULT_TEMPLATES.map((t) => t.name).sort());
  // between them the defaults use every field type
  const types = new Set(r.data.templates.flatMap((t: { fields: Array<{ type: string }> }) => t.fields.map((f) => f.type)));
  expect([...types].sort()).toEqual(['BOOLEAN', 'CHOICE', 'DATE', 'MULTI_CHOICE', 'NUMBER', 'TEXT']);
  expect(r.data.clinicSettings.visitReasons).toEqual(expect.arrayContaining(['General check-up', 'Follow-up', 'Vaccination']));
  expect(r.data.clinicSettings.openingHours).toHaveLength(5);
  // isolation: the other clinic's staff sees only its own copies
  const other = await h.as(await h.token(second, ['NURSE']), 'query { templates { id } }');
  const firstIds = (await templatesOf(first)).map((t) => t.id);
  expect(other.data.templates.map((t: { id: string }) => t.id).filter((id: string) => firstIds.includes(id))).toEqual([]);
});

test('the same clinic.created twice (two deliveries with different ids, and the handler called again) has no double effect', async () => {
  const clinicId = randomUUID();
  const event = clinicCreated(clinicId);
  await h.publish(event);
  await h.publish(event); // a second envelope (new id): the bus cannot dedupe it, the data must
  await eventually(() => hasDefaults(clinicId), 'defaults');
  // wait until both envelopes were handled: a marker published after them is handled after them
  const marker = randomUUID();
  await h.publish(clinicCreated(marker));
  await eventually(() => hasDefaults(marker), 'the marker clinic');
  // and the very same envelope handled again directly (a redelivery after a crash before the ack)
  const handle = createClusterHandler({ db: h.db, logger: h.service.runtime.logger });
  await handle({ id: randomUUID(), type: 'clinic.created', clinicId, occurredAt: new Date().toISOString(), source: 'admin', payload: event.payload });
  await expectOneDefaultSet(clinicId);
  expect(await parked()).toBe(0);
});

test('a handler that crashes half-way gets the event again; the result is exactly one set', async () => {
  await h.publish(clinicCreated(crashing));
  await eventually(() => hasDefaults(crashing), 'defaults after the redelivery');
  expect(attempts.get(crashing)).toBe(2);
  expect(h.logs.some((l) => l.msg === 'event handler failed; will retry' && /injected crash/.test(l.err))).toBe(true);
  await expectOneDefaultSet(crashing);
});

test('a consumer stopped while events are published receives all of them once restarted', async () => {
  await h.stopService();
  const clinics = [randomUUID(), randomUUID(), randomUUID()];
  const globalId = randomUUID();
  try {
    for (const [i, clinicId] of clinics.entries()) await h.publish(clinicCreated(clinicId), h.clusters[i % 2]);
    await h.publish(templatePublished({ id: globalId, name: 'While down', kind: 'NOTE', version: 1, fields: [{ key: 'note', label: 'Note', type: 'TEXT' }] }));
    expect(await h.db.clinicSettings.count({ where: { clinicId: { in: clinics } } })).toBe(0);
  } finally {
    await h.startService();
  }
  for (const clinicId of clinics) await eventually(() => hasDefaults(clinicId), `defaults of ${clinicId}`);
  for (const clinicId of clinics) await expectOneDefaultSet(clinicId);
  await eventually(() => h.db.catalogTemplate.findUnique({ where: { globalTemplateId: globalId } }), 'the catalogue entry');
});

test('clinic.updated, clinic.suspended, clinic.reactivated and malformed events are acknowledged without effect', async () => {
  const clinicId = randomUUID();
  for (const type of ['clinic.updated', 'clinic.suspended', 'clinic.reactivated']) {
    await h.publish({ ...clinicCreated(clinicId), type });
  }
  await h.publish({ type: 'clinic.created', clinicId, payload: { clinic: { id: 42 } } });
  await h.publish({ type: 'template.published', clinicId: null, payload: { template: { id: randomUUID(), name: 'No kind', version: 1, fields: [] } } });
  const marker = randomUUID();
  await h.publish(clinicCreated(marker));
  await eventually(() => hasDefaults(marker), 'the marker clinic');
  expect(await h.db.clinicSettings.count({ where: { clinicId } })).toBe(0);
  expect(await h.db.template.count({ where: { clinicId } })).toBe(0);
  expect(await parked()).toBe(0);
  expect(h.logs.some((l) => l.msg === 'clinic.created: malformed payload; ignored')).toBe(true);
  expect(h.logs.some((l) => l.msg === 'template.published: malformed payload; ignored')).toBe(true);
});

describe('global templates', () => {
  const CATALOG = 'query { templateCatalog { globalTemplateId name kind version fields { key type } publishedAt adoptedAs { id version } } }';
  const ADOPT = 'mutation ($g: ID!) { adoptGlobalTemplate(globalTemplateId: $g) { id name kind version globalTemplateId fields { key } } }';
  const VERSIONS = 'query ($id: ID!) { template(id: $id) { version name versions { id version name fields { key } } } }';
  const v1Fields = [
    { key: 'bmi', label: 'BMI', type: 'NUMBER', required: true, options: null, unit: 'kg/m²', min: 10, max: 80, help: null },
    { key: 'diet', label: 'Diet', type: 'CHOICE', required: false, options: ['Omnivore', 'Vegetarian', 'Vegan'], unit: null, min: null, max: null, help: null },
  ];
  const v2Fields = [...v1Fields, { key: 'exercise', label: 'Exercise per week', type: 'NUMBER', required: false, options: null, unit: 'h', min: 0, max: 80, help: null }];
  const globalId = randomUUID();
  const clinicA = randomUUID();
  const clinicB = randomUUID();

  test('publication → catalogue → adoption → v2 publication becomes a new version; a visit copy of v1 stays v1', async () => {
    const adminA = await h.token(clinicA, ['ADMIN']);
    await h.publish(templatePublished({ id: globalId, name: 'Nutrition intake', kind: 'INTAKE', version: 1, fields: v1Fields }));
    const entry = await eventually(async () => {
      const r = await h.as(adminA, CATALOG);
      return r.data.templateCatalog.find((t: { globalTemplateId: string }) => t.globalTemplateId === globalId);
    }, 'the catalogue entry');
    expect(entry).toMatchObject({ name: 'Nutrition intake', kind: 'INTAKE', version: 1, adoptedAs: null });
    expect(entry.fields).toEqual([{ key: 'bmi', type: 'NUMBER' }, { key: 'diet', type: 'CHOICE' }]);

    // staff without template:write cannot adopt
    expect(codes(await h.as(await h.token(clinicA, ['DOCTOR']), ADOPT, { g: globalId }))).toEqual(['FORBIDDEN']);
    const adopted = (await h.as(adminA, ADOPT, { g: globalId })).data.adoptGlobalTemplate;
    expect(adopted).toMatchObject({ name: 'Nutrition intake', kind: 'INTAKE', version: 1, globalTemplateId: globalId });
    // adopting again answers the same template
    expect((await h.as(adminA, ADOPT, { g: globalId })).data.adoptGlobalTemplate.id).toBe(adopted.id);
    expect(await h.db.template.count({ where: { clinicId: clinicA, globalTemplateId: globalId } })).toBe(1);
    const again = (await h.as(adminA, CATALOG)).data.templateCatalog.find((t: { globalTemplateId: string }) => t.globalTemplateId === globalId);
    expect(again.adoptedAs).toEqual({ id: adopted.id, version: 1 });
    // another clinic has not adopted it
    const b = (await h.as(await h.token(clinicB, ['OFFICE']), CATALOG)).data.templateCatalog.find((t: { globalTemplateId: string }) => t.globalTemplateId === globalId);
    expect(b.adoptedAs).toBeNull();

    // patients copies v1 onto a visit at check-in
    const copy = (await h.templateForVisit(clinicA, adopted.id)).data.templateForVisit;
    expect(copy).toMatchObject({ templateId: adopted.id, version: 1 });

    await h.publish(templatePublished({ id: globalId, name: 'Nutrition and activity intake', kind: 'INTAKE', version: 2, fields: v2Fields }));
    const v2 = await eventually(async () => {
      const r = await h.as(adminA, VERSIONS, { id: adopted.id });
      return r.data.template.version === 2 ? r.data.template : undefined;
    }, 'version 2 of the adopted template');
    expect(v2.name).toBe('Nutrition and activity intake');
    expect(v2.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(v2.versions[0].fields.map((f: { key: string }) => f.key)).toEqual(['bmi', 'diet', 'exercise']);
    // v1, the visit's copy, is unchanged
    expect(v2.versions[1]).toEqual({ id: copy.id, version: 1, name: 'Nutrition intake', fields: [{ key: 'bmi' }, { key: 'diet' }] });
    expect(copy.fields.map((f: { key: string }) => f.key)).toEqual(['bmi', 'diet']);
    // the next check-in gets v2
    expect((await h.templateForVisit(clinicA, adopted.id)).data.templateForVisit).toMatchObject({ version: 2, name: 'Nutrition and activity intake' });
    expect(await h.db.catalogTemplate.findUniqueOrThrow({ where: { globalTemplateId: globalId } })).toMatchObject({ version: 2, name: 'Nutrition and activity intake' });
  });

  test('the same publication again, or an older one late, changes nothing', async () => {
    const adopted = await h.db.template.findFirstOrThrow({ where: { clinicId: clinicA, globalTemplateId: globalId } });
    await h.publish(templatePublished({ id: globalId, name: 'Nutrition and activity intake', kind: 'INTAKE', version: 2, fields: v2Fields }));
    await h.publish(templatePublished({ id: globalId, name: 'Nutrition intake', kind: 'INTAKE', version: 1, fields: v1Fields }));
    const marker = randomUUID();
    await h.publish(clinicCreated(marker));
    await eventually(() => hasDefaults(marker), 'the marker clinic');
    expect(await h.db.template.findUniqueOrThrow({ where: { id: adopted.id } })).toMatchObject({ currentVersion: 2, globalVersion: 2 });
    expect(await h.db.templateVersion.count({ where: { templateId: adopted.id } })).toBe(2);
    expect(await h.db.catalogTemplate.findUniqueOrThrow({ where: { globalTemplateId: globalId } })).toMatchObject({ version: 2 });
  });

  test('retired: gone from the catalogue, cannot be adopted any more; adopted copies stay; unknown ids are refused', async () => {
    await h.publish(templatePublished({ id: globalId, name: 'Nutrition and activity intake', kind: 'INTAKE', version: 2, fields: v2Fields, retired: true }));
    await eventually(async () => (await h.db.catalogTemplate.findUniqueOrThrow({ where: { globalTemplateId: globalId } })).retired, 'retirement');
    const adminB = await h.token(clinicB, ['ADMIN']);
    const catalog = (await h.as(adminB, CATALOG)).data.templateCatalog;
    expect(catalog.map((t: { globalTemplateId: string }) => t.globalTemplateId)).not.toContain(globalId);
    const refused = await h.as(adminB, ADOPT, { g: globalId });
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.extensions).toMatchObject({ fields: [{ path: 'globalTemplateId' }], reason: 'TEMPLATE_RETIRED' });
    const unknown = await h.as(adminB, ADOPT, { g: randomUUID() });
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.errors![0]!.extensions!.reason).toBe('TEMPLATE_NOT_PUBLISHED');
    expect(await h.db.template.count({ where: { clinicId: clinicB } })).toBe(0);
    // clinic A keeps its copy, still usable at check-in
    const adopted = await h.db.template.findFirstOrThrow({ where: { clinicId: clinicA, globalTemplateId: globalId } });
    expect(adopted).toMatchObject({ active: true, currentVersion: 2 });
    expect((await h.templateForVisit(clinicA, adopted.id)).data.templateForVisit).toMatchObject({ version: 2 });
  });
});
