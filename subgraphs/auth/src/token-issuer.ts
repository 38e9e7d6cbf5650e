import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { SignJWT } from 'jose';
import { clientSubject, OPERATOR_ROLE, permissionsForRoles, servicePermissions, type Role } from '@clinicult/rbac';
import type { AuthConfig } from './config.js';
import type { KeyStore } from './keys.js';

export interface IssuedToken {
  token: string;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
  clinicId: string | null;
  roles: Role[];
  permissions: string[];
  /** how the person signed in (RFC 8176): `pwd`, and `mfa` with the factor; none for a service */
  amr: string[];
}

/** Mints the tokens of DESIGN.md: Ed25519 with `kid`, `roles`/`permissions` arrays, 14 days. */
export class TokenIssuer {
  private ready: () => boolean = () => true;

  constructor(
    private readonly keys: KeyStore,
    private readonly config: AuthConfig,
  ) {}

  /** People get no token until `ready` says so (auth catching up on identity changes after a start). */
  gateUserTokens(ready: () => boolean): void {
    this.ready = ready;
  }

  /**
   * A staff token for one clinic, an operator token, or (clinicId null, no roles) an unscoped one.
   * `amr` says how the person signed in (RFC 8176), so every service can tell a second factor was given.
   */
  userToken(userId: string, scope: { clinicId: string; roles: Role[]; cluster?: string | null } | { operator: true } | { unscoped: true }, amr: string[]) {
    if (!this.ready()) {
      throw new GraphQLError('Sign-in is starting up and will be back in a moment; try again.', {
        extensions: { code: 'SERVICE_UNAVAILABLE', service: 'auth' },
      });
    }
    if ('clinicId' in scope) {
      const permissions = permissionsForRoles(scope.roles);
      const cl = scope.cluster ? { cl: scope.cluster } : {};
      return this.sign({ sub: userId, cid: scope.clinicId, ...cl, roles: scope.roles, permissions, amr }, this.config.TOKEN_TTL_SECONDS, {
        clinicId: scope.clinicId,
        roles: scope.roles,
        permissions,
        amr,
      });
    }
    if ('operator' in scope) {
      const roles: Role[] = [OPERATOR_ROLE];
      const permissions = permissionsForRoles(roles);
      return this.sign({ sub: userId, roles, permissions, amr }, this.config.TOKEN_TTL_SECONDS, { clinicId: null, roles, permissions, amr });
    }
    return this.sign({ sub: userId, roles: [], permissions: [], amr }, this.config.TOKEN_TTL_SECONDS, {
      clinicId: null,
      roles: [],
      permissions: [],
      amr,
    });
  }

  serviceToken(service: string) {
    const permissions = [...servicePermissions(service)];
    return this.sign({ sub: `service:${service}`, svc: service, permissions }, this.config.SERVICE_TOKEN_TTL_SECONDS, {
      clinicId: null,
      roles: [],
      permissions,
      amr: [],
    });
  }

  /** A clinic's registered client (a waiting-room display): its clinic, its region, its permissions only. */
  /** A registered client's token; a SMART client's also names its scopes (`scope`, as OAuth writes them). */
  clientToken(client: { id: string; clinicId: string; cluster: string | null; permissions: string[] }, smart?: { scope: string; ttlSeconds: number }) {
    const cl = client.cluster ? { cl: client.cluster } : {};
    const scope = smart ? { scope: smart.scope } : {};
    return this.sign(
      { sub: clientSubject(client.id), clt: client.id, cid: client.clinicId, ...cl, permissions: client.permissions, ...scope },
      smart?.ttlSeconds ?? this.config.CLIENT_TOKEN_TTL_SECONDS,
      { clinicId: client.clinicId, roles: [], permissions: client.permissions, amr: [] },
    );
  }

  private async sign(
    claims: Record<string, unknown>,
    ttlSeconds: number,
    scope: Pick<IssuedToken, 'clinicId' | 'roles' | 'permissions' | 'amr'>,
  ): Promise<IssuedToken> {
    const { kid, privateKey } = this.keys.signer();
    const nowMs = Date.now();
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + ttlSeconds;
    const jti = randomUUID();
    const token = await new SignJWT({ ...claims, iat_ms: nowMs })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
      .setIssuer(this.config.JWT_ISSUER)
      .setAudience(this.config.JWT_AUDIENCE)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(privateKey);
    return { token, jti, issuedAt: new Date(nowMs), expiresAt: new Date(exp * 1000), ...scope };
  }
}
