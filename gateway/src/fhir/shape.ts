import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { badRequest } from './outcome.js';

/**
 * What a client asks of an answer's shape (FHIR R4 3.1.1.5.x, "result parameters"), on reads and
 * searches alike: `_summary` (`true`: the summary elements; `count`: the total only; `false`: all),
 * `_elements` (these top-level elements and the mandatory ones), `_pretty` (indented JSON).
 * A resource cut down is tagged SUBSETTED, as the spec asks, so nobody stores it as the whole, and
 * claims no profile.
 */
export interface Shape {
  summary?: 'true' | 'count' | 'false';
  elements?: string[];
  pretty: boolean;
}

export const SHAPE_PARAMS = new Set(['_summary', '_elements', '_pretty']);

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

/** Always kept: what makes a resource itself. */
const ALWAYS = ['resourceType', 'id', 'meta'];

/** The elements R4 requires (min 1) of each type served: kept whatever `_elements` says. */
const MANDATORY: Record<string, readonly string[]> = {
  Encounter: ['status', 'class'],
  Observation: ['status', 'code'],
  Condition: ['subject'],
  MedicationRequest: ['status', 'intent', 'subject', 'medicationCodeableConcept'],
  AllergyIntolerance: ['patient'],
  MedicationStatement: ['status', 'subject', 'medicationCodeableConcept'],
  Bundle: ['type'],
  OperationOutcome: ['issue'],
};

/** The elements R4 marks `isSummary` (of those this server fills). */
const SUMMARY: Record<string, readonly string[]> = {
  Patient: ['identifier', 'active', 'name', 'telecom', 'gender', 'birthDate', 'address'],
  Encounter: ['status', 'class', 'subject', 'participant', 'period', 'reasonCode', 'serviceProvider'],
  Observation: ['status', 'category', 'code', 'subject', 'encounter', 'effectiveDateTime', 'performer', 'valueQuantity', 'dataAbsentReason'],
  Condition: ['clinicalStatus', 'verificationStatus', 'category', 'code', 'subject', 'encounter', 'recordedDate', 'recorder'],
  MedicationRequest: ['status', 'intent', 'medicationCodeableConcept', 'subject', 'encounter', 'authoredOn', 'requester'],
  AllergyIntolerance: ['clinicalStatus', 'code', 'patient'],
  MedicationStatement: ['status', 'medicationCodeableConcept', 'subject', 'dateAsserted'],
  Practitioner: ['active', 'name', 'telecom'],
  Organization: ['active', 'type', 'name'],
};

/** Reads `_summary`, `_elements` and `_pretty` from a query (400 for a value FHIR does not define). */
export function parseShape(query: URLSearchParams): Shape {
  const summary = query.get('_summary') ?? undefined;
  if (summary !== undefined && !['true', 'count', 'false'].includes(summary)) {
    throw badRequest(`_summary: ${summary} is not supported here (true, count or false; text and data are not).`, ['_summary']);
  }
  const elements = query.getAll('_elements').flatMap((v) => v.split(',')).map((e) => e.trim()).filter(Boolean);
  for (const element of elements) {
    if (!/^[a-z][A-Za-z0-9]*(\[x\])?$/.test(element)) throw badRequest(`_elements: "${element}" is not an element name (top-level elements only, e.g. name,birthDate).`, ['_elements']);
  }
  if (summary !== undefined && summary !== 'false' && elements.length) throw badRequest('_summary and _elements cannot be combined.', ['_summary']);
  const pretty = query.get('_pretty');
  if (pretty !== null && pretty !== 'true' && pretty !== 'false') throw badRequest('_pretty: true or false.', ['_pretty']);
  return { ...(summary ? { summary: summary as Shape['summary'] } : {}), ...(elements.length ? { elements } : {}), pretty: pretty === 'true' };
}

function subset(resource: Resource, keep: ReadonlySet<string>): Resource {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) if (keep.has(key) || ALWAYS.includes(key)) out[key] = value;
  // a part of a resource conforms to no profile the whole claims (e.g. vital signs': category, effective[x])
  const { profile: _profile, ...meta } = (resource.meta ?? {}) as NonNullable<Resource['meta']>;
  out.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return out as unknown as Resource;
}

/** One resource in the shape asked for. */
export function shapeResource(resource: Resource, shape: Shape): Resource {
  const type = resource.resourceType;
  if (shape.summary === 'true') return subset(resource, new Set([...(SUMMARY[type] ?? []), ...(MANDATORY[type] ?? [])]));
  if (shape.elements) {
    // a choice element asked as value[x] keeps valueQuantity and the like
    const wanted = new Set(shape.elements.flatMap((e) => (e.endsWith('[x]') ? Object.keys(resource).filter((k) => k.startsWith(e.slice(0, -3))) : [e])));
    return subset(resource, new Set([...wanted, ...(MANDATORY[type] ?? [])]));
  }
  return resource;
}

/**
 * An answer in the shape asked for: a Bundle's matches and includes each shaped (an outcome entry
 * stays whole); `_summary=count` leaves only the total (and the links).
 */
export function shapeBody(body: Resource, shape: Shape): Resource {
  if (shape.summary === undefined && !shape.elements) return body;
  if (body.resourceType === 'OperationOutcome') return body;
  if (body.resourceType !== 'Bundle') return shapeResource(body, shape);
  const bundle = body as Bundle;
  if (shape.summary === 'count') {
    const { entry: _entry, ...rest } = bundle;
    return { ...rest, meta: { ...(bundle.meta ?? {}), tag: [...(bundle.meta?.tag ?? []), SUBSETTED] } };
  }
  const entry: BundleEntry[] = (bundle.entry ?? []).map((e) =>
    e.resource && e.search?.mode !== 'outcome' ? { ...e, resource: shapeResource(e.resource, shape) } : e,
  );
  return { ...bundle, entry };
}

/** The shape's own parameters, for a Bundle's self and next links. */
export function shapeLinkParams(shape: Shape): Array<[string, string]> {
  return [
    ...(shape.summary ? [['_summary', shape.summary] as [string, string]] : []),
    ...(shape.elements ? [['_elements', shape.elements.join(',')] as [string, string]] : []),
  ];
}
