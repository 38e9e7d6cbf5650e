import { readFileSync } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { ConfigError, DEV_KEY_PREFIX, devPublicKeys, type Logger } from '@clinicult/kit';
import { SERVICE_CLIENTS } from '@clinicult/rbac';
import type { AuthConfig } from './config.js';

/** A client assertion may not live longer than this (RFC 7523 §3: exp required; short is the point). */
const MAX_ASSERTION_LIFETIME_SECONDS = 300;

export class ClientAssertionError extends Error {}

/**
 * The service clients auth issues tokens to, and their public keys (private_key_jwt, RFC 7523).
 * A client is a service named in SERVICE_CLIENTS; its keys come from SERVICE_JWKS(_FILE)
 * (`{"users": {"keys": [<public JWK>, …]}, …}`, several keys per service while one is rotated out),
 * or in development from the keys the services generated under .clinicult/keys.
 */
export class ServiceClients {
  private keys: Map<string, JWK[]>;
  /** jtis seen while Redis was down (expiry in ms), at most a few minutes' worth */
  private readonly seenLocally = new Map<string, number>();

  constructor(
    private readonly options: { config: AuthConfig; redis: Redis; logger: Logger; keyPrefix?: string },
  ) {
    this.keys = this.load();
  }

  private load(): Map<string, JWK[]> {
    const { config } = this.options;
    const text = config.SERVICE_JWKS ?? (config.SERVICE_JWKS_FILE ? readFileSync(config.SERVICE_JWKS_FILE, 'utf8') : undefined);
    if (!text) {
      if (config.NODE_ENV === 'production') {
        throw new ConfigError('SERVICE_JWKS or SERVICE_JWKS_FILE (the services\' public keys) is required in production: npm run keys:generate');
      }
      return devPublicKeys();
    }
    let parsed: Record<string, { keys?: JWK[] }>;
    try {
      parsed = JSON.parse(text) as Record<string, { keys?: JWK[] }>;
    } catch {
      throw new ConfigError('SERVICE_JWKS is not JSON: {"<service>": {"keys": [<public JWK>]}, …}');
    }
    const keys = new Map<string, JWK[]>();
    for (const [service, set] of Object.entries(parsed)) {
      if (!(service in SERVICE_CLIENTS)) throw new ConfigError(`SERVICE_JWKS names ${service}, which is not a service client`);
      for (const jwk of set.keys ?? []) {
        if (jwk.d) throw new ConfigError(`SERVICE_JWKS holds ${service}'s private key: auth needs only the public half`);
        if (config.NODE_ENV === 'production' && jwk.kid?.startsWith(DEV_KEY_PREFIX)) {
          throw new ConfigError(`SERVICE_JWKS: ${service}'s development key ${jwk.kid} is refused in production`);
        }
      }
      keys.set(service, set.keys ?? []);
    }
    return keys;
  }

  private keyFor(service: string, kid: string | undefined): KeyObject | null {
    let jwk = this.keys.get(service)?.find((k) => k.kid === kid);
    if (!jwk && this.options.config.NODE_ENV !== 'production' && !this.options.config.SERVICE_JWKS && !this.options.config.SERVICE_JWKS_FILE) {
      // development: a service that started after auth generated its key since
      this.keys = devPublicKeys();
      jwk = this.keys.get(service)?.find((k) => k.kid === kid);
    }
    return jwk ? createPublicKey({ key: jwk as never, format: 'jwk' }) : null;
  }

  /**
   * The service a client assertion proves, or a ClientAssertionError: signed by one of that
   * service's keys, iss = sub = the service, aud = auth's issuer, exp within 5 minutes, and a jti
   * never seen before (kept in Redis until the assertion expires, so a captured one cannot be replayed).
   */
  async authenticate(assertion: string, claimedClientId?: string): Promise<string> {
    let service: string;
    let kid: string | undefined;
    try {
      service = String(decodeJwt(assertion).iss ?? '');
      kid = decodeProtectedHeader(assertion).kid;
    } catch {
      throw new ClientAssertionError('the client assertion is not a JWT');
    }
    if (!(service in SERVICE_CLIENTS)) throw new ClientAssertionError(`unknown client ${service}`);
    if (claimedClientId && claimedClientId !== service) throw new ClientAssertionError('client_id and the assertion issuer differ');
    const key = this.keyFor(service, kid);
    if (!key) throw new ClientAssertionError(`no key ${kid} for ${service}`);
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, key, {
        algorithms: ['EdDSA'],
        issuer: service,
        subject: service,
        audience: this.options.config.JWT_ISSUER,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JOSEError ? error.code : 'invalid';
      throw new ClientAssertionError(`the client assertion does not verify (${reason})`);
    }
    const now = Math.floor(Date.now() / 1000);
    const ttl = payload.exp! - now;
    if (ttl > MAX_ASSERTION_LIFETIME_SECONDS) throw new ClientAssertionError('the client assertion lives too long');
    if (!(await this.firstUse(`${service}:${payload.jti}`, Math.max(ttl, 1)))) throw new ClientAssertionError('the client assertion was used before');
    return service;
  }

  /**
   * Whether this jti (a service's, or prefixed `smart:` a FHIR API client's) is new: remembered in
   * Redis (shared by every auth replica) until the assertion expires; while Redis is down, in this process (so services keep getting tokens through an outage,
   * and a replay is refused at least by the replica that saw the assertion).
   */
  async firstUse(id: string, ttlSeconds: number): Promise<boolean> {
    try {
      return (await this.options.redis.set(`${this.options.keyPrefix ?? ''}client-assertion:${id}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    } catch (error) {
      this.options.logger.warn({ err: error }, 'replay check without Redis: remembered in this process');
      const now = Date.now();
      for (const [seen, until] of this.seenLocally) if (until <= now) this.seenLocally.delete(seen);
      if (this.seenLocally.has(id)) return false;
      this.seenLocally.set(id, now + ttlSeconds * 1000);
      return true;
    }
  }
}
