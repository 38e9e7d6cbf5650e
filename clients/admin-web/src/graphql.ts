// The operations the console sends are written in ./operations/*.graphql (the fields it shares with
// clinic-web in @clinicult/web-ui's identity/fragments.graphql); graphql-codegen (`npm run generate`,
// schema/codegen.mjs) checks them against schema/api.graphql and writes their types and typed
// documents to ./__generated__/graphql.ts: `useQuery(ClinicDocument)` knows its data and variables.
// Below, only names for the generated shapes the screens pass around; never a second copy.

export * from './__generated__/graphql';
/** A first-ADMIN invitation as the operator follows it: its status and delivery, never a link. */
export type { FollowedInvitation as AdminInvitation } from '@clinicult/web-ui';
export type {
  ClinicFieldsFragment as Clinic,
  OverviewFieldsFragment as ClinicOverview,
  GlobalTemplateFieldsFragment as GlobalTemplate,
} from './__generated__/graphql';
