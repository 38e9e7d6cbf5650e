import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { SMART_ASSERTION_ALGORITHMS, SMART_RESOURCES } from '@clinicult/rbac';
import { tokenEndpoint } from '../smart-token.js';
import { RESOURCES } from './registry.js';

/**
 * `/.well-known/smart-configuration` (SMART App Launch 2.0, "FHIR authorization endpoint and
 * capabilities discovery"): where a backend client gets its token and how it authenticates.
 */
export function smartConfiguration(publicUrl: string) {
  return {
    token_endpoint: tokenEndpoint(publicUrl),
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: SMART_ASSERTION_ALGORITHMS,
    grant_types_supported: ['client_credentials'],
    scopes_supported: ['system/*.rs', ...Object.entries(SMART_RESOURCES).map(([type, r]) => `system/${type}.${r.write ? 'crus' : 'rs'}`)],
    response_types_supported: ['token'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

/** The CapabilityStatement: exactly what the registry implements (generated from it). */
export function capabilityStatement(base: string, date: string, publicUrl: string): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = RESOURCES.map((r) => ({
    type: r.type,
    documentation: r.documentation,
    ...(r.supportedProfile ? { supportedProfile: r.supportedProfile } : {}),
    interaction: [
      { code: 'read' as const },
      ...(r.vread ? [{ code: 'vread' as const }] : []),
      ...(r.history ? [{ code: 'history-instance' as const }] : []),
      { code: 'search-type' as const },
      ...(r.create ? [{ code: 'create' as const }] : []),
      ...(r.update ? [{ code: 'update' as const }] : []),
    ],
    versioning: r.vread ? ('versioned' as const) : ('no-version' as const),
    readHistory: !!r.history,
    updateCreate: false,
    ...(r.update ? { conditionalUpdate: false } : {}),
    ...(r.create ? { conditionalCreate: true } : {}),
    ...(r.includes ? { searchInclude: Object.keys(r.includes) } : {}),
    ...(r.revincludes ? { searchRevInclude: [...r.revincludes] } : {}),
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
          'Searches: _count (default 20, max 100), _sort where listed (date, -date), _include/_revinclude where listed, _summary (true, count), _elements, _pretty, paging by the Bundle\'s next link. Unknown parameters are refused (400) unless Prefer: handling=lenient. Conditional create: If-None-Exist.',
        security: {
          cors: true,
          // SMART's oauth-uris extension: where a client gets its token (also in /.well-known/smart-configuration)
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [{ url: 'token', valueUri: tokenEndpoint(publicUrl) }],
            },
          ],
          service: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR', display: 'SMART-on-FHIR' }] },
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth', display: 'OAuth' }] },
          ],
          description:
            'Authorization: Bearer <token>. Staff: a token from Clinicult sign-in. Other systems: SMART Backend Services — a client the clinic\'s ADMIN registered ' +
            'with its public keys gets a token at the token endpoint (client_credentials, private_key_jwt) with system scopes such as system/Patient.rs.',
        },
        resource,
      },
    ],
  };
}
