/**
 * Configured and discovered streams -> one set (SPEC §11): a configured stream wins over a discovered one
 * with the same identity, an earlier source over a later one. Pure.
 */
import type { StreamConfig } from '../config/types.js';

export interface SourceStreams {
  name: string;
  streams: readonly StreamConfig[];
}

export interface Merged {
  /** the discovered streams kept, in source order */
  streams: StreamConfig[];
  /** source name -> identities it lost to the config or an earlier source */
  conflicts: Map<string, string[]>;
}

export function mergeDiscovered(configured: readonly StreamConfig[], sources: readonly SourceStreams[]): Merged {
  const taken = new Set(configured.map((s) => s.key));
  const merged: Merged = { streams: [], conflicts: new Map() };
  for (const src of sources) {
    const lost: string[] = [];
    for (const s of src.streams) {
      if (taken.has(s.key)) {
        lost.push(s.key);
        continue;
      }
      taken.add(s.key);
      merged.streams.push(s);
    }
    if (lost.length > 0) merged.conflicts.set(src.name, lost);
  }
  return merged;
}
