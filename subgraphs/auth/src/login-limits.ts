import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthConfig } from './config.js';

/**
 * Brute-force protection: failed logins are counted per account and per IP in Redis (an in-memory
 * limiter insures it while Redis is down). Only failures count, so successful logins are never
 * limited; a success clears the account's count.
 */
export class LoginLimits {
  private readonly perAccount: RateLimiterRedis;
  private readonly perIp: RateLimiterRedis;

  constructor(redis: Redis, config: AuthConfig) {
    const common = { storeClient: redis, rejectIfRedisNotReady: true, duration: config.LOGIN_LOCKOUT_SECONDS };
    this.perAccount = new RateLimiterRedis({
      ...common,
      keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}login:fail:account`,
      points: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      blockDuration: config.LOGIN_LOCKOUT_SECONDS,
      insuranceLimiter: new RateLimiterMemory({
        points: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        duration: config.LOGIN_LOCKOUT_SECONDS,
      }),
    });
    this.perIp = new RateLimiterRedis({
      ...common,
      keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}login:fail:ip`,
      points: config.LOGIN_MAX_FAILURES_PER_IP,
      blockDuration: config.LOGIN_LOCKOUT_SECONDS,
      insuranceLimiter: new RateLimiterMemory({ points: config.LOGIN_MAX_FAILURES_PER_IP, duration: config.LOGIN_LOCKOUT_SECONDS }),
    });
  }

  /** Refuses before the password is even checked when the account or the IP is locked out. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const [account, address] = await Promise.all([
      this.perAccount.get(email.toLowerCase()).catch(() => null),
      this.perIp.get(ip).catch(() => null),
    ]);
    for (const [res, limiter, what] of [
      [account, this.perAccount, 'this account'],
      [address, this.perIp, 'this network address'],
    ] as const) {
      if (res && res.consumedPoints >= limiter.points) throw lockedOut(what, res);
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.perAccount.consume(email.toLowerCase()).catch(() => undefined),
      this.perIp.consume(ip).catch(() => undefined),
    ]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.perAccount.delete(email.toLowerCase()).catch(() => undefined);
  }
}

function lockedOut(what: string, res: RateLimiterRes): GraphQLError {
  const retryAfterSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new GraphQLError(
    `Too many failed sign-in attempts for ${what}. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
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
