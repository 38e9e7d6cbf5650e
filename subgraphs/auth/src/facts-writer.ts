import type { Redis } from 'ioredis';
import { cutOff, FACTS_HASH, factKeys, mergeFacts, stateFact, type FactUpdate, type Logger } from '@clinicult/kit';
import { clientSubject } from '@clinicult/rbac';
import type { AuthDb } from './db.js';

type Pipeline = ReturnType<Redis['pipeline']>;

const PRUNE_EVERY_MS = 10 * 60_000;
const EPOCH = new Date(0);

/**
 * auth is the source of the revocation facts; this keeps the `rev:facts` hash in step with the
 * database in every Redis whose services check sessions with it (kit session-facts.ts): the
 * platform's own and, with regions, each cluster's (CLUSTER_REDIS_URLS). Each Redis is a
 * projection of its own with its own warm loop, so a cluster whose Redis is down holds back only
 * itself: its facts are rewritten whole when it returns (the database is the outbox of a state,
 * and rewriting a state twice changes nothing), and meanwhile its heartbeat ages out, so its
 * services ask auth instead of trusting what they hold (docs/architecture.md, regions).
 */
export class FactsWriter {
  private readonly projections: FactsProjection[];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: AuthDb,
    targets: ReadonlyArray<{ name: string; redis: Redis }>,
    logger: Logger,
  ) {
    this.projections = targets.map((t) => new FactsProjection(db, t.redis, logger.child({ facts: t.name })));
  }

  start(intervalMs: number): void {
    void this.warmIfNeeded();
    this.timer = setInterval(() => void this.warmIfNeeded(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Each Redis on its own: one that is down or slow delays none of the others. */
  async warmIfNeeded(): Promise<void> {
    await Promise.all(this.projections.map((p) => p.warmIfNeeded()));
  }

  async warm(): Promise<void> {
    await Promise.all(this.projections.map((p) => p.warm()));
  }

  /** Revocations of tokens that have expired anyway are no longer needed, in Redis nor in the database. */
  async pruneExpiredRevocations(): Promise<number> {
    const now = Date.now();
    const pruned = await Promise.all(this.projections.map((p) => p.pruneExpiredRevocations(now).catch(() => 0)));
    await this.db.revokedToken.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
    return pruned.reduce((a, b) => a + b, 0);
  }

  tokensValidAfter(userId: string, at: Date) {
    return this.each((p) => p.merge([cutOff(factKeys.tokensValidAfter(userId), at)]));
  }

  /** The user's tokens for this clinic issued before `at` are refused (roles changed, membership removed). */
  clinicTokensValidAfter(userId: string, clinicId: string, at: Date) {
    return this.each((p) => p.merge([cutOff(factKeys.clinicTokensValidAfter(userId, clinicId), at)]));
  }

  clinicRequiresMfa(clinicId: string, required: boolean) {
    return this.each((p) =>
      p.write((pipeline) =>
        required ? pipeline.hset(FACTS_HASH, factKeys.clinicRequiresMfa(clinicId), '1') : pipeline.hdel(FACTS_HASH, factKeys.clinicRequiresMfa(clinicId)),
      ),
    );
  }

  revoked(jti: string, expiresAt: Date) {
    return this.each((p) => p.write((pipeline) => pipeline.hset(FACTS_HASH, factKeys.revokedJti(jti), String(expiresAt.getTime()))));
  }

  /** A deactivation or reactivation that took effect at `at` (in users). */
  deactivated(userId: string, deactivated: boolean, at: Date) {
    return this.each((p) => p.merge([stateFact(factKeys.deactivated(userId), deactivated ? 'DEACTIVATED' : 'ACTIVE', at)]));
  }

  /** A suspension or reactivation that took effect at `at` (in admin). */
  clinicSuspended(clinicId: string, suspended: boolean, at: Date) {
    return this.each((p) => p.merge([stateFact(factKeys.clinicStatus(clinicId), suspended ? 'SUSPENDED' : 'ACTIVE', at)]));
  }

  private async each(write: (projection: FactsProjection) => Promise<void>): Promise<void> {
    await Promise.all(this.projections.map(write));
  }
}

/** `ready` is rewritten only while it is there: a heartbeat racing a failed write can never bring back a `ready` that write dropped. */
const HEARTBEAT_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`;

/**
 * The facts in one Redis. A write that fails drops the `ready` field when it can and the warm loop
 * rewrites everything, so Redis never answers "fine" for a session the database has ended. Cut-offs
 * and states are merges (kit mergeFacts): what the kit's identity consumer wrote from a newer event
 * than auth has applied survives every rewrite, so a restart of auth can never revive a revoked
 * session. `ready` is also the heartbeat: rewritten every round while the facts are whole.
 */
class FactsProjection {
  private stale = true;
  private lastPrune = 0;

  constructor(
    private readonly db: AuthDb,
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  async warmIfNeeded(): Promise<void> {
    try {
      if (this.stale) await this.warm();
      else if (Number(await this.redis.eval(HEARTBEAT_SCRIPT, 1, FACTS_HASH, factKeys.ready, new Date().toISOString())) === 0) await this.warm();
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) await this.pruneExpiredRevocations(Date.now());
    } catch (error) {
      this.stale = true;
      this.logger.debug({ err: error }, 'revocation facts: Redis unavailable, services ask auth directly');
    }
  }

  /** Writes every fact, then `ready`. */
  async warm(): Promise<void> {
    const now = new Date();
    const [credentials, revoked, clinics, cutOffs, revokedClients] = await Promise.all([
      this.db.credential.findMany({ select: { userId: true, tokensValidAfter: true, status: true, accessChangedAt: true } }),
      this.db.revokedToken.findMany({ where: { expiresAt: { gt: now } }, select: { jti: true, expiresAt: true } }),
      this.db.clinicStatus.findMany({
        where: { OR: [{ status: 'SUSPENDED' }, { mfaRequired: true }, { accessChangedAt: { not: null } }] },
        select: { clinicId: true, status: true, mfaRequired: true, accessChangedAt: true },
      }),
      this.db.membership.findMany({ where: { tokensValidAfter: { not: null } }, select: { userId: true, clinicId: true, tokensValidAfter: true } }),
      this.db.apiClient.findMany({ where: { revokedAt: { not: null } }, select: { id: true, revokedAt: true } }),
    ]);
    const updates: FactUpdate[] = [];
    for (const c of credentials) {
      updates.push(cutOff(factKeys.tokensValidAfter(c.userId), c.tokensValidAfter));
      if (c.status === 'DEACTIVATED' || c.accessChangedAt) {
        updates.push(stateFact(factKeys.deactivated(c.userId), c.status === 'DEACTIVATED' ? 'DEACTIVATED' : 'ACTIVE', c.accessChangedAt ?? EPOCH));
      }
    }
    for (const c of clinics) {
      if (c.status === 'SUSPENDED' || c.accessChangedAt) updates.push(stateFact(factKeys.clinicStatus(c.clinicId), c.status, c.accessChangedAt ?? EPOCH));
    }
    for (const m of cutOffs) updates.push(cutOff(factKeys.clinicTokensValidAfter(m.userId, m.clinicId), m.tokensValidAfter!));
    // a revoked client (a display) is a deactivated subject `client:<id>`
    for (const c of revokedClients) updates.push(stateFact(factKeys.deactivated(clientSubject(c.id)), 'DEACTIVATED', c.revokedAt!));
    await mergeFacts(this.redis, updates);
    const pipeline = this.redis.pipeline();
    for (const r of revoked) pipeline.hset(FACTS_HASH, factKeys.revokedJti(r.jti), String(r.expiresAt.getTime()));
    for (const c of clinics.filter((x) => x.mfaRequired)) pipeline.hset(FACTS_HASH, factKeys.clinicRequiresMfa(c.clinicId), '1');
    await run(pipeline);
    await this.redis.hset(FACTS_HASH, factKeys.ready, new Date().toISOString());
    this.stale = false;
    this.logger.info(
      {
        credentials: credentials.length,
        revoked: revoked.length,
        suspendedClinics: clinics.filter((c) => c.status === 'SUSPENDED').length,
        clinicCutOffs: cutOffs.length,
      },
      'revocation facts written to Redis',
    );
  }

  async pruneExpiredRevocations(now: number): Promise<number> {
    this.lastPrune = now;
    let cursor = '0';
    let pruned = 0;
    do {
      const [next, flat] = await this.redis.hscan(FACTS_HASH, cursor, 'MATCH', 'jti:*', 'COUNT', 500);
      cursor = next;
      const expired: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        if (Number(flat[i + 1]) < now) expired.push(flat[i]!);
      }
      if (expired.length) pruned += await this.redis.hdel(FACTS_HASH, ...expired);
    } while (cursor !== '0');
    return pruned;
  }

  async merge(updates: FactUpdate[]): Promise<void> {
    try {
      await mergeFacts(this.redis, updates);
    } catch (error) {
      await this.writeFailed(error);
    }
  }

  async write(build: (pipeline: Pipeline) => unknown): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      build(pipeline);
      await run(pipeline);
    } catch (error) {
      await this.writeFailed(error);
    }
  }

  private async writeFailed(error: unknown): Promise<void> {
    this.stale = true;
    this.logger.warn({ err: error }, 'revocation fact not written to Redis; dropping `ready` until re-warmed');
    await this.redis.hdel(FACTS_HASH, factKeys.ready).catch(() => {});
  }
}

async function run(pipeline: Pipeline): Promise<void> {
  const results = await pipeline.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
}
