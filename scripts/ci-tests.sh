#!/usr/bin/env bash
# Builds, runs the whole vitest suite, and prints the plain "N passed, N failed" line CI reads
# (scripts/ci-summary.mjs: failed suites and hook failures count as failed, each one named).
set -uo pipefail
cd "$(dirname "$0")/.."
pnpm -s build || { echo "suite failed: the TypeScript build"; echo "0 passed, 1 failed"; exit 1; }
# lint and format (Biome), the 120-column rule and the tests' types (vitest strips them unchecked): a
# failure is one failed suite, the tests still run
mkdir -p test-results
lint_failed=0
{ pnpm -s lint && pnpm -s typecheck; } > test-results/lint.log 2>&1 || lint_failed=1
report=test-results/vitest.json
rm -f "$report"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report"
status=$?
node scripts/ci-summary.mjs "$report" "$status" "$lint_failed"
summary=$?
# the summary's verdict and vitest's must both be green
if ((status != 0)); then exit "$status"; fi
exit "$summary"
