#!/usr/bin/env node
// `npm test`: install if needed, build, then every package's jest through turbo, one package at a
// time (2-core machines; jest itself runs with maxWorkers 1), and one summary line at the end.
// Tests create their own databases; no migration is needed first.
//
//   npm test                                       everything
//   npm test -- --filter=@clinicult/auth-service   turbo options before a second `--` …
//   npm test -- --filter=@clinicult/kit -- -t session   … and jest options after it
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled, turbo } from './lib/proc.mjs';
import { checkInfrastructure } from './lib/infra.mjs';
import { c, fail, step } from './lib/ui.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function splitArgs(argv) {
  const at = argv.indexOf('--');
  return at === -1 ? { turboArgs: argv, jestArgs: [] } : { turboArgs: argv.slice(0, at), jestArgs: argv.slice(at + 1) };
}

function summarize(results) {
  const total = { passed: 0, failed: 0, skipped: 0, suites: 0, failedSuites: 0 };
  for (const r of results) {
    total.passed += r.passed;
    total.failed += r.failed;
    total.skipped += r.skipped;
    total.suites += r.suites;
    total.failedSuites += r.failedSuites;
  }
  return total;
}

function readResults(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
    .sort((a, b) => a.package.localeCompare(b.package));
}

async function main() {
  const { turboArgs, jestArgs } = splitArgs(process.argv.slice(2));

  step('Dependencies');
  if ((await ensureInstalled({ log: (m) => console.log(`  ${m}`) })) !== 0) {
    fail('npm install failed (see above).');
    return 1;
  }

  step('Build (turbo run build)');
  if ((await turbo(['run', 'build', '--output-logs=errors-only', ...turboArgs.filter((a) => a.startsWith('--filter'))])) !== 0) {
    fail('The build failed (see above): no tests were run.');
    return 1;
  }

  step('Types and lint (turbo run typecheck lint): tests are type-checked too, the build leaves them out');
  if ((await turbo(['run', 'typecheck', 'lint', '--output-logs=errors-only', ...turboArgs.filter((a) => a.startsWith('--filter'))])) !== 0) {
    fail('Type errors or lint problems (see above): no tests were run.');
    return 1;
  }

  step('MariaDB/MySQL and Redis (the integration tests use both)');
  const { problems } = await checkInfrastructure();
  if (problems.length) {
    for (const problem of problems) fail(problem);
    return 1;
  }

  step('Tests (turbo run test --concurrency=1)');
  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'clinicult-test-'));
  const reporter = path.join(resultsDir, 'summary-reporter.cjs');
  copyFileSync(path.join(here, 'lib', 'jest-summary-reporter.cjs'), reporter);
  const started = Date.now();
  const code = await turbo(
    [
      'run',
      'test',
      '--concurrency=1',
      // built just above; loose env mode hashes differently, so do not let it rebuild
      '--only',
      // every package runs even after a failure, so the summary covers the whole repo
      '--continue=always',
      '--output-logs=new-only',
      // test is never cached: let the tasks see the whole environment (CI, REDIS_URL, DATABASE_URL_*)
      '--env-mode=loose',
      ...turboArgs,
      '--',
      '--reporters=default',
      `--reporters=${reporter}`,
      // a package without tests (a helper library) is not a failure
      '--passWithNoTests',
      // a test that leaves a handle open must not hang the whole suite (jest still names it)
      '--forceExit',
      ...jestArgs,
    ],
    { env: { FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') } },
  );

  const results = readResults(resultsDir);
  rmSync(resultsDir, { recursive: true, force: true });
  const total = summarize(results);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log('');
  for (const r of results.filter((x) => !x.success)) {
    const files = r.failedSuiteFiles.length ? `: ${r.failedSuiteFiles.join(', ')}` : '';
    console.log(c.red(`  ✖ ${r.package} — ${r.failed} failed${r.runtimeErrorSuites ? `, ${r.runtimeErrorSuites} suite(s) did not run` : ''}${files}`));
    for (const failure of r.failures ?? []) {
      console.log(`    ${failure.file} › ${failure.test}`);
      console.log(failure.message.replace(/^/gm, '      '));
    }
  }
  const detail = `${results.length} package${results.length === 1 ? '' : 's'}, ${total.suites} suites, ${seconds} s`;
  const healthy = code === 0 && total.failed === 0 && results.every((r) => r.success);
  console.log(healthy ? c.green(detail) : c.red(detail));
  // the closing line, plain and alone, as CI reads it: "N passed, N failed[, N skipped]"
  console.log(`${total.passed} passed, ${total.failed} failed` + (total.skipped ? `, ${total.skipped} skipped` : ''));
  if (code !== 0 && healthy === false && total.failed === 0) {
    console.log(c.red('  turbo reported a failure outside the test counts (a suite that did not load, or a crash): see above.'));
  }
  return code !== 0 ? code : healthy ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    fail(error.stack ?? String(error));
    process.exit(1);
  },
);
