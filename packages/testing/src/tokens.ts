import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { TrustedIssuer } from '@clinicult/kit';
import { permissionsForRoles, servicePermissions, type Role } from '@clinicult/rbac';

export const TEST_ISSUER = 'https://auth.clinicult.local';
export const TEST_AUDIENCE = 'clinicult';

/**
 * A signing key that a service under test trusts (passed as `issuers`), so a subgraph's tests can
 * mint the tokens auth would issue without running auth. End-to-end tests use the real auth.
 */
export async function createTestIssuer(issuer = TEST_ISSUER, audience = TEST_AUDIENCE) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const kid = `test-${randomUUID()}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const trusted: TrustedIssuer = {
    issuer,
    audience,
    keys: createLocalJWKSet({ keys: [publicJwk] }),
    algorithms: ['EdDSA'],
    // it stands in for auth's own issuer, the only one whose service tokens count
    issuesServiceTokens: true,
  };

  async function sign(claims: Record<string, unknown>, options: { expiresIn?: string | number; iat?: number } = {}) {
    // iat_ms to the millisecond, as auth's own tokens: a session cut-off is compared in ms
    const nowMs = options.iat !== undefined ? options.iat * 1000 : Date.now();
    const now = Math.floor(nowMs / 1000);
    return new SignJWT({ iat_ms: nowMs, ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(typeof options.expiresIn === 'number' ? options.expiresIn : now + 14 * 24 * 3600)
      .sign(privateKey);
  }

  return {
    trusted,
    publicJwk,
    privateKey,
    kid,
    sign,
    staffToken: (userId: string, clinicId: string, roles: Role[]) =>
      sign({ sub: userId, cid: clinicId, roles, permissions: permissionsForRoles(roles) }),
    /** Operators always sign in with a second factor (`amr` names it); the kit refuses them otherwise. */
    operatorToken: (userId = randomUUID()) =>
      sign({ sub: userId, roles: ['OPERATOR'], permissions: permissionsForRoles(['OPERATOR']), amr: ['pwd', 'mfa', 'otp'] }),
    serviceToken: (service: string, permissions: readonly string[] = servicePermissions(service)) =>
      sign({ sub: `service:${service}`, svc: service, permissions: [...permissions] }),
  };
}
export type TestIssuer = Awaited<ReturnType<typeof createTestIssuer>>;
