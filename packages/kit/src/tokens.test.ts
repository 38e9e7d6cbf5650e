import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AuthError } from './errors.js';
import { TokenVerifier, type TrustedIssuer } from './tokens.js';

/** Issue 12 (4.): a token of an external IdP carrying `svc` is not a service caller. */
async function issuer(name: string, issuesServiceTokens: boolean) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: `${name}-1`, alg: 'EdDSA' };
  const trusted: TrustedIssuer = { issuer: name, audience: 'clinicult', algorithms: ['EdDSA'], keys: createLocalJWKSet({ keys: [jwk] }), issuesServiceTokens };
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid }).setIssuer(name).setAudience('clinicult').setJti(randomUUID()).setIssuedAt().setExpirationTime('1h').sign(privateKey);
  return { trusted, sign };
}

test("service callers come only from auth's own issuer; the external IdP's svc claim is refused", async () => {
  const auth = await issuer('https://auth.clinicult.local', true);
  const idp = await issuer('https://idp.example', false);
  const verifier = new TokenVerifier([auth.trusted, idp.trusted]);
  const service = await verifier.verify(await auth.sign({ sub: 'service:admin', svc: 'admin', permissions: ['clinicult:service:clinic-counts'] }));
  expect(service.caller).toMatchObject({ kind: 'service', service: 'admin' });
  const forged = verifier.verify(await idp.sign({ sub: 'service:admin', svc: 'admin', permissions: ['clinicult:service:clinic-counts'] }));
  await expect(forged).rejects.toBeInstanceOf(AuthError);
  await expect(forged).rejects.toMatchObject({ reason: 'TOKEN_INVALID' });
  // the external IdP's staff tokens are still what they were
  const staff = await verifier.verify(await idp.sign({ sub: 'u1', cid: 'c1', roles: ['DOCTOR'], permissions: ['clinicult:patient:read'] }));
  expect(staff.caller).toMatchObject({ kind: 'staff', clinicId: 'c1' });
});

test('the mfa flag comes from amr', async () => {
  const auth = await issuer('https://auth.clinicult.local', true);
  const verifier = new TokenVerifier([auth.trusted]);
  expect((await verifier.verify(await auth.sign({ sub: 'u', roles: ['OPERATOR'], amr: ['pwd', 'mfa', 'otp'] }))).caller.mfa).toBe(true);
  expect((await verifier.verify(await auth.sign({ sub: 'u', roles: ['OPERATOR'], amr: ['pwd'] }))).caller.mfa).toBe(false);
});
