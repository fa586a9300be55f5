#!/usr/bin/env node
/**
 * Reads vitest's JSON report and prints the plain "N passed, M failed" line CI reads.
 * M counts failed tests plus every test file that failed without a failed test of its own
 * (it did not load, or a beforeAll/afterAll hook threw: its tests show as skipped), and one
 * more when vitest itself exited non-zero with nothing else failed (unhandled errors), so a red
 * run never reads "0 failed". Each failed suite is named on its own line before the count.
 *
 * usage: node scripts/ci-summary.mjs <report.json> <vitest exit status> [<lint failed: 0|1>]
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [file, statusArg, lintArg] = process.argv.slice(2);
const vitestStatus = Number(statusArg ?? 0);
const lintFailed = lintArg === '1' ? 1 : 0;
if (lintFailed)
  console.log('suite failed: pnpm lint + typecheck (Biome, line length, tsc incl. tests; see test-results/lint.log)');

if (!file || !existsSync(file)) {
  console.log(`suite failed: no vitest report at ${file} (vitest exit ${vitestStatus})`);
  console.log(`0 passed, ${1 + lintFailed} failed`);
  process.exit(1);
}

const report = JSON.parse(readFileSync(file, 'utf8'));
const brokenSuites = report.testResults.filter(
  (suite) => suite.status === 'failed' && !suite.assertionResults.some((a) => a.status === 'failed'),
);
for (const suite of brokenSuites) {
  const why = (suite.message || 'a hook failed; its tests were skipped').split('\n')[0].slice(0, 200);
  console.log(`suite failed: ${relative(process.cwd(), suite.name)}: ${why}`);
}
let failed = report.numFailedTests + brokenSuites.length + lintFailed;
if (vitestStatus !== 0 && failed === 0) {
  console.log(`suite failed: vitest exited ${vitestStatus} with no failed test (unhandled error?)`);
  failed = 1;
}
console.log(`${report.numPassedTests} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
