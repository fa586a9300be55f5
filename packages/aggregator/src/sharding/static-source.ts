import type { Env } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import type { ShardingConfig } from '../config/types.js';
import type { PeerSource, PeerSourceHealth } from './peer-source.js';

export interface StaticShard {
  index: number;
  count: number;
}

/** "3", or a StatefulSet pod name such as "video-exporter-3" (its ordinal), as SHARD_INDEX. */
const INDEX_ENV = /^(?:\d+|.*-(\d+))$/;

/**
 * This pod's index and the shard count for mode static: SHARD_INDEX / SHARD_COUNT from the
 * environment override `sharding.index` / `sharding.count` (one ConfigMap, one index per pod).
 * Throws a ConfigError naming the variable or key when they are missing or inconsistent.
 */
export function resolveStaticShard(cfg: ShardingConfig, env: Env): StaticShard {
  const problems: string[] = [];
  let index = cfg.index;
  let indexFrom = 'exporter.sharding.index';
  let count = cfg.count;
  let countFrom = 'exporter.sharding.count';
  const indexText = env.SHARD_INDEX?.trim();
  if (indexText) {
    const m = INDEX_ENV.exec(indexText);
    const n = m === null ? NaN : Number(m[1] ?? indexText);
    if (Number.isSafeInteger(n)) {
      index = n;
      indexFrom = 'SHARD_INDEX';
    } else
      problems.push(
        `SHARD_INDEX: must be a non-negative integer or a pod name ending in -<ordinal>, got` +
          ` ${JSON.stringify(indexText)}`,
      );
  }
  const countText = env.SHARD_COUNT?.trim();
  if (countText) {
    const n = /^\d+$/.test(countText) ? Number(countText) : NaN;
    if (Number.isSafeInteger(n) && n > 0) {
      count = n;
      countFrom = 'SHARD_COUNT';
    } else problems.push(`SHARD_COUNT: must be a positive integer, got ${JSON.stringify(countText)}`);
  }
  if (problems.length === 0) {
    if (index === undefined)
      problems.push("exporter.sharding: mode static needs this pod's index (SHARD_INDEX or sharding.index)");
    if (count === undefined)
      problems.push('exporter.sharding: mode static needs the shard count (SHARD_COUNT or sharding.count)');
    if (index !== undefined && count !== undefined && index >= count)
      problems.push(`${indexFrom}: must be less than ${countFrom} (${index} >= ${count})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { index: index!, count: count! };
}

/** Mode static: the peers are the indices "0" … "count-1", this pod is its index; it never changes. */
export class StaticPeerSource implements PeerSource {
  readonly mode = 'static' as const;
  readonly self: string;
  private readonly peers: string[];

  constructor(shard: StaticShard) {
    this.self = String(shard.index);
    this.peers = Array.from({ length: shard.count }, (_, i) => String(i)).sort();
  }

  async start(): Promise<string[]> {
    return [...this.peers];
  }

  stop(): void {}

  health(): PeerSourceHealth {
    return { lookups: 0, failing: false };
  }
}
