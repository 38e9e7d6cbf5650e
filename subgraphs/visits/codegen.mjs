import { subgraphCodegen } from '../../schema/codegen.mjs';

// what each type's resolvers receive as their parent (paths relative to src/__generated__/)
export default await subgraphCodegen('visits', {
  contextType: '../resolvers.js#VisitsContext',
  mappers: {
    Patient: '{ id: string }',
    HistoricVisit: '../domain/history.js#HistoricVisitRow',
    HistoricVisitConnection: '../domain/history.js#VisitPage',
    VisitAddendum: '../domain/addenda.js#VisitAddendumRow',
    VisitReport: '../resolvers.js#ReportParent',
    // JSON columns of the archived snapshot
    TemplateVersion: '../domain/snapshot.js#ArchivedTemplate',
    HistoricTimelineEntry: '../domain/snapshot.js#ArchivedTimelineEntry',
    HistoricVitals: '../domain/snapshot.js#ArchivedVitals',
  },
});
