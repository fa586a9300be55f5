/**
 * The per-stream families rely on a prom-client detail outside its type declarations: Registry#metrics()
 * prefers a metric's `getForPromString()` over `get()`, and formats `sharedLabels` once per object. The
 * version is pinned exactly (packages/aggregator/package.json); this test fails if an upgrade drops the
 * fast path, so the upgrade is noticed instead of quietly costing each scrape ~180 ms at 1000 streams.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { StreamFamilies } from '../../src/metrics/stream-families.js';
import type { StreamSnapshot } from '../../src/state/types.js';

const identity = {
  key: 'G01/cdn/a',
  project: 'G01',
  line: 'cdn',
  id: 'a',
  url: 'http://x/a.flv',
  tags: {},
  source: 'config',
};
const snapshot: StreamSnapshot = {
  stream: identity,
  state: 'up',
  up: true,
  playable: true,
  healthy: true,
  quality: 2,
  overall: 2,
  consecutive_failures: 0,
  probes: 1,
};

describe('StreamFamilies on prom-client', () => {
  it('is rendered through getForPromString (the shared-label fast path), never get()', async () => {
    const registry = new Registry();
    const families = new StreamFamilies(registry, (s) => ({ project: s.project, line: s.line, id: s.id }));
    families.publish(snapshot);
    const up = registry.getSingleMetric('video_stream_up') as unknown as { get: () => never };
    up.get = () => {
      throw new Error('Registry#metrics() called get(): the getForPromString fast path is gone');
    };
    const text = await registry.metrics();
    expect(text).toContain('video_stream_up{project="G01",line="cdn",id="a"} 1');
  });

  it('get() gives the same series for the JSON form', async () => {
    const registry = new Registry();
    const families = new StreamFamilies(registry, (s) => ({ project: s.project, line: s.line, id: s.id }));
    families.publish(snapshot);
    const json = await registry.getMetricsAsJSON();
    const up = json.find((m) => m.name === 'video_stream_up') as unknown as {
      values: { value: number; labels: object }[];
    };
    expect(up.values).toEqual([{ value: 1, labels: { project: 'G01', line: 'cdn', id: 'a' } }]);
  });
});
