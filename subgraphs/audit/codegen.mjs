import { subgraphCodegen } from '../../schema/codegen.mjs';

// what each type's resolvers receive as their parent (paths relative to src/__generated__/)
export default await subgraphCodegen('audit', {
  contextType: '../resolvers.js#AuditContext',
  mappers: {
    AuditEvent: '../db.js#AuditEventRow',
  },
});
