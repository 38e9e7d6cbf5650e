import { templateInputSchema, validateAnswers, readStoredFields, type TemplateFieldDef } from './index.js';

const fields = (input: unknown) => templateInputSchema.parse(input).fields;
const issues = (input: unknown) => {
  const parsed = templateInputSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('template definitions', () => {
  test('a valid template is normalized: every attribute present, null where it does not apply', () => {
    expect(fields({ name: ' Check-up ', kind: 'INTAKE', fields: [
      { key: 'temperature', label: 'Temperature', type: 'NUMBER', unit: '°C', min: 34, max: 43, required: true },
      { key: 'smoker', label: 'Smoker', type: 'BOOLEAN', help: ' ask ' },
    ] })).toEqual([
      { key: 'temperature', label: 'Temperature', type: 'NUMBER', required: true, options: null, unit: '°C', min: 34, max: 43, help: null },
      { key: 'smoker', label: 'Smoker', type: 'BOOLEAN', required: false, options: null, unit: null, min: null, max: null, help: 'ask' },
    ]);
  });

  test('each broken rule names the field path', () => {
    expect(issues({ name: '', kind: 'INTAKE', fields: [] })).toEqual(
      expect.arrayContaining(['name: must not be empty.', 'fields: a template needs at least one field.']),
    );
    expect(issues({ name: 'x', kind: 'NOTE', fields: [
      { key: 'a', label: 'A', type: 'CHOICE', options: ['one'] },
      { key: 'b', label: 'B', type: 'TEXT', unit: 'kg' },
      { key: 'c', label: 'C', type: 'BOOLEAN', min: 1 },
      { key: 'd', label: 'D', type: 'MULTI_CHOICE', options: ['x', 'x'] },
    ] })).toEqual(expect.arrayContaining([
      'fields.0.options: a CHOICE field needs at least 2 options.',
      'fields.1.unit: only NUMBER fields have a unit.',
      'fields.2.min: only NUMBER fields have a min.',
      'fields.3.options: options must be different from each other.',
    ]));
  });

  test('keys must be unique', () => {
    expect(issues({ name: 'x', kind: 'NOTE', fields: [{ key: 'a', label: 'A', type: 'TEXT' }, { key: 'a', label: 'B', type: 'DATE' }] })).toEqual([
      'fields.1.key: "a" is already the key of fields[0]; keys must be unique.',
    ]);
  });

  test('a key that is not an identifier is refused', () => {
    expect(issues({ name: 'x', kind: 'NOTE', fields: [{ key: 'Bad key', label: 'C', type: 'TEXT' }] })).toEqual([
      expect.stringMatching(/^fields\.0\.key: must start with a lower-case letter/),
    ]);
  });

  test('min above max is refused', () => {
    expect(issues({ name: 'x', kind: 'NOTE', fields: [{ key: 'n', label: 'N', type: 'NUMBER', min: 5, max: 1 }] })).toEqual([
      'fields.0.max: must not be below min (5).',
    ]);
  });

  test('stored fields read back with defaults for attributes an older writer left out', () => {
    expect(readStoredFields([{ key: 'a', label: 'A', type: 'TEXT' }])).toEqual([
      { key: 'a', label: 'A', type: 'TEXT', required: false, options: null, unit: null, min: null, max: null, help: null },
    ]);
    expect(() => readStoredFields({})).toThrow(/array/);
  });
});

describe('answers', () => {
  const form: TemplateFieldDef[] = fields({ name: 'Intake', kind: 'INTAKE', fields: [
    { key: 'complaint', label: 'Chief complaint', type: 'TEXT', required: true },
    { key: 'pain', label: 'Pain', type: 'NUMBER', min: 0, max: 10 },
    { key: 'side', label: 'Side', type: 'CHOICE', options: ['left', 'right'] },
    { key: 'symptoms', label: 'Symptoms', type: 'MULTI_CHOICE', options: ['cough', 'fever', 'rash'] },
    { key: 'onset', label: 'Onset', type: 'DATE' },
    { key: 'smoker', label: 'Smoker', type: 'BOOLEAN' },
  ] });

  test('valid answers pass and empty optional ones are dropped', () => {
    expect(validateAnswers(form, { complaint: ' cough ', pain: 3, side: 'left', symptoms: ['cough', 'fever'], onset: '2026-02-28', smoker: false, pain2: undefined })).toEqual({
      ok: false,
      problems: [{ key: 'pain2', message: expect.stringMatching(/not a field of this template/) }],
    });
    expect(validateAnswers(form, { complaint: ' cough ', pain: 3, side: '', symptoms: [], smoker: false })).toEqual({
      ok: true,
      answers: { complaint: 'cough', pain: 3, smoker: false },
    });
  });

  test('a missing required answer and every wrong type are reported together', () => {
    const result = validateAnswers(form, { pain: 11, side: 'middle', symptoms: ['cough', 'flu'], onset: '2026-02-30', smoker: 'no' });
    expect(result).toEqual({
      ok: false,
      problems: [
        { key: 'complaint', message: 'is required ("Chief complaint").' },
        { key: 'pain', message: 'must be at most 10.' },
        { key: 'side', message: 'must be one of: left, right.' },
        { key: 'symptoms', message: expect.stringMatching(/unknown option "flu"/) },
        { key: 'onset', message: expect.stringMatching(/must be a date YYYY-MM-DD/) },
        { key: 'smoker', message: 'must be true or false.' },
      ],
    });
  });

  test('answers that are not an object are refused as a whole', () => {
    expect(validateAnswers(form, [1])).toEqual({ ok: false, problems: [{ key: 'answers', message: expect.any(String) }] });
    expect(validateAnswers(form, 'x')).toMatchObject({ ok: false });
  });

  test('a number given as text is the wrong type', () => {
    expect(validateAnswers(form, { complaint: 'x', pain: '3' })).toEqual({ ok: false, problems: [{ key: 'pain', message: 'must be a number.' }] });
  });
});
