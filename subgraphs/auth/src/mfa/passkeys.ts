import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Passkey } from '../generated/prisma/client.js';

/**
 * Passkeys (WebAuthn, through @simplewebauthn/server) as a second factor. The relying party is the
 * web apps' host name (WEBAUTHN_RP_ID) and only the configured origins may use them. No attestation
 * is asked for: which authenticator a person uses is theirs to choose.
 */
export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

const transportsOf = (p: Pick<Passkey, 'transports'>) => (Array.isArray(p.transports) ? (p.transports as string[]) : undefined);

/** A stored passkey as WebAuthn options name it (id and, when known, how to reach it). */
const descriptorOf = (p: Passkey) => ({ id: p.id, ...(transportsOf(p) ? { transports: transportsOf(p)! } : {}) });

export function registrationOptions(rp: RelyingParty, user: { userId: string; email: string }, existing: Passkey[]) {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userID: new TextEncoder().encode(user.userId),
    attestationType: 'none',
    excludeCredentials: existing.map(descriptorOf),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

/** The credential to store, or null when the response does not prove a new passkey for this challenge. */
export async function verifyRegistration(rp: RelyingParty, response: unknown, expectedChallenge: string) {
  try {
    const verified = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
    if (!verified.verified) return null;
    const { credential } = verified.registrationInfo;
    return { id: credential.id, publicKey: Buffer.from(credential.publicKey), counter: credential.counter, transports: credential.transports ?? null };
  } catch {
    return null;
  }
}

export function authenticationOptions(rp: RelyingParty, passkeys: Passkey[]) {
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: passkeys.map(descriptorOf),
    userVerification: 'preferred',
  });
}

/** The new signature counter when the response proves possession of one of `passkeys`; null otherwise. */
export async function verifyAuthentication(rp: RelyingParty, response: unknown, expectedChallenge: string, passkeys: Passkey[]) {
  const id = (response as { id?: unknown } | null)?.id;
  const passkey = passkeys.find((p) => p.id === id);
  if (!passkey) return null;
  try {
    const verified = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: { ...descriptorOf(passkey), publicKey: new Uint8Array(passkey.publicKey), counter: Number(passkey.counter) } as never,
      requireUserVerification: false,
    });
    return verified.verified ? { passkeyId: passkey.id, newCounter: verified.authenticationInfo.newCounter } : null;
  } catch {
    return null;
  }
}
