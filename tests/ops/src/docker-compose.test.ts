import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
