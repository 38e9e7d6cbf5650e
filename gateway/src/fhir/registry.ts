import type { ResourceType } from '@medplum/fhirtypes';
import type { FhirContext, FhirResult } from './context.js';
import { CONDITION_PARAMS, DATE_SORTS, MEDICATION_REQUEST_PARAMS, OBSERVATION_PARAMS, readClinical, searchClinical } from './clinical.js';
import { ORGANIZATION_PARAMS, PRACTITIONER_PARAMS, readOrganization, readPractitioner, searchOrganizations, searchPractitioners } from './directory.js';
import { ENCOUNTER_PARAMS, ENCOUNTER_SORTS, readEncounter, searchEncounters } from './encounter.js';
import { VITALSIGNS_PROFILE } from './mappers.js';
import type { IncludeDef } from './include.js';
import type { ParamTable, SearchRequest } from './params.js';
import { ALLERGY_PARAMS, HISTORY_PARAMS, historyPatientId, readHistory, searchHistory } from './history.js';
import { createPatient, PATIENT_PARAMS, patientHistory, readPatient, searchPatients, updatePatient, vreadPatient } from './patient.js';

/** One resource type the facade serves: what the router dispatches to and the CapabilityStatement lists. */
export interface ResourceHandler {
  type: ResourceType;
  documentation: string;
  /** what reading it needs: checked from the token before any data is read (403 otherwise) */
  permission: string;
  /** what creating or updating it needs (where it can be written) */
  writePermission?: string;
  profile?: string;
  supportedProfile?: string[];
  params: ParamTable;
  sorts?: readonly string[];
  /** what `_include` follows from it (`Encounter:patient` → subject, a Patient) */
  includes?: Record<string, IncludeDef>;
  /** what `_revinclude` brings to it (`Encounter:patient` on Patient) */
  revincludes?: readonly string[];
  read(ctx: FhirContext, id: string): Promise<FhirResult>;
  vread?(ctx: FhirContext, id: string, versionId: string): Promise<FhirResult>;
  /** the instance's versions (`_history`) */
  history?(ctx: FhirContext, id: string): Promise<FhirResult>;
  search(ctx: FhirContext, search: SearchRequest): Promise<FhirResult>;
  create?(ctx: FhirContext, body: unknown): Promise<FhirResult>;
  update?(ctx: FhirContext, id: string, body: unknown): Promise<FhirResult>;
}

const toPatient = (type: string, path = 'subject', names = ['patient', 'subject']): Record<string, IncludeDef> =>
  Object.fromEntries(names.map((n) => [`${type}:${n}`, { path, target: 'Patient' }]));
const toEncounter = (type: string): Record<string, IncludeDef> => ({ [`${type}:encounter`]: { path: 'encounter', target: 'Encounter' } });

const vitalProfiles = ['vitalsigns', 'bp', 'bodytemp', 'heartrate', 'resprate', 'oxygensat', 'bodyweight', 'bodyheight'].map(
  (n) => `http://hl7.org/fhir/StructureDefinition/${n}`,
);

export const RESOURCES: ResourceHandler[] = [
  {
    type: 'Patient',
    permission: 'clinicult:patient:read',
    writePermission: 'clinicult:patient:write',
    documentation: 'The clinic\'s patients (demographics; clinicult:patient:read, create/update clinicult:patient:write).',
    params: PATIENT_PARAMS,
    revincludes: [
      'Encounter:patient', 'Encounter:subject', 'Observation:patient', 'Observation:subject', 'Condition:patient', 'Condition:subject',
      'MedicationRequest:patient', 'MedicationRequest:subject', 'AllergyIntolerance:patient', 'MedicationStatement:patient', 'MedicationStatement:subject',
    ],
    read: readPatient,
    vread: vreadPatient,
    history: patientHistory,
    search: searchPatients,
    create: createPatient,
    update: updatePatient,
  },
  {
    type: 'Encounter',
    permission: 'clinicult:visits:read',
    documentation: 'Visits: the current one (patients) and archived ones (visits); clinicult:visit:read / clinicult:visits:read.',
    params: ENCOUNTER_PARAMS,
    sorts: ENCOUNTER_SORTS,
    includes: {
      ...toPatient('Encounter'),
      'Encounter:participant': { path: 'participant.individual', target: 'Practitioner' },
      'Encounter:service-provider': { path: 'serviceProvider', target: 'Organization' },
    },
    revincludes: ['Observation:encounter', 'Condition:encounter', 'MedicationRequest:encounter'],
    read: readEncounter,
    search: searchEncounters,
  },
  {
    type: 'Observation',
    permission: 'clinicult:medical:read',
    documentation: 'Vital signs of visits (FHIR vital signs profile, LOINC, UCUM); clinicult:medical:read. Id: <visit id>-<sign>.',
    supportedProfile: [VITALSIGNS_PROFILE, ...vitalProfiles.slice(1)],
    params: OBSERVATION_PARAMS,
    sorts: DATE_SORTS,
    includes: { ...toPatient('Observation'), ...toEncounter('Observation'), 'Observation:performer': { path: 'performer', target: 'Practitioner' } },
    read: (ctx, id) => readClinical(ctx, 'observation', id),
    search: (ctx, s) => searchClinical(ctx, 'observation', s),
  },
  {
    type: 'Condition',
    permission: 'clinicult:medical:read',
    documentation:
      'Diagnoses of visits (category encounter-diagnosis, ICD-10; id <visit id>-dx<n>) and the patient\'s chronic conditions (problem-list-item, text; id <patient id>-pl<n>); clinicult:medical:read.',
    params: CONDITION_PARAMS,
    sorts: DATE_SORTS,
    includes: { ...toPatient('Condition'), ...toEncounter('Condition') },
    read: (ctx, id) => (historyPatientId(id, 'problem') ? readHistory(ctx, 'problem', id) : readClinical(ctx, 'condition', id)),
    search: (ctx, s) => searchClinical(ctx, 'condition', s),
  },
  {
    type: 'MedicationRequest',
    permission: 'clinicult:medical:read',
    documentation: 'Prescriptions of visits; clinicult:medical:read. Id: <visit id>-rx<n>.',
    params: MEDICATION_REQUEST_PARAMS,
    sorts: DATE_SORTS,
    includes: { ...toPatient('MedicationRequest'), ...toEncounter('MedicationRequest'), 'MedicationRequest:requester': { path: 'requester', target: 'Practitioner' } },
    read: (ctx, id) => readClinical(ctx, 'medication', id),
    search: (ctx, s) => searchClinical(ctx, 'medication', s),
  },
  {
    type: 'AllergyIntolerance',
    permission: 'clinicult:medical:read',
    documentation: 'The patient\'s allergies (substance and reaction as text, severity); clinicult:medical:read. Id: <patient id>-al<n>.',
    params: ALLERGY_PARAMS,
    includes: toPatient('AllergyIntolerance', 'patient', ['patient']),
    read: (ctx, id) => readHistory(ctx, 'allergy', id),
    search: (ctx, s) => searchHistory(ctx, 'allergy', s),
  },
  {
    type: 'MedicationStatement',
    permission: 'clinicult:medical:read',
    documentation: 'The patient\'s current medications (text); clinicult:medical:read. Id: <patient id>-ms<n>.',
    params: HISTORY_PARAMS,
    includes: toPatient('MedicationStatement'),
    read: (ctx, id) => readHistory(ctx, 'medication', id),
    search: (ctx, s) => searchHistory(ctx, 'medication', s),
  },
  {
    type: 'Practitioner',
    permission: 'clinicult:user:read',
    documentation: 'The clinic\'s doctors and nurses; clinicult:user:read.',
    params: PRACTITIONER_PARAMS,
    read: readPractitioner,
    search: searchPractitioners,
  },
  {
    type: 'Organization',
    permission: 'clinicult:clinic:read',
    documentation: 'The caller\'s own clinic; clinicult:clinic:read.',
    params: ORGANIZATION_PARAMS,
    read: readOrganization,
    search: searchOrganizations,
  },
];

export const BY_TYPE = new Map<string, ResourceHandler>(RESOURCES.map((r) => [r.type, r]));
