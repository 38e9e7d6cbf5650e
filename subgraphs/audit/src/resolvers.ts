import { DateTimeScalar, JSONScalar, requireStaff, type BaseContext } from '@clinicult/kit';
import type { AuditDb } from './db.js';
import { auditLog } from './domain/log.js';
import type { AuditActorKind, AuditApi, Resolvers } from './__generated__/resolvers.js';

export interface AuditContext extends BaseContext {
  db: AuditDb;
}

const reference = <T extends 'User' | 'Patient'>(typename: T, id: string | null) => (id ? { __typename: typename, id } : null);

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query: {
    // the shield has let through only staff with audit:read; their token's clinic scopes the query
    auditLog: (_, args, ctx) => auditLog(ctx.db, requireStaff(ctx.caller).clinicId, args),
  },
  AuditEvent: {
    actor: (e) => reference('User', e.actorKind === 'service' || e.actorKind === 'client' ? null : e.actorId),
    // stored lower case by the consumer, from the event schema's own enums
    actorKind: (e) => e.actorKind.toUpperCase() as AuditActorKind,
    patient: (e) => reference('Patient', e.patientId),
    targetUser: (e) => reference('User', e.targetUserId),
    fields: (e) => (Array.isArray(e.fields) ? (e.fields as string[]) : null),
    api: (e) => e.api.toUpperCase() as AuditApi,
  },
};
