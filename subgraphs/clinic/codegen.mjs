import { subgraphCodegen } from '../../schema/codegen.mjs';

// what each type's resolvers receive as their parent (paths relative to src/__generated__/)
export default await subgraphCodegen('clinic', {
  contextType: '../resolvers.js#ClinicContext',
  mappers: {
    Template: '../db.js#TemplateRow',
    ClinicSettings: '../domain/settings.js#SettingsView',
    CatalogTemplate: '../domain/catalog.js#CatalogView',
    TemplateVersion: '../domain/templates.js#VersionView',
    Clinic: '{ id: string }',
    User: '../domain/staff-directory.js#StaffEntry',
  },
  // this service's calls to other subgraphs (typed documents for the kit's ServiceCaller)
  calls: {
    users: 'src/adapters/users.graphql',
  },
});
