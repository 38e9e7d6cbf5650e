import type { Bundle, Observation } from '@medplum/fhirtypes';
import { FhirError } from './outcome.js';
import { parseShape, shapeBody } from './shape.js';

const observation: Observation = {
  resourceType: 'Observation',
  id: 'v1-hr',
  meta: { lastUpdated: '2026-12-01T10:00:00Z', profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] },
  status: 'final',
  code: { text: 'Heart rate' },
  subject: { reference: 'Patient/p1' },
  valueQuantity: { value: 72, unit: '/min' },
  note: [{ text: 'resting' }],
};

test('_elements keeps what is asked, the mandatory elements and the identity, and tags the subset', () => {
  const shaped = shapeBody(observation, parseShape(new URLSearchParams('_elements=value[x]'))) as Observation;
  expect(Object.keys(shaped).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'valueQuantity']);
  expect(shaped.meta!.tag).toEqual([expect.objectContaining({ code: 'SUBSETTED' })]);
  // a subset conforms to no profile the whole claimed
  expect(shaped.meta!.profile).toBeUndefined();
});

test('_summary=true keeps the summary elements; count leaves a Bundle its total; an outcome entry stays whole', () => {
  const summary = shapeBody(observation, parseShape(new URLSearchParams('_summary=true'))) as Observation;
  expect(summary.note).toBeUndefined();
  expect(summary.valueQuantity).toEqual(observation.valueQuantity);
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: observation, search: { mode: 'match' } }] };
  const counted = shapeBody(bundle, parseShape(new URLSearchParams('_summary=count'))) as Bundle;
  expect([counted.total, 'entry' in counted]).toEqual([1, false]);
  expect(shapeBody(bundle, parseShape(new URLSearchParams('')))).toBe(bundle);
});

test('values FHIR does not define here are a 400, and _summary with _elements too', () => {
  for (const query of ['_summary=text', '_summary=data', '_elements=a.b', '_pretty=yes', '_summary=true&_elements=status']) {
    expect(() => parseShape(new URLSearchParams(query))).toThrow(FhirError);
  }
  expect(parseShape(new URLSearchParams('_pretty=true')).pretty).toBe(true);
});
