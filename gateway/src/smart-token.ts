import express, { type RequestHandler, type Router } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '@clinicult/kit';
import { clientAddress } from './edge.js';

export interface SmartTokenOptions {
  /** auth's base URL (its subgraph's), where the token is made */
  authBase: string;
  /** this gateway's public address (PUBLIC_URL): the token endpoint is its /oauth/token */
  publicUrl(): string;
  timeoutMs: number;
  logger: Logger;
  /** counts the requests per client address (shared by the gateway's replicas) */
  redis: Redis;
  /** requests per client address per minute */
  perMinute: number;
  keyPrefix: string;
}

/** The token endpoint's public address: what the SMART configuration names and an assertion's `aud` must be. */
export function tokenEndpoint(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/oauth/token`;
}

/**
 * The SMART Backend Services token endpoint (`POST /oauth/token`, issue 18): a FHIR API client's
 * form (client_credentials with a client assertion) goes to auth, which checks the assertion
 * against the keys its ADMIN registered and makes the token. The gateway tells auth which address
 * the client was given (x-clinicult-token-endpoint), the `aud` the assertion must name; the answer
 * (RFC 6749 §5: JSON, `no-store`) comes back as auth gave it. At most TOKEN_REQUESTS_PER_MINUTE per
 * client address (429 with Retry-After beyond).
 */
export function smartTokenRoute(options: SmartTokenOptions): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  // before auth does any work: a flood from one address is refused here (an in-memory count
  // stands in while Redis is down)
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    rejectIfRedisNotReady: true,
    keyPrefix: `${options.keyPrefix}smart-token:ip`,
    points: options.perMinute,
    duration: 60,
    insuranceLimiter: new RateLimiterMemory({ points: options.perMinute, duration: 60 }),
  });
  const handler: RequestHandler = async (req, res) => {
    res.set('cache-control', 'no-store').set('pragma', 'no-cache');
    try {
      await limiter.consume(clientAddress(req));
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      res.status(429).set('retry-after', String(Math.ceil(refusal.msBeforeNext / 1000))).json({ error: 'invalid_request', error_description: 'too many token requests from this address; ask again later' });
      return;
    }
    if (!req.is('application/x-www-form-urlencoded')) {
      res.status(400).json({ error: 'invalid_request', error_description: 'send application/x-www-form-urlencoded (RFC 6749 §4.4)' });
      return;
    }
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'string') {
        res.status(400).json({ error: 'invalid_request', error_description: `${name} is given more than once` });
        return;
      }
      body.set(name, value);
    }
    try {
      const answer = await fetch(`${options.authBase}/oauth/smart/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-clinicult-token-endpoint': tokenEndpoint(options.publicUrl()),
          'x-request-id': String(res.locals.requestId ?? ''),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      res.status(answer.status).type('application/json').send(await answer.text());
    } catch (error) {
      options.logger.error({ err: error, reqId: res.locals.requestId }, 'SMART token request: auth did not answer');
      res.status(503).set('retry-after', '5').json({ error: 'temporarily_unavailable', error_description: 'ask again shortly' });
    }
  };
  router.post('/oauth/token', form, handler);
  router.all('/oauth/token', (_req, res) => {
    res.status(405).set('allow', 'POST').json({ error: 'invalid_request', error_description: 'POST the token request' });
  });
  return router;
}
