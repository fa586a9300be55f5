/**
 * The per-stream families rely on a prom-client detail outside its type declarations: Registry#metrics()
 * prefers a metric's `getForPromString()` over `get()`, and formats `sharedLabels` once per object. The
 * version is pinned exactly (packages/aggregator/package.json); this test fails if an upgrade drops the
 * fast path, so the upgrade is noticed instead of quietly costing each scrape ~180 ms at 1000 streams.
 */
import { emptyResult } from '@video-exporter/probe-worker';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ExpositionRegistry } from '../../src/metrics/exposition-registry.js';
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

describe('ExpositionRegistry: the families write their own text', () => {
  const labelsOf = (s: StreamSnapshot['stream']) => ({
    project: s.project,
    line: s.line,
    id: s.id,
    desk: s.tags.desk ?? '',
  });
  const stream = (id: string, desk: string) => ({ ...identity, key: `G01/cdn/${id}`, id, tags: { desk } });
  // label values that need escaping, a stream with info labels and one that measured less
  const snapshots: StreamSnapshot[] = [
    { ...snapshot, stream: stream('a', 'quote " back \\ slash') },
    { ...snapshot, stream: stream('b', 'new\nline, comma } brace ünïcode'), up: false, quality: 0, overall: 0 },
    {
      ...snapshot,
      stream: stream('c', ''),
      last: {
        ...emptyResult('http://x/c.flv'),
        ok: true,
        video: { ...emptyResult('http://x/c.flv').video, codec: 'H.264', width: 1280, height: 720 },
        encoder: 'obs "studio"\\30',
      } as StreamSnapshot['last'],
    },
  ];

  it('renders exactly what prom-client renders from the same rows', async () => {
    const plain = new Registry();
    const own = new ExpositionRegistry();
    const a = new StreamFamilies(plain, labelsOf);
    const b = new StreamFamilies(own, labelsOf);
    for (const s of snapshots) {
      a.publish(s);
      b.publish(s);
    }
    const expected = await plain.metrics();
    expect(expected).toContain('desk="quote \\" back \\\\ slash"');
    expect(expected).toContain('desk="new\\nline, comma } brace ünïcode"');
    expect(expected).toMatch(/video_stream_info\{[^}]*codec/);
    expect(await own.metrics()).toBe(expected);
  });

  it('metrics of prom-client itself render as before on the same registry', async () => {
    const own = new ExpositionRegistry();
    new Counter({ name: 'x_total', help: 'a counter', labelNames: ['k'], registers: [own] }).inc({ k: 'v"' }, 2);
    const plain = new Registry();
    new Counter({ name: 'x_total', help: 'a counter', labelNames: ['k'], registers: [plain] }).inc({ k: 'v"' }, 2);
    expect(await own.metrics()).toBe(await plain.metrics());
  });
});
