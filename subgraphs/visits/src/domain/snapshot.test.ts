import { fieldPaths } from '@clinicult/testing';
import { normalizeCode, parseSnapshot } from './snapshot.js';

const valid = {
  snapshotVersion: 1,
  visitId: 'v1',
  clinicId: 'c1',
  patientId: 'p1',
  status: 'CANCELLED',
  cancelReason: 'Se fue',
  reason: 'Fiebre',
  templateId: null,
  checkedInBy: 'u1',
  nurseId: null,
  doctorId: null,
  vitals: null,
  intakeAnswers: null,
  notes: null,
  diagnoses: null,
  prescriptions: null,
  templateAnswers: null,
  timeline: [
    { from: null, to: 'WAITING', by: 'u1', at: '2026-11-27T09:00:00.000Z' },
    { from: 'WAITING', to: 'CANCELLED', by: 'u1', at: '2026-11-27T09:30:00.000Z' },
  ],
  checkedInAt: '2026-11-27T09:00:00.000Z',
  finishedAt: '2026-11-27T09:30:00.000Z',
  finishedBy: 'u1',
  timeZone: 'Atlantic/Canary',
  localDate: '2026-11-27',
  version: 2,
};

test('a snapshot as patients writes it parses', () => {
  expect(parseSnapshot(valid)).toMatchObject({ visitId: 'v1', status: 'CANCELLED', cancelReason: 'Se fue' });
});

test('problems are named with their path, all of them at once', () => {
  const bad = { ...valid, timeline: [{ from: null, to: 'WAITING', by: 'u1', at: 'now' }], version: 0 };
  expect(() => parseSnapshot(bad)).toThrow(/snapshot\.timeline\[0\]\.at: must be an ISO 8601 instant.*snapshot\.version/);
  const error = (() => {
    try {
      parseSnapshot(bad);
    } catch (thrown) {
      return thrown as { extensions: Record<string, unknown> };
    }
    return undefined;
  })();
  expect(error?.extensions.code).toBe('BAD_USER_INPUT');
  expect(fieldPaths(error)).toEqual(['snapshot.timeline[0].at', 'snapshot.version', 'snapshot.timeline']);
});

test('a FINISHED visit has no cancel reason; the timeline ends with the status', () => {
  expect(() => parseSnapshot({ ...valid, status: 'FINISHED' })).toThrow(/snapshot\.timeline: must end with the step to FINISHED.*snapshot\.cancelReason/);
  expect(() => parseSnapshot([valid])).toThrow(/snapshot: must be an object/);
});

test('ICD-10 codes are compared upper case without spaces', () => {
  expect(normalizeCode(' j06 .9 ')).toBe('J06.9');
});

const template = {
  id: 'tv1',
  templateId: 't1',
  name: 'Triaje adulto',
  kind: 'INTAKE',
  version: 3,
  fields: [
    { key: 'fever', label: '¿Fiebre?', type: 'BOOLEAN', required: true },
    { key: 'pain', label: 'Dolor (0-10)', type: 'NUMBER', required: false, min: 0, max: 10, unit: null },
  ],
};

test('the template version is optional: absent or null is null, a whole one is kept', () => {
  expect(parseSnapshot(valid).template).toBeNull();
  expect(parseSnapshot({ ...valid, template: null }).template).toBeNull();
  expect(parseSnapshot({ ...valid, templateId: 't1', template }).template).toEqual(template);
});

test('a template without what TemplateVersion needs is refused, naming the paths', () => {
  const bad = { ...valid, template: { ...template, kind: 'FORM', fields: [{ key: 'x', label: 'X', type: 'TEXT' }] } };
  expect(() => parseSnapshot(bad)).toThrow(/snapshot\.template\.kind: must be INTAKE or NOTE.*snapshot\.template\.fields\[0\]\.required/);
  expect(() => parseSnapshot({ ...valid, template: 'tv1' })).toThrow(/snapshot\.template/);
});
