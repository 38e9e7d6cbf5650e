import { IDENTITY_EVENTS, identityEvent, type IdentityEventType, type IdentityPayloads } from '@clinicult/contracts';
import type { ClinicRole } from '@clinicult/rbac';
import type { EventEnvelope } from '@clinicult/events';
import type { UsersTx } from '../db.js';
import type { UsersDeps } from './auth-sync.js';

/**
 * An identity change (a membership's roles, an account's status) leaves users as an event written
 * in the transaction that makes it (DESIGN.md; the schema is @clinicult/contracts'): durable while
 * auth or Redis is down, ordered per user by the user's row lock, idempotent for every consumer.
 */
export function recordIdentityChange<T extends IdentityEventType>(
  deps: Pick<UsersDeps, 'bus' | 'identityStream'>,
  tx: UsersTx,
  type: T,
  payload: IdentityPayloads[T],
): Promise<EventEnvelope> {
  return deps.bus.enqueue(tx, deps.identityStream, identityEvent(type, payload));
}

/** The membership's new roles (none: it ended) as an identity event; a change of existing roles ends the clinic's sessions. */
export function membershipEvent(
  deps: Pick<UsersDeps, 'bus' | 'identityStream'>,
  tx: UsersTx,
  change: { userId: string; clinicId: string; roles: readonly ClinicRole[]; at: Date; invitationId?: string; isNew?: boolean },
): Promise<EventEnvelope> {
  return recordIdentityChange(
    deps,
    tx,
    IDENTITY_EVENTS.membershipChanged,
    {
      userId: change.userId,
      clinicId: change.clinicId,
      roles: [...change.roles],
      endsSessions: !change.isNew,
      invitationId: change.invitationId ?? null,
      at: change.at.toISOString(),
    },
  );
}

/**
 * After the commit: deliver at once and wait (bounded) until auth has applied the change, so the
 * person's next sign-in or clinic switch already sees it. A timeout is not a failure: the change is
 * committed, every service's facts consumer revokes what it must, and auth catches up.
 */
export async function awaitAuth(deps: Pick<UsersDeps, 'bus' | 'logger' | 'identityApplyWaitMs'>, envelope: EventEnvelope | null): Promise<void> {
  if (!envelope) return;
  if (!(await deps.bus.waitUntilHandled('auth', envelope.id, deps.identityApplyWaitMs))) {
    deps.logger.warn({ eventId: envelope.id, type: envelope.type }, 'auth has not applied the change yet; it will from the identity stream');
  }
}
