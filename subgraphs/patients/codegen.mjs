import { subgraphCodegen } from '../../schema/codegen.mjs';

// what each type's resolvers receive as their parent (paths relative to src/__generated__/)
export default await subgraphCodegen('patients', {
  contextType: '../resolvers.js#PatientsContext',
  mappers: {
    Patient: '../domain/patients.js#PatientRow',
    PatientVersion: '../domain/patient-versions.js#PatientVersionView',
    CurrentVisit: '../domain/visits.js#VisitRow',
    Vitals: '../domain/visits.js#StoredVitals',
    TimelineEntry: '../domain/visits.js#TimelineEntry as TimelineEntryRow',
    TemplateVersion: '../domain/visit-template.js#VisitTemplate',
  },
  // this service's calls to other subgraphs (typed documents for the kit's callGraphQL)
  calls: {
    clinic: 'src/adapters/clinic.graphql',
    admin: 'src/adapters/admin.graphql',
    visits: 'src/adapters/visits.graphql',
  },
});
