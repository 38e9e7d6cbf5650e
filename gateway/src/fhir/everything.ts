import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { allows } from './access.js';
import { clinicOf, type FhirContext, type FhirResult } from './context.js';
import { conditionsOf, medicationRequestsOf, observationsOf, toEncounter } from './mappers.js';
import { badRequest, notFound, operationOutcome } from './outcome.js';
import { allergiesOf, loadHistory, medicationStatementsOf, problemsOf, type HistoryKind } from './history.js';
import { loadPatient, toFhirPatient } from './patient.js';
import { loadPatientVisits } from './visits.js';

/**
 * `Patient/{id}/$everything`: the patient, their encounters and, for a caller with medical:read,
 * their vital signs, diagnoses and prescriptions, in one searchset Bundle (no paging). Without
 * medical:read the medical resources are left out and an OperationOutcome entry says so.
 */
export async function patientEverything(ctx: FhirContext, id: string, query: URLSearchParams): Promise<FhirResult> {
  const clinicId = clinicOf(ctx);
  const unknown = [...query.keys()].filter((k) => k !== '_format');
  if (unknown.length && !ctx.lenient) {
    throw badRequest(`$everything takes no parameters here (${unknown.join(', ')}); send "Prefer: handling=lenient" to have them ignored.`);
  }
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
  const entry: BundleEntry[] = resources.map((resource) => ({
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
    link: [{ relation: 'self', url: `${ctx.base}/Patient/${id}/$everything` }],
    entry,
  };
  return { body: bundle };
}
