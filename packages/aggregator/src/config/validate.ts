import type { Env } from './env.js';
import { ConfigError } from './errors.js';
import { childPath, closest, describe, isMapping, Problems } from './problems.js';
import type { Config } from './types.js';
import { validateDiscovery } from './validate-discovery.js';
import { validateExporter } from './validate-exporter.js';
import { validateStreams } from './validate-streams.js';

const TOP_LEVEL = ['exporter', 'streams', 'discovery'] as const;

/**
 * Parsed YAML -> Config, or a ConfigError listing every problem in document order.
 *
 * The streams need the exporter's allowed_tags, so the exporter section is checked first whatever its
 * place in the file; each section's problems are then emitted in the order the sections appear.
 */
export function validateConfig(doc: unknown, env: Env, source?: string): Config {
  if (doc === undefined || doc === null) {
    throw new ConfigError(['the config is empty: it needs at least a "streams" section'], source);
  }
  if (!isMapping(doc)) {
    throw new ConfigError(
      [`the config must be a mapping with keys exporter and streams, got ${describe(doc)}`],
      source,
    );
  }
  const exporterProblems = new Problems();
  const streamsProblems = new Problems();
  const discoveryProblems = new Problems();
  const warnings: string[] = [];

  let exporterRaw: Record<string, unknown> | undefined;
  if (Object.hasOwn(doc, 'exporter')) {
    if (isMapping(doc.exporter)) exporterRaw = doc.exporter;
    else exporterProblems.add('exporter', `must be a mapping, got ${describe(doc.exporter)}`);
  }
  const exporter = validateExporter(exporterRaw, exporterProblems);
  // with discovery sources, `streams:` may be empty or absent (SPEC §11: either may be empty, not both)
  const hasDiscovery = Array.isArray(doc.discovery) && doc.discovery.length > 0;
  const streams =
    Object.hasOwn(doc, 'streams') && !(hasDiscovery && isEmpty(doc.streams))
      ? validateStreams(doc.streams, exporter.allowed_tags, env, streamsProblems, warnings)
      : [];
  const discovery = Object.hasOwn(doc, 'discovery')
    ? validateDiscovery(doc.discovery, exporter.allowed_tags, env, discoveryProblems, warnings)
    : [];

  const problems: string[] = [];
  for (const key of Object.keys(doc)) {
    if (key === 'exporter') problems.push(...exporterProblems.list);
    else if (key === 'streams') problems.push(...streamsProblems.list);
    else if (key === 'discovery') problems.push(...discoveryProblems.list);
    else {
      const guess = closest(key, TOP_LEVEL);
      problems.push(
        `${childPath('', key)}: unknown key` +
          ` (${guess !== undefined ? `did you mean "${guess}"?` : `expected one of: ${TOP_LEVEL.join(', ')}`})`,
      );
    }
  }
  if (!Object.hasOwn(doc, 'streams') && !hasDiscovery) problems.push('missing required key "streams"');
  if (problems.length > 0) throw new ConfigError(problems, source);
  return { exporter, streams, discovery, warnings };
}

const isEmpty = (v: unknown): boolean => v === null || v === undefined || (isMapping(v) && Object.keys(v).length === 0);
