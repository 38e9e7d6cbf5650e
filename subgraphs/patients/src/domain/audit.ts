import type { AuditRequestContext, AuditTrail } from '@clinicult/kit';
import type { VisitOperation } from './visit-state.js';

/**
 * Audit events of patients' writes (DESIGN.md, audit), published through the kit's audit trail
 * (patients' event bus + its own `event_outbox`, see service.ts) to `events:audit`, where the audit
 * service stores them. Reads of medical data are not recorded here: the medical field resolvers note
 * them on the request's collector (`ctx.audit.medicalRead`), which sends one `patient.read.medical`
 * event per patient before the response leaves.
 */
export type AuditAction =
  | 'patient.register'
  | 'patient.update'
  // one per operation of the visit's table
  | `visit.${VisitOperation}`;

export interface AuditEvent {
  action: AuditAction;
  patientId: string;
  /** the visit the event is about (stored as `details.visitId`) */
  visitId?: string;
  /** the fields written (names only, never values) */
  fields?: string[];
}

/**
 * What recordAudit needs from a request: who, which request, where to log, and the service's trail.
 * patients' context is one (the request's collector on it as `audit` gives the trail the API).
 */
export interface AuditContext extends AuditRequestContext {
  auditTrail: AuditTrail;
}

/**
 * Records one write, after it has committed. Never rejects and waits at most the trail's bound (it
 * falls back to the outbox while Redis is down); who and which clinic come from the request's caller.
 */
export function recordAudit(ctx: AuditContext, event: AuditEvent): Promise<void> {
  return ctx.auditTrail.record(ctx, {
    action: event.action,
    patientId: event.patientId,
    ...(event.fields ? { fields: event.fields } : {}),
    ...(event.visitId ? { details: { visitId: event.visitId } } : {}),
  });
}
