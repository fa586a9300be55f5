import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Replaces the block between `<!-- name:start -->` and `<!-- name:end -->` in a markdown file,
 * appending it when absent, so several benchmarks can share docs/benchmarks.md. The file is then formatted
 * as `pnpm lint` checks it (Biome aligns the tables), so a benchmark run never leaves CI a lint failure.
 */
export function writeSection(file, name, body) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nEvery table here is written by a benchmark script; the command that made it is beside it.\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/biome'), ['format', '--write', file], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    console.error(`bench: could not format ${file}; run \`pnpm format\` before committing it`);
  }
}
