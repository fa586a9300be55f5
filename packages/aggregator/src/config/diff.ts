import type { StreamConfig } from './types.js';

export interface StreamDiff {
  /** in next only: start probing */
  added: StreamConfig[];
  /** in old only: stop probing and delete all their series */
  removed: StreamConfig[];
  /** same key, different url / tags / headers / insecure_tls: restart (next's version) */
  changed: StreamConfig[];
  /** same key and content: leave alone, series untouched (next's version) */
  unchanged: StreamConfig[];
}

/**
 * What a reload must do (SPEC §3), by stream key `project/line/id`. Added, changed and unchanged keep
 * next's order, removed keeps old's.
 */
export function diffStreams(old: readonly StreamConfig[], next: readonly StreamConfig[]): StreamDiff {
  const before = new Map(old.map((s) => [s.key, s]));
  const nextKeys = new Set(next.map((s) => s.key));
  const diff: StreamDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const s of next) {
    const prev = before.get(s.key);
    if (prev === undefined) diff.added.push(s);
    else if (sameStream(prev, s)) diff.unchanged.push(s);
    else diff.changed.push(s);
  }
  for (const s of old) if (!nextKeys.has(s.key)) diff.removed.push(s);
  return diff;
}

export function sameStream(a: StreamConfig, b: StreamConfig): boolean {
  return (
    a.key === b.key &&
    a.url === b.url &&
    a.insecure_tls === b.insecure_tls &&
    a.content_checks === b.content_checks &&
    sameRecord(a.tags, b.tags) &&
    sameRecord(a.headers, b.headers)
  );
}

/** Order-insensitive: reordering tags in the file is not a change. */
function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
