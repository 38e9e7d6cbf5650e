// `npm run bench -- --baseline <git ref>`: another checkout of the project, built in a scratch folder,
// and whole platforms (`npm start` of either checkout) brought up and down by the bench, one at a
// time, so that a change shows as a ratio measured on the same machine in the same hour.
//
// Each side runs on its own databases (DATABASE_URL_<SERVICE> = clinicult_bench_<side>_<service>),
// its own Redis database number and its own demo operator secret file, so that neither side's
// migrations, cache or event streams meet the other's, nor what a developer's `npm start` keeps.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portInUse } from '../../scripts/lib/infra.mjs';
import { DATABASE_SERVICES } from '../../scripts/lib/services.mjs';

const GATEWAY_PORT = 4000;
const GATEWAY_OPS_PORT = 9000;

const log = (line) => console.log(`  ${line}`);

function sh(command, args, options = {}) {
  return String(execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options }) ?? '').trim();
}

/**
 * The checkout of `ref` in os.tmpdir()/clinicult-bench/<sha>, cloned from this repository and
 * installed once (`npm start` builds it); kept between runs.
 */
export function prepareCheckout(root, ref) {
  const sha = sh('git', ['-C', root, 'rev-parse', '--verify', `${ref}^{commit}`]);
  const dir = path.join(os.tmpdir(), 'clinicult-bench', sha.slice(0, 12));
  if (!existsSync(path.join(dir, '.git'))) {
    log(`cloning ${ref} (${sha.slice(0, 12)}) into ${dir}`);
    sh('git', ['clone', '--quiet', '--shared', '--no-checkout', root, dir]);
    sh('git', ['-C', dir, 'checkout', '--quiet', '--detach', sha]);
  }
  if (!existsSync(path.join(dir, 'node_modules'))) {
    log(`npm ci in ${dir} (a minute or two)`);
    sh('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return { dir, sha };
}

/** The environment of one side: its own databases and Redis database number. */
export function sideEnv(side, redisDb) {
  const env = {
    REDIS_URL: `redis://127.0.0.1:6379/${redisDb}`,
    // its demo operator's authenticator secret apart from the one of the developer's own demo
    DEMO_OPERATOR_FILE: path.join(os.tmpdir(), 'clinicult-bench', `${side}-demo-operator.json`),
  };
  for (const service of DATABASE_SERVICES) env[`DATABASE_URL_${service.toUpperCase()}`] = `mysql://root@127.0.0.1:3306/clinicult_bench_${side}_${service}`;
  return env;
}

export async function refuseWhenRunning() {
  if (await portInUse(GATEWAY_PORT)) {
    throw new Error(`something listens on :${GATEWAY_PORT}: --baseline starts each platform itself; stop npm start first`);
  }
}

/** What production mode needs that development makes up: service keys, an SMTP URL, the MFA key. */
function productionEnv(dir) {
  const keys = path.join(dir, '.clinicult', 'service-keys');
  if (!existsSync(keys)) sh(process.execPath, [path.join(dir, 'scripts/service-keys.mjs')], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return {
    NODE_ENV: 'production',
    SERVICE_KEYS_DIR: keys,
    // nothing is mailed during a bench; production only refuses to start without somewhere to send
    SMTP_URL: 'smtp://127.0.0.1:1025',
    MFA_SECRET_KEY: randomBytes(32).toString('base64'),
  };
}

/**
 * `npm start` of `dir` with `env`, resolved once it has printed its banner (every service ready, the
 * demo seeded in development) and the gateway reports ready. Returns { stop }.
 */
export async function startPlatform(dir, { production, env, timeoutMs = 15 * 60_000 }) {
  await refuseWhenRunning();
  const childEnv = { ...process.env, ...env, ...(production ? productionEnv(dir) : { NODE_ENV: 'development' }) };
  delete childEnv.GATEWAY_URL;
  const child = spawn(process.execPath, [path.join(dir, 'scripts/start.mjs')], { cwd: dir, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const started = Date.now();
  while (!output.includes('Press Ctrl-C to stop')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start in ${dir} exited:\n${output.slice(-3000)}`);
    if (Date.now() - started > timeoutMs) {
      process.kill(-child.pid, 'SIGKILL');
      throw new Error(`npm start in ${dir} was not up within ${timeoutMs / 1000} s:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const ready = await fetch(`http://127.0.0.1:${GATEWAY_OPS_PORT}/readyz`).then((r) => r.ok, () => false);
  if (!ready) log(`(the gateway's /readyz at :${GATEWAY_OPS_PORT} did not answer ready; measuring anyway)`);
  log(`up in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  return {
    async stop() {
      if (child.exitCode !== null) return;
      // npm start stops its services gracefully on SIGINT, as on Ctrl-C
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }, 30_000);
      await exited;
      clearTimeout(timer);
      // its ports free again before the next side starts
      for (let i = 0; i < 50 && (await portInUse(GATEWAY_PORT)); i += 1) await new Promise((resolve) => setTimeout(resolve, 200));
    },
  };
}

/** The median of numbers (the middle one, or the mean of the middle two). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
