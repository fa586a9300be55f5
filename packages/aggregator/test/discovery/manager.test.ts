import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscoverySourceConfig, StreamConfig } from '../../src/config/index.js';
import { DiscoveryManager } from '../../src/discovery/manager.js';
import { mergeDiscovered } from '../../src/discovery/merge.js';
import type { DiscoverySource, FoundEntry } from '../../src/discovery/types.js';
import { type Line, memoryLogger } from './support/memory-logger.js';
import { sourceConfig } from './support/source-config.js';

const stream = (key: string, source?: string): StreamConfig => {
  const [project, line, id] = key.split('/') as [string, string, string];
  return {
    key,
    project,
    line,
    id,
    url: `http://x/${id}.flv`,
    tags: {},
    headers: {},
    insecure_tls: false,
    ...(source ? { source } : {}),
  };
};

/** A source whose list the test sets; counts its refreshes. */
class FakeSource implements DiscoverySource {
  refreshes = 0;
  constructor(public entries: FoundEntry[]) {}
  async refresh(): Promise<FoundEntry[]> {
    this.refreshes++;
    return this.entries;
  }
}
const target = (url: string, labels: Record<string, string>): FoundEntry => ({ kind: 'target', url, labels });
const sd = (name: string, over: Partial<DiscoverySourceConfig> = {}) =>
  sourceConfig({ name, type: 'http_sd', url: `http://${name}/t.json`, ...over });

let manager: DiscoveryManager | undefined;
afterEach(() => manager?.stop());

describe('merging configured and discovered streams', () => {
  it('configured wins over discovered, an earlier source over a later one', () => {
    const m = mergeDiscovered(
      [stream('P/l/a')],
      [
        { name: 'one', streams: [stream('P/l/a', 'one'), stream('P/l/b', 'one')] },
        { name: 'two', streams: [stream('P/l/b', 'two'), stream('P/l/c', 'two')] },
      ],
    );
    expect(m.streams.map((s) => `${s.source}:${s.key}`)).toEqual(['one:P/l/b', 'two:P/l/c']);
    expect([...m.conflicts]).toEqual([
      ['one', ['P/l/a']],
      ['two', ['P/l/b']],
    ]);
  });
});

describe('the discovery manager', () => {
  function start(sources: Map<string, FakeSource>, configs: DiscoverySourceConfig[], configured: StreamConfig[] = []) {
    const lines: Line[] = [];
    const changes: StreamConfig[][] = [];
    const conflicts: [string, number][] = [];
    const created: string[] = [];
    manager = new DiscoveryManager({
      logger: memoryLogger(lines),
      allowedTags: [],
      watch: false,
      onChange: (s) => changes.push(s),
      conflict: (source, n) => conflicts.push([source, n]),
      createSource: (c) => {
        created.push(c.name);
        return sources.get(c.name);
      },
    });
    manager.update(configs, configured);
    return { lines, changes, conflicts, created };
  }

  it('logs and counts each clash once, however many refreshes repeat it', async () => {
    const a = new FakeSource([target('http://e/live/x.flv', { project: 'P', line: 'l', id: 'x' })]);
    const b = new FakeSource([target('http://e/live/x2.flv', { project: 'P', line: 'l', id: 'x' })]);
    const { lines, conflicts } = start(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      [sd('a'), sd('b')],
    );
    await manager!.refreshAll();
    await manager!.refreshAll();
    await manager!.refreshAll();
    expect(conflicts).toEqual([['b', 1]]);
    expect(lines.filter((l) => l.message.includes('clash'))).toHaveLength(1);
    expect(manager!.streams().map((s) => `${s.source}:${s.url}`)).toEqual(['a:http://e/live/x.flv']);
    expect(manager!.status().map((s) => [s.name, s.streams, s.conflicts])).toEqual([
      ['a', 1, 0],
      ['b', 0, 1],
    ]);
  });

  it('a reload changing one source re-creates only that one and keeps its list until it answers', async () => {
    const a = new FakeSource([target('http://e/live/a.flv', {})]);
    const b = new FakeSource([target('http://e/live/b.flv', {})]);
    const sources = new Map([
      ['a', a],
      ['b', b],
    ]);
    const { created } = start(sources, [sd('a'), sd('b')]);
    await manager!.refreshAll();
    const b2 = new FakeSource([]);
    b2.refresh = () => new Promise(() => {}); // never answers
    sources.set('b', b2);
    manager!.update([sd('a'), sd('b', { refresh_interval_s: 5 })], []);
    expect(created).toEqual(['a', 'b', 'b']);
    expect(a.refreshes).toBe(1); // untouched source: no extra refresh
    expect(manager!.streams().map((s) => s.id)).toEqual(['live/a', 'live/b']);
    manager!.update([sd('a')], []);
    expect(manager!.streams().map((s) => s.id)).toEqual(['live/a']);
  });

  it('a file source re-reads as soon as a file changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 've-file-sd-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify([{ targets: ['http://e/live/one.flv'] }]));
      writeFileSync(join(dir, 'ignored.txt'), 'not a target file');
      const changes: string[][] = [];
      manager = new DiscoveryManager({
        logger: memoryLogger([]),
        allowedTags: [],
        onChange: (s) => changes.push(s.map((x) => x.id)),
      });
      manager.update(
        [sourceConfig({ name: 'files', type: 'file', path: join(dir, '*.json'), refresh_interval_s: 3600 })],
        [],
      );
      await manager.refreshAll();
      expect(manager.streams().map((s) => s.id)).toEqual(['live/one']);
      writeFileSync(join(dir, 'b.json'), JSON.stringify([{ targets: ['http://e/live/two.flv'] }]));
      const deadline = Date.now() + 10_000;
      while (manager.streams().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(manager.streams().map((s) => s.id)).toEqual(['live/one', 'live/two']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
