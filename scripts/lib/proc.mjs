// Running the repo's own tools from the scripts: `npm`, the local turbo binary, node CLIs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a command with inherited stdio; resolves to its exit code (signals count as 1). */
export function run(command, args, { env = process.env, cwd = root, stdio = 'inherit' } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio });
    child.on('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `npm install` when node_modules is missing (a fresh clone); otherwise does nothing. */
export async function ensureInstalled({ log }) {
  if (existsSync(path.join(root, 'node_modules', '.bin', 'turbo'))) return 0;
  log('node_modules is missing: running npm install');
  const hasLock = existsSync(path.join(root, 'package-lock.json'));
  return run(npmCommand, [hasLock && process.env.CI ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

/** The environment for turbo: offline, no telemetry, no update notices. */
export function turboEnv(extra = {}) {
  return {
    ...process.env,
    TURBO_TELEMETRY_DISABLED: '1',
    TURBO_NO_UPDATE_NOTIFIER: '1',
    DO_NOT_TRACK: '1',
    ...extra,
  };
}

/** `npx turbo …` without npx's lookup: the workspace's own binary. */
export function turbo(args, options = {}) {
  const bin = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
  return run(bin, args, { env: turboEnv(options.env), cwd: root, stdio: options.stdio });
}
