/**
 * Sharding in static mode across real exporter processes (SPEC §9): one config file for all, each
 * process told its place by SHARD_INDEX / SHARD_COUNT (as a StatefulSet would, from its ordinal),
 * overriding the file's index/count. The processes split the streams exactly; a reload applies the
 * owned filter to the new config (new streams land on exactly one process, removed ones vanish
 * everywhere, the others stay where they were); an index outside the count refuses to start.
 */
import { writeFileSync } from 'node:fs';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StreamSpec, tempDir, writeAtomically } from '../exporter/support/config-file.js';
import { ExporterProcess, LIVE_FIXTURE, until } from '../exporter/support/exporter-process.js';
import { scrape } from '../exporter/support/http.js';
import { sampleValue } from '../exporter/support/prom-text.js';
import { describeSplit, exactSplit, keyOf, ownersByKey, Pod, shardedConfigYaml } from './support/pods.js';

const CHECK_S = 3;
const COUNT = 3;
const EXPORTER = { check_interval: CHECK_S, sample_duration: 1, max_retries: 0, workers: 1 };
/** the file says "pod 0 of 2": the environment must win */
const FILE_SHARDING = { mode: 'static', index: 0, count: 2 };
const FIRST_PROBE_MS = CHECK_S * 1000 + 15_000;
const RELOAD_MS = 15_000;

describe('sharding, static mode: SHARD_INDEX / SHARD_COUNT across processes', () => {
  const dir = tempDir('shard-static');
  let source: LiveSource;
  let configPath: string;
  let pods: Pod[] = [];

  const spec = (i: number): StreamSpec => ({
    project: 'S',
    line: i % 2 ? 'CDN' : 'SOURCE',
    id: `s${i}`,
    url: `${source.url}/live/hd/s${i}.flv?status=503`,
  });
  const waitSplit = async (
    keys: readonly string[],
    what: string,
    of: (p: Pod) => Promise<string[]> = (p) => p.owned(),
    timeoutMs = RELOAD_MS,
  ) => {
    let last = new Map<string, string[]>();
    try {
      return await until(what, timeoutMs, async () => {
        last = await ownersByKey(pods, of);
        return exactSplit(last, keys);
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${describeSplit(last, keys)}`);
    }
  };

  beforeAll(async () => {
    source = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
    configPath = dir.file('config.yml');
    writeFileSync(
      configPath,
      shardedConfigYaml(
        EXPORTER,
        FILE_SHARDING,
        Array.from({ length: 30 }, (_, i) => spec(i)),
      ),
    );
    pods = Array.from({ length: COUNT }, (_, i) =>
      // pod 2 gives its index as a StatefulSet pod name, the ordinal at the end
      Pod.spawn(String(i), configPath, {
        SHARD_INDEX: i === 2 ? 'video-exporter-2' : String(i),
        SHARD_COUNT: String(COUNT),
      }),
    );
    await Promise.all(pods.map((p) => p.ready()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pods.map((p) => p.process.stop()));
    await source?.close();
    dir.cleanup();
  });

  it('splits the streams exactly, each process exporting only its own', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => keyOf(spec(i)));
    for (const [i, p] of pods.entries()) {
      expect(await p.shard()).toMatchObject({ mode: 'static', self: String(i), peers: ['0', '1', '2'], changes: 0 });
    }
    const split = await waitSplit(keys, 'an exact split (/api/streams)');
    for (const p of pods) expect([...split.values()].filter((o) => o === p.name).length).toBeGreaterThan(3);
    expect(
      await waitSplit(
        keys,
        'video_stream_up of every stream on exactly one process',
        (p) => p.exported(),
        FIRST_PROBE_MS,
      ),
    ).toEqual(split);
    let owned = 0;
    for (const p of pods) {
      const m = await scrape(p.url);
      expect(sampleValue(m, 'video_exporter_shard_peers')).toBe(COUNT);
      expect(sampleValue(m, 'video_exporter_shard_changes_total')).toBe(0);
      owned += sampleValue(m, 'video_exporter_streams', { state: 'owned' })!;
    }
    expect(owned).toBe(30);
  }, 60_000);

  it('a reload applies the split to the new config: added' +
    ' streams land once, removed ones vanish, the rest stay put', async () => {
    const before = await waitSplit(
      Array.from({ length: 30 }, (_, i) => keyOf(spec(i))),
      'the split before the reload',
    );
    // s0..s9 removed, s30..s44 added, s10..s29 unchanged
    const next = Array.from({ length: 35 }, (_, i) => spec(i + 10));
    const nextKeys = next.map(keyOf);
    const from = pods.map((p) => p.process.logs.length);
    writeAtomically(configPath, shardedConfigYaml(EXPORTER, FILE_SHARDING, next));
    await Promise.all(
      pods.map((p, i) =>
        p.process.waitForLog((l) => l.message === 'config reloaded', RELOAD_MS, '"config reloaded"', from[i]),
      ),
    );

    const after = await waitSplit(nextKeys, 'an exact split of the new config');
    for (const k of nextKeys) if (before.has(k)) expect(after.get(k), k).toBe(before.get(k));
    const exported = await waitSplit(
      nextKeys,
      'video_stream_up of every new-config stream on exactly one process',
      (p) => p.exported(),
      FIRST_PROBE_MS,
    );
    expect(exported).toEqual(after);
    for (const p of pods) {
      const m = await scrape(p.url);
      expect(
        m.samples.filter((s) => s.name.startsWith('video_stream_') && ['s0', 's1', 's9'].includes(s.labels.id!)),
      ).toEqual([]);
      expect(sampleValue(m, 'video_exporter_streams', { state: 'configured' })).toBe(35);
    }
  }, 60_000);

  it('refuses to start with an index outside the count, naming the variable', async () => {
    const bad = ExporterProcess.spawn(configPath, { env: { SHARD_INDEX: '3', SHARD_COUNT: '3' } });
    const exited = await Promise.race([
      bad.exited,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
    ]);
    if (exited === undefined) await bad.stop();
    expect(exited?.code).not.toBe(0);
    expect(exited?.code).not.toBeNull();
    expect(bad.stderr).toContain('SHARD_INDEX: must be less than SHARD_COUNT (3 >= 3)');
  }, 30_000);
});
