import type { Redis } from 'ioredis';
import { factKeys, type Logger } from '@clinicult/kit';
import type { AuthDb } from './db.js';

/**
 * auth is the source of the revocation facts; this keeps Redis in step with the database so every
 * service can check a session with one MGET. A write that fails marks the facts stale (`rev:ready`
 * dropped when possible) and the warm loop rewrites everything, so Redis never answers "fine" for
 * a session the database has ended.
 */
export class FactsWriter {
  private stale = true;
  private timer: NodeJS.Timeout | null = null;

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
      if (!this.stale && (await this.redis.exists(factKeys.ready))) return;
      await this.warm();
    } catch (error) {
      this.stale = true;
      this.logger.debug({ err: error }, 'revocation facts: Redis unavailable, services ask auth directly');
    }
  }

  /** Writes every fact, then `rev:ready`. */
  async warm(): Promise<void> {
    const now = new Date();
    const [credentials, revoked, suspended] = await Promise.all([
      this.db.credential.findMany({ select: { userId: true, tokensValidAfter: true, status: true } }),
      this.db.revokedToken.findMany({ where: { expiresAt: { gt: now } }, select: { jti: true, expiresAt: true } }),
      this.db.clinicStatus.findMany({ where: { status: 'SUSPENDED' }, select: { clinicId: true } }),
    ]);
    const pipeline = this.redis.pipeline();
    for (const c of credentials) {
      pipeline.set(factKeys.tokensValidAfter(c.userId), String(c.tokensValidAfter.getTime()));
      if (c.status === 'DEACTIVATED') pipeline.set(factKeys.deactivated(c.userId), '1');
      else pipeline.del(factKeys.deactivated(c.userId));
    }
    for (const r of revoked) {
      pipeline.set(factKeys.revokedJti(r.jti), '1', 'PXAT', r.expiresAt.getTime());
    }
    for (const s of suspended) pipeline.set(factKeys.clinicStatus(s.clinicId), 'SUSPENDED');
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
    await this.redis.set(factKeys.ready, now.toISOString());
    this.stale = false;
    this.logger.info(
      { credentials: credentials.length, revoked: revoked.length, suspendedClinics: suspended.length },
      'revocation facts written to Redis',
    );
  }

  tokensValidAfter(userId: string, at: Date) {
    return this.write((p) => p.set(factKeys.tokensValidAfter(userId), String(at.getTime())));
  }

  revoked(jti: string, expiresAt: Date) {
    return this.write((p) => p.set(factKeys.revokedJti(jti), '1', 'PXAT', expiresAt.getTime()));
  }

  deactivated(userId: string, deactivated: boolean) {
    return this.write((p) => (deactivated ? p.set(factKeys.deactivated(userId), '1') : p.del(factKeys.deactivated(userId))));
  }

  clinicSuspended(clinicId: string, suspended: boolean) {
    return this.write((p) =>
      suspended ? p.set(factKeys.clinicStatus(clinicId), 'SUSPENDED') : p.del(factKeys.clinicStatus(clinicId)),
    );
  }

  private async write(build: (pipeline: ReturnType<Redis['pipeline']>) => unknown): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      build(pipeline);
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
    } catch (error) {
      this.stale = true;
      this.logger.warn({ err: error }, 'revocation fact not written to Redis; dropping rev:ready until re-warmed');
      await this.redis.del(factKeys.ready).catch(() => {});
    }
  }
}
