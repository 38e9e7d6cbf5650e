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

test("a clinic's client (a waiting-room display) comes only from auth's own issuer, with its clinic and permissions only", async () => {
  const auth = await issuer('https://auth.clinicult.local', true);
  const idp = await issuer('https://idp.example', false);
  const verifier = new TokenVerifier([auth.trusted, idp.trusted]);
  const id = randomUUID();
  const display = await verifier.verify(await auth.sign({ sub: `client:${id}`, clt: id, cid: 'c1', roles: ['ADMIN'], permissions: ['clinicult:display:read'] }));
  // roles in a client's token count for nothing: it is nobody's session
  expect(display.caller).toEqual(expect.objectContaining({ kind: 'client', clientId: id, clinicId: 'c1', permissions: ['clinicult:display:read'] }));
  expect(display.caller).not.toHaveProperty('roles');
  await expect(verifier.verify(await idp.sign({ sub: `client:${id}`, clt: id, cid: 'c1', permissions: ['clinicult:display:read'] }))).rejects.toMatchObject({ reason: 'TOKEN_INVALID' });
  // a client claim that does not match its subject, or without a clinic, is no token at all
  await expect(verifier.verify(await auth.sign({ sub: 'someone-else', clt: id, cid: 'c1' }))).rejects.toMatchObject({ reason: 'TOKEN_INVALID' });
  await expect(verifier.verify(await auth.sign({ sub: `client:${id}`, clt: id }))).rejects.toMatchObject({ reason: 'TOKEN_INVALID' });
});

test('the mfa flag comes from amr', async () => {
  const auth = await issuer('https://auth.clinicult.local', true);
  const verifier = new TokenVerifier([auth.trusted]);
  expect((await verifier.verify(await auth.sign({ sub: 'u', roles: ['OPERATOR'], amr: ['pwd', 'mfa', 'otp'] }))).caller.mfa).toBe(true);
  expect((await verifier.verify(await auth.sign({ sub: 'u', roles: ['OPERATOR'], amr: ['pwd'] }))).caller.mfa).toBe(false);
});

describe('a verified token is remembered', () => {
  /** An issuer whose key set counts how often it is asked (once per signature check). */
  async function countingIssuer() {
    const base = await issuer('https://auth.clinicult.local', true);
    let lookups = 0;
    const keys: TrustedIssuer['keys'] = (header, token) => {
      lookups++;
      return base.trusted.keys(header, token);
    };
    return { ...base, trusted: { ...base.trusted, keys }, lookups: () => lookups };
  }

  test('the same token is verified once; each presentation still gets its own caller', async () => {
    const auth = await countingIssuer();
    const verifier = new TokenVerifier([auth.trusted]);
    const token = await auth.sign({ sub: 'u1', cid: 'c1', roles: ['DOCTOR'], permissions: ['clinicult:patient:read'] });
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(auth.lookups()).toBe(1);
    expect(second.caller).toEqual(first.caller);
    expect(second.caller).not.toBe(first.caller);
    // what is remembered cannot be changed through one request's copy
    expect(() => (second.claims.roles as string[]).push('ADMIN')).toThrow(TypeError);
    expect((await verifier.verify(token)).caller).toMatchObject({ kind: 'staff', roles: ['DOCTOR'] });
  });

  test('a token altered by one character is verified (and refused), not taken for the remembered one', async () => {
    const auth = await countingIssuer();
    const verifier = new TokenVerifier([auth.trusted]);
    const token = await auth.sign({ sub: 'u1', cid: 'c1', roles: ['DOCTOR'] });
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['ADMIN'] })).toString('base64url');
    await expect(verifier.verify(`${header}.${forgedPayload}.${signature}`)).rejects.toMatchObject({ reason: 'TOKEN_INVALID' });
    const flipped = signature!.slice(0, -2) + (signature!.at(-2) === 'A' ? 'B' : 'A') + signature!.at(-1);
    await expect(verifier.verify(`${header}.${payload}.${flipped}`)).rejects.toMatchObject({ reason: 'TOKEN_INVALID' });
  });

  test('an expired token is refused even though it verified before', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'short-1', alg: 'EdDSA' };
    const short: TrustedIssuer = { issuer: 'https://short.example', audience: 'clinicult', algorithms: ['EdDSA'], keys: createLocalJWKSet({ keys: [jwk] }) };
    const shortVerifier = new TokenVerifier([short]);
    const token = await new SignJWT({ sub: 'u1', cid: 'c1', roles: ['NURSE'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid }).setIssuer(short.issuer).setAudience('clinicult').setJti(randomUUID())
      .setIssuedAt(now - 10).setExpirationTime(now + 1).sign(privateKey);
    await expect(shortVerifier.verify(token)).resolves.toMatchObject({ caller: { kind: 'staff' } });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(shortVerifier.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_EXPIRED' });
  });

  test('remembered at most rememberMs, and at most rememberTokens tokens', async () => {
    const auth = await countingIssuer();
    const verifier = new TokenVerifier([auth.trusted], { rememberMs: 100, rememberTokens: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((sub) => auth.sign({ sub, cid: 'c1', roles: ['OFFICE'] })));
    await verifier.verify(a!);
    await verifier.verify(a!);
    expect(auth.lookups()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await verifier.verify(a!);
    expect(auth.lookups()).toBe(2); // the bound passed: checked again
    await verifier.verify(b!);
    await verifier.verify(c!); // a is forgotten to make room
    await verifier.verify(a!);
    expect(auth.lookups()).toBe(5);
  });
});
