import { gql } from '@apollo/client';
import { AUTH_PAYLOAD_FIELDS as AUTH_FIELDS, INVITATION_FIELDS, type FollowedInvitation } from '@clinicult/web-identity';

// ---- types of what the screens read (the subset of schema/supergraph.graphql they ask for) ----

export type { AuthPayload } from '@clinicult/web-identity';

export interface Membership {
  clinic: { id: string; name: string };
  roles: string[];
}

/** An invitation as the invited person sees it (to accept or decline). */
export interface OwnInvitation {
  id: string;
  clinic: { id: string; name: string };
  roles: string[];
  invitedByName: string;
  expiresAt: string;
}

export interface Me {
  id: string;
  email: string;
  displayName: string;
  memberships: Membership[];
  invitations: OwnInvitation[];
}

/** An invitation as the clinic's ADMIN follows it. */
export type StaffInvitation = FollowedInvitation;

export interface UserRef {
  id: string;
  displayName: string;
}

export interface TemplateField {
  key: string;
  label: string;
  type: 'TEXT' | 'NUMBER' | 'CHOICE' | 'MULTI_CHOICE' | 'DATE' | 'BOOLEAN';
  required: boolean;
  options: string[] | null;
  unit: string | null;
  min: number | null;
  max: number | null;
  help: string | null;
}

export interface TemplateVersion {
  id: string;
  templateId: string;
  name: string;
  kind: 'INTAKE' | 'NOTE';
  version: number;
  fields: TemplateField[];
}

export interface Template {
  id: string;
  name: string;
  kind: 'INTAKE' | 'NOTE';
  version: number;
  active: boolean;
  fields: TemplateField[];
  updatedAt: string;
}

export interface Vitals {
  temperatureC: number | null;
  heartRate: number | null;
  systolic: number | null;
  diastolic: number | null;
  respiratoryRate: number | null;
  spo2: number | null;
  weightKg: number | null;
  heightCm: number | null;
  recordedAt?: string | null;
}

export interface Diagnosis {
  code: string;
  description: string | null;
}

export interface Prescription {
  drug: string;
  dose: string;
  route: string;
  frequency: string;
  durationDays: number | null;
}

export interface PatientSummary {
  id: string;
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: string;
  phone: string | null;
}

export interface QueueVisit {
  id: string;
  state: string;
  reason: string;
  stale: boolean;
  checkedInAt: string;
  minutesInState: number;
  allowedTransitions: string[];
  patient: PatientSummary;
  nurse: UserRef | null;
  doctor: UserRef | null;
}

export interface CurrentVisit extends QueueVisit {
  version: number;
  waitingSince: string;
  template: TemplateVersion | null;
  checkedInBy: UserRef;
  timeline: { from: string | null; to: string; at: string; by: UserRef }[];
  vitals?: Vitals | null;
  intakeAnswers?: Record<string, unknown> | null;
  notes?: string | null;
  diagnoses?: Diagnosis[] | null;
  prescriptions?: Prescription[] | null;
  templateAnswers?: Record<string, unknown> | null;
}

// ---- auth ----


export const LOGIN = gql`
  mutation Login($email: String!, $password: String!, $clinicId: ID) {
    login(email: $email, password: $password, clinicId: $clinicId) { ${AUTH_FIELDS} }
  }
`;

export const SWITCH_CLINIC = gql`
  mutation SwitchClinic($clinicId: ID!) {
    switchClinic(clinicId: $clinicId) { ${AUTH_FIELDS} }
  }
`;

export const LOGOUT = gql`
  mutation Logout {
    logout
  }
`;

export const CHANGE_PASSWORD = gql`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`;

const OWN_INVITATION_FIELDS = 'id clinic { id name } roles invitedByName expiresAt';

export const ME = gql`
  query Me {
    me { id email displayName memberships { clinic { id name } roles } invitations { ${OWN_INVITATION_FIELDS} } }
  }
`;

export const ACCEPT_CLINIC_INVITATION = gql`
  mutation AcceptClinicInvitation($id: ID!) {
    acceptClinicInvitation(id: $id) { clinic { id name } roles }
  }
`;

export const DECLINE_CLINIC_INVITATION = gql`
  mutation DeclineClinicInvitation($id: ID!) {
    declineClinicInvitation(id: $id) { id declinedAt }
  }
`;

// ---- patients and visits ----

const PATIENT_SUMMARY = 'id mrn givenName familyName birthDate gender phone';
const QUEUE_FIELDS = `id state reason stale checkedInAt minutesInState allowedTransitions
  patient { ${PATIENT_SUMMARY} } nurse { id displayName } doctor { id displayName }`;

export const QUEUE = gql`
  query Queue {
    queue { ${QUEUE_FIELDS} }
    queueSize
  }
`;

export const SEARCH_PATIENTS = gql`
  query SearchPatients($search: String, $first: Int, $after: String) {
    patients(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ${PATIENT_SUMMARY} currentVisit { id state } } }
    }
  }
`;

export const REGISTER_PATIENT = gql`
  mutation RegisterPatient($input: RegisterPatientInput!) {
    registerPatient(input: $input) { id mrn givenName familyName }
  }
`;

const TEMPLATE_VERSION = 'id templateId name kind version fields { key label type required options unit min max help }';

export const PATIENT_CHART = gql`
  query PatientChart($id: ID!, $medical: Boolean!, $visits: Boolean!) {
    patient(id: $id) {
      ${PATIENT_SUMMARY}
      nationalId email version
      address { line1 line2 city postalCode region country }
      emergencyContact { name relationship phone }
      bloodType @include(if: $medical)
      allergies @include(if: $medical) { substance reaction severity }
      chronicConditions @include(if: $medical)
      currentMedications @include(if: $medical)
      medicalNotes @include(if: $medical)
      currentVisit @include(if: $visits) { id state reason checkedInAt minutesInState allowedTransitions }
    }
  }
`;

export const PATIENT_HISTORY = gql`
  query PatientHistory($id: ID!, $after: String, $medical: Boolean!) {
    patient(id: $id) {
      id
      visitCount
      history(first: 10, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          cursor
          node {
            id status reason cancelReason checkedInAt finishedAt localDate
            nurse { id displayName } doctor { id displayName }
            diagnoses @include(if: $medical) { code description }
            notes @include(if: $medical)
            prescriptions @include(if: $medical) { drug dose route frequency durationDays }
          }
        }
      }
    }
  }
`;

const VISIT_FIELDS = `${QUEUE_FIELDS} version waitingSince
  template { ${TEMPLATE_VERSION} }
  checkedInBy { id displayName }
  timeline { from to at by { id displayName } }
  vitals @include(if: $medical) { temperatureC heartRate systolic diastolic respiratoryRate spo2 weightKg heightCm recordedAt }
  intakeAnswers @include(if: $medical)
  notes @include(if: $medical)
  diagnoses @include(if: $medical) { code description }
  prescriptions @include(if: $medical) { drug dose route frequency durationDays }
  templateAnswers @include(if: $medical)`;

export const CURRENT_VISIT = gql`
  query CurrentVisit($id: ID!, $medical: Boolean!) {
    currentVisit(id: $id) { ${VISIT_FIELDS} }
  }
`;

export const ACTIVE_TEMPLATES = gql`
  query ActiveTemplates {
    templates(activeOnly: true) { id name kind version active }
  }
`;

export const CHECK_IN = gql`
  mutation CheckIn($patientId: ID!, $reason: String!, $templateId: ID) {
    checkIn(patientId: $patientId, reason: $reason, templateId: $templateId) { id state patient { id currentVisit { id state } } }
  }
`;

/** One mutation per visit operation: each answers the visit as the workspace reads it. */
function visitMutation(name: string, args: string, params: string) {
  return gql`
    mutation ${name[0]!.toUpperCase()}${name.slice(1)}($visitId: ID!, $expectedVersion: Int, $medical: Boolean!${params}) {
      ${name}(visitId: $visitId, expectedVersion: $expectedVersion${args}) { ${VISIT_FIELDS} }
    }
  `;
}

export const START_TRIAGE = visitMutation('startTriage', '', '');
export const RECORD_VITALS = visitMutation('recordVitals', ', vitals: $vitals', ', $vitals: VitalsInput!');
export const RECORD_INTAKE = visitMutation('recordIntake', ', answers: $answers', ', $answers: JSON!');
export const SEND_TO_DOCTOR = visitMutation('sendToDoctor', '', '');
export const START_CONSULTATION = visitMutation('startConsultation', '', '');
export const RECORD_CONSULTATION = visitMutation('recordConsultation', ', input: $input', ', $input: ConsultationInput!');
export const COMPLETE_CONSULTATION = visitMutation('completeConsultation', '', '');

export const FINISH_VISIT = gql`
  mutation FinishVisit($visitId: ID!, $expectedVersion: Int) {
    finishVisit(visitId: $visitId, expectedVersion: $expectedVersion)
  }
`;

export const CANCEL_VISIT = gql`
  mutation CancelVisit($visitId: ID!, $reason: String, $expectedVersion: Int) {
    cancelVisit(visitId: $visitId, reason: $reason, expectedVersion: $expectedVersion)
  }
`;

// ---- reports ----

export const VISIT_REPORT = gql`
  query VisitReport($from: Date!, $to: Date!, $medical: Boolean!) {
    visitReport(from: $from, to: $to) {
      from to cancellations
      perDay { date finished cancelled }
      perDoctor { doctor { id displayName } finished }
      averageMinutesInState { state minutes }
      topDiagnoses(limit: 10) @include(if: $medical) { code description count }
    }
  }
`;

// ---- clinic administration ----

export const STAFF = gql`
  query Staff($search: String, $after: String) {
    users(search: $search, first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id email displayName firstName lastName status memberships { clinic { id } roles } } }
    }
  }
`;

export const CREATE_USER = gql`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) { invitation { ${INVITATION_FIELDS} } }
  }
`;

export const INVITATIONS = gql`
  query Invitations($includeClosed: Boolean) {
    invitations(includeClosed: $includeClosed, first: 100) { ${INVITATION_FIELDS} }
  }
`;

export const CLINIC_SIGN_IN_POLICY = gql`
  query ClinicSignInPolicy($id: ID!) {
    clinic(id: $id) { id mfaRequired }
  }
`;

export const SET_CLINIC_MFA_REQUIRED = gql`
  mutation SetClinicMfaRequired($required: Boolean!) {
    setClinicMfaRequired(required: $required) { id mfaRequired }
  }
`;

export const SET_MEMBERSHIP = gql`
  mutation SetMembership($userId: ID!, $roles: [Role!]!) {
    setMembership(userId: $userId, roles: $roles) { id status memberships { clinic { id } roles } }
  }
`;

export const DEACTIVATE_USER = gql`
  mutation DeactivateUser($id: ID!) {
    deactivateUser(id: $id) { id status }
  }
`;

export const RESET_SECOND_FACTORS = gql`
  mutation ResetSecondFactors($id: ID!) {
    resetSecondFactors(id: $id) { id }
  }
`;

export const REACTIVATE_USER = gql`
  mutation ReactivateUser($id: ID!) {
    reactivateUser(id: $id) { id status }
  }
`;

const TEMPLATE_FIELDS = 'id name kind version active updatedAt fields { key label type required options unit min max help }';

export const TEMPLATES = gql`
  query Templates {
    templates { ${TEMPLATE_FIELDS} }
  }
`;

export const CREATE_TEMPLATE = gql`
  mutation CreateTemplate($input: TemplateInput!) {
    createTemplate(input: $input) { ${TEMPLATE_FIELDS} }
  }
`;

export const UPDATE_TEMPLATE = gql`
  mutation UpdateTemplate($id: ID!, $input: TemplateInput!) {
    updateTemplate(id: $id, input: $input) { ${TEMPLATE_FIELDS} }
  }
`;

export const SET_TEMPLATE_ACTIVE = gql`
  mutation SetTemplateActive($id: ID!, $active: Boolean!) {
    setTemplateActive(id: $id, active: $active) { id active }
  }
`;

export const AUDIT_LOG = gql`
  query AuditLog($from: DateTime, $to: DateTime, $after: String) {
    auditLog(from: $from, to: $to, first: 25, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id action actorId actorKind fields api service occurredAt details
          actor { id displayName }
          patient { id givenName familyName mrn }
          targetUser { id displayName }
        }
      }
    }
  }
`;
