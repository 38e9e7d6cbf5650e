import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type DocumentNode } from 'graphql';

/** The repository root: the nearest folder above `from` holding turbo.json and schema/. */
export function repoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'turbo.json')) && existsSync(path.join(dir, 'schema'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${from}`);
    dir = parent;
  }
}

/** A subgraph's contract, `schema/<name>.graphql` (the SDL is the source; code follows it). */
export function loadSubgraphSchema(name: string): DocumentNode {
  return parse(readFileSync(path.join(repoRoot(), 'schema', `${name}.graphql`), 'utf8'));
}
