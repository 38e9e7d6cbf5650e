import { clinicOf, gql, type FhirContext } from './context.js';
import { badRequest } from './outcome.js';
import { isId } from './params.js';

/** A person a visit names (nurse, doctor, who recorded the vitals). */
export interface Person {
  id: string;
  displayName: string;
}

export interface VitalsNode {
  temperatureC?: number | null;
  heartRate?: number | null;
  systolic?: number | null;
  diastolic?: number | null;
  respiratoryRate?: number | null;
  spo2?: number | null;
  weightKg?: number | null;
  heightCm?: number | null;
  recordedAt?: string | null;
  recordedBy?: Person | null;
}

export interface DiagnosisNode {
  code: string;
  description?: string | null;
}

export interface PrescriptionNode {
  drug: string;
  dose: string;
  route: string;
  frequency: string;
  durationDays?: number | null;
}

/** A current (patients) or historic (visits) visit, in one shape. */
export interface Visit {
  id: string;
  patientId: string;
  current: boolean;
  /** WAITING … CHECKOUT while current; FINISHED or CANCELLED once archived */
  state: string;
  reason: string;
  start: string;
  end?: string;
  lastUpdated: string;
  versionId?: string;
  nurse?: Person | null;
  doctor?: Person | null;
  timeline: Array<{ from?: string | null; to: string; at: string }>;
  vitals?: VitalsNode | null;
  diagnoses?: DiagnosisNode[] | null;
  prescriptions?: PrescriptionNode[] | null;
}

const STAFF = 'nurse { id displayName } doctor { id displayName }';
const MEDICAL = `vitals { temperatureC heartRate systolic diastolic respiratoryRate spo2 weightKg heightCm recordedAt recordedBy { id displayName } }
  diagnoses { code description } prescriptions { drug dose route frequency durationDays }`;

export const currentFields = (medical: boolean) =>
  `id state reason checkedInAt waitingSince version patient { id } ${STAFF} timeline { from to at } ${medical ? MEDICAL : ''}`;
export const historicFields = (medical: boolean) =>
  `id status reason checkedInAt finishedAt archivedAt patient { id } ${STAFF} timeline { from to at } ${medical ? MEDICAL : ''}`;

export function fromCurrent(v: any): Visit {
  return {
    id: v.id,
    patientId: v.patient.id,
    current: true,
    state: v.state,
    reason: v.reason,
    start: v.checkedInAt,
    lastUpdated: v.waitingSince,
    versionId: String(v.version),
    nurse: v.nurse,
    doctor: v.doctor,
    timeline: v.timeline,
    vitals: v.vitals,
    diagnoses: v.diagnoses,
    prescriptions: v.prescriptions,
  };
}

export function fromHistoric(v: any): Visit {
  return {
    id: v.id,
    patientId: v.patient.id,
    current: false,
    state: v.status,
    reason: v.reason,
    start: v.checkedInAt,
    end: v.finishedAt,
    lastUpdated: v.archivedAt,
    nurse: v.nurse,
    doctor: v.doctor,
    timeline: v.timeline,
    vitals: v.vitals,
    diagnoses: v.diagnoses,
    prescriptions: v.prescriptions,
  };
}

/** One visit by id, current or archived; null when the clinic has none with that id. */
export async function loadVisit(ctx: FhirContext, id: string, medical: boolean): Promise<Visit | null> {
  clinicOf(ctx);
  if (!isId(id)) return null;
  const data = await gql(ctx, `query FhirVisit($id: ID!) { currentVisit(id: $id) { ${currentFields(medical)} } visit(id: $id) { ${historicFields(medical)} } }`, { id });
  if (data.currentVisit) return fromCurrent(data.currentVisit);
  if (data.visit) return fromHistoric(data.visit);
  return null;
}

/** The most visits one patient's searches read (100 per GraphQL page). */
export const MAX_PATIENT_VISITS = 5000;

/**
 * All of a patient's visits, the current one first then the archive newest first; null when the
 * clinic has no such patient (another clinic's patient is just as unknown).
 */
export async function loadPatientVisits(ctx: FhirContext, patientId: string, medical: boolean): Promise<Visit[] | null> {
  clinicOf(ctx);
  if (!isId(patientId)) return null;
  const visits: Visit[] = [];
  let after: string | null = null;
  for (let page = 0; ; page++) {
    const data: any = await gql(
      ctx,
      `query FhirPatientVisits($id: ID!, $first: Int!, $after: String, $withCurrent: Boolean!) {
        patient(id: $id) {
          id
          currentVisit @include(if: $withCurrent) { ${currentFields(medical)} }
          history(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${historicFields(medical)} } } }
        }
      }`,
      { id: patientId, first: 100, after, withCurrent: page === 0 },
    );
    if (!data.patient) return null;
    if (page === 0 && data.patient.currentVisit) visits.push(fromCurrent(data.patient.currentVisit));
    visits.push(...data.patient.history.edges.map((e: any) => fromHistoric(e.node)));
    const info = data.patient.history.pageInfo;
    if (!info.hasNextPage) return visits;
    if (visits.length >= MAX_PATIENT_VISITS) {
      throw badRequest(`This patient has more than ${MAX_PATIENT_VISITS} visits; narrow the search with encounter=.`);
    }
    after = info.endCursor;
  }
}
