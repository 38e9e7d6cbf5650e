import type { Condition, MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import { pageInMemory, searchset } from './bundle.js';
import { clinicOf, type FhirContext, type FhirResult } from './context.js';
import { conditionsOf, ICD10, LOINC, medicationRequestsOf, observationsOf, OBSERVATION_CATEGORY, splitDerivedId } from './mappers.js';
import { badRequest, notFound } from './outcome.js';
import { conditionCategories, loadHistory, problemsOf } from './history.js';
import { dateRange, inRange, referenceId, single, token, type ParamTable, type SearchRequest } from './params.js';
import { loadPatientVisits, loadVisit, type Visit } from './visits.js';

const byPatient = {
  patient: { type: 'reference', documentation: 'The patient (Patient/id or id). patient, subject or encounter is required.' },
  subject: { type: 'reference', documentation: 'The same as patient.' },
  encounter: { type: 'reference', documentation: 'The encounter (the visit): Encounter/id or id.' },
} as const satisfies ParamTable;

export const OBSERVATION_PARAMS: ParamTable = {
  ...byPatient,
  category: { type: 'token', documentation: `vital-signs (${OBSERVATION_CATEGORY}); the only category this server has.` },
  code: { type: 'token', documentation: `A LOINC code (${LOINC}|code or code), e.g. 8867-4 heart rate, 85354-9 blood pressure.` },
  date: { type: 'date', documentation: 'effectiveDateTime, with the prefixes eq, ge, gt, le, lt.' },
};
export const CONDITION_PARAMS: ParamTable = {
  ...byPatient,
  category: { type: 'token', documentation: 'encounter-diagnosis (the visits\' diagnoses) or problem-list-item (the chronic conditions; not with encounter).' },
  code: { type: 'token', documentation: `An ICD-10 code (${ICD10}|code or code); the problem list has text only, so a code finds none of it.` },
};
export const MEDICATION_REQUEST_PARAMS: ParamTable = { ...byPatient };
export const DATE_SORTS = ['date', '-date'];

type Kind = 'observation' | 'condition' | 'medication';
const TYPE: Record<Kind, string> = { observation: 'Observation', condition: 'Condition', medication: 'MedicationRequest' };

function derive(kind: Kind, visit: Visit): Resource[] {
  return kind === 'observation' ? observationsOf(visit) : kind === 'condition' ? conditionsOf(visit) : medicationRequestsOf(visit);
}

export async function readClinical(ctx: FhirContext, kind: Kind, id: string): Promise<FhirResult> {
  clinicOf(ctx);
  const parts = splitDerivedId(id, kind);
  if (!parts) throw notFound(TYPE[kind], id);
  const visit = await loadVisit(ctx, parts.visitId, true);
  const resource = visit ? derive(kind, visit).find((r) => r.id === id) : undefined;
  if (!resource) throw notFound(TYPE[kind], id);
  return { body: resource };
}

/** The visits a search by patient/subject/encounter covers. */
async function visitsOf(ctx: FhirContext, search: SearchRequest, type: string): Promise<Visit[]> {
  const patient = single(search, 'patient') ?? single(search, 'subject');
  const both = single(search, 'patient') && single(search, 'subject');
  const encounter = single(search, 'encounter');
  if (!patient && !encounter) {
    throw badRequest(`${type} searches need patient (or subject) or encounter: this server searches medical data one patient at a time.`, ['patient']);
  }
  const patientId = patient ? referenceId(patient, 'Patient', 'patient') : undefined;
  if (both && referenceId(single(search, 'subject')!, 'Patient', 'subject') !== patientId) return [];
  if (encounter) {
    const visit = await loadVisit(ctx, referenceId(encounter, 'Encounter', 'encounter'), true);
    return visit && (patientId === undefined || visit.patientId === patientId) ? [visit] : [];
  }
  return (await loadPatientVisits(ctx, patientId!, true)) ?? [];
}

function codeMatches(resource: Observation | Condition, value: string | undefined, system: string): boolean {
  if (value === undefined) return true;
  const { system: wanted, code } = token(value);
  if (wanted === null) return false; // |code: codes without a system; ours all have one
  return (resource.code?.coding ?? []).some((c) => c.code === code && (wanted === undefined || c.system === wanted) && c.system === system);
}

export async function searchClinical(ctx: FhirContext, kind: Kind, search: SearchRequest): Promise<FhirResult> {
  clinicOf(ctx);
  const type = TYPE[kind];
  // parse everything before any data is read, so a bad parameter is a 400 whoever asks
  const code = kind !== 'medication' ? single(search, 'code') : undefined;
  const category = kind === 'observation' ? single(search, 'category') : undefined;
  const range = kind === 'observation' ? dateRange(search.params.get('date'), 'date') : undefined;
  const visits = await visitsOf(ctx, search, type);
  let resources = visits.flatMap((v) => derive(kind, v));
  if (kind === 'observation') {
    if (category !== undefined) {
      const { system, code: cat } = token(category);
      const ok = cat === 'vital-signs' && (system === undefined || system === OBSERVATION_CATEGORY);
      if (!ok) resources = [];
    }
    resources = (resources as Observation[]).filter((o) => codeMatches(o, code, LOINC) && inRange(range, o.effectiveDateTime));
  }
  if (kind === 'condition') {
    const categories = conditionCategories(single(search, 'category'));
    resources = categories.diagnoses ? (resources as Condition[]).filter((c) => codeMatches(c, code, ICD10)) : [];
    // the problem list belongs to the patient, not to an encounter; it has no codes
    const patient = single(search, 'patient') ?? single(search, 'subject');
    if (categories.problems && patient && !single(search, 'encounter') && code === undefined) {
      const history = await loadHistory(ctx, referenceId(patient, 'Patient', 'patient'), ['problem']);
      if (history) resources.push(...problemsOf(history));
    }
  }
  const dateOf = (r: Resource) =>
    r.resourceType === 'Observation'
      ? (r as Observation).effectiveDateTime!
      : r.resourceType === 'Condition'
        ? ((r as Condition).recordedDate ?? r.meta!.lastUpdated!)
        : (r as MedicationRequest).authoredOn!;
  const { page, next, total } = pageInMemory(resources, (r) => [dateOf(r), r.id!], search, search.sort !== 'date');
  return { body: searchset(ctx.base, type, search, { resources: page, total, next }) };
}
