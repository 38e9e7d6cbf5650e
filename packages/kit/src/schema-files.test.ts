import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSubgraphSdl } from './schema-files.js';

describe('readSubgraphSdl', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdl-'));
  mkdirSync(path.join(dir, 'shared'));
  writeFileSync(path.join(dir, 'shared', 'part.graphql'), 'type Shared { id: ID! }\n');

  test('replaces each #include line with the shared file, and nothing else', () => {
    writeFileSync(path.join(dir, 'one.graphql'), '# one\n#include "shared/part.graphql"\ntype Query { shared: Shared }\n# #include "x.graphql" in a comment stays\n');
    expect(readSubgraphSdl('one', dir)).toBe('# one\ntype Shared { id: ID! }\n\ntype Query { shared: Shared }\n# #include "x.graphql" in a comment stays\n');
  });

  test('an include of a file that does not exist is an error naming both files', () => {
    writeFileSync(path.join(dir, 'two.graphql'), '#include "shared/missing.graphql"\n');
    expect(() => readSubgraphSdl('two', dir)).toThrow('schema/two.graphql includes shared/missing.graphql, which does not exist');
  });
});
