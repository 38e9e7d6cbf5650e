import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root, run } from './repo.js';

// graphql-codegen's output (src/__generated__/, schema/codegen.mjs) is committed, so a contract
// change shows in review, and rewritten by every build (`turbo run generate`, before this test).
const generating = ['packages', 'subgraphs', 'clients']
  .flatMap((group) => readdirSync(path.join(root, group)).map((name) => `${group}/${name}`))
  .filter((dir) => existsSync(path.join(root, dir, 'codegen.mjs')));

describe('generated contracts', () => {
  test('every subgraph and web client generates its GraphQL types', () => {
    expect(generating).toEqual(expect.arrayContaining([
      'subgraphs/admin', 'subgraphs/audit', 'subgraphs/auth', 'subgraphs/clinic', 'subgraphs/patients', 'subgraphs/users', 'subgraphs/visits',
      'clients/clinic-web', 'clients/admin-web',
    ]));
  });

  test.each(generating)('%s: its build runs graphql-codegen', (dir) => {
    const scripts = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')).scripts ?? {};
    expect(scripts.generate).toMatch(/graphql-codegen --config codegen\.mjs/);
  });

  test.each(generating)('%s: src/__generated__ is what graphql-codegen makes of today\'s schema', (dir) => {
    const codegen = path.join(root, 'node_modules', '.bin', 'graphql-codegen');
    const result = run(codegen, ['--config', 'codegen.mjs', '--check'], { ...process.env }, path.join(root, dir));
    if (result.status !== 0) throw new Error(`${dir}: generated files are stale; run \`npm run generate\`.\n${result.stdout}${result.stderr}`);
  });

  test('what the build generated is what is committed (stale generated files fail here in CI)', () => {
    const status = run('git', ['status', '--porcelain', '--untracked-files=all', '--', ...generating.map((d) => `${d}/src/__generated__`)]);
    if (status.error || status.status !== 0) throw new Error(`git status failed (this check needs a git checkout): ${status.stderr || status.error}`);
    const changed = status.stdout.split('\n').filter(Boolean);
    if (changed.length) {
      throw new Error(`the build regenerated files that differ from the commit; commit them:\n${changed.join('\n')}`);
    }
  });
});
