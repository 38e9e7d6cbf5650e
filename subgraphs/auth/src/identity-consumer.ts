import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { createEventBus, type EventBus, type Subscription } from '@clinicult/events';
import { parseIdentityEnvelope } from '@clinicult/kit';
import { applyIdentityEvent, type IdentityDeps } from './domain/identity.js';

export const AUTH_IDENTITY_GROUP = 'auth';

/** Compares Redis stream ids (`<ms>-<seq>`). */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

/** `XINFO GROUPS` answers flat [key, value, …] lists per group. */
function groupInfo(reply: unknown, group: string): { lastDelivered: string; pending: number } | null {
  if (!Array.isArray(reply)) return null;
  for (const entry of reply) {
    if (!Array.isArray(entry)) continue;
    const fields: Record<string, unknown> = {};
    for (let i = 0; i + 1 < entry.length; i += 2) fields[String(entry[i])] = entry[i + 1];
    if (fields.name === group) return { lastDelivered: String(fields['last-delivered-id']), pending: Number(fields.pending) };
  }
  return null;
}

/**
 * auth's reader of the identity stream (DESIGN.md; producers: users and admin). Until it has
 * applied every change published before it started, auth is not ready: /readyz fails, its session
 * check refuses to answer (services then refuse: fail closed) and it signs nobody in, so a restart
 * can never answer from a database that has not heard of a revoked role yet.
 */
export class IdentityConsumer {
  private subscription: Subscription | null = null;
  private ownBus: EventBus | null = null;
  private caughtUpFlag = false;
  private timer: NodeJS.Timeout | null = null;
  private tip: string | null = null;

  constructor(
    private readonly deps: IdentityDeps & { redis: Redis; stream: string; pollMs?: number },
  ) {}

  get caughtUp(): boolean {
    return this.caughtUpFlag;
  }

  /** Resolves true once caught up, false after `timeoutMs` (auth then stays not ready until it is). */
  async waitUntilCaughtUp(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.caughtUpFlag && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.caughtUpFlag;
  }

  start(): void {
    const { redis, stream, logger } = this.deps;
    this.ownBus = createEventBus({ redis, service: 'auth', logger });
    this.subscription = this.ownBus.subscribe({
      stream,
      group: AUTH_IDENTITY_GROUP,
      // stable across restarts, so auth resumes its own pending entries at once
      consumer: `auth-${hostname()}`,
      claimIdleMs: 5_000,
      handler: async (envelope) => {
        const event = parseIdentityEnvelope(envelope);
        if (!event) return;
        const outcome = await applyIdentityEvent(this.deps, event);
        logger.debug({ type: event.type, outcome, eventId: envelope.id }, 'identity change');
      },
    });
    const poll = () => {
      void this.checkCaughtUp().then((done) => {
        if (done) {
          this.caughtUpFlag = true;
          logger.info({ stream }, 'identity stream consumed: auth is ready');
        } else {
          this.timer = setTimeout(poll, this.deps.pollMs ?? 100);
          this.timer.unref();
        }
      });
    };
    void this.subscription.ready.then(poll);
  }

  /** True once the group has been delivered the stream's tip (as of auth's start) and nothing is pending. */
  private async checkCaughtUp(): Promise<boolean> {
    const { redis, stream } = this.deps;
    try {
      if (this.tip === null) {
        const newest = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
        this.tip = newest[0]?.[0] ?? '0-0';
      }
      if (this.tip === '0-0') return true;
      const info = groupInfo(await redis.xinfo('GROUPS', stream), AUTH_IDENTITY_GROUP);
      return info !== null && compareStreamIds(info.lastDelivered, this.tip) >= 0 && info.pending === 0;
    } catch (error) {
      this.deps.logger.debug({ err: error }, 'identity stream: cannot tell whether auth has caught up (Redis unavailable)');
      return false;
    }
  }

  /** Throws (for /readyz) while auth has not caught up. */
  readiness = async (): Promise<void> => {
    if (!this.caughtUpFlag) throw new Error('auth has not yet applied every identity change published before it started');
  };

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.ownBus?.close();
  }
}

