import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software authenticator: what a phone or security key does for WebAuthn, in Node, so tests
 * can register passkeys and sign in with them through the real API (browser tests use
 * Chromium's own virtual authenticator instead). ES256 keys, "none" attestation, user present
 * and verified, a signature counter that grows.
 */
interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  counter: number;
  userHandle: string;
}

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

export interface SoftAuthenticator {
  /** Answers `navigator.credentials.create()` for the options the server gave. */
  register(options: { challenge: string; rp: { id?: string }; user: { id: string } }): Record<string, unknown>;
  /** Answers `navigator.credentials.get()`; uses the first allowed credential it holds. */
  authenticate(options: { challenge: string; rpId?: string; allowCredentials?: Array<{ id: string }> }): Record<string, unknown>;
  readonly credentialIds: string[];
  /**
   * A credential as Chromium's virtual authenticator takes it (DevTools WebAuthn.addCredential:
   * standard base64), so a browser test can hold a passkey that was registered through the API.
   */
  exportCredential(id?: string): { credentialId: string; privateKey: string; rpId: string; userHandle: string; signCount: number };
}

export function createSoftAuthenticator(settings: { origin: string; rpId: string }): SoftAuthenticator {
  const credentials: StoredCredential[] = [];
  const clientData = (type: 'webauthn.create' | 'webauthn.get', challenge: string) =>
    Buffer.from(JSON.stringify({ type, challenge, origin: settings.origin, crossOrigin: false }));

  return {
    get credentialIds() {
      return credentials.map((c) => c.id);
    },
    exportCredential(id) {
      const credential = id ? credentials.find((c) => c.id === id) : credentials.at(-1);
      if (!credential) throw new Error('the soft authenticator holds no such credential');
      return {
        credentialId: Buffer.from(credential.id, 'base64url').toString('base64'),
        privateKey: (credential.privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).toString('base64'),
        rpId: settings.rpId,
        userHandle: Buffer.from(credential.userHandle, 'base64url').toString('base64'),
        signCount: credential.counter,
      };
    },
    register(options) {
      const rpId = options.rp.id ?? settings.rpId;
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const credentialId = randomBytes(16);
      const coseKey = new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]);
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const authData = Buffer.concat([
        sha256(rpId),
        Buffer.from([0x45]), // user present, user verified, attested credential data
        Buffer.alloc(4), // counter 0
        Buffer.alloc(16), // aaguid
        idLength,
        credentialId,
        Buffer.from(isoCBOR.encode(coseKey as never)),
      ]);
      const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]) as never);
      const id = b64url(credentialId);
      credentials.push({ id, privateKey, counter: 0, userHandle: options.user.id });
      return {
        id,
        rawId: id,
        type: 'public-key',
        response: {
          clientDataJSON: b64url(clientData('webauthn.create', options.challenge)),
          attestationObject: b64url(attestationObject),
          transports: ['internal'],
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },
    authenticate(options) {
      const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
      const credential = credentials.find((c) => allowed.size === 0 || allowed.has(c.id));
      if (!credential) throw new Error('the soft authenticator holds none of the allowed credentials');
      credential.counter += 1;
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(credential.counter);
      const authData = Buffer.concat([sha256(options.rpId ?? settings.rpId), Buffer.from([0x05]), counter]);
      const data = clientData('webauthn.get', options.challenge);
      const signature = sign('sha256', Buffer.concat([authData, sha256(data)]), credential.privateKey);
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: b64url(data),
          authenticatorData: b64url(authData),
          signature: b64url(signature),
          userHandle: credential.userHandle,
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },
  };
}
