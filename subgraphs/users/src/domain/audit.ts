import type { AuditTrail, BaseContext, Logger } from '@clinicult/kit';
import type { ClinicRole } from '@clinicult/rbac';

/**
 * Role, membership and status changes are audit events (DESIGN.md, audit), published through the
 * kit's audit trail (event bus + users' outbox, see service.ts) to the audit service, and also
 * written as a log line. This function is the one place the domain layer records them.
 */
export type AuditAction =
  | 'user.created'
  | 'user.updated'
  | 'user.deactivated'
  | 'user.reactivated'
  | 'user.second_factors_reset'
  | 'membership.added'
  | 'membership.changed'
  | 'membership.removed'
  | 'invitation.created'
  | 'invitation.resent'
  | 'invitation.revoked'
  | 'invitation.accepted'
  | 'invitation.declined';

export interface AuditActor {
  kind: 'staff' | 'service' | 'operator';
  /** the staff user, or `service:<name>` */
  id: string;
}

export interface AuditEvent {
  action: AuditAction;
  actor: AuditActor;
  clinicId: string;
  targetUserId: string;
  requestId: string;
  /** roles before and after, for membership changes */
  before?: readonly ClinicRole[] | null;
  after?: readonly ClinicRole[] | null;
  /** fields changed, for profile updates */
  fields?: string[];
  /** small facts (the invitation id and roles; never whether the address had an account) */
  details?: Record<string, unknown>;
}

/**
 * The domain functions receive the request's logger (one per request, made by the kit), so the
 * request's audit trail travels with it: service.ts binds them when it builds the context.
 */
const bound = new WeakMap<Logger, { trail: AuditTrail; ctx: BaseContext }>();

export function bindAuditTrail(ctx: BaseContext, trail: AuditTrail): void {
  bound.set(ctx.logger, { trail, ctx });
}

/**
 * Records one event. Called after the change has committed; the publish runs in the background
 * (the kit's `record` never throws, falls back to the outbox when Redis is down, and the service
 * drains it on shutdown). Who and which clinic come from the request's caller, as the actor here.
 */
export function recordAudit(logger: Logger, event: AuditEvent): void {
  logger.info({ audit: { ...event, api: 'graphql', at: new Date().toISOString() } }, `audit: ${event.action}`);
  const binding = bound.get(logger);
  if (!binding) {
    logger.warn({ audit: { action: event.action } }, 'no audit trail bound to this request: the event is only logged');
    return;
  }
  const roles = event.before !== undefined || event.after !== undefined;
  void binding.trail.record(binding.ctx, {
    action: event.action,
    targetUserId: event.targetUserId,
    // a service (admin provisioning) may name the clinic in an argument rather than its call's header
    clinicId: event.clinicId,
    ...(event.fields ? { fields: event.fields } : {}),
    ...(roles || event.details
      ? { details: { ...event.details, ...(roles ? { before: event.before ?? null, after: event.after ?? null } : {}) } }
      : {}),
  });
}
