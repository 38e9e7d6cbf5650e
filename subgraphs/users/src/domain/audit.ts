import type { Logger } from '@clinicult/kit';
import type { ClinicRole } from '@clinicult/rbac';

/**
 * Role, membership and status changes are audit events (DESIGN.md, audit). Until the audit bus
 * reaches users they are structured log lines; this function is the one place to swap.
 */
export type AuditAction =
  | 'user.created'
  | 'user.updated'
  | 'user.deactivated'
  | 'user.reactivated'
  | 'membership.added'
  | 'membership.changed'
  | 'membership.removed'
  | 'invitation.created';

export interface AuditActor {
  kind: 'staff' | 'service';
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
}

export function recordAudit(logger: Logger, event: AuditEvent): void {
  logger.info({ audit: { ...event, api: 'graphql', at: new Date().toISOString() } }, `audit: ${event.action}`);
}
