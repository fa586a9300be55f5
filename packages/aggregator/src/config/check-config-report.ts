import { redactUrl } from '@video-exporter/probe-worker/common';
import type { Config } from './types.js';

/**
 * The human summary `check-config` prints: streams per project and line, totals, key settings and
 * warnings. No URLs or headers (credentials).
 */
export function summarizeConfig(c: Config): string {
  const e = c.exporter;
  // project -> line -> count, in first-appearance order
  const projects = new Map<string, Map<string, number>>();
  for (const s of c.streams) {
    const lines = projects.get(s.project) ?? new Map<string, number>();
    lines.set(s.line, (lines.get(s.line) ?? 0) + 1);
    projects.set(s.project, lines);
  }
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const width = Math.max(...[...projects.keys()].map((p) => p.length), 0);
  const out: string[] = [`streams: ${plural(c.streams.length, 'stream')} in ${plural(projects.size, 'project')}`];
  for (const [project, lines] of projects) {
    const total = [...lines.values()].reduce((a, b) => a + b, 0);
    const detail = [...lines].map(([line, n]) => `${line} ${n}`).join(', ');
    out.push(`  ${project.padEnd(width)}  ${String(total).padStart(5)}  (${detail})`);
  }
  const sharding =
    e.sharding.mode === 'none'
      ? 'none'
      : e.sharding.mode === 'dns'
        ? `dns (service ${e.sharding.service ?? '?'}, every` +
          ` ${e.sharding.resolve_interval_s}s${e.sharding.dns_server ? `, server ${e.sharding.dns_server}` : ''})`
        : `static (index ${e.sharding.index ?? 'from SHARD_INDEX'}, count ${e.sharding.count ?? 'from SHARD_COUNT'})`;
  out.push(
    'exporter:',
    `  check_interval ${e.check_interval}s, sample_duration ${e.sample_duration}s, min_keyframes ${e.min_keyframes}`,
    `  max_concurrent ${e.max_concurrent}, max_retries ${e.max_retries}, workers ${e.workers ?? 'by load'}`,
    `  timeouts: connect ${e.connect_timeout_ms} ms, first byte ${e.first_byte_timeout_ms} ms, idle` +
      ` ${e.idle_timeout_ms} ms; stall threshold ${e.stall_threshold_ms} ms`,
    `  listen_addr ${e.listen_addr.text}, log_level ${e.log_level}`,
    `  allowed_tags: ${e.allowed_tags.length === 0 ? '(none)' : e.allowed_tags.join(', ')}`,
    `  sharding: ${sharding}`,
    `  probe endpoint: ${e.probe_endpoint.enabled ? `on (${e.probe_endpoint.allowed_hosts.join(', ')})` : 'off'}`,
  );
  if (c.discovery.length > 0) {
    out.push(`discovery: ${plural(c.discovery.length, 'source')}`);
    for (const d of c.discovery) {
      const where = d.type === 'file' ? d.path! : redactUrl(d.url!);
      out.push(`  ${d.name} (${d.type}) ${where}, every ${d.refresh_interval_s}s, max ${d.max_streams} streams`);
    }
  }
  if (c.warnings.length > 0) {
    out.push(`warnings (${c.warnings.length}):`, ...c.warnings.map((w) => `  - ${w}`));
  }
  return out.join('\n');
}
