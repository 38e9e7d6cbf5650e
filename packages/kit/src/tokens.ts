import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { CLINIC_ROLES, clientSubject, OPERATOR_ROLE, type Caller, type Role } from '@clinicult/rbac';
import { AuthError } from './errors.js';

/** Claims of a Clinicult token (DESIGN.md, tokens). `iat_ms` makes tokensValidAfter exact to the ms. */
export interface ClinicultClaims extends JWTPayload {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  cid?: string;
  /** the cluster (region) that serves `cid`'s clinic (docs/architecture.md, regions) */
  cl?: string;
  roles?: string[];
  permissions?: string[];
  svc?: string;
  /** a clinic's registered client (a waiting-room display): its id; `sub` is `client:<id>` */
  clt?: string;
  /** a FHIR API client's SMART scopes, space-separated (OAuth's `scope`) */
  scope?: string;
  iat_ms?: number;
  /** how the person signed in (RFC 8176): `pwd`, plus `mfa` and the factor when one was given */
  amr?: string[];
}

export interface TrustedIssuer {
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
  /** Algorithms accepted from this issuer; pinned so `none` and HS256-with-the-public-key fail. */
  algorithms: string[];
  /** Only auth's own issuer mints service tokens (`svc`); an external IdP's never count as one. */
  issuesServiceTokens?: boolean;
}

export function remoteIssuer(
  issuer: string,
  audience: string,
  jwksUrl: string,
  algorithms = ['EdDSA'],
  options: { issuesServiceTokens?: boolean } = {},
): TrustedIssuer {
  // jose caches the key set and refetches on an unknown `kid` (rotation) with a cooldown.
  const keys = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  return { issuer, audience, keys, algorithms, issuesServiceTokens: options.issuesServiceTokens ?? false };
}

export interface VerifiedToken {
  claims: ClinicultClaims;
  caller: Exclude<Caller, { kind: 'anonymous' }>;
}

export interface TokenVerifierOptions {
  /** Verified tokens remembered at most (oldest forgotten first). Default 10 000 (≈10 MB). */
  rememberTokens?: number;
  /** The longest a verified token is remembered, whatever its expiry. Default 5 minutes. */
  rememberMs?: number;
}

/**
 * Verifies access tokens against the trusted issuers. A token that verified once is remembered
 * (by its exact text) until it expires, at most `rememberMs`: a signature check (Ed25519 through
 * WebCrypto, ≈0.3 ms of CPU) per service per request was a measured share of every request
 * (issue 14), and the same bytes verify the same way every time. What a token's signature cannot
 * say (a logout, a new password, a removed membership) is checked per request as before, by the
 * session facts; the bound lets a withdrawn signing key stop counting within minutes, as jose's
 * key set cache (10 minutes) does anyway.
 */
export class TokenVerifier {
  private readonly remembered = new Map<string, { claims: ClinicultClaims; until: number }>();
  private readonly rememberTokens: number;
  private readonly rememberMs: number;

  constructor(
    private readonly issuers: TrustedIssuer[],
    options: TokenVerifierOptions = {},
  ) {
    this.rememberTokens = options.rememberTokens ?? 10_000;
    this.rememberMs = options.rememberMs ?? 5 * 60_000;
  }

  async verify(token: string): Promise<VerifiedToken> {
    const known = this.remembered.get(token);
    if (known) {
      // past its expiry (or the bound) it is verified again, and jose says why it no longer counts
      if (Date.now() < known.until) return { claims: known.claims, caller: callerFromClaims(token, known.claims) };
      this.remembered.delete(token);
    }
    const verified = await this.verifyOnce(token);
    this.remember(token, verified.claims);
    return verified;
  }

  private remember(token: string, claims: ClinicultClaims): void {
    if (this.rememberTokens <= 0) return;
    while (this.remembered.size >= this.rememberTokens) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(token, { claims, until: Math.min(claims.exp * 1000, Date.now() + this.rememberMs) });
  }

  private async verifyOnce(token: string): Promise<VerifiedToken> {
    let unverifiedIssuer: string | undefined;
    try {
      unverifiedIssuer = decodeJwt(token).iss;
    } catch {
      throw new AuthError('TOKEN_INVALID');
    }
    // Several key sets may serve one issuer name (auth's own keys and, in tests, a test issuer):
    // the token is good when one of them verifies it.
    const candidates = this.issuers.filter((i) => i.issuer === unverifiedIssuer);
    if (candidates.length === 0) {
      throw new AuthError('TOKEN_INVALID', 'The access token comes from an issuer this platform does not trust.');
    }
    let payload: JWTPayload | undefined;
    let expired = false;
    for (const trusted of candidates) {
      try {
        ({ payload } = await jwtVerify(token, trusted.keys, {
          issuer: trusted.issuer,
          audience: trusted.audience,
          algorithms: trusted.algorithms,
          requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        }));
        break;
      } catch (error) {
        // jose checks the signature before the claims: "expired" means a genuine, old token
        expired ||= error instanceof joseErrors.JWTExpired;
      }
    }
    if (!payload) throw new AuthError(expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
    // shared by every request that presents this token: nobody may change it
    const claims = deepFreeze(payload as ClinicultClaims);
    // Service callers come only from auth's own issuer: another issuer's `svc` claim is a staff
    // token's claim like any other (DESIGN.md: services authenticate to auth alone).
    const serviceIssuer = candidates.some((c) => c.issuesServiceTokens);
    if (claims.svc !== undefined && !serviceIssuer) {
      throw new AuthError('TOKEN_INVALID', 'Service tokens are issued by the platform itself, not by an external identity provider.');
    }
    if (claims.clt !== undefined && !serviceIssuer) {
      throw new AuthError('TOKEN_INVALID', "A clinic's client tokens are issued by the platform itself, not by an external identity provider.");
    }
    return { claims, caller: callerFromClaims(token, claims) };
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const KNOWN_ROLES = new Set<string>([...CLINIC_ROLES, OPERATOR_ROLE]);

export function callerFromClaims(token: string, claims: ClinicultClaims): Exclude<Caller, { kind: 'anonymous' }> {
  const facts = {
    token,
    jti: claims.jti,
    issuedAt: new Date(claims.iat_ms ?? claims.iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
    mfa: Array.isArray(claims.amr) && claims.amr.includes('mfa'),
  };
  const permissions = Array.isArray(claims.permissions) ? claims.permissions.filter((p) => typeof p === 'string') : [];
  if (typeof claims.svc === 'string') {
    return { kind: 'service', service: claims.svc, permissions, clinicId: null, ...facts };
  }
  if (claims.clt !== undefined) {
    // a client acts for one clinic with exactly the permissions it was given, never a role's
    if (typeof claims.clt !== 'string' || !claims.cid || claims.sub !== clientSubject(claims.clt)) throw new AuthError('TOKEN_INVALID');
    return {
      kind: 'client',
      clientId: claims.clt,
      clinicId: claims.cid,
      cluster: typeof claims.cl === 'string' ? claims.cl : null,
      permissions,
      ...(typeof claims.scope === 'string' ? { scopes: claims.scope.split(' ').filter(Boolean) } : {}),
      ...facts,
    };
  }
  const roles = (Array.isArray(claims.roles) ? claims.roles : []).filter((r): r is Role => KNOWN_ROLES.has(r));
  if (claims.cid) {
    return {
      kind: 'staff',
      userId: claims.sub,
      clinicId: claims.cid,
      cluster: typeof claims.cl === 'string' ? claims.cl : null,
      roles: roles.filter((r) => r !== OPERATOR_ROLE),
      permissions,
      ...facts,
    };
  }
  if (roles.includes(OPERATOR_ROLE)) {
    return { kind: 'operator', userId: claims.sub, roles: [OPERATOR_ROLE], permissions, ...facts };
  }
  return { kind: 'unscoped', userId: claims.sub, roles: [], permissions: [], ...facts };
}
