import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT, type JWK } from 'jose';
import type { BaseConfig } from './config.js';
import { ConfigError } from './config.js';
import { repoRoot } from './schema-files.js';

/**
 * Services authenticate to auth with a signed client assertion (`private_key_jwt`, RFC 7523 §2.2)
 * made with their own Ed25519 key; auth holds only the public halves. There is no shared secret to
 * guess or leak from one service's environment into another's.
 *
 * Production: `SERVICE_KEY` (the private JWK, JSON) or `SERVICE_KEY_FILE` (a mounted secret) is
 * required, and a development key (kid `dev-…`) is refused. Development and tests: each service's key
 * is generated on first use into `<repo>/.clinicult/keys/` (random per machine, never committed), and
 * auth reads the public halves from there.
 */
export interface ServiceKey {
  service: string;
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Keys generated for development carry this kid prefix; production refuses them. */
export const DEV_KEY_PREFIX = 'dev-';

export function devKeysDir(): string {
  return path.join(repoRoot(), '.clinicult', 'keys');
}

/** A new Ed25519 key pair for `service`, as JWKs with the same kid. */
export function generateServiceKey(service: string, options: { dev?: boolean } = {}): { privateJwk: JWK; publicJwk: JWK } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const kid = `${options.dev ? DEV_KEY_PREFIX : ''}${service}-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  const privateJwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'EdDSA', use: 'sig' };
  return { privateJwk, publicJwk: publicHalf(privateJwk) };
}

/** The public JWK of a private one (drops `d`). */
export function publicHalf(privateJwk: JWK): JWK {
  const publicJwk = createPublicKey(createPrivateKey({ key: privateJwk as never, format: 'jwk' })).export({ format: 'jwk' }) as JWK;
  return { ...publicJwk, kid: privateJwk.kid, alg: 'EdDSA', use: 'sig' };
}

export function serviceKeyFromJwk(service: string, jwk: JWK): ServiceKey {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d || !jwk.kid) {
    throw new ConfigError(`${service}'s service key must be an Ed25519 private JWK with a kid (npm run keys:generate)`);
  }
  return { service, kid: jwk.kid, privateKey: createPrivateKey({ key: jwk as never, format: 'jwk' }), publicJwk: publicHalf(jwk) };
}

function parseJwk(text: string, where: string): JWK {
  try {
    return JSON.parse(text) as JWK;
  } catch {
    throw new ConfigError(`${where} is not a JSON Web Key`);
  }
}

/** The development key of `service` in `dir`, generated (with its public half beside it) on first use. */
export function devServiceKey(service: string, dir = devKeysDir()): ServiceKey {
  const file = path.join(dir, `${service}.private.jwk.json`);
  try {
    return serviceKeyFromJwk(service, parseJwk(readFileSync(file, 'utf8'), file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateJwk, publicJwk } = generateServiceKey(service, { dev: true });
  try {
    // `wx`: when two processes start at once, the first file written wins and both use it
    writeFileSync(file, JSON.stringify(privateJwk), { flag: 'wx', mode: 0o600 });
    writeFileSync(path.join(dir, `${service}.public.jwk.json`), JSON.stringify(publicJwk), { mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return serviceKeyFromJwk(service, parseJwk(readFileSync(file, 'utf8'), file));
}

/** The public development keys in `dir`, by service (what auth trusts in development). */
export function devPublicKeys(dir = devKeysDir()): Map<string, JWK[]> {
  const keys = new Map<string, JWK[]>();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.public.jwk.json'));
  } catch {
    return keys;
  }
  for (const file of files) {
    const service = file.slice(0, -'.public.jwk.json'.length);
    keys.set(service, [parseJwk(readFileSync(path.join(dir, file), 'utf8'), file)]);
  }
  return keys;
}

/** This service's key from SERVICE_KEY / SERVICE_KEY_FILE; development falls back to its generated key. */
export function loadServiceKey(service: string, config: BaseConfig): ServiceKey {
  const text = config.SERVICE_KEY ?? (config.SERVICE_KEY_FILE ? readFileSync(config.SERVICE_KEY_FILE, 'utf8') : undefined);
  if (text) {
    const key = serviceKeyFromJwk(service, parseJwk(text, config.SERVICE_KEY ? 'SERVICE_KEY' : config.SERVICE_KEY_FILE!));
    if (config.NODE_ENV === 'production' && key.kid.startsWith(DEV_KEY_PREFIX)) {
      throw new ConfigError(`${service}: a development service key (kid ${key.kid}) is refused in production; generate one with npm run keys:generate`);
    }
    return key;
  }
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(`${service}: SERVICE_KEY or SERVICE_KEY_FILE (its Ed25519 private JWK) is required in production`);
  }
  return devServiceKey(service);
}

/** A one-time client assertion (RFC 7523): iss = sub = the service, aud = auth's issuer, 60 s, a fresh jti. */
export function signClientAssertion(key: ServiceKey, audience: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setIssuer(key.service)
    .setSubject(key.service)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key.privateKey);
}
