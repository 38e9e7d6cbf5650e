import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { hasPermission } from '@clinicult/rbac';
import { clinicOf, type FhirContext, type FhirResult } from './context.js';
import { conditionsOf, medicationRequestsOf, observationsOf, toEncounter } from './mappers.js';
import { badRequest, notFound, operationOutcome } from './outcome.js';
import { loadPatient, toFhirPatient } from './patient.js';
import { loadPatientVisits } from './visits.js';

const MEDICAL_READ = 'clinicult:medical:read';

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
  const medical = caller.kind === 'staff' && hasPermission(caller.permissions, MEDICAL_READ);
  const patient = await loadPatient(ctx, id);
  const visits = await loadPatientVisits(ctx, id, medical);
  if (!visits) throw notFound('Patient', id);
  const resources: Resource[] = [toFhirPatient(patient), ...visits.map((v) => toEncounter(v, clinicId))];
  if (medical) {
    for (const v of visits) resources.push(...observationsOf(v), ...conditionsOf(v), ...medicationRequestsOf(v));
  }
  const entry: BundleEntry[] = resources.map((resource) => ({
    fullUrl: `${ctx.base}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }));
  const warnings = [
    ...(medical ? [] : ['Observations, Conditions and MedicationRequests are left out: they need clinicult:medical:read.']),
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
