import { gql } from '@apollo/client';
import { INVITATION_FIELDS, type FollowedInvitation } from '@clinicult/web-identity';

// The operations the console sends, and the shapes it reads (schema/admin.graphql, auth.graphql).

export type ClinicStatus = 'ACTIVE' | 'SUSPENDED';
export type TemplateKind = 'INTAKE' | 'NOTE';
export type TemplateFieldType = 'TEXT' | 'NUMBER' | 'CHOICE' | 'MULTI_CHOICE' | 'DATE' | 'BOOLEAN';

export interface ClinicOverview {
  staffCount: number;
  patientCount: number;
  currentVisits: number;
  visitsThisMonth: number;
  lastActivityAt: string | null;
  unavailable: string[];
}

export interface Clinic {
  id: string;
  name: string;
  status: ClinicStatus;
  cluster: string;
  timeZone: string;
  suspendedReason: string | null;
  suspendedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface TemplateField {
  key: string;
  label: string;
  type: TemplateFieldType;
  required: boolean;
  options: string[] | null;
  unit: string | null;
  min: number | null;
  max: number | null;
  help: string | null;
}

export interface GlobalTemplate {
  id: string;
  name: string;
  kind: TemplateKind;
  version: number;
  retired: boolean;
  publishedAt: string;
  createdAt: string;
  fields: TemplateField[];
}

export interface TemplateFieldInput {
  key: string;
  label: string;
  type: TemplateFieldType;
  required?: boolean;
  options?: string[];
  unit?: string;
  min?: number;
  max?: number;
  help?: string;
}

export interface TemplateInput {
  name: string;
  kind: TemplateKind;
  fields: TemplateFieldInput[];
}

export const LOGIN = gql`
  mutation OperatorLogin($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
      expiresAt
      clinicId
      roles
      permissions
      user {
        id
      }
    }
  }
`;
export interface LoginData {
  login: { token: string; expiresAt: string; clinicId: string | null; roles: string[]; permissions: string[]; user: { id: string } };
}

export const LOGOUT = gql`
  mutation OperatorLogout {
    logout
  }
`;

export const ME = gql`
  query OperatorMe {
    me {
      id
      displayName
      email
    }
  }
`;
export interface MeData {
  me: { id: string; displayName: string; email: string } | null;
}

const CLINIC_FIELDS = gql`
  fragment ClinicFields on Clinic {
    id
    name
    status
    cluster
    timeZone
    suspendedReason
    suspendedAt
    createdAt
    updatedAt
  }
`;

const OVERVIEW_FIELDS = gql`
  fragment OverviewFields on ClinicOverview {
    staffCount
    patientCount
    currentVisits
    visitsThisMonth
    lastActivityAt
    unavailable
  }
`;

export const CLINICS = gql`
  ${CLINIC_FIELDS}
  query Clinics($search: String, $first: Int, $after: String) {
    clinics(search: $search, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...ClinicFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      totalCount
    }
  }
`;
export interface ClinicsData {
  clinics: Connection<Clinic>;
}

/** Overview figures for a page of clinics: a separate query so a slow or failing count never hides the list. */
export const CLINICS_OVERVIEW = gql`
  ${OVERVIEW_FIELDS}
  query ClinicsOverview($search: String, $first: Int, $after: String) {
    clinics(search: $search, first: $first, after: $after) {
      edges {
        node {
          id
          overview {
            ...OverviewFields
          }
        }
      }
    }
  }
`;
export interface ClinicsOverviewData {
  clinics: { edges: { node: { id: string; overview: ClinicOverview | null } }[] };
}

export const CLINIC = gql`
  ${CLINIC_FIELDS}
  query Clinic($id: ID!) {
    clinic(id: $id) {
      ...ClinicFields
    }
  }
`;
export interface ClinicData {
  clinic: Clinic | null;
}

export const CLINIC_OVERVIEW = gql`
  ${OVERVIEW_FIELDS}
  query ClinicOverview($id: ID!) {
    clinic(id: $id) {
      id
      overview {
        ...OverviewFields
      }
    }
  }
`;
export interface ClinicOverviewData {
  clinic: { id: string; overview: ClinicOverview | null } | null;
}

export const CREATE_CLINIC = gql`
  ${CLINIC_FIELDS}
  mutation CreateClinic($input: CreateClinicInput!) {
    createClinic(input: $input) {
      ...ClinicFields
    }
  }
`;
export interface CreateClinicData {
  createClinic: Clinic;
}

export const UPDATE_CLINIC = gql`
  ${CLINIC_FIELDS}
  mutation UpdateClinic($id: ID!, $input: UpdateClinicInput!) {
    updateClinic(id: $id, input: $input) {
      ...ClinicFields
    }
  }
`;

export const SUSPEND_CLINIC = gql`
  ${CLINIC_FIELDS}
  mutation SuspendClinic($id: ID!, $reason: String) {
    suspendClinic(id: $id, reason: $reason) {
      ...ClinicFields
    }
  }
`;

export const REACTIVATE_CLINIC = gql`
  ${CLINIC_FIELDS}
  mutation ReactivateClinic($id: ID!) {
    reactivateClinic(id: $id) {
      ...ClinicFields
    }
  }
`;

/** A first-ADMIN invitation as the operator follows it: its status and delivery, never a link. */
export type AdminInvitation = FollowedInvitation;

export const PROVISION_ADMIN = gql`
  mutation ProvisionClinicAdmin($clinicId: ID!, $input: ProvisionAdminInput!) {
    provisionClinicAdmin(clinicId: $clinicId, input: $input) { ${INVITATION_FIELDS} }
  }
`;
export interface ProvisionAdminData {
  provisionClinicAdmin: AdminInvitation;
}

export const ADMIN_INVITATIONS = gql`
  query AdminInvitations($clinicId: ID!) {
    invitations(clinicId: $clinicId, includeClosed: true, first: 20) { ${INVITATION_FIELDS} }
  }
`;

const TEMPLATE_FIELDS = gql`
  fragment GlobalTemplateFields on GlobalTemplate {
    id
    name
    kind
    version
    retired
    publishedAt
    createdAt
    fields {
      key
      label
      type
      required
      options
      unit
      min
      max
      help
    }
  }
`;

export const GLOBAL_TEMPLATES = gql`
  ${TEMPLATE_FIELDS}
  query GlobalTemplates($includeRetired: Boolean, $first: Int, $after: String) {
    globalTemplates(includeRetired: $includeRetired, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...GlobalTemplateFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      totalCount
    }
  }
`;
export interface GlobalTemplatesData {
  globalTemplates: Connection<GlobalTemplate>;
}

export const GLOBAL_TEMPLATE = gql`
  ${TEMPLATE_FIELDS}
  query GlobalTemplate($id: ID!) {
    globalTemplate(id: $id) {
      ...GlobalTemplateFields
    }
  }
`;
export interface GlobalTemplateData {
  globalTemplate: GlobalTemplate | null;
}

export const CREATE_GLOBAL_TEMPLATE = gql`
  ${TEMPLATE_FIELDS}
  mutation CreateGlobalTemplate($input: TemplateInput!) {
    createGlobalTemplate(input: $input) {
      ...GlobalTemplateFields
    }
  }
`;

export const UPDATE_GLOBAL_TEMPLATE = gql`
  ${TEMPLATE_FIELDS}
  mutation UpdateGlobalTemplate($id: ID!, $input: TemplateInput!) {
    updateGlobalTemplate(id: $id, input: $input) {
      ...GlobalTemplateFields
    }
  }
`;

export const RETIRE_GLOBAL_TEMPLATE = gql`
  ${TEMPLATE_FIELDS}
  mutation RetireGlobalTemplate($id: ID!) {
    retireGlobalTemplate(id: $id) {
      ...GlobalTemplateFields
    }
  }
`;
