import { DateTimeScalar, JSONScalar, requireStaff, type BaseContext, type SubgraphOptions } from '@clinicult/kit';
import type { AuditDb, AuditEventRow } from './db.js';
import { auditLog, type AuditLogArgs } from './domain/log.js';

export interface AuditContext extends BaseContext {
  db: AuditDb;
}

const reference = (typename: 'User' | 'Patient', id: string | null) => (id ? { __typename: typename, id } : null);

export const resolvers: SubgraphOptions<AuditContext>['resolvers'] = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query: {
    // the shield has let through only staff with audit:read; their token's clinic scopes the query
    auditLog: (_: unknown, args: AuditLogArgs, ctx: AuditContext) => auditLog(ctx.db, requireStaff(ctx.caller).clinicId, args),
  },
  AuditEvent: {
    actor: (e: AuditEventRow) => reference('User', e.actorKind === 'service' ? null : e.actorId),
    actorKind: (e: AuditEventRow) => e.actorKind.toUpperCase(),
    patient: (e: AuditEventRow) => reference('Patient', e.patientId),
    targetUser: (e: AuditEventRow) => reference('User', e.targetUserId),
    fields: (e: AuditEventRow) => (Array.isArray(e.fields) ? e.fields : null),
    api: (e: AuditEventRow) => e.api.toUpperCase(),
  },
};
