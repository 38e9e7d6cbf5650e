import type {
  Condition,
  Encounter,
  EncounterParticipant,
  EncounterStatusHistory,
  MedicationRequest,
  Observation,
  ObservationComponent,
  Quantity,
} from '@medplum/fhirtypes';
import { ref } from './context.js';
import type { Visit, VitalsNode } from './visits.js';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const DATA_ABSENT = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';
export const VITALSIGNS_PROFILE = 'http://hl7.org/fhir/StructureDefinition/vitalsigns';

/** Visit state → Encounter.status (R4 encounter-status). */
export const ENCOUNTER_STATUS: Record<string, Encounter['status']> = {
  WAITING: 'arrived',
  TRIAGE: 'triaged',
  READY_FOR_DOCTOR: 'triaged',
  WITH_DOCTOR: 'in-progress',
  CHECKOUT: 'in-progress',
  FINISHED: 'finished',
  CANCELLED: 'cancelled',
};

export function toEncounter(visit: Visit, clinicId: string): Encounter {
  const status = ENCOUNTER_STATUS[visit.state] ?? 'unknown';
  // the timeline as the statuses the encounter went through before the present one
  const statusHistory: EncounterStatusHistory[] = [];
  for (const [i, step] of visit.timeline.entries()) {
    const stepStatus = ENCOUNTER_STATUS[step.to] ?? 'unknown';
    const next = visit.timeline[i + 1];
    const previous = statusHistory.at(-1);
    if (previous && previous.status === stepStatus) {
      if (next) previous.period = { start: previous.period.start, end: next.at };
      else delete previous.period.end;
      continue;
    }
    statusHistory.push({ status: stepStatus, period: next ? { start: step.at, end: next.at } : { start: step.at } });
  }
  if (statusHistory.at(-1)?.status === status) statusHistory.pop();
  const participant: EncounterParticipant[] = [];
  if (visit.nurse) {
    participant.push({
      type: [{ coding: [{ system: PARTICIPATION, code: 'PART', display: 'Participation' }], text: 'triage nurse' }],
      individual: ref('Practitioner', visit.nurse.id, visit.nurse.displayName),
    });
  }
  if (visit.doctor) {
    participant.push({
      type: [{ coding: [{ system: PARTICIPATION, code: 'ATND', display: 'attender' }], text: 'doctor' }],
      individual: ref('Practitioner', visit.doctor.id, visit.doctor.displayName),
    });
  }
  return {
    resourceType: 'Encounter',
    id: visit.id,
    meta: { ...(visit.versionId ? { versionId: visit.versionId } : {}), lastUpdated: visit.lastUpdated },
    status,
    ...(statusHistory.length ? { statusHistory } : {}),
    class: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
    subject: ref('Patient', visit.patientId),
    ...(participant.length ? { participant } : {}),
    period: visit.end ? { start: visit.start, end: visit.end } : { start: visit.start },
    reasonCode: [{ text: visit.reason }],
    serviceProvider: ref('Organization', clinicId),
  };
}

// ---------------------------------------------------------------------------------------------
// Observation: one per vital sign (FHIR R4 vital signs profile)

export interface VitalSign {
  key: string;
  field: keyof VitalsNode;
  loinc: string;
  display: string;
  unit: string;
  ucum: string;
  profile: string;
}

/** The vital signs a visit records, with their LOINC codes, UCUM units and R4 profiles. */
export const VITAL_SIGNS: VitalSign[] = [
  { key: 'temp', field: 'temperatureC', loinc: '8310-5', display: 'Body temperature', unit: 'Cel', ucum: 'Cel', profile: 'bodytemp' },
  { key: 'hr', field: 'heartRate', loinc: '8867-4', display: 'Heart rate', unit: 'beats/minute', ucum: '/min', profile: 'heartrate' },
  { key: 'rr', field: 'respiratoryRate', loinc: '9279-1', display: 'Respiratory rate', unit: 'breaths/minute', ucum: '/min', profile: 'resprate' },
  { key: 'spo2', field: 'spo2', loinc: '2708-6', display: 'Oxygen saturation in Arterial blood', unit: '%', ucum: '%', profile: 'oxygensat' },
  { key: 'weight', field: 'weightKg', loinc: '29463-7', display: 'Body weight', unit: 'kg', ucum: 'kg', profile: 'bodyweight' },
  { key: 'height', field: 'heightCm', loinc: '8302-2', display: 'Body height', unit: 'cm', ucum: 'cm', profile: 'bodyheight' },
];
export const BP = { key: 'bp', loinc: '85354-9', display: 'Blood pressure panel with all children optional', profile: 'bp' };
export const SYSTOLIC = { loinc: '8480-6', display: 'Systolic blood pressure' };
export const DIASTOLIC = { loinc: '8462-4', display: 'Diastolic blood pressure' };
/** The LOINC codes an Observation search by code understands. */
export const VITAL_CODES = [...VITAL_SIGNS.map((v) => v.loinc), BP.loinc];

const profileUrl = (name: string) => `http://hl7.org/fhir/StructureDefinition/${name}`;
const quantity = (value: number, unit: string, code: string): Quantity => ({ value, unit, system: UCUM, code });
const loinc = (code: string, display: string) => ({ coding: [{ system: LOINC, code, display }], text: display });

export function observationsOf(visit: Visit): Observation[] {
  const vitals = visit.vitals;
  if (!vitals) return [];
  const base = (key: string, profile: string): Omit<Observation, 'code'> => ({
    resourceType: 'Observation',
    id: `${visit.id}-${key}`,
    meta: { profile: [VITALSIGNS_PROFILE, profileUrl(profile)], lastUpdated: visit.lastUpdated },
    // the nurse may still correct the values while the visit is in triage
    status: visit.current && visit.state === 'TRIAGE' ? 'preliminary' : 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }], text: 'Vital Signs' }],
    subject: ref('Patient', visit.patientId),
    encounter: ref('Encounter', visit.id),
    effectiveDateTime: vitals.recordedAt ?? visit.start,
    ...(vitals.recordedBy ? { performer: [ref('Practitioner', vitals.recordedBy.id, vitals.recordedBy.displayName)] } : {}),
  });
  const list: Observation[] = [];
  for (const sign of VITAL_SIGNS) {
    const value = vitals[sign.field];
    if (typeof value !== 'number') continue;
    list.push({ ...base(sign.key, sign.profile), code: loinc(sign.loinc, sign.display), valueQuantity: quantity(value, sign.unit, sign.ucum) });
  }
  if (typeof vitals.systolic === 'number' || typeof vitals.diastolic === 'number') {
    const component = (code: { loinc: string; display: string }, value: number | null | undefined): ObservationComponent =>
      typeof value === 'number'
        ? { code: loinc(code.loinc, code.display), valueQuantity: quantity(value, 'mmHg', 'mm[Hg]') }
        : { code: loinc(code.loinc, code.display), dataAbsentReason: { coding: [{ system: DATA_ABSENT, code: 'not-performed', display: 'Not Performed' }] } };
    list.push({
      ...base(BP.key, BP.profile),
      code: loinc(BP.loinc, BP.display),
      component: [component(SYSTOLIC, vitals.systolic), component(DIASTOLIC, vitals.diastolic)],
    });
  }
  return list;
}

/** When the doctor's part of the visit began (diagnoses and prescriptions are recorded then). */
function consultationTime(visit: Visit): string {
  return visit.timeline.find((t) => t.to === 'WITH_DOCTOR')?.at ?? visit.start;
}

export function conditionsOf(visit: Visit): Condition[] {
  return (visit.diagnoses ?? []).map((d, i) => ({
    resourceType: 'Condition',
    id: `${visit.id}-dx${i}`,
    meta: { lastUpdated: visit.lastUpdated },
    verificationStatus: {
      coding: [
        visit.current
          ? { system: CONDITION_VERIFICATION, code: 'provisional', display: 'Provisional' }
          : { system: CONDITION_VERIFICATION, code: 'confirmed', display: 'Confirmed' },
      ],
    },
    category: [{ coding: [{ system: CONDITION_CATEGORY, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
    code: {
      coding: [{ system: ICD10, code: d.code, ...(d.description ? { display: d.description } : {}) }],
      ...(d.description ? { text: d.description } : {}),
    },
    subject: ref('Patient', visit.patientId),
    encounter: ref('Encounter', visit.id),
    recordedDate: consultationTime(visit),
    ...(visit.doctor ? { recorder: ref('Practitioner', visit.doctor.id, visit.doctor.displayName) } : {}),
  }));
}

const DAY_MS = 86_400_000;

export function medicationRequestsOf(visit: Visit, now = Date.now()): MedicationRequest[] {
  const authoredOn = consultationTime(visit);
  return (visit.prescriptions ?? []).map((p, i) => {
    let status: MedicationRequest['status'];
    if (visit.state === 'CANCELLED') status = 'cancelled';
    else if (visit.current && visit.state === 'WITH_DOCTOR') status = 'draft';
    else if (p.durationDays != null && Date.parse(authoredOn) + p.durationDays * DAY_MS < now) status = 'completed';
    else status = 'active';
    return {
      resourceType: 'MedicationRequest',
      id: `${visit.id}-rx${i}`,
      meta: { lastUpdated: visit.lastUpdated },
      status,
      intent: 'order',
      medicationCodeableConcept: { text: p.drug },
      subject: ref('Patient', visit.patientId),
      encounter: ref('Encounter', visit.id),
      authoredOn,
      ...(visit.doctor ? { requester: ref('Practitioner', visit.doctor.id, visit.doctor.displayName) } : {}),
      dosageInstruction: [{ text: `${p.dose}, ${p.route}, ${p.frequency}`, route: { text: p.route }, timing: { code: { text: p.frequency } } }],
      ...(p.durationDays != null
        ? { dispenseRequest: { expectedSupplyDuration: { value: p.durationDays, unit: 'days', system: UCUM, code: 'd' } } }
        : {}),
    };
  });
}

/** `<visit>-bp`, `<visit>-dx0`, `<visit>-rx1` → the visit's id and what of it. */
export function splitDerivedId(id: string, kind: 'observation' | 'condition' | 'medication'): { visitId: string; part: string } | null {
  const pattern =
    kind === 'observation'
      ? new RegExp(`^(.+)-(${[...VITAL_SIGNS.map((v) => v.key), BP.key].join('|')})$`)
      : kind === 'condition'
        ? /^(.+)-(dx\d+)$/
        : /^(.+)-(rx\d+)$/;
  const m = pattern.exec(id);
  return m ? { visitId: m[1]!, part: m[2]! } : null;
}
