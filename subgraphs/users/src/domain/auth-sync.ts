import type { EventBus } from '@clinicult/events';
import type { Logger } from '@clinicult/kit';
import type { AuthCallContext, AuthClient, ClinicDirectory } from './ports.js';
import type { UsersDb, UsersTx } from '../db.js';
import type { Actor } from './users.js';

/**
 * How users keeps auth in step (DESIGN.md: users is the only service that changes logins and roles
 * in auth). Every change auth must learn of — a membership's roles, an account's status, an
 * invitation sent, resent, withdrawn or declined (auth then creates the login of a person new to
 * Clinicult and writes the mail) — is an identity event written in the transaction that makes it
 * (identity-events.ts): no call to auth inside a transaction, nothing to undo. Changes of one user
 * are ordered by the lock on their row. A new user's profile row is written (and committed) on its
 * own first: without a membership it is invisible to every clinic, and a retry finds it by email
 * and reuses its id, so auth's login (keyed by user id, unique by email) is never created twice.
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

export function authContext(actor: Pick<Actor, 'clinicId' | 'requestId'>): AuthCallContext {
  return { clinicId: actor.clinicId, requestId: actor.requestId };
}
