/**
 * Writes exporter config files in the operator's format (SPEC §3: project -> line -> list of streams).
 * Scalars are written as JSON strings / numbers, which YAML reads unchanged, so a URL with `&` or `?`
 * needs no further quoting.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StreamSpec {
  project: string;
  /** as written in the file (the exporter lower-cases it for the label) */
  line: string;
  id: string;
  url: string;
  tags?: Record<string, string>;
}

/** exporter keys; a nested section (content_checks) is written as a JSON flow mapping, which is YAML too */
export type ExporterKeys = Record<
  string,
  string | number | boolean | readonly string[] | Readonly<Record<string, string | number | boolean>>
>;

export function configYaml(exporter: ExporterKeys, streams: readonly StreamSpec[]): string {
  const out: string[] = ['exporter:'];
  for (const [k, v] of Object.entries(exporter)) out.push(`  ${k}: ${JSON.stringify(v)}`);
  out.push('streams:');
  const projects = new Map<string, Map<string, StreamSpec[]>>();
  for (const s of streams) {
    const lines = projects.get(s.project) ?? new Map<string, StreamSpec[]>();
    projects.set(s.project, lines);
    lines.set(s.line, [...(lines.get(s.line) ?? []), s]);
  }
  for (const [project, lines] of projects) {
    out.push(`  ${JSON.stringify(project)}:`);
    for (const [line, list] of lines) {
      out.push(`    ${JSON.stringify(line)}:`);
      for (const s of list) {
        out.push(`      - url: ${JSON.stringify(s.url)}`, `        id: ${JSON.stringify(s.id)}`);
        if (s.tags && Object.keys(s.tags).length > 0) {
          out.push('        tags:');
          for (const [k, v] of Object.entries(s.tags)) out.push(`          ${k}: ${JSON.stringify(v)}`);
        }
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * A temporary directory, created on first use (a describe block whose tests are all filtered out runs
 * no hooks, so nothing may be created at collection time) and removed by `cleanup()`.
 */
export function tempDir(prefix: string): { readonly path: string; file(name: string): string; cleanup(): void } {
  let path: string | undefined;
  const ensure = (): string => (path ??= mkdtempSync(join(tmpdir(), `ve-${prefix}-`)));
  return {
    get path() {
      return ensure();
    },
    file: (name) => join(ensure(), name),
    cleanup: () => {
      if (path !== undefined) rmSync(path, { recursive: true, force: true });
      path = undefined;
    },
  };
}

/** Replaces the file the way editors and config-management tools do: write a sibling, rename it over. */
export function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
