import { fieldPaths } from '@clinicult/testing';
import { parseInput } from '@clinicult/kit';
import {
  consultationSchema,
  ICD10_PATTERN,
  latestBirthDate,
  medicalFieldsIn,
  registerPatientSchema,
  updatePatientSchema,
  vitalsSchema,
} from './validation.js';

function refusal(fn: () => unknown): { message: string; extensions: Record<string, any> } {
  try {
    fn();
  } catch (error: any) {
    return error;
  }
  throw new Error('expected a refusal');
}

const valid = { givenName: ' Ana ', familyName: 'García López', birthDate: '1980-02-03' };

describe('registerPatient input', () => {
  test('trims and normalises; empty optional text means none', () => {
    expect(
      parseInput(registerPatientSchema, {
        ...valid,
        email: ' Ana.Garcia@Example.ES ',
        phone: ' +34 600 111 222 ',
        nationalId: '12.345.678-z',
        bloodType: 'ab+',
        medicalNotes: '  ',
        address: { line1: ' Calle Mayor 1 ', city: '', country: 'es' },
      }),
    ).toEqual({
      givenName: 'Ana',
      familyName: 'García López',
      birthDate: '1980-02-03',
      email: 'ana.garcia@example.es',
      phone: '+34 600 111 222',
      nationalId: '12345678Z',
      bloodType: 'AB+',
      medicalNotes: null,
      address: { line1: 'Calle Mayor 1', country: 'ES' },
    });
  });

  test.each([
    [{ givenName: '   ' }, 'givenName', 'givenName: must not be empty.'],
    [{ familyName: 'x'.repeat(101) }, 'familyName', 'familyName: at most 100 characters.'],
    [{ birthDate: '2999-01-01' }, 'birthDate', 'birthDate: must not be in the future.'],
    [{ birthDate: '1899-12-31' }, 'birthDate', 'birthDate: must not be before 1900-01-01.'],
    [{ email: 'ana@' }, 'email', 'email: not a valid address; write it like name@example.org.'],
    [{ phone: 'call me' }, 'phone', /phone: use digits, spaces/],
    [{ phone: '12 34' }, 'phone', /phone: give at least 6 digits/],
    [{ bloodType: 'C+' }, 'bloodType', /bloodType: one of A\+, A-/],
    [{ mrn: 'MRN 1' }, 'mrn', /mrn: letters, digits/],
    [{ address: { country: 'Spain' } }, 'address.country', /address.country: a two-letter ISO 3166 code/],
    [{ emergencyContact: { name: '' } }, 'emergencyContact.name', 'emergencyContact.name: must not be empty.'],
    [{ allergies: [{ substance: ' ' }] }, 'allergies[0].substance', 'allergies[0].substance: must not be empty.'],
  ])('%j is refused naming %s', (patch, field, message) => {
    const error = refusal(() => parseInput(registerPatientSchema, { ...valid, ...patch }));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(fieldPaths(error)).toEqual([field]);
    expect(error.message).toMatch(message);
  });

  test('several problems are named together', () => {
    const error = refusal(() => parseInput(registerPatientSchema, { ...valid, givenName: '', email: 'x' }));
    expect(fieldPaths(error)).toEqual(['givenName', 'email']);
  });

  test('today is a valid birth date; the latest one allows for clinics east of UTC', () => {
    expect(latestBirthDate(new Date('2026-11-27T23:30:00Z'))).toBe('2026-11-28');
    expect(parseInput(registerPatientSchema, { ...valid, birthDate: new Date().toISOString().slice(0, 10) }).birthDate).toBeDefined();
  });
});

describe('updatePatient input', () => {
  test('null clears optional fields; required ones cannot be cleared; something must change', () => {
    expect(parseInput(updatePatientSchema, { phone: null, allergies: null })).toEqual({ phone: null, allergies: null });
    expect(refusal(() => parseInput(updatePatientSchema, { givenName: null })).message).toBe('givenName: cannot be cleared; give a value.');
    expect(refusal(() => parseInput(updatePatientSchema, { gender: null })).message).toBe('gender: cannot be cleared; use UNKNOWN.');
    expect(refusal(() => parseInput(updatePatientSchema, {})).message).toBe('input: give at least one field to change.');
  });

  test('medical fields are recognised', () => {
    expect(medicalFieldsIn({ givenName: 'A', allergies: [], medicalNotes: null })).toEqual(['allergies', 'medicalNotes']);
    expect(medicalFieldsIn({ givenName: 'A' })).toEqual([]);
  });
});

describe('vitals', () => {
  test('plausible values pass; the ones not given are left out', () => {
    expect(parseInput(vitalsSchema, { temperatureC: 37.2, heartRate: 80, spo2: null }, 'vitals')).toEqual({ temperatureC: 37.2, heartRate: 80 });
  });

  test.each([
    [{ temperatureC: 98.6 }, 'vitals.temperatureC', 'vitals.temperatureC: 98.6 °C is outside the plausible range 30–45 °C; check the value and its unit.'],
    [{ heartRate: 400 }, 'vitals.heartRate', /400 beats\/min is outside the plausible range 20–250 beats\/min/],
    [{ spo2: 101 }, 'vitals.spo2', /101 % is outside the plausible range 50–100 %/],
    [{ weightKg: 0 }, 'vitals.weightKg', /0 kg is outside/],
    [{ heightCm: 1.75 }, 'vitals.heightCm', /1.75 cm is outside the plausible range 20–250 cm/],
    [{ systolic: 80, diastolic: 90 }, 'vitals.diastolic', 'vitals.diastolic: must be lower than systolic.'],
    [{}, 'vitals', /vitals: give at least one vital sign/],
  ])('%j is refused naming %s', (vitals, field, message) => {
    const error = refusal(() => parseInput(vitalsSchema, vitals, 'vitals'));
    expect(fieldPaths(error)).toEqual([field]);
    expect(error.message).toMatch(message);
  });
});

describe('consultation', () => {
  test.each(['J06.9', 'I10', 'E11.65', 'S72.001A', 'O09.A1', 'r51'])('%s is an ICD-10 code', (code) => {
    expect(parseInput(consultationSchema, { diagnoses: [{ code }] }).diagnoses![0]!.code).toBe(code.toUpperCase());
  });

  test.each(['J6', 'U07.1', '123', 'J06.', 'J06.12345', 'JJ6.9'])('%s is refused, naming the diagnosis', (code) => {
    const error = refusal(() => parseInput(consultationSchema, { diagnoses: [{ code: 'I10' }, { code }] }, 'input'));
    expect(fieldPaths(error)).toEqual(['input.diagnoses[1].code']);
    expect(error.message).toMatch(/is not an ICD-10 code; write it like J06.9/);
    expect(ICD10_PATTERN.test(code.toUpperCase())).toBe(false);
  });

  test('prescriptions and answers', () => {
    const rx = { drug: 'Paracetamol', dose: '1 g', route: 'oral', frequency: 'every 8 h', durationDays: 0 };
    expect(refusal(() => parseInput(consultationSchema, { prescriptions: [rx] }, 'input')).message).toBe(
      'input.prescriptions[0].durationDays: at least 1 day.',
    );
    expect(fieldPaths(refusal(() => parseInput(consultationSchema, { templateAnswers: [1, 2] }, 'input')))).toEqual(['input.templateAnswers']);
    expect(refusal(() => parseInput(consultationSchema, {}, 'input')).message).toMatch(/give at least one of notes/);
  });
});
