import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import type { ShardingConfig } from '../../src/config/types.js';
import { createPeerSource } from '../../src/sharding/create-source.js';
import { resolveStaticShard, StaticPeerSource } from '../../src/sharding/static-source.js';

const cfg = (over: Partial<ShardingConfig> = {}): ShardingConfig => ({
  mode: 'static',
  resolve_interval_s: 15,
  ...over,
});
const silent = { info: () => {}, warn: () => {} };

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveStaticShard', () => {
  it('takes index and count from the config', () => {
    expect(resolveStaticShard(cfg({ index: 1, count: 3 }), {})).toEqual({ index: 1, count: 3 });
  });

  it('lets SHARD_INDEX and SHARD_COUNT override the config', () => {
    expect(resolveStaticShard(cfg({ index: 0, count: 2 }), { SHARD_INDEX: '4', SHARD_COUNT: '5' })).toEqual({
      index: 4,
      count: 5,
    });
    expect(resolveStaticShard(cfg({ count: 3 }), { SHARD_INDEX: '2' })).toEqual({ index: 2, count: 3 });
    // set but empty is unset (an env entry rendered from an absent value)
    expect(resolveStaticShard(cfg({ index: 1, count: 3 }), { SHARD_INDEX: '', SHARD_COUNT: ' ' })).toEqual({
      index: 1,
      count: 3,
    });
  });

  it('reads the ordinal of a StatefulSet pod name as SHARD_INDEX', () => {
    expect(resolveStaticShard(cfg(), { SHARD_INDEX: 'video-exporter-2', SHARD_COUNT: '3' })).toEqual({
      index: 2,
      count: 3,
    });
    expect(resolveStaticShard(cfg(), { SHARD_INDEX: 'exporter-b-10', SHARD_COUNT: '12' })).toEqual({
      index: 10,
      count: 12,
    });
  });

  it('names the variable or key that is missing or wrong', () => {
    expect(problems(() => resolveStaticShard(cfg(), {}))).toEqual([
      "exporter.sharding: mode static needs this pod's index (SHARD_INDEX or sharding.index)",
      'exporter.sharding: mode static needs the shard count (SHARD_COUNT or sharding.count)',
    ]);
    expect(problems(() => resolveStaticShard(cfg({ count: 3 }), { SHARD_INDEX: 'pod-a' }))).toEqual([
      'SHARD_INDEX: must be a non-negative integer or a pod name ending in -<ordinal>, got "pod-a"',
    ]);
    expect(problems(() => resolveStaticShard(cfg({ index: 0 }), { SHARD_COUNT: '0' }))).toEqual([
      'SHARD_COUNT: must be a positive integer, got "0"',
    ]);
    expect(problems(() => resolveStaticShard(cfg({ count: 3 }), { SHARD_INDEX: '3' }))).toEqual([
      'SHARD_INDEX: must be less than exporter.sharding.count (3 >= 3)',
    ]);
    expect(problems(() => resolveStaticShard(cfg({ index: 2, count: 3 }), { SHARD_COUNT: '2' }))).toEqual([
      'exporter.sharding.index: must be less than SHARD_COUNT (2 >= 2)',
    ]);
  });
});

describe('StaticPeerSource', () => {
  it('has the indices as peers and its own index as self', async () => {
    const s = new StaticPeerSource({ index: 2, count: 4 });
    expect(s.self).toBe('2');
    expect(await s.start()).toEqual(['0', '1', '2', '3']);
    expect(s.health()).toEqual({ lookups: 0, failing: false });
  });

  it('is what createPeerSource builds for mode static, env included', async () => {
    const s = createPeerSource(cfg({ index: 0, count: 2 }), {
      env: { SHARD_INDEX: '1', SHARD_COUNT: '3' },
      logger: silent,
    });
    expect(s.mode).toBe('static');
    expect(s.self).toBe('1');
    expect(await s.start(() => {})).toEqual(['0', '1', '2']);
  });

  it('createPeerSource for mode none: no self, no peers', async () => {
    const s = createPeerSource({ mode: 'none', resolve_interval_s: 15 }, { env: { SHARD_INDEX: '1' }, logger: silent });
    expect(s.self).toBeNull();
    expect(await s.start(() => {})).toEqual([]);
  });
});
