import type { Redis } from 'ioredis';
import { FACTS_HASH, factKeys, type Logger } from '@clinicult/kit';
import type { AuthDb } from './db.js';

type Pipeline = ReturnType<Redis['pipeline']>;

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * auth is the source of the revocation facts; this keeps the `rev:facts` hash in Redis in step
 * with the database so every service can check a session with one HMGET (kit session-facts.ts).
 * A write that fails drops the `ready` field when it can and the warm loop rewrites everything,
 * so Redis never answers "fine" for a session the database has ended.
 */
export class FactsWriter {
  private stale = true;
  private timer: NodeJS.Timeout | null = null;
  private lastPrune = 0;

  constructor(
    private readonly db: AuthDb,
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    void this.warmIfNeeded();
    this.timer = setInterval(() => void this.warmIfNeeded(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async warmIfNeeded(): Promise<void> {
    try {
      if (this.stale || !(await this.redis.hexists(FACTS_HASH, factKeys.ready))) await this.warm();
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) await this.pruneExpiredRevocations();
    } catch (error) {
      this.stale = true;
      this.logger.debug({ err: error }, 'revocation facts: Redis unavailable, services ask auth directly');
    }
  }

  /** Writes every fact, then `ready`. */
  async warm(): Promise<void> {
    const now = new Date();
    const [credentials, revoked, clinics, cutOffs] = await Promise.all([
      this.db.credential.findMany({ select: { userId: true, tokensValidAfter: true, status: true } }),
      this.db.revokedToken.findMany({ where: { expiresAt: { gt: now } }, select: { jti: true, expiresAt: true } }),
      this.db.clinicStatus.findMany({
        where: { OR: [{ status: 'SUSPENDED' }, { mfaRequired: true }] },
        select: { clinicId: true, status: true, mfaRequired: true },
      }),
      this.db.membership.findMany({ where: { tokensValidAfter: { not: null } }, select: { userId: true, clinicId: true, tokensValidAfter: true } }),
    ]);
    const suspended = clinics.filter((c) => c.status === 'SUSPENDED');
    const pipeline = this.redis.pipeline();
    for (const c of credentials) {
      pipeline.hset(FACTS_HASH, factKeys.tokensValidAfter(c.userId), String(c.tokensValidAfter.getTime()));
      if (c.status === 'DEACTIVATED') pipeline.hset(FACTS_HASH, factKeys.deactivated(c.userId), '1');
      else pipeline.hdel(FACTS_HASH, factKeys.deactivated(c.userId));
    }
    for (const r of revoked) pipeline.hset(FACTS_HASH, factKeys.revokedJti(r.jti), String(r.expiresAt.getTime()));
    for (const s of suspended) pipeline.hset(FACTS_HASH, factKeys.clinicStatus(s.clinicId), 'SUSPENDED');
    for (const c of clinics.filter((x) => x.mfaRequired)) pipeline.hset(FACTS_HASH, factKeys.clinicRequiresMfa(c.clinicId), '1');
    for (const m of cutOffs) {
      pipeline.hset(FACTS_HASH, factKeys.clinicTokensValidAfter(m.userId, m.clinicId), String(m.tokensValidAfter!.getTime()));
    }
    await run(pipeline);
    await this.redis.hset(FACTS_HASH, factKeys.ready, now.toISOString());
    this.stale = false;
    this.logger.info(
      { credentials: credentials.length, revoked: revoked.length, suspendedClinics: suspended.length, clinicCutOffs: cutOffs.length },
      'revocation facts written to Redis',
    );
  }

  /** Revocations of tokens that have expired anyway are no longer needed. */
  async pruneExpiredRevocations(): Promise<number> {
    this.lastPrune = Date.now();
    let cursor = '0';
    let pruned = 0;
    do {
      const [next, flat] = await this.redis.hscan(FACTS_HASH, cursor, 'MATCH', 'jti:*', 'COUNT', 500);
      cursor = next;
      const expired: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        if (Number(flat[i + 1]) < this.lastPrune) expired.push(flat[i]!);
      }
      if (expired.length) pruned += await this.redis.hdel(FACTS_HASH, ...expired);
    } while (cursor !== '0');
    await this.db.revokedToken.deleteMany({ where: { expiresAt: { lt: new Date(this.lastPrune) } } });
    return pruned;
  }

  tokensValidAfter(userId: string, at: Date) {
    return this.write((p) => p.hset(FACTS_HASH, factKeys.tokensValidAfter(userId), String(at.getTime())));
  }

  /** The user's tokens for this clinic issued before `at` are refused (roles changed, membership removed). */
  clinicTokensValidAfter(userId: string, clinicId: string, at: Date) {
    return this.write((p) => p.hset(FACTS_HASH, factKeys.clinicTokensValidAfter(userId, clinicId), String(at.getTime())));
  }

  clinicRequiresMfa(clinicId: string, required: boolean) {
    return this.write((p) =>
      required ? p.hset(FACTS_HASH, factKeys.clinicRequiresMfa(clinicId), '1') : p.hdel(FACTS_HASH, factKeys.clinicRequiresMfa(clinicId)),
    );
  }

  revoked(jti: string, expiresAt: Date) {
    return this.write((p) => p.hset(FACTS_HASH, factKeys.revokedJti(jti), String(expiresAt.getTime())));
  }

  deactivated(userId: string, deactivated: boolean) {
    return this.write((p) =>
      deactivated ? p.hset(FACTS_HASH, factKeys.deactivated(userId), '1') : p.hdel(FACTS_HASH, factKeys.deactivated(userId)),
    );
  }

  clinicSuspended(clinicId: string, suspended: boolean) {
    return this.write((p) =>
      suspended
        ? p.hset(FACTS_HASH, factKeys.clinicStatus(clinicId), 'SUSPENDED')
        : p.hdel(FACTS_HASH, factKeys.clinicStatus(clinicId)),
    );
  }

  private async write(build: (pipeline: Pipeline) => unknown): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      build(pipeline);
      await run(pipeline);
    } catch (error) {
      this.stale = true;
      this.logger.warn({ err: error }, 'revocation fact not written to Redis; dropping `ready` until re-warmed');
      await this.redis.hdel(FACTS_HASH, factKeys.ready).catch(() => {});
    }
  }
}

async function run(pipeline: Pipeline): Promise<void> {
  const results = await pipeline.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
}
