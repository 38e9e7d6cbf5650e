import { dateBounds, dateRange, isLenient, parseSearch, referenceId, token, MAX_COUNT } from './params.js';
import { FhirError } from './outcome.js';
import { PATIENT_PARAMS, patientSearchArgs, fromFhirPatient, parseIfMatch } from './patient.js';

const parse = (query: string, lenient = false, sorts?: string[]) => parseSearch(new URLSearchParams(query), PATIENT_PARAMS, { lenient, sorts });

function status(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof FhirError) return error.status;
    throw error;
  }
  return undefined;
}

describe('search parameters', () => {
  test('_count defaults to 20 and is capped at 100; the cursor is kept out of the used parameters', () => {
    expect(parse('family=Ruiz').count).toBe(20);
    expect(parse('_count=500').count).toBe(MAX_COUNT);
    expect(parse('family=Ruiz&_cursor=abc')).toMatchObject({ cursor: 'abc', used: [['family', 'Ruiz']] });
    expect(status(() => parse('_count=-1'))).toBe(400);
  });

  test('unknown parameters and modifiers are 400, or ignored and reported under handling=lenient', () => {
    expect(status(() => parse('colour=red'))).toBe(400);
    expect(status(() => parse('family:exact=Ruiz'))).toBe(400);
    expect(parse('colour=red&family=Ruiz', true)).toMatchObject({ ignored: ['colour'], used: [['family', 'Ruiz']] });
    expect(isLenient('return=minimal, handling=lenient')).toBe(true);
    expect(isLenient('handling=strict')).toBe(false);
    expect(status(() => parse('_sort=family'))).toBe(400);
    expect(parse('_sort=-date', false, ['date', '-date']).sort).toBe('-date');
  });

  test('date prefixes become one range; birth dates become inclusive bounds', () => {
    const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
    expect(dateRange(['1980'], 'birthdate')).toEqual({ from: day('1980-01-01'), to: day('1981-01-01') });
    expect(dateRange(['ge1980-05', 'lt1980-07-01'], 'birthdate')).toEqual({ from: day('1980-05-01'), to: day('1980-07-01') });
    expect(dateRange(['gt1980-05-17'], 'date')).toEqual({ from: day('1980-05-18') });
    expect(dateRange(['le1980-05-17'], 'date')).toEqual({ to: day('1980-05-18') });
    expect(dateBounds(dateRange(['1980-02'], 'b')!)).toEqual({ from: '1980-02-01', to: '1980-02-29' });
    expect(dateBounds(dateRange(['gt1980-05-17'], 'b')!)).toEqual({ from: '1980-05-18', to: undefined });
    expect(status(() => dateRange(['sa1980'], 'date'))).toBe(400);
    expect(status(() => dateRange(['1980-02-30'], 'date'))).toBe(400);
    expect(status(() => dateRange(['yesterday'], 'date'))).toBe(400);
  });

  test('a Patient search becomes the GraphQL filter', () => {
    expect(patientSearchArgs(parse('name=ana&name=garcia&gender=female&birthdate=1980-05-17&identifier=urn:clinicult:mrn|MRN-1&phone=600'))).toEqual({
      search: 'ana garcia',
      filter: { gender: 'FEMALE', birthDate: '1980-05-17', identifier: { system: 'urn:clinicult:mrn', value: 'MRN-1' }, phone: '600' },
    });
    expect(patientSearchArgs(parse('birthdate=ge2000&birthdate=lt1990'))).toBeNull();
    expect(patientSearchArgs(parse('identifier=http://elsewhere|1'))).toBeNull();
    expect(status(() => patientSearchArgs(parse('gender=robot')))).toBe(400);
  });

  test('references and tokens', () => {
    expect(referenceId('Patient/abc-1', 'Patient', 'patient')).toBe('abc-1');
    expect(referenceId('https://x.example/fhir/Patient/abc', 'Patient', 'patient')).toBe('abc');
    expect(referenceId('abc', 'Patient', 'patient')).toBe('abc');
    expect(status(() => referenceId('Encounter/abc', 'Patient', 'patient'))).toBe(400);
    expect(token('http://loinc.org|8867-4')).toEqual({ system: 'http://loinc.org', code: '8867-4' });
    expect(token('|x')).toEqual({ system: null, code: 'x' });
    expect(token('x')).toEqual({ code: 'x' });
  });
});

describe('Patient bodies', () => {
  test('If-Match is a weak or strong ETag of the version', () => {
    expect(parseIfMatch('W/"3"')).toBe(3);
    expect(parseIfMatch('"12"')).toBe(12);
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(status(() => parseIfMatch('3'))).toBe(400);
  });

  test('what the model cannot hold is 422, a wrong resource 400', () => {
    const base = { resourceType: 'Patient', name: [{ family: 'Ruiz', given: ['Ana', 'María'] }], birthDate: '1980-05-17' };
    expect(fromFhirPatient(base)).toMatchObject({ givenName: 'Ana María', familyName: 'Ruiz', gender: 'UNKNOWN', phone: null });
    expect(status(() => fromFhirPatient({ ...base, resourceType: 'Practitioner' }))).toBe(400);
    expect(status(() => fromFhirPatient([base]))).toBe(400);
    expect(status(() => fromFhirPatient({ ...base, birthDate: '1980' }))).toBe(422);
    expect(status(() => fromFhirPatient({ ...base, maritalStatus: { text: 'M' } }))).toBe(422);
    expect(status(() => fromFhirPatient({ ...base, telecom: [{ system: 'fax', value: '1' }] }))).toBe(422);
    expect(status(() => fromFhirPatient({ ...base, gender: 'robot' }))).toBe(422);
    // a name that is no HumanName list is not R4 at all: the run-time validation refuses it first (400)
    expect(status(() => fromFhirPatient({ ...base, name: 'Ruiz' }))).toBe(400);
  });
});
