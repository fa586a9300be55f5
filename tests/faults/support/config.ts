/**
 * Config files for the fault tests, with what tests/exporter/support/config-file.ts does not write:
 * per-stream `headers` and `insecure_tls`. The file is written as JSON, which YAML 1.2 (js-yaml) reads
 * unchanged, so URLs with `&`, `?`, `@` and `${VAR}` need no quoting rules.
 */
import type { ExporterKeys } from '../../exporter/support/config-file.js';

export interface FaultStream {
  project: string;
  /** as written in the file; the exporter lower-cases it for the `line` label */
  line: string;
  id: string;
  url: string;
  tags?: Record<string, string>;
  headers?: Record<string, string>;
  insecure_tls?: boolean;
}

export function configJson(exporter: ExporterKeys, streams: readonly FaultStream[]): string {
  const tree: Record<string, Record<string, unknown[]>> = {};
  for (const s of streams) {
    tree[s.project] ??= {};
    const lines = tree[s.project]!;
    lines[s.line] ??= [];
    const list = lines[s.line]!;
    list.push({
      url: s.url,
      id: s.id,
      ...(s.tags ? { tags: s.tags } : {}),
      ...(s.headers ? { headers: s.headers } : {}),
      ...(s.insecure_tls !== undefined ? { insecure_tls: s.insecure_tls } : {}),
    });
  }
  return `${JSON.stringify({ exporter, streams: tree }, null, 2)}\n`;
}

/** The label set SPEC §6 gives a stream's series, for the given allowed_tags. */
export function streamLabels(
  s: FaultStream,
  allowedTags: readonly string[] = ['table', 'desk', 'biz', 'isp', 'role'],
): Record<string, string> {
  const labels: Record<string, string> = { project: s.project, line: s.line.toLowerCase(), id: s.id };
  for (const t of allowedTags) labels[t] = s.tags?.[t] ?? '';
  return labels;
}

/** `project/line/id` as the exporter keys a stream (line lower-cased). */
export function streamKey(s: FaultStream): string {
  return `${s.project}/${s.line.toLowerCase()}/${s.id}`;
}
