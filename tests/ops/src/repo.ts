import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/ops/src → ../../..). */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = root): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env, timeout: 60_000 });
}

/** Whether a command can be started at all (installed and on PATH). */
export function hasCommand(command: string): boolean {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return !result.error;
}

/** Every process of DESIGN.md's services table. */
export const DESIGN_PROCESSES = [
  'auth', 'users', 'admin', 'patients', 'visits', 'clinic', 'audit', 'gateway', 'clinic-web', 'admin-web',
];

/** The services that own a database (one MySQL database each). */
export const DATABASE_SERVICES = ['auth', 'users', 'admin', 'patients', 'visits', 'clinic', 'audit'];
