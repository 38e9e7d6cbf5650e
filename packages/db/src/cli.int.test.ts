import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './cli-main.js';
import { mysqlQuery } from './connection.js';
import { findRepoRoot, listServices } from './paths.js';
import { databaseNameOf } from './url.js';
import { FIXTURE_DIR, INIT, SECOND, Scratch } from './__tests__/helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

function fakeRepo(): string {
  const root = scratch.tempDir();
  writeFileSync(path.join(root, 'turbo.json'), '{}');
  for (const service of ['alpha', 'beta']) cpSync(FIXTURE_DIR, path.join(root, 'prisma', service), { recursive: true });
  mkdirSync(path.join(root, 'prisma', 'notes')); // no schema.prisma: not a service
  return root;
}

async function run(argv: string[], root: string, env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { root, env, stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}

describe('cli', () => {
  const root = fakeRepo();
  const env = { DATABASE_URL_ALPHA: scratch.url('cli_alpha'), DATABASE_URL_BETA: scratch.url('cli_beta') };
  const alpha = databaseNameOf(env.DATABASE_URL_ALPHA);
  const beta = databaseNameOf(env.DATABASE_URL_BETA);

  it('finds the repository root and its services', () => {
    expect(listServices(root)).toEqual(['alpha', 'beta']);
    expect(findRepoRoot(path.join(root, 'prisma', 'alpha', 'migrations'))).toBe(root);
    expect(() => findRepoRoot(path.parse(root).root)).toThrow(/Cannot find the repository root/);
  });

  it('migrates every service with one line each, then reports them up to date', async () => {
    expect(await run(['migrate'], root, env)).toEqual({
      code: 0,
      out: [
        `alpha (${alpha}): applied 2 migrations: ${INIT}, ${SECOND}`,
        `beta (${beta}): applied 2 migrations: ${INIT}, ${SECOND}`,
      ],
      err: [],
    });
    expect(await run(['migrate', 'beta'], root, env)).toEqual({ code: 0, out: [`beta (${beta}): up to date`], err: [] });
    expect(await run(['status'], root, env)).toEqual({
      code: 0,
      out: [`alpha (${alpha}): 2 applied; 0 pending`, `beta (${beta}): 2 applied; 0 pending`],
      err: [],
    });
  });

  it('refuses unknown services and bad usage', async () => {
    const unknown = await run(['migrate', 'gamma'], root, env);
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toBe('Unknown service: gamma (known: alpha, beta)');
    expect((await run(['reset'], root, env)).code).toBe(2);
    expect((await run(['resolve', 'alpha', '--sideways', 'x'], root, env)).code).toBe(2);
    expect((await run(['frobnicate'], root, env)).err[0]).toMatch(/^Unknown command: frobnicate/);
    expect((await run([], root, env)).code).toBe(2);
    expect((await run(['help'], root, env)).out[0]).toMatch(/^Usage:/);
  });

  it('resets a database, but never with NODE_ENV=production', async () => {
    await mysqlQuery(env.DATABASE_URL_ALPHA, "INSERT INTO clinics (id, name) VALUES ('c1', 'North')");
    const refused = await run(['reset', 'alpha'], root, { ...env, NODE_ENV: 'production' });
    expect(refused).toEqual({ code: 1, out: [], err: ['reset: refused because NODE_ENV=production'] });
    expect(await mysqlQuery(env.DATABASE_URL_ALPHA, 'SELECT id FROM clinics')).toEqual([{ id: 'c1' }]);

    expect(await run(['reset', 'alpha'], root, env)).toEqual({
      code: 0,
      out: [`alpha (${alpha}): reset, applied 2 migrations: ${INIT}, ${SECOND}`],
      err: [],
    });
    expect(await mysqlQuery(env.DATABASE_URL_ALPHA, 'SELECT id FROM clinics')).toEqual([]);
  });

  it('reports a failed migration, blocks, and resolves it', async () => {
    const bad = path.join(root, 'prisma', 'beta', 'migrations', '20250104000000_bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'migration.sql'), 'ALTER TABLE `nope` ADD COLUMN `x` INT;\n');
    const failed = await run(['migrate'], root, env);
    expect(failed.code).toBe(1);
    expect(failed.out).toEqual([`alpha (${alpha}): up to date`]);
    expect(failed.err[0]).toMatch(new RegExp(`^beta \\(${beta}\\): FAILED \\[MIGRATION_FAILED\\]: Migration 20250104000000_bad failed`));
    const blocked = await run(['migrate', 'beta'], root, env);
    expect(blocked.err[0]).toMatch(/FAILED \[FAILED_MIGRATION_RECORDED\]/);
    const status = await run(['status', 'beta'], root, env);
    expect(status).toEqual({ code: 1, out: [`beta (${beta}): 2 applied; 0 pending; FAILED: 20250104000000_bad`], err: [] });

    writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE `fixed` (`id` INT NOT NULL PRIMARY KEY);\n');
    expect(await run(['resolve', 'beta', '--rolled-back', '20250104000000_bad'], root, env)).toEqual({
      code: 0,
      out: [`beta (${beta}): 20250104000000_bad marked rolled-back`],
      err: [],
    });
    expect((await run(['migrate', 'beta'], root, env)).out).toEqual([
      `beta (${beta}): applied 1 migration: 20250104000000_bad`,
    ]);
  });
});
