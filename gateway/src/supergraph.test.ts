import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@clinicult/kit';
import { readSupergraph, subgraphEndpoints } from './subgraphs.js';

// schema/supergraph.graphql is committed; it must be exactly what `npm run compose` makes of
// schema/<name>.graphql today. CI runs the same check (`node schema/compose.mjs --check`).

const root = repoRoot();
const run = promisify(execFile);

describe('the committed supergraph', () => {
  it('is up to date with schema/*.graphql (run `npm run compose` if this fails)', async () => {
    let output: string;
    try {
      const { stdout, stderr } = await run(process.execPath, [path.join(root, 'schema', 'compose.mjs'), '--check'], {
        cwd: root,
      });
      output = stdout + stderr;
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`schema/supergraph.graphql is stale or does not compose:\n${stdout}${stderr}`, { cause: error });
    }
    expect(output).toMatch(/up to date/);
  });

  it('names one subgraph per schema file, at its DESIGN.md port', () => {
    const files = readdirSync(path.join(root, 'schema'))
      .filter((f) => f.endsWith('.graphql') && f !== 'supergraph.graphql' && f !== 'api.graphql')
      .map((f) => path.basename(f, '.graphql'))
      .sort();
    const endpoints = subgraphEndpoints(readSupergraph());
    expect(endpoints.map((e) => e.name).sort()).toEqual(files);
    const ports: Record<string, number> = { auth: 4001, users: 4002, patients: 4003, visits: 4004, clinic: 4005, admin: 4006, audit: 4007 };
    for (const e of endpoints) expect(e.graphql).toBe(`http://127.0.0.1:${ports[e.name]}/graphql`);
  });
});
