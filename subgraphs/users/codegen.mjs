import { subgraphCodegen } from '../../schema/codegen.mjs';

// what each type's resolvers receive as their parent (paths relative to src/__generated__/)
export default await subgraphCodegen('users', {
  contextType: '../resolvers.js#UsersContext',
  mappers: {
    User: '../domain/users.js#UserRow',
    Invitation: '../domain/invitations.js#InvitationRow',
  },
  // this service's calls to other subgraphs (typed documents for the kit's callGraphQL)
  calls: {
    auth: 'src/adapters/auth.graphql',
    admin: 'src/adapters/admin.graphql',
  },
});
