import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SERVICE_CLIENTS } from '@clinicult/rbac';
import { DATABASE_SERVICES, DESIGN_PROCESSES, hasCommand, root, run } from './repo.js';

const composeInstalled = hasCommand('docker-compose');
if (!composeInstalled) {
  console.warn(
    'SKIPPED docker-compose checks: the docker-compose binary is missing (Debian: apt-get install docker-compose). ' +
      '.ci/run installs it, so CI never skips them.',
  );
}
const withCompose = composeInstalled || process.env.CI ? describe : describe.skip;

const dirsUnder = (dir: string) =>
  existsSync(path.join(root, dir))
    ? readdirSync(path.join(root, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
    : [];

withCompose('docker-compose.yml (docker-compose config)', () => {
  test('is valid', () => {
    const result = run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
    if (result.status !== 0) throw new Error(`docker-compose config failed:\n${result.stderr}${result.stdout}`);
    // unset variables and other problems are warnings on stderr: none expected (every variable has a default)
    expect(result.stderr.trim()).toBe('');
  });

  test('runs every subgraph, the gateway, the web clients, MySQL, Redis and the migrations', () => {
    const result = run('docker-compose', ['-f', 'docker-compose.yml', 'config', '--services']);
    expect(result.status).toBe(0);
    const services = new Set(result.stdout.split('\n').filter(Boolean));
    const expected = new Set([
      ...DESIGN_PROCESSES,
      ...dirsUnder('subgraphs'),
      ...dirsUnder('clients'),
      'mysql',
      'redis',
      'migrate',
    ]);
    expect([...expected].filter((name) => !services.has(name))).toEqual([]);
  });
});

describe('database users (docker/mysql/init.sql and the compose DATABASE_URLs)', () => {
  const initSql = readFileSync(path.join(root, 'docker', 'mysql', 'init.sql'), 'utf8');
  const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

  test.each(DATABASE_SERVICES)('%s has its own database and a user granted on it only', (service) => {
    expect(initSql).toMatch(new RegExp(`CREATE DATABASE IF NOT EXISTS \`clinicult_${service}\``));
    expect(initSql).toMatch(new RegExp(`CREATE USER IF NOT EXISTS '${service}'@'%'`));
    const grants = [...initSql.matchAll(new RegExp(`GRANT (.+?) ON (\\S+)\\s+TO '${service}'@`, 'g'))].map((m) => m[2]);
    expect(grants).toEqual([`\`clinicult_${service}\`.*`]);
  });

  test('no user is granted on every database', () => {
    expect(initSql).not.toMatch(/ON \*\.\*/);
  });

  test('each DATABASE_URL connects as the user that owns that database', () => {
    const urls = [...compose.matchAll(/DATABASE_URL\w*: mysql:\/\/([^:]+):[^@]+@mysql:3306\/(\w+)/g)];
    expect(urls.length).toBeGreaterThanOrEqual(DATABASE_SERVICES.length);
    for (const [, user, database] of urls) expect(database).toBe(`clinicult_${user}`);
  });
});

/** Issue 12: keys instead of shared secrets, and probes on the ops ports. */
describe('service keys and probes (docker-compose.yml)', () => {
  interface ComposeService {
    environment?: Record<string, string>;
    secrets?: string[];
    healthcheck?: { test?: string[] };
  }
  const compose = parseYaml(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
    secrets: Record<string, { file: string }>;
  };
  const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

  test('no shared secrets and no default secret in the file', () => {
    expect(text).not.toMatch(/SERVICE_CLIENT_SECRET|dev-compose-secret|dev-only-service-secret/);
  });

  test.each(Object.keys(SERVICE_CLIENTS).filter((s) => s !== 'auth'))('%s reads only its own private key, mounted as a secret', (name) => {
    const service = compose.services[name]!;
    expect(service.secrets).toEqual([`${name}-service-key`]);
    expect(service.environment?.SERVICE_KEY_FILE).toBe(`/run/secrets/${name}-service-key`);
    expect(compose.secrets[`${name}-service-key`]?.file).toMatch(new RegExp(`/${name}\\.private\\.jwk\\.json$`));
  });

  test('auth gets the public keys only; the services that call nobody get no key', () => {
    expect(compose.services.auth!.secrets).toEqual(['service-jwks']);
    expect(compose.secrets['service-jwks']?.file).toMatch(/\/services\.jwks\.json$/);
    for (const name of ['visits', 'clinic', 'audit']) expect(compose.services[name]!.secrets).toBeUndefined();
  });

  test.each(['auth', 'users', 'admin', 'patients', 'visits', 'clinic', 'audit', 'gateway'])('%s is probed on its ops port (PORT + 5000)', (name) => {
    const service = compose.services[name]!;
    const port = Number(service.environment?.PORT);
    expect(service.healthcheck?.test?.at(-1)).toBe(`http://127.0.0.1:${port + 5000}/readyz`);
  });
});
