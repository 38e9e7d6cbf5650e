import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { RESOURCES } from './registry.js';

/** The CapabilityStatement: exactly what the registry implements (generated from it). */
export function capabilityStatement(base: string, date: string): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = RESOURCES.map((r) => ({
    type: r.type,
    documentation: r.documentation,
    ...(r.supportedProfile ? { supportedProfile: r.supportedProfile } : {}),
    interaction: [
      { code: 'read' as const },
      ...(r.vread ? [{ code: 'vread' as const }] : []),
      { code: 'search-type' as const },
      ...(r.create ? [{ code: 'create' as const }] : []),
      ...(r.update ? [{ code: 'update' as const }] : []),
    ],
    versioning: r.vread ? ('versioned' as const) : ('no-version' as const),
    readHistory: false,
    updateCreate: false,
    ...(r.update ? { conditionalUpdate: false } : {}),
    searchParam: Object.entries(r.params).map(([name, p]) => ({ name, type: p.type, documentation: p.documentation })),
    ...(r.type === 'Patient'
      ? { operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }] }
      : {}),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'Clinicult',
    kind: 'instance',
    software: { name: 'Clinicult FHIR facade' },
    implementation: { description: 'Clinicult FHIR R4 facade over the GraphQL supergraph', url: base },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Bearer tokens from Clinicult auth (the GraphQL ones); permissions, clinic scoping and the audit trail are those of the GraphQL API. ' +
          'Searches: _count (default 20, max 100), _sort where listed (date, -date), paging by the Bundle\'s next link. Unknown parameters are refused (400) unless Prefer: handling=lenient.',
        security: {
          cors: true,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth', display: 'OAuth' }] }],
          description: 'Authorization: Bearer <token>',
        },
        resource,
      },
    ],
  };
}
