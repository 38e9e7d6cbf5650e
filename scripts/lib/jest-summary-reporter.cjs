// A jest reporter used by `npm test` (scripts/test.mjs) beside jest's default one: it writes each
// package's totals as JSON next to a copy of itself in the run's temporary folder, so the runner can
// print one "N passed, N failed" line for the whole monorepo. (A file location, not an environment
// variable: turbo's strict env mode does not pass unknown variables to tasks.)
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir ?? process.cwd();
  }

  onRunComplete(_contexts, results) {
    const name = readPackageName(this.rootDir);
    const failedSuites = results.testResults
      .filter((r) => r.numFailingTests > 0 || r.testExecError || r.failureMessage)
      .map((r) => path.relative(this.rootDir, r.testFilePath));
    const summary = {
      package: name,
      rootDir: this.rootDir,
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
      failedSuites: results.numFailedTestSuites,
      runtimeErrorSuites: results.numRuntimeErrorTestSuites,
      failedSuiteFiles: failedSuites,
      failures: firstFailures(results, this.rootDir),
      // (results.success is set only after the reporters have run)
      success:
        results.numFailedTests === 0 && results.numFailedTestSuites === 0 && results.numRuntimeErrorTestSuites === 0,
    };
    const file = path.join(__dirname, `${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`);
    fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  }
}

// The end of a long run's output is often all that a CI log keeps: the first lines of the first few
// failures travel with the summary, so the closing lines say why, not only where.
const FAILURES_KEPT = 4;
const LINES_KEPT = 8;
const plain = (text) => String(text).replace(/\u001b\[[0-9;]*m/g, '');

function firstFailures(results, rootDir) {
  const failures = [];
  for (const suite of results.testResults) {
    const file = path.relative(rootDir, suite.testFilePath);
    if (suite.testExecError && !suite.assertionResults?.length) {
      failures.push({ file, test: '(the file did not run)', message: clip(suite.testExecError.message ?? suite.failureMessage) });
    }
    for (const test of suite.testResults ?? []) {
      if (test.status !== 'failed') continue;
      failures.push({ file, test: test.fullName, message: clip(test.failureMessages?.[0] ?? '') });
    }
  }
  return failures.slice(0, FAILURES_KEPT);
}

function clip(message) {
  return plain(message)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line && !/^\s+at .*node_modules/.test(line))
    .slice(0, LINES_KEPT)
    .join('\n');
}

function readPackageName(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name ?? path.basename(dir);
  } catch {
    return path.basename(dir);
  }
}

module.exports = SummaryReporter;
