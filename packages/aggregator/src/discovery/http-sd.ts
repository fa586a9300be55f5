/**
 * The Prometheus http_sd format, `[{"targets": ["http://edge/live/a.flv"], "labels": {...}}]`, read from a
 * URL (`http_sd`) or from files (`file`, see file.ts). Pure parsing here; labels are interpreted in render.ts.
 */
import type { DiscoverySourceConfig } from '../config/types.js';
import { DiscoveryError, fetchJson } from './fetch-json.js';
import type { DiscoverySource, TargetEntry } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A parsed document -> targets; a wrong shape is one error naming where (`[3].labels.isp`). */
export function parseHttpSd(doc: unknown, where: string): TargetEntry[] {
  if (!Array.isArray(doc))
    throw new DiscoveryError(`${where}: expected a list of target groups ([{"targets": [...], "labels": {...}}])`);
  const out: TargetEntry[] = [];
  for (const [i, group] of doc.entries()) {
    if (!isObject(group)) throw new DiscoveryError(`${where}: [${i}] is not an object`);
    if (!Array.isArray(group.targets)) throw new DiscoveryError(`${where}: [${i}].targets must be a list of URLs`);
    const labels: Record<string, string> = {};
    if (group.labels !== undefined) {
      if (!isObject(group.labels)) throw new DiscoveryError(`${where}: [${i}].labels must be an object of strings`);
      for (const [k, v] of Object.entries(group.labels)) {
        if (typeof v !== 'string') throw new DiscoveryError(`${where}: [${i}].labels.${k} must be a string`);
        labels[k] = v;
      }
    }
    for (const [j, t] of group.targets.entries()) {
      if (typeof t !== 'string') throw new DiscoveryError(`${where}: [${i}].targets[${j}] must be a string`);
      out.push({ kind: 'target', url: t, labels });
    }
  }
  return out;
}

export class HttpSdSource implements DiscoverySource {
  constructor(private readonly c: Pick<DiscoverySourceConfig, 'url' | 'headers'>) {}

  async refresh(signal: AbortSignal): Promise<TargetEntry[]> {
    const url = this.c.url!;
    return parseHttpSd(await fetchJson({ url, headers: this.c.headers, signal }), url.replace(/\?.*$/, ''));
  }
}
