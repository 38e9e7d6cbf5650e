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

const INCLUDE = /^#include "([a-z0-9/-]+\.graphql)"[ \t]*$/gm;

/**
 * The SDL of `schema/<name>.graphql` with its `#include "shared/<part>.graphql"` lines replaced by
 * those files: types several subgraphs define alike (the template fields) are written once.
 * Used by the services and by schema/compose.mjs, so both see the same contract.
 */
export function readSubgraphSdl(name: string, dir: string = path.join(repoRoot(), 'schema')): string {
  return readFileSync(path.join(dir, `${name}.graphql`), 'utf8').replace(INCLUDE, (_line, part: string) => {
    const file = path.join(dir, part);
    if (!existsSync(file)) throw new Error(`schema/${name}.graphql includes ${part}, which does not exist`);
    return readFileSync(file, 'utf8');
  });
}

/** A subgraph's contract, `schema/<name>.graphql` (the SDL is the source; code follows it). */
export function loadSubgraphSchema(name: string): DocumentNode {
  return parse(readSubgraphSdl(name));
}
