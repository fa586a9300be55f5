#!/usr/bin/env bash
# Builds, runs the whole vitest suite, and prints the plain "N passed, N failed" line CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."
pnpm -s build || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p test-results
report=test-results/vitest.json
rm -f "$report"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report"
status=$?
node -e '
  const fs = require("fs");
  const file = process.argv[1];
  if (!fs.existsSync(file)) { console.log("0 passed, 1 failed"); process.exit(1); }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  // A suite that failed to load has no test results: count it as a failure.
  const broken = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + broken} failed`);
' "$report"
exit $status
