import { createLogger, generateServiceKey } from '@clinicult/kit';
import type { Redis } from 'ioredis';
import { loadAuthConfig } from './config.js';
import { ServiceClients } from './service-clients.js';

/** Issue 12 (1.): in production auth knows the services' public keys from its configuration, and refuses development ones. */
const production = (env: Record<string, string>) =>
  loadAuthConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example:25', MFA_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'), ...env });
const clients = (env: Record<string, string>) => new ServiceClients({ config: production(env), redis: {} as Redis, logger: createLogger('auth-test', 'silent') });
const jwks = (entries: Record<string, object[]>) => JSON.stringify(Object.fromEntries(Object.entries(entries).map(([k, keys]) => [k, { keys }])));

test('production without SERVICE_JWKS / SERVICE_JWKS_FILE does not start', () => {
  expect(() => clients({})).toThrow(/SERVICE_JWKS or SERVICE_JWKS_FILE .* is required in production/);
});

test('production refuses a development key, a private key and a service that is no client', () => {
  expect(() => clients({ SERVICE_JWKS: jwks({ users: [generateServiceKey('users', { dev: true }).publicJwk] }) })).toThrow(/development key/);
  expect(() => clients({ SERVICE_JWKS: jwks({ users: [generateServiceKey('users').privateJwk] }) })).toThrow(/private key/);
  expect(() => clients({ SERVICE_JWKS: jwks({ visits: [generateServiceKey('visits').publicJwk] }) })).toThrow(/not a service client/);
  expect(() => clients({ SERVICE_JWKS: 'users=dev-compose-secret-users' })).toThrow(/not JSON/);
});

test('production starts with the public keys npm run keys:generate writes', () => {
  expect(() => clients({ SERVICE_JWKS: jwks({ users: [generateServiceKey('users').publicJwk], gateway: [generateServiceKey('gateway').publicJwk] }) })).not.toThrow();
});
