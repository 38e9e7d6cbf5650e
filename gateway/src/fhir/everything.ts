import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { allows } from './access.js';
import { clinicOf, type FhirContext, type FhirResult } from './context.js';
import { conditionsOf, medicationRequestsOf, observationsOf, toEncounter } from './mappers.js';
import { decodeCursor, encodeCursor } from './bundle.js';
import { badRequest, notFound, operationOutcome } from './outcome.js';
import { allergiesOf, loadHistory, medicationStatementsOf, problemsOf, type HistoryKind } from './history.js';
import { loadPatient, toFhirPatient } from './patient.js';
import { loadPatientVisits } from './visits.js';

/**
 * `Patient/{id}/$everything`: the patient, their encounters and, for a caller with medical:read,
 * their vital signs, diagnoses and prescriptions, in one searchset Bundle (no paging). Without
 * medical:read the medical resources are left out and an OperationOutcome entry says so.
 */
const EVERYTHING_PARAMS = new Set(['_format', '_count', '_cursor', '_summary', '_elements', '_pretty']);
/** The most one page holds (and what a request without _count gets). */
const MAX_EVERYTHING = 1000;

/** The query of a self or next link: the request's own parameters, the cursor replaced. */
function pageQuery(query: URLSearchParams, cursor: string | undefined): string {
  const params = new URLSearchParams([...query].filter(([k]) => k !== '_cursor' && k !== '_format'));
  if (cursor) params.set('_cursor', cursor);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export async function patientEverything(ctx: FhirContext, id: string, query: URLSearchParams): Promise<FhirResult> {
  const clinicId = clinicOf(ctx);
  // paging (_count, then the next link's _cursor) and the answer's shape (_summary, _elements, _pretty: the router)
  const unknown = [...query.keys()].filter((k) => !EVERYTHING_PARAMS.has(k));
  if (unknown.length && !ctx.lenient) {
    throw badRequest(`$everything takes _count (and the next link's _cursor) here, not ${unknown.join(', ')}; send "Prefer: handling=lenient" to have them ignored.`);
  }
  const countParam = query.get('_count');
  if (countParam !== null && !/^\d+$/.test(countParam)) throw badRequest(`_count: give a whole number from 0 to ${MAX_EVERYTHING}.`, ['_count']);
  const count = countParam === null ? MAX_EVERYTHING : Math.min(Number(countParam), MAX_EVERYTHING);
  const after = decodeCursor(query.get('_cursor') ?? undefined, (v): v is number => Number.isInteger(v) && (v as number) >= 0);
  const caller = ctx.who.caller;
  // medical resources for staff with medical:read; for an API client, each type its scopes allow
  const may = (type: string) => allows(caller, type, 'read');
  const medical = may('Observation') || may('Condition') || may('MedicationRequest');
  const leftOut = ['Encounter', 'AllergyIntolerance', 'Condition', 'MedicationStatement', 'Observation', 'MedicationRequest'].filter((type) => !may(type));
  const patient = await loadPatient(ctx, id);
  const visits = await loadPatientVisits(ctx, id, medical);
  if (!visits) throw notFound('Patient', id);
  const resources: Resource[] = [toFhirPatient(patient), ...(may('Encounter') ? visits.map((v) => toEncounter(v, clinicId)) : [])];
  // the medical history the chart keeps (allergies, chronic conditions, current medications)
  const kinds: HistoryKind[] = [];
  if (may('AllergyIntolerance')) kinds.push('allergy');
  if (may('Condition')) kinds.push('problem');
  if (may('MedicationStatement')) kinds.push('medication');
  const history = kinds.length ? await loadHistory(ctx, id, kinds) : null;
  if (history) resources.push(...allergiesOf(history), ...problemsOf(history), ...medicationStatementsOf(history));
  for (const v of visits) {
    if (may('Observation')) resources.push(...observationsOf(v));
    if (may('Condition')) resources.push(...conditionsOf(v));
    if (may('MedicationRequest')) resources.push(...medicationRequestsOf(v));
  }
  // one list in a fixed order (the patient, then by type and visit), paged by position: the
  // answer is assembled again for every page, from the same records in the same order
  const start = after ?? 0;
  const page = resources.slice(start, start + count);
  const next = start + count < resources.length && count > 0 ? encodeCursor(start + count) : undefined;
  const entry: BundleEntry[] = page.map((resource) => ({
    fullUrl: `${ctx.base}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }));
  const warnings = [
    ...(leftOut.length ? [`${leftOut.join(', ')} resources are left out: this token may not read them (medical data needs clinicult:medical:read; an API client, their scopes).`] : []),
    ...(unknown.length ? [`Ignored parameters (Prefer: handling=lenient): ${unknown.join(', ')}.`] : []),
  ];
  if (warnings.length) {
    entry.push({ resource: operationOutcome(warnings.map((text) => ({ severity: 'warning', code: 'suppressed', text }))), search: { mode: 'outcome' } });
  }
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    link: [
      { relation: 'self', url: `${ctx.base}/Patient/${id}/$everything${pageQuery(query, after === undefined ? undefined : encodeCursor(after))}` },
      ...(next ? [{ relation: 'next' as const, url: `${ctx.base}/Patient/${id}/$everything${pageQuery(query, next)}` }] : []),
    ],
    entry,
  };
  return { body: bundle };
}
