import type { EventBus } from '@clinicult/events';
import type { Logger } from '@clinicult/kit';
import type { AuthCallContext, AuthClient } from '../auth-client.js';
import type { ClinicDirectory } from '../clinics.js';
import type { UsersDb, UsersTx } from '../db.js';
import type { Actor } from './users.js';

/**
 * How users keeps auth in step (DESIGN.md: users is the only service that changes roles in auth).
 * Roles, memberships and account status are identity events written in the transaction that
 * changes them (identity-events.ts): no call to auth at all. Invitations still ask auth to create
 * the login and send the mail, in one database transaction that first locks the user's row,
 * writes here, then calls auth, and commits only when auth has answered:
 *  - auth fails or cannot be reached → the transaction rolls back: nothing changed anywhere that
 *    matters (SERVICE_UNAVAILABLE, try again);
 *  - two ADMINs change the same user at once → the second waits on the row lock, so auth and this
 *    database apply the changes in the same order and end up agreeing;
 *  - the commit fails after auth answered (rare) → auth is put back (`undo`), and every auth call
 *    is idempotent, so repeating the change converges anyway.
 * A new user's profile row is written (and committed) before all that, on its own: without a
 * membership it is invisible to every clinic, and a retry finds it by email and reuses its id, so
 * auth's login (keyed by user id, unique by email) is never created twice.
 */
export interface UsersDeps {
  db: UsersDb;
  /** users' bus (its outbox is users' own event_outbox) and the identity stream it writes to */
  bus: EventBus;
  identityStream: string;
  /** how long a change waits for auth to have applied it (config IDENTITY_APPLY_WAIT_MS) */
  identityApplyWaitMs: number;
  auth: AuthClient;
  clinics: ClinicDirectory;
  logger: Logger;
  invitationTtlHours: number;
}

const TX_OPTIONS = { maxWait: 5_000, timeout: 30_000 } as const;

/** Locks the user's row for the rest of the transaction; false when there is no such user. */
export async function lockUser(tx: UsersTx, userId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM \`User\` WHERE id = ${userId} FOR UPDATE`;
  return rows.length > 0;
}

/** `write` in a transaction that locks what it reads (identity changes: the user's row). */
export function inTransaction<T>(deps: Pick<UsersDeps, 'db'>, write: (tx: UsersTx) => Promise<T>): Promise<T> {
  return deps.db.$transaction(write, TX_OPTIONS);
}

/** `write` inside a transaction, then `sync` (auth), then commit; `undo` puts auth back when the commit fails after `sync`. */
export async function writeThenSync<T>(
  deps: UsersDeps,
  write: (tx: UsersTx) => Promise<T>,
  sync: (result: T) => Promise<void>,
  undo?: (result: T) => Promise<void>,
): Promise<T> {
  const state: { synced?: T } = {};
  try {
    return await deps.db.$transaction(async (tx) => {
      const result = await write(tx);
      await sync(result);
      state.synced = result;
      return result;
    }, TX_OPTIONS);
  } catch (error) {
    if ('synced' in state && undo) {
      deps.logger.error({ err: error }, 'commit failed after auth was updated; putting auth back');
      await undo(state.synced as T).catch((undoError: unknown) =>
        deps.logger.error({ err: undoError }, 'could not put auth back: auth and users disagree until the change is repeated'),
      );
    }
    throw error;
  }
}

export function authContext(actor: Pick<Actor, 'clinicId' | 'requestId'>): AuthCallContext {
  return { clinicId: actor.clinicId, requestId: actor.requestId };
}
