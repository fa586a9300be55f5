import type { ShardingMode } from '../config/types.js';

/** The log methods the sharding code uses (the exporter's winston logger has them). */
export interface ShardLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

/** How the peer discovery is doing, for /status. */
export interface PeerSourceHealth {
  /** finished look-ups (dns mode; 0 otherwise) */
  lookups: number;
  /** the latest look-up failed; the last known peer set is kept meanwhile */
  failing: boolean;
  /** why the latest look-up failed, while failing */
  last_error?: string;
}

/**
 * Where the peer set comes from. `start` resolves with the first set; later changes (and only
 * changes) go to `onChange`, always as the whole sorted set including `self`.
 */
export interface PeerSource {
  readonly mode: ShardingMode;
  /** this pod's name in the peer set; null when not sharding */
  readonly self: string | null;
  start(onChange: (peers: string[]) => void): Promise<string[]>;
  stop(): void;
  health(): PeerSourceHealth;
}

/** Sharding off: no peers, this process owns every stream. */
export class NoPeerSource implements PeerSource {
  readonly mode = 'none' as const;
  readonly self = null;

  async start(): Promise<string[]> {
    return [];
  }

  stop(): void {}

  health(): PeerSourceHealth {
    return { lookups: 0, failing: false };
  }
}

/** Sorted, without duplicates: the canonical form two peer sets are compared in. */
export function peerSet(peers: Iterable<string>): string[] {
  return [...new Set(peers)].sort();
}

export function samePeerSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
