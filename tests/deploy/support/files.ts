/**
 * Paths of the deployment artefacts and a YAML reader. js-yaml is the aggregator's dependency (not the
 * workspace root's), so it is resolved from the aggregator package, the same copy the exporter uses.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../../exporter/support/exporter-process.js';

export { ROOT };

export const DEPLOY = join(ROOT, 'deploy');
export const AGGREGATOR = join(ROOT, 'packages/aggregator');
export const AGGREGATOR_DIST = join(AGGREGATOR, 'dist');

interface JsYaml {
  load(text: string): unknown;
  loadAll(text: string): unknown[];
}
const yaml = createRequire(join(AGGREGATOR, 'package.json'))('js-yaml') as JsYaml;

export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);
export const readText = (path: string): string => readFileSync(path, 'utf8');
export const readYaml = <T = unknown>(path: string): T => yaml.load(readText(path)) as T;
export const parseYaml = <T = unknown>(text: string): T => yaml.load(text) as T;
export const parseYamlAll = (text: string): unknown[] =>
  yaml.loadAll(text).filter((d) => d !== null && d !== undefined);
export const exists = (path: string): boolean => existsSync(path);

/** Every JS file of the built aggregator, probe-worker and flv-parser, concatenated (for greps). */
export function builtSources(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.js')) out.set(p, readText(p));
    }
  };
  for (const pkg of ['aggregator', 'probe-worker', 'flv-parser']) walk(join(ROOT, 'packages', pkg, 'dist'));
  return out;
}

/** Environment variable names the built exporter reads (`env.NAME`, `env?.NAME`, `env['NAME']`). */
export function envNamesReadByExporter(): Set<string> {
  const names = new Set<string>();
  for (const text of builtSources().values()) {
    for (const m of text.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]!);
    for (const m of text.matchAll(/\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g)) names.add(m[1]!);
  }
  return names;
}
