import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root, run } from './repo.js';

describe('docs', () => {
  test("docs/architecture.md's role table matches packages/rbac/src/roles.ts (npm run docs:roles)", () => {
    const result = run(process.execPath, ['scripts/docs-roles.mjs', '--check']);
    if (result.status !== 0) throw new Error(result.stderr || result.stdout);
  });

  test('README starts with the two commands', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const opening = readme.split('\n').slice(0, 30).join('\n');
    expect(opening).toContain('npm start');
    expect(opening).toContain('npm test');
  });

  const markdown = [
    'README.md',
    ...readdirSync(path.join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  test.each(markdown)('relative links in %s point at files that exist', (file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    const broken = [...text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/i.test(target))
      .filter((target) => !existsSync(path.resolve(path.dirname(path.join(root, file)), target)));
    expect(broken).toEqual([]);
  });
});
