import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces the block between `<!-- name:start -->` and `<!-- name:end -->` in a markdown file,
 * appending it when absent, so several benchmarks can share docs/benchmarks.md.
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
}
