import { subgraphCodegen } from '../../schema/codegen.mjs';

// what each type's resolvers receive as their parent (paths relative to src/__generated__/)
export default await subgraphCodegen('auth', {
  contextType: '../resolvers.js#AuthContext',
  mappers: {
    Clinic: '{ id: string }',
    Display: '../domain/clients.js#ClientView',
    ApiClient: '../domain/smart-clients.js#ApiClientView',
    // its key and the fields `status` @requires from users
    Invitation: '../resolvers.js#InvitationRef',
  },
  // this service's calls to other subgraphs (typed documents for the kit's callGraphQL)
  calls: {
    users: 'src/adapters/users.graphql',
  },
});
