import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { root, run } from './repo.js';

const scripts = [
  ...readdirSync(path.join(root, 'scripts')).filter((f) => f.endsWith('.mjs')).map((f) => `scripts/${f}`),
  ...readdirSync(path.join(root, 'scripts', 'lib')).filter((f) => /\.(mjs|cjs)$/.test(f)).map((f) => `scripts/lib/${f}`),
];

describe('repo scripts', () => {
  test.each(scripts)('%s parses', (file) => {
    const result = run(process.execPath, ['--check', file]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  // npm start and npm test run on a fresh clone before `npm install`: Node built-ins only.
  test.each(['scripts/start.mjs', 'scripts/test.mjs', ...scripts.filter((f) => f.startsWith('scripts/lib/'))])(
    '%s imports only node: built-ins and local files',
    (file) => {
      const source = readFileSync(path.join(root, file), 'utf8');
      const specifiers = [...source.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm), ...source.matchAll(/require\(['"]([^'"]+)['"]\)/g)].map(
        (m) => m[1]!,
      );
      expect(specifiers.filter((s) => !s.startsWith('node:') && !s.startsWith('./') && !s.startsWith('../'))).toEqual([]);
    },
  );

  test('.ci/run is an executable bash script that parses', () => {
    expect(statSync(path.join(root, '.ci', 'run')).mode & 0o111).not.toBe(0);
    const result = run('bash', ['-n', '.ci/run']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('the seed refuses to run when NODE_ENV=production', () => {
    const result = run(process.execPath, ['scripts/seed.mjs'], {
      ...process.env,
      NODE_ENV: 'production',
      GATEWAY_URL: 'http://127.0.0.1:9',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('NODE_ENV=production');
  });

  test('the seed refuses an unset NODE_ENV too (unset means production); npm run db:seed says development', () => {
    const { NODE_ENV: _unset, ...env } = process.env;
    const result = run(process.execPath, ['scripts/seed.mjs'], { ...env, GATEWAY_URL: 'http://127.0.0.1:9' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unset, which means production');
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['db:seed']).toMatch(/^NODE_ENV=\$\{NODE_ENV:-development\} /);
  });
});
