import { subgraphCodegen } from '../../schema/codegen.mjs';

// what each type's resolvers receive as their parent (paths relative to src/__generated__/)
export default await subgraphCodegen('admin', {
  contextType: '../resolvers.js#AdminContext',
  mappers: {
    Clinic: '../generated/prisma/client.js#Clinic as ClinicRow',
    ClinicInfo: '../generated/prisma/client.js#Clinic as ClinicRow',
  },
  // this service's calls to other subgraphs (typed documents for the kit's callGraphQL)
  calls: {
    users: 'src/adapters/users.graphql',
    patients: 'src/adapters/patients.graphql',
    visits: 'src/adapters/visits.graphql',
  },
});
