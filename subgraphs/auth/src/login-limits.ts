import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthConfig } from './config.js';

/**
 * Brute-force protection without a lock an outsider can hold (docs/security.md). Failed logins are
 * counted in Redis (an in-memory limiter insures each count while Redis is down):
 *
 * - per (account, address): LOGIN_MAX_FAILURES_PER_ACCOUNT failures lock that address out of that
 *   account for LOGIN_LOCKOUT_SECONDS: a guesser locks only themselves out;
 * - per address: LOGIN_MAX_FAILURES_PER_IP failures across accounts lock the address out (spraying);
 * - per account, from any address: past LOGIN_MAX_FAILURES_PER_ACCOUNT failures, each further try
 *   must wait 1 s, 2 s, 4 s … up to LOGIN_MAX_DELAY_SECONDS after the last failure: rotating addresses
 *   guesses slowly, and the owner waits seconds, never a quarter of an hour.
 *
 * Only failures count; a success clears the account's counts.
 */
export class LoginLimits {
  private readonly perPair: RateLimiterRedis;
  private readonly perIp: RateLimiterRedis;
  private readonly perAccount: RateLimiterRedis;
  /** the current delay of an account: a key blocked for that long after its last failure */
  private readonly accountDelay: RateLimiterRedis;
  private readonly freeFailures: number;
  private readonly maxDelaySeconds: number;

  constructor(redis: Redis, config: AuthConfig) {
    const prefix = `${config.RATE_LIMIT_KEY_PREFIX}login:fail`;
    const limiter = (name: string, points: number, blockDuration = 0) =>
      new RateLimiterRedis({
        storeClient: redis,
        rejectIfRedisNotReady: true,
        keyPrefix: `${prefix}:${name}`,
        points,
        duration: config.LOGIN_LOCKOUT_SECONDS,
        blockDuration,
        insuranceLimiter: new RateLimiterMemory({ points, duration: config.LOGIN_LOCKOUT_SECONDS, blockDuration }),
      });
    this.freeFailures = config.LOGIN_MAX_FAILURES_PER_ACCOUNT;
    this.maxDelaySeconds = config.LOGIN_MAX_DELAY_SECONDS;
    this.perPair = limiter('pair', config.LOGIN_MAX_FAILURES_PER_ACCOUNT, config.LOGIN_LOCKOUT_SECONDS);
    this.perIp = limiter('ip', config.LOGIN_MAX_FAILURES_PER_IP, config.LOGIN_LOCKOUT_SECONDS);
    // counts only (no lock): its points are never exhausted in practice
    this.perAccount = limiter('account', 1_000_000);
    this.accountDelay = limiter('delay', 1);
  }

  /** Refuses before the password is even checked while the pair or the address is locked, or the account's delay runs. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const account = email.toLowerCase();
    const [pair, address, delay] = await Promise.all([
      this.perPair.get(`${account}|${ip}`).catch(() => null),
      this.perIp.get(ip).catch(() => null),
      this.accountDelay.get(account).catch(() => null),
    ]);
    if (pair && pair.consumedPoints >= this.perPair.points) throw lockedOut('this account from this network address', pair);
    if (address && address.consumedPoints >= this.perIp.points) throw lockedOut('this network address', address);
    if (delay && delay.consumedPoints > 0 && delay.msBeforeNext > 0) throw slowedDown(delay);
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const account = email.toLowerCase();
    const [, , counted] = await Promise.all([
      this.perPair.consume(`${account}|${ip}`).catch(() => undefined),
      this.perIp.consume(ip).catch(() => undefined),
      this.perAccount.consume(account).catch(() => undefined),
    ]);
    const failures = counted?.consumedPoints ?? 0;
    if (failures >= this.freeFailures) {
      const seconds = Math.min(this.maxDelaySeconds, 2 ** (failures - this.freeFailures));
      await this.accountDelay.block(account, seconds).catch(() => undefined);
    }
  }

  async recordSuccess(email: string): Promise<void> {
    const account = email.toLowerCase();
    await Promise.all([this.perAccount.delete(account).catch(() => undefined), this.accountDelay.delete(account).catch(() => undefined)]);
  }
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

function lockedOut(what: string, res: RateLimiterRes): GraphQLError {
  const retryAfterSeconds = retryAfter(res);
  return new GraphQLError(
    `Too many failed sign-in attempts for ${what}. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
    { extensions: { code: 'TOO_MANY_REQUESTS', retryAfterSeconds } },
  );
}

function slowedDown(res: RateLimiterRes): GraphQLError {
  const retryAfterSeconds = retryAfter(res);
  return new GraphQLError(
    `Several sign-in attempts for this account failed recently. Try again in ${retryAfterSeconds} second(s).`,
    { extensions: { code: 'TOO_MANY_REQUESTS', retryAfterSeconds } },
  );
}

/**
 * Password-reset requests: at most PASSWORD_RESET_MAX_PER_EMAIL per address and
 * PASSWORD_RESET_MAX_PER_IP per network address an hour. Every request counts, whether or not the
 * address has an account, so the limit itself tells nobody which addresses exist.
 */
export class ResetLimits {
  private readonly perEmail: RateLimiterRedis;
  private readonly perIp: RateLimiterRedis;

  constructor(redis: Redis, config: AuthConfig) {
    const common = { storeClient: redis, rejectIfRedisNotReady: true, duration: 3600 };
    this.perEmail = new RateLimiterRedis({
      ...common,
      keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}reset:email`,
      points: config.PASSWORD_RESET_MAX_PER_EMAIL,
      insuranceLimiter: new RateLimiterMemory({ points: config.PASSWORD_RESET_MAX_PER_EMAIL, duration: 3600 }),
    });
    this.perIp = new RateLimiterRedis({
      ...common,
      keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}reset:ip`,
      points: config.PASSWORD_RESET_MAX_PER_IP,
      insuranceLimiter: new RateLimiterMemory({ points: config.PASSWORD_RESET_MAX_PER_IP, duration: 3600 }),
    });
  }

  async consume(email: string, ip: string): Promise<void> {
    for (const [limiter, key] of [
      [this.perIp, ip],
      [this.perEmail, email.toLowerCase()],
    ] as const) {
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new GraphQLError(
          `Too many password-reset requests. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
          { extensions: { code: 'TOO_MANY_REQUESTS', retryAfterSeconds } },
        );
      }
    }
  }
}
