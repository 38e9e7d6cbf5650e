import { codes, gql, fieldPaths, ok, registerPatient, visitIn, type Team } from '@clinicult/testing';
import { startHarness, type PatientsHarness } from './patients.js';

/**
 * Templates in the visit (DESIGN.md, "The visit"): at check-in patients fetches the chosen
 * template's current version from the real clinic service and keeps a copy on the visit; intake
 * answers and the note template's answers are validated against that copy, so a visit started on
 * v1 keeps validating and showing v1 after v2 is published.
 */
let h: PatientsHarness;
let clinic: string;
let otherClinic: string;
let team: Team;
let intake: string;
let note: string;
let otherTemplate: string;

const INTAKE_V1 = {
  name: 'Respiratory intake',
  kind: 'INTAKE',
  fields: [
    { key: 'complaint', label: 'Chief complaint', type: 'TEXT', required: true },
    { key: 'pain', label: 'Pain (0-10)', type: 'NUMBER', min: 0, max: 10 },
    { key: 'cough', label: 'Cough', type: 'CHOICE', options: ['none', 'dry', 'productive'] },
    { key: 'smoker', label: 'Smoker', type: 'BOOLEAN' },
  ],
};
const NOTE_V1 = {
  name: 'Throat exam',
  kind: 'NOTE',
  fields: [
    { key: 'throat', label: 'Throat', type: 'TEXT', required: true },
    { key: 'followUp', label: 'Follow-up on', type: 'DATE' },
  ],
};

const VISIT_TEMPLATE = 'template { id templateId name kind version fields { key type required options min max } }';

beforeAll(async () => {
  h = await startHarness({ withClinic: true });
  clinic = await h.admin.createClinic('Template Clinic', 'Europe/Madrid');
  otherClinic = await h.admin.createClinic('Other Clinic', 'Europe/Madrid');
  team = {
    office: await h.staff(clinic, ['OFFICE']),
    nurse: await h.staff(clinic, ['NURSE']),
    doctor: await h.staff(clinic, ['DOCTOR']),
  };
  intake = await h.clinic!.createTemplate(clinic, INTAKE_V1);
  note = await h.clinic!.createTemplate(clinic, NOTE_V1);
  otherTemplate = await h.clinic!.createTemplate(otherClinic, { ...INTAKE_V1, name: 'Elsewhere' });
});

afterAll(async () => {
  await h?.close();
});

async function checkIn(templateId: string | null) {
  const patientId = await registerPatient(h, team.office);
  const r = await gql(
    h.url,
    `mutation ($p: ID!, $t: ID) { checkIn(patientId: $p, reason: "Tos", templateId: $t) { id templateId ${VISIT_TEMPLATE} } }`,
    { p: patientId, t: templateId },
    { token: team.office.token },
  );
  return { patientId, r };
}

async function intakeAnswers(visitId: string, answers: unknown) {
  return gql(h.url, 'mutation ($v: ID!, $a: JSON!) { recordIntake(visitId: $v, answers: $a) { id version intakeAnswers } }', { v: visitId, a: answers }, { token: team.nurse.token });
}

describe('check-in with a template', () => {
  test('copies the current version onto the visit', async () => {
    const { r } = await checkIn(intake);
    expect(r.errors).toBeUndefined();
    expect(r.data!.checkIn).toMatchObject({
      templateId: intake,
      template: { templateId: intake, name: 'Respiratory intake', kind: 'INTAKE', version: 1 },
    });
    expect(r.data!.checkIn.template.fields.map((f: { key: string }) => f.key)).toEqual(['complaint', 'pain', 'cough', 'smoker']);
    expect(r.data!.checkIn.template.fields[1]).toMatchObject({ type: 'NUMBER', min: 0, max: 10, required: false });
  });

  test.each([
    ['an unknown template', () => '00000000-0000-4000-8000-000000000000', 'TEMPLATE_NOT_FOUND'],
    ['another clinic’s template', () => otherTemplate, 'TEMPLATE_NOT_FOUND'],
  ])('%s is BAD_USER_INPUT naming templateId and checks nobody in', async (_label, id, reason) => {
    const { patientId, r } = await checkIn(id());
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.extensions).toMatchObject({ fields: [{ path: 'templateId' }], reason });
    expect(await h.db.currentVisit.count({ where: { patientId } })).toBe(0);
  });

  test('an inactive template cannot be chosen', async () => {
    const retired = await h.clinic!.createTemplate(clinic, { ...INTAKE_V1, name: 'Old intake' });
    await h.clinic!.setActive(clinic, retired, false);
    const { patientId, r } = await checkIn(retired);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.extensions).toMatchObject({ fields: [{ path: 'templateId' }], reason: 'TEMPLATE_INACTIVE' });
    expect(await h.db.currentVisit.count({ where: { patientId } })).toBe(0);
  });
});

describe('intake answers (NURSE, TRIAGE)', () => {
  let visitId: string;
  beforeAll(async () => {
    ({ visitId } = await visitIn(h, team, 'TRIAGE', { templateId: intake }));
  });

  test('valid answers are stored, normalized', async () => {
    const r = await intakeAnswers(visitId, { complaint: ' dry cough ', pain: 3, cough: 'dry', smoker: false });
    expect(r.errors).toBeUndefined();
    expect(r.data!.recordIntake.intakeAnswers).toEqual({ complaint: 'dry cough', pain: 3, cough: 'dry', smoker: false });
  });

  test.each([
    ['a missing required answer', { pain: 2 }, ['answers.complaint'], /answers\.complaint: is required \("Chief complaint"\)/],
    ['a number out of range', { complaint: 'x', pain: 11 }, ['answers.pain'], /answers\.pain: must be at most 10/],
    ['a wrong type', { complaint: 'x', smoker: 'no' }, ['answers.smoker'], /answers\.smoker: must be true or false/],
    ['an unknown option', { complaint: 'x', cough: 'wet' }, ['answers.cough'], /must be one of: none, dry, productive/],
    ['an unknown field', { complaint: 'x', fever: true }, ['answers.fever'], /not a field of this template/],
  ])('%s is BAD_USER_INPUT naming the field, and changes nothing', async (_label, answers, fields, message) => {
    const before = await h.db.currentVisit.findUniqueOrThrow({ where: { id: visitId } });
    const r = await intakeAnswers(visitId, answers);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(r.errors![0]!)).toEqual(fields);
    expect(r.errors![0]!.message).toMatch(message);
    const after = await h.db.currentVisit.findUniqueOrThrow({ where: { id: visitId } });
    expect(after.version).toBe(before.version);
    expect(after.intakeAnswers).toEqual(before.intakeAnswers);
  });

  test('a visit checked in without a template takes no intake answers', async () => {
    const plain = await visitIn(h, team, 'TRIAGE');
    const r = await intakeAnswers(plain.visitId, { complaint: 'x' });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.extensions).toMatchObject({ reason: 'NO_TEMPLATE', fields: [{ path: 'answers' }] });
  });
});

describe("the doctor's note template (WITH_DOCTOR)", () => {
  const consult = (visitId: string, templateAnswers: unknown) =>
    gql(
      h.url,
      'mutation ($v: ID!, $a: JSON) { recordConsultation(visitId: $v, input: { notes: "Faringitis", templateAnswers: $a }) { id templateAnswers } }',
      { v: visitId, a: templateAnswers },
      { token: team.doctor.token },
    );

  test('answers are validated against the NOTE template', async () => {
    const { visitId } = await visitIn(h, team, 'WITH_DOCTOR', { templateId: note });
    const bad = await consult(visitId, { followUp: '2026-02-30' });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad.errors![0]!)).toEqual(['input.templateAnswers.throat', 'input.templateAnswers.followUp']);
    const good = await consult(visitId, { throat: 'red', followUp: '2026-03-02' });
    expect(good.errors).toBeUndefined();
    expect(good.data!.recordConsultation.templateAnswers).toEqual({ throat: 'red', followUp: '2026-03-02' });
  });

  test('an intake template does not take the note’s answers', async () => {
    const { visitId } = await visitIn(h, team, 'WITH_DOCTOR', { templateId: intake });
    const r = await consult(visitId, { throat: 'red' });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.extensions).toMatchObject({ reason: 'NO_TEMPLATE', fields: [{ path: 'input.templateAnswers' }] });
  });
});

test('a visit started on v1 still validates and shows v1 after v2 is published; the archive keeps v1', async () => {
  const versioned = await h.clinic!.createTemplate(clinic, { ...INTAKE_V1, name: 'Versioned intake' });
  const { visitId } = await visitIn(h, team, 'TRIAGE', { templateId: versioned });
  // v2 makes a new field required and drops `smoker`
  const v2 = await h.clinic!.updateTemplate(clinic, versioned, {
    ...INTAKE_V1,
    name: 'Versioned intake',
    fields: [...INTAKE_V1.fields.filter((f) => f.key !== 'smoker'), { key: 'fever', label: 'Fever', type: 'BOOLEAN', required: true }],
  });
  expect(v2).toBe(2);
  const r = await intakeAnswers(visitId, { complaint: 'cough', smoker: true });
  expect(r.errors).toBeUndefined();
  const shown = await ok<{ currentVisit: { template: { version: number; fields: Array<{ key: string }> } } }>(
    h,
    team.nurse,
    `query ($v: ID!) { currentVisit(id: $v) { ${VISIT_TEMPLATE} } }`,
    { v: visitId },
  );
  expect(shown.currentVisit.template.version).toBe(1);
  expect(shown.currentVisit.template.fields.map((f) => f.key)).toContain('smoker');
  // a new check-in gets v2
  const { r: fresh } = await checkIn(versioned);
  expect(fresh.data!.checkIn.template.version).toBe(2);
  // the archive snapshot carries the copy
  await ok(h, team.office, 'mutation ($v: ID!) { cancelVisit(visitId: $v, reason: "left") }', { v: visitId });
  const row = await h.db.archiveOutbox.findFirstOrThrow({ where: { visitId } });
  expect(JSON.parse(row.snapshot).template).toMatchObject({ templateId: versioned, version: 1, kind: 'INTAKE' });
});

test('with the clinic service down a check-in with a template is SERVICE_UNAVAILABLE and changes nothing', async () => {
  await h.clinic!.stop();
  const { patientId, r } = await checkIn(intake);
  expect(codes(r)).toEqual(['SERVICE_UNAVAILABLE']);
  expect(r.errors![0]!.extensions).toMatchObject({ service: 'clinic', field: 'templateId' });
  expect(await h.db.currentVisit.count({ where: { patientId } })).toBe(0);
  // without a template the front desk still works
  const { r: plain } = await checkIn(null);
  expect(plain.errors).toBeUndefined();
});
