#!/usr/bin/env node
// Runs `prisma generate` for one service's schema (prisma/<service>/schema.prisma).
// The Prisma CLI wants a schema-engine binary it cannot download here; generate never uses it,
// so any existing file satisfies the check (see DESIGN.md, facts about this environment).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const service = process.argv[2];
if (!service) throw new Error('usage: prisma-generate.mjs <service>');
const schema = path.join(root, 'prisma', service, 'schema.prisma');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const result = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', schema],
  { stdio: 'inherit', env, cwd: path.join(root, 'prisma', service) },
);
process.exit(result.status ?? 1);
