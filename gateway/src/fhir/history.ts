import type { AllergyIntolerance, Condition, MedicationStatement, Resource } from '@medplum/fhirtypes';
import { pageInMemory, searchset } from './bundle.js';
import { clinicOf, gql, ref, type FhirContext, type FhirResult } from './context.js';
import { badRequest, notFound } from './outcome.js';
import { isId, referenceId, single, token, type ParamTable, type SearchRequest } from './params.js';

/**
 * The patient's medical history (issue 18): what the chart keeps beside the visits — allergies,
 * chronic conditions and current medications — as AllergyIntolerance, Condition (category
 * `problem-list-item`, beside the visits' `encounter-diagnosis`) and MedicationStatement. They are
 * free text in the chart, so they carry `code.text` and no coding. Ids are the patient's id plus a
 * suffix and the entry's position (`<patient>-al0`, `-pl1`, `-ms0`); the chart replaces the lists
 * whole, so a position names the entry only until the next edit (meta.versionId = the patient's).
 */
export interface MedicalHistory {
  id: string;
  version: number;
  updatedAt: string;
  allergies?: Array<{ substance: string; reaction?: string | null; severity?: 'MILD' | 'MODERATE' | 'SEVERE' | null }> | null;
  chronicConditions?: string[] | null;
  currentMedications?: string[] | null;
}

const CLINICAL_ALLERGY = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
export const PROBLEM_LIST = 'problem-list-item';

export type HistoryKind = 'allergy' | 'problem' | 'medication';
const SUFFIX: Record<HistoryKind, string> = { allergy: 'al', problem: 'pl', medication: 'ms' };
const TYPE: Record<HistoryKind, string> = { allergy: 'AllergyIntolerance', problem: 'Condition', medication: 'MedicationStatement' };

const meta = (h: MedicalHistory) => ({ versionId: String(h.version), lastUpdated: h.updatedAt });

export function allergiesOf(h: MedicalHistory): AllergyIntolerance[] {
  return (h.allergies ?? []).map((a, i) => ({
    resourceType: 'AllergyIntolerance',
    id: `${h.id}-al${i}`,
    meta: meta(h),
    clinicalStatus: { coding: [{ system: CLINICAL_ALLERGY, code: 'active', display: 'Active' }] },
    code: { text: a.substance },
    patient: ref('Patient', h.id),
    ...(a.reaction || a.severity
      ? {
          reaction: [
            {
              // R4 requires a manifestation on each reaction: the text the chart has, else "reaction"
              manifestation: [{ text: a.reaction || 'reaction' }],
              ...(a.severity ? { severity: a.severity.toLowerCase() as 'mild' | 'moderate' | 'severe' } : {}),
            },
          ],
        }
      : {}),
  }));
}

export function problemsOf(h: MedicalHistory): Condition[] {
  return (h.chronicConditions ?? []).map((text, i) => ({
    resourceType: 'Condition',
    id: `${h.id}-pl${i}`,
    meta: meta(h),
    clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: 'active', display: 'Active' }] },
    category: [{ coding: [{ system: CONDITION_CATEGORY, code: PROBLEM_LIST, display: 'Problem List Item' }] }],
    code: { text },
    subject: ref('Patient', h.id),
  }));
}

export function medicationStatementsOf(h: MedicalHistory): MedicationStatement[] {
  return (h.currentMedications ?? []).map((text, i) => ({
    resourceType: 'MedicationStatement',
    id: `${h.id}-ms${i}`,
    meta: meta(h),
    status: 'active',
    medicationCodeableConcept: { text },
    subject: ref('Patient', h.id),
    dateAsserted: h.updatedAt,
  }));
}

/** An id whose position sorts as a number. */
export const positionKey = (id: string) => id.replace(/\d+$/, (n) => n.padStart(6, '0'));

const DERIVE: Record<HistoryKind, (h: MedicalHistory) => Resource[]> = { allergy: allergiesOf, problem: problemsOf, medication: medicationStatementsOf };

/** `<patient>-pl0` → the patient's id, or null when the id is not one of this kind's. */
export function historyPatientId(id: string, kind: HistoryKind): string | null {
  const m = new RegExp(`^(.+)-${SUFFIX[kind]}\\d+$`).exec(id);
  return m && isId(m[1]!) ? m[1]! : null;
}

const HISTORY_FIELDS: Record<HistoryKind, string> = {
  allergy: 'allergies { substance reaction severity }',
  problem: 'chronicConditions',
  medication: 'currentMedications',
};

/** One patient's history of one kind (a medical read: the patients service audits it); null when not found. */
export async function loadHistory(ctx: FhirContext, patientId: string, kinds: readonly HistoryKind[]): Promise<MedicalHistory | null> {
  if (!isId(patientId)) return null;
  const fields = kinds.map((k) => HISTORY_FIELDS[k]).join(' ');
  const data = await gql<{ patient: MedicalHistory | null }>(ctx, `query FhirMedicalHistory($id: ID!) { patient(id: $id) { id version updatedAt ${fields} } }`, { id: patientId });
  return data.patient;
}

export async function readHistory(ctx: FhirContext, kind: HistoryKind, id: string): Promise<FhirResult> {
  clinicOf(ctx);
  const patientId = historyPatientId(id, kind);
  const history = patientId ? await loadHistory(ctx, patientId, [kind]) : null;
  const resource = history ? DERIVE[kind](history).find((r) => r.id === id) : undefined;
  if (!resource) throw notFound(TYPE[kind], id);
  return { body: resource };
}

export const ALLERGY_PARAMS: ParamTable = {
  patient: { type: 'reference', documentation: 'The patient (Patient/id or id); required: the history is read one patient at a time.' },
};
export const HISTORY_PARAMS: ParamTable = {
  ...ALLERGY_PARAMS,
  subject: { type: 'reference', documentation: 'The same as patient.' },
};

/** The patient a history search is about (patient or subject, required; both naming different patients: none). */
function historyPatient(search: SearchRequest, type: string): string | null {
  const patient = single(search, 'patient');
  const subject = single(search, 'subject');
  if (!patient && !subject) {
    throw badRequest(`${type} searches need patient (or subject): this server reads the medical history one patient at a time.`, ['patient']);
  }
  const ids = [patient && referenceId(patient, 'Patient', 'patient'), subject && referenceId(subject, 'Patient', 'subject')].filter(Boolean) as string[];
  return ids.every((id) => id === ids[0]) ? ids[0]! : null;
}

/** AllergyIntolerance and MedicationStatement searches (a patient of another clinic finds nothing, like an unknown one). */
export async function searchHistory(ctx: FhirContext, kind: 'allergy' | 'medication', search: SearchRequest): Promise<FhirResult> {
  clinicOf(ctx);
  const patientId = historyPatient(search, TYPE[kind]);
  const history = patientId ? await loadHistory(ctx, patientId, [kind]) : null;
  const resources = history ? DERIVE[kind](history) : [];
  // in the chart's order: by position (al2 before al10)
  const { page, next, total } = pageInMemory(resources, (r) => [positionKey(r.id!), r.id!], search, false);
  return { body: searchset(ctx.base, TYPE[kind], search, { resources: page, total, next }) };
}

/** Whether a Condition search's `category` asks for the problem list, the visits' diagnoses, or either (none given). */
export function conditionCategories(value: string | undefined): { problems: boolean; diagnoses: boolean } {
  if (value === undefined) return { problems: true, diagnoses: true };
  const { system, code } = token(value);
  const ours = system === undefined || system === CONDITION_CATEGORY;
  return { problems: ours && code === PROBLEM_LIST, diagnoses: ours && code === 'encounter-diagnosis' };
}
