import { clientCodegen } from '../../schema/codegen.mjs';

// the console's operations, and the fragments it shares with clinic-web (AuthPayloadFields, FollowedInvitationFields)
export default clientCodegen({
  documents: ['src/operations/*.graphql', '../../packages/web-ui/src/identity/fragments.graphql'],
});
