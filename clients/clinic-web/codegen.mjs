import { clientCodegen } from '../../schema/codegen.mjs';

// the app's operations, and the fragments it shares with admin-web (AuthPayloadFields, FollowedInvitationFields)
export default clientCodegen({
  documents: ['src/operations/*.graphql', '../../packages/web-ui/src/identity/fragments.graphql'],
});
