import type { MeQuery, VisitFieldsFragment } from './__generated__/graphql';

// The operations the app sends are written in ./operations/*.graphql (the fields it shares with
// admin-web in @clinicult/web-ui's identity/fragments.graphql); graphql-codegen (`npm run generate`,
// schema/codegen.mjs) checks them against schema/api.graphql and writes their types and typed
// documents to ./__generated__/graphql.ts: `useQuery(MeDocument)` knows its data and variables.
// Below, only names for the generated shapes the screens pass around; never a second copy.

export * from './__generated__/graphql';
export type { AuthPayload, FollowedInvitation as StaffInvitation } from '@clinicult/web-ui';
export type {
  OwnInvitationFieldsFragment as OwnInvitation,
  PatientSummaryFieldsFragment as PatientSummary,
  QueueVisitFieldsFragment as QueueVisit,
  TemplateFieldFieldsFragment as TemplateField,
  TemplateFieldsFragment as Template,
  TemplateVersionFieldsFragment as TemplateVersion,
} from './__generated__/graphql';

/** The signed-in person: their clinics and the invitations they may answer. */
export type Me = NonNullable<MeQuery['me']>;
export type Membership = Me['memberships'][number];

/** The visit as the workspace reads it (the clinical parts only with `medical`). */
export type CurrentVisit = VisitFieldsFragment;
export type Vitals = NonNullable<CurrentVisit['vitals']>;
export type Diagnosis = NonNullable<CurrentVisit['diagnoses']>[number];
export type Prescription = NonNullable<CurrentVisit['prescriptions']>[number];
