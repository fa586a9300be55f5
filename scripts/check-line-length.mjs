#!/usr/bin/env node
/**
 * Fails when a tracked source, script or doc-comment line is longer than 120 characters (the formatter
 * wraps code; this catches long strings, comments and Markdown tables it leaves alone in code files).
 * Markdown, JSON, YAML and fixtures are not checked: tables and data lines may be long. Nor are the benchmark
 * report generators (scripts/bench/): their template literals hold Markdown table rows, one row a line.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const CHECKED = /\.(ts|mts|mjs|js|sh)$/;
const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => CHECKED.test(f) && !f.includes('/fixtures/') && !f.startsWith('scripts/bench/'));
const long = [];
for (const file of files) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.length > MAX) long.push(`${file}:${i + 1}: ${line.length} characters`);
    });
}
for (const l of long) console.log(l);
if (long.length > 0) {
  console.log(`${long.length} lines over ${MAX} characters`);
  process.exit(1);
}
