import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jwtVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { baseConfigSchema, ConfigError, loadConfig } from './config.js';
import { devPublicKeys, devServiceKey, generateServiceKey, loadServiceKey, signClientAssertion } from './service-keys.js';

/** Issue 12 (1.): services sign client assertions with their own keys; production refuses missing and development keys. */
const config = (env: Record<string, string>) => loadConfig(baseConfigSchema, env);

describe('loadServiceKey', () => {
  test('production without SERVICE_KEY / SERVICE_KEY_FILE does not start', () => {
    expect(() => loadServiceKey('users', config({ NODE_ENV: 'production' }))).toThrow(ConfigError);
    expect(() => loadServiceKey('users', config({}))).toThrow(/SERVICE_KEY or SERVICE_KEY_FILE .* is required in production/);
  });

  test('production refuses a development key, and anything that is not an Ed25519 private JWK', () => {
    const dev = generateServiceKey('users', { dev: true }).privateJwk;
    expect(() => loadServiceKey('users', config({ NODE_ENV: 'production', SERVICE_KEY: JSON.stringify(dev) }))).toThrow(/development service key/);
    const { d: _d, ...publicOnly } = generateServiceKey('users').privateJwk;
    expect(() => loadServiceKey('users', config({ NODE_ENV: 'production', SERVICE_KEY: JSON.stringify(publicOnly) }))).toThrow(/Ed25519 private JWK/);
    expect(() => loadServiceKey('users', config({ NODE_ENV: 'production', SERVICE_KEY: 'dev-only-service-secret-users' }))).toThrow(/not a JSON Web Key/);
  });

  test('production accepts its own key, from the variable or a file', () => {
    const { privateJwk } = generateServiceKey('users');
    expect(loadServiceKey('users', config({ NODE_ENV: 'production', SERVICE_KEY: JSON.stringify(privateJwk) })).kid).toBe(privateJwk.kid);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    try {
      writeFileSync(path.join(dir, 'users.jwk'), JSON.stringify(privateJwk));
      expect(loadServiceKey('users', config({ NODE_ENV: 'production', SERVICE_KEY_FILE: path.join(dir, 'users.jwk') })).kid).toBe(privateJwk.kid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('development generates a key per machine once (private 0600) and reuses it; auth reads the public halves', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    try {
      const first = devServiceKey('users', dir);
      expect(first.kid).toMatch(/^dev-users-/);
      expect(devServiceKey('users', dir).kid).toBe(first.kid);
      expect(statSync(path.join(dir, 'users.private.jwk.json')).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(path.join(dir, 'users.public.jwk.json'), 'utf8')).d).toBeUndefined();
      expect(devPublicKeys(dir).get('users')?.[0]?.kid).toBe(first.kid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('a client assertion: iss = sub = the service, the audience given, 60 s, a fresh jti; verifies with the public half only', async () => {
  const { privateJwk, publicJwk } = generateServiceKey('admin');
  const key = loadServiceKey('admin', config({ NODE_ENV: 'production', SERVICE_KEY: JSON.stringify(privateJwk) }));
  const assertion = await signClientAssertion(key, 'https://auth.clinicult.local');
  const { payload } = await jwtVerify(assertion, createLocalJWKSet({ keys: [publicJwk] }), { issuer: 'admin', subject: 'admin', audience: 'https://auth.clinicult.local' });
  expect(payload.exp! - payload.iat!).toBe(60);
  expect(decodeJwt(await signClientAssertion(key, 'x')).jti).not.toBe(payload.jti);
});
