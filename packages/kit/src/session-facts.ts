import type { Redis } from 'ioredis';
import { subjectOf, type Caller } from '@clinicult/rbac';
import { AuthError, type AuthFailureReason } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Revocation facts in Redis (auth is the source and writes them; every service reads them):
 * tokens live two weeks, so each request also checks that its session is still good.
 *
 * All facts are fields of ONE hash, `rev:facts`, beside a `ready` field that auth writes after
 * loading them all. Every write is a merge (mergeFacts): a cut-off only moves later, a state
 * (`SUSPENDED@<ms>`) is replaced only by a newer one, so whoever writes a fact (auth from its
 * database, the kit's identity consumer from the event) can never revive a revoked session. Redis
 * may restart empty (or be flushed): the whole hash goes, `ready` with it, and the services ask auth
 * directly instead of trusting an empty Redis. A single lost fact can never leave a revoked session looking good. The hash has no
 * TTL on purpose: Redis runs volatile-lru (DESIGN.md), which evicts only keys with a TTL, so it is
 * never evicted (nor expires, which would send every service to auth at once); it stays bounded (a
 * field per user, clinic, cut-off and unexpired revocation, pruned by auth). Should it ever be
 * evicted (an allkeys-* policy), it still goes whole and fails closed.
 */
export const FACTS_HASH = 'rev:facts';

export const factKeys = {
  ready: 'ready',
  /** value: the token's expiry (ms), so auth can prune revocations of tokens that expired anyway */
  revokedJti: (jti: string) => `jti:${jti}`,
  tokensValidAfter: (userId: string) => `tva:${userId}`,
  /** `DEACTIVATED@<ms>` or `ACTIVE@<ms>` (versioned: the newer state wins) */
  deactivated: (userId: string) => `deact:${userId}`,
  /** `SUSPENDED@<ms>` or `ACTIVE@<ms>` (versioned: the newer state wins) */
  clinicStatus: (clinicId: string) => `clinic:${clinicId}`,
  /** ms timestamp: this user's tokens for this clinic issued earlier are refused (membership changed or removed) */
  clinicTokensValidAfter: (userId: string, clinicId: string) => `tvac:${userId}:${clinicId}`,
  /** `1`: the clinic's ADMIN requires a second factor of its staff */
  clinicRequiresMfa: (clinicId: string) => `mfa:${clinicId}`,
} as const;

/** A fact that is a state rather than a cut-off: the state and the instant it took effect. */
export function versioned(state: string, at: Date | number): string {
  return `${state}@${typeof at === 'number' ? at : at.getTime()}`;
}

/** The state of a versioned fact (`SUSPENDED@123` → `SUSPENDED`); null when absent. */
export function stateOf(value: string | null | undefined): string | null {
  if (value == null) return null;
  const at = value.lastIndexOf('@');
  return at === -1 ? value : value.slice(0, at);
}

/** One fact to merge: a cut-off (value = its ms) or a versioned state; `version` orders writes. */
export interface FactUpdate {
  field: string;
  value: string;
  version: number;
}

export const cutOff = (field: string, at: Date): FactUpdate => ({ field, value: String(at.getTime()), version: at.getTime() });
export const stateFact = (field: string, state: string, at: Date): FactUpdate => ({
  field,
  value: versioned(state, at),
  version: at.getTime(),
});

/**
 * Writes each fact unless the hash holds one at least as new (the version of a held value is the
 * number after its `@`, or the value itself for a cut-off). One script per batch: atomic in Redis.
 */
const MERGE_SCRIPT = `
local written = 0
for i = 1, #ARGV, 3 do
  local held = redis.call('HGET', KEYS[1], ARGV[i])
  local heldVersion = held and tonumber(string.match(held, '@(%d+)$') or held) or nil
  if not heldVersion or heldVersion < tonumber(ARGV[i + 2]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    written = written + 1
  end
end
return written`;

/** Merges facts into `rev:facts` in batches; resolves to the number written (newer than what was held). */
export async function mergeFacts(redis: Redis, updates: readonly FactUpdate[], batch = 300): Promise<number> {
  let written = 0;
  for (let i = 0; i < updates.length; i += batch) {
    const argv = updates.slice(i, i + batch).flatMap((u) => [u.field, u.value, String(u.version)]);
    written += Number(await redis.eval(MERGE_SCRIPT, 1, FACTS_HASH, ...argv));
  }
  return written;
}

export type SessionStatus = { ok: true } | { ok: false; reason: AuthFailureReason };

export interface SessionFacts {
  revoked: boolean;
  tokensValidAfterMs: number | null;
  /** the cut-off of the token's clinic for this user (staff tokens only) */
  clinicTokensValidAfterMs: number | null;
  deactivated: boolean;
  clinicSuspended: boolean;
  clinicRequiresMfa: boolean;
}

/** The same decision wherever the facts come from (Redis here, the database in auth). */
export function judgeSession(caller: Exclude<Caller, { kind: 'anonymous' }>, facts: SessionFacts): SessionStatus {
  if (facts.deactivated) return { ok: false, reason: caller.kind === 'client' ? 'CLIENT_REVOKED' : 'USER_DEACTIVATED' };
  if (facts.clinicSuspended) return { ok: false, reason: 'CLINIC_SUSPENDED' };
  if (facts.revoked) return { ok: false, reason: 'SESSION_REVOKED' };
  const issuedAt = caller.issuedAt.getTime();
  if (facts.tokensValidAfterMs !== null && issuedAt < facts.tokensValidAfterMs) return { ok: false, reason: 'SESSION_REVOKED' };
  if (caller.kind === 'staff' && facts.clinicTokensValidAfterMs !== null && issuedAt < facts.clinicTokensValidAfterMs) {
    return { ok: false, reason: 'SESSION_REVOKED' };
  }
  // a second factor is required of operators, and of a clinic's staff once its ADMIN turns it on
  // (a client signs in with its own credential, not a person's password: no second factor applies)
  if (caller.kind !== 'service' && !caller.mfa && (caller.kind === 'operator' || (caller.kind === 'staff' && facts.clinicRequiresMfa))) {
    return { ok: false, reason: 'SECOND_FACTOR_REQUIRED' };
  }
  return { ok: true };
}

export type SessionFallback = (caller: Exclude<Caller, { kind: 'anonymous' }>) => Promise<SessionStatus>;

export interface SessionGuardOptions {
  redis: Redis | null;
  /** Asked when Redis cannot answer; auth passes its own database lookup, others ask auth over HTTP. */
  fallback: SessionFallback;
  logger: Logger;
  /** The facts count only while auth's heartbeat (`ready`) is younger than this (config FACTS_MAX_AGE_MS); null: whatever its age. */
  maxFactsAgeMs?: number | null;
}

export class SessionGuard {
  constructor(private readonly options: SessionGuardOptions) {}

  /** Throws AuthError when the session is no longer good; fails closed when nobody can tell. */
  async check(caller: Exclude<Caller, { kind: 'anonymous' }>): Promise<void> {
    if (caller.kind === 'service') return; // short-lived client-credentials tokens, no session
    const fromRedis = await this.readFromRedis(caller);
    let status = fromRedis;
    if (!status) {
      try {
        status = await this.options.fallback(caller);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'session check: Redis and auth both unavailable; refusing');
        throw new AuthError('SESSION_UNVERIFIABLE');
      }
    }
    if (!status.ok) throw new AuthError(status.reason);
  }

  /** `ready` is auth's heartbeat: missing, or older than the bound, the hash may lack a fact auth could not write here. */
  private fresh(ready: string | null | undefined): boolean {
    if (!ready) return false;
    // an instant (ISO, as auth writes it, or ms); one ahead of this clock (skew) counts as fresh
    const at = /^\d+$/.test(ready) ? Number(ready) : Date.parse(ready);
    if (!Number.isFinite(at)) return false;
    const bound = this.options.maxFactsAgeMs;
    return bound == null || Date.now() - at <= bound;
  }

  private async readFromRedis(caller: Exclude<Caller, { kind: 'anonymous' | 'service' }>): Promise<SessionStatus | null> {
    const { redis } = this.options;
    if (!redis || redis.status !== 'ready') return null;
    try {
      const clinicId = caller.kind === 'staff' || caller.kind === 'client' ? caller.clinicId : null;
      // a client's facts are under its subject (`client:<id>`): revoking it is deactivating that subject
      const subject = subjectOf(caller);
      const keys = [
        factKeys.ready,
        factKeys.revokedJti(caller.jti),
        factKeys.tokensValidAfter(subject),
        factKeys.deactivated(subject),
        ...(clinicId
          ? [factKeys.clinicStatus(clinicId), factKeys.clinicTokensValidAfter(subject, clinicId), factKeys.clinicRequiresMfa(clinicId)]
          : []),
      ];
      const [ready, revoked, tva, deactivated, clinic, clinicTva, clinicMfa] = await redis.hmget(FACTS_HASH, ...keys);
      if (!this.fresh(ready)) return null;
      return judgeSession(caller, {
        revoked: revoked != null,
        tokensValidAfterMs: tva ? Number(tva) : null,
        clinicTokensValidAfterMs: clinicTva ? Number(clinicTva) : null,
        deactivated: deactivated != null && stateOf(deactivated) !== 'ACTIVE',
        clinicSuspended: stateOf(clinic) === 'SUSPENDED',
        clinicRequiresMfa: clinicMfa === '1',
      });
    } catch (error) {
      this.options.logger.debug({ err: error }, 'session check: Redis unavailable, asking auth');
      return null;
    }
  }
}

/** The fallback used by every service except auth: ask auth, which checks its database. */
export function askAuthFallback(authUrl: string, timeoutMs = 2000): SessionFallback {
  return async (caller) => {
    const response = await fetch(new URL('/internal/session-status', authUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.token}`, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`auth answered ${response.status}`);
    return (await response.json()) as SessionStatus;
  };
}
