import { redactUrl } from '@video-exporter/probe-worker/common';
import {
  CONFIG_SOURCE,
  type Config,
  ConfigError,
  loadConfigFile,
  type StreamConfig,
  type StreamLabels,
} from '../config/index.js';
import { DiscoveryManager } from '../discovery/manager.js';
import { createLogger } from '../logging.js';
import type { DiscoverySourceStatus } from '../state/types.js';

export interface DiscoverOptions {
  configPath: string;
  json: boolean;
}

/**
 * `video-exporter discover -c config.yml [--json]`: asks every discovery source once and prints the streams
 * that would be probed (configured ones too), URLs redacted. Exit 0 when every source answered, 1 when
 * one failed, 2 on a config error.
 */
export async function discoverCommand(
  o: DiscoverOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let config: Config;
  try {
    config = await loadConfigFile(o.configPath);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err.write(`video-exporter: invalid config ${o.configPath}:\n${e.message}\n`);
    return 2;
  }
  const manager = new DiscoveryManager({
    logger: createLogger('error', { silent: true }),
    allowedTags: config.exporter.allowed_tags,
    watch: false,
    onChange: () => {},
  });
  manager.update(config.discovery, config.streams);
  await manager.refreshAll();
  const sources = manager.status();
  manager.stop();
  const streams = [...config.streams, ...manager.streams()].map(row);
  if (o.json) out.write(`${JSON.stringify({ sources, streams }, null, 2)}\n`);
  else out.write(human(sources, streams));
  return sources.every((s) => s.up) ? 0 : 1;
}

interface Row extends StreamLabels {
  /** redacted */
  url: string;
  source: string;
}

const row = (s: StreamConfig): Row => ({
  project: s.project,
  line: s.line,
  id: s.id,
  url: redactUrl(s.url),
  source: s.source ?? CONFIG_SOURCE,
  tags: s.tags,
});

function human(sources: DiscoverySourceStatus[], streams: Row[]): string {
  const lines: string[] = [];
  for (const s of sources) {
    lines.push(
      s.up
        ? `source ${s.name} (${s.type}): ok, ${s.streams} streams`
        : `source ${s.name} (${s.type}): FAILED: ${s.last_error ?? 'no answer'}`,
    );
  }
  if (sources.length > 0) lines.push('');
  const header: Row = { project: 'PROJECT', line: 'LINE', id: 'ID', source: 'SOURCE', url: 'URL', tags: {} };
  const cols: (keyof Omit<Row, 'tags'>)[] = ['project', 'line', 'id', 'source'];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[header, ...streams].map((r) => r[c].length))]));
  for (const r of [header, ...streams]) lines.push(`${cols.map((c) => r[c].padEnd(width[c]!)).join('  ')}  ${r.url}`);
  lines.push('', `${streams.length} streams would be probed`);
  return `${lines.join('\n')}\n`;
}
