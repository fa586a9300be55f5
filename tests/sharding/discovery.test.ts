/**
 * Sharding applies to discovered streams as to configured ones (SPEC §11 with §9): three exporter processes
 * in static mode share one config whose only streams come from an http_sd list. Each discovered stream is
 * probed by exactly one process, and when the list changes new streams land on exactly one process and
 * removed ones vanish everywhere while the others stay where they were.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedServer,
  startScriptedServer,
} from '../../packages/aggregator/test/discovery/support/bad-server.js';
import { tempDir } from '../exporter/support/config-file.js';
import { until } from '../exporter/support/exporter-process.js';
import { describeSplit, exactSplit, ownersByKey, Pod } from './support/pods.js';

const COUNT = 3;
const SPLIT_MS = 15_000;

describe('sharding of discovered streams (static mode, 3 processes)', () => {
  const dir = tempDir('shard-discovery');
  let sd: ScriptedServer;
  let ids: string[] = Array.from({ length: 30 }, (_, i) => `d${i}`);
  let pods: Pod[] = [];
  // nothing listens on this port: probes fail fast; ownership is what is checked here
  const target = (id: string) => `http://127.0.0.1:9/live/${id}.flv`;
  const keys = () => ids.map((id) => `P/cdn/${id}`);
  const waitSplit = async (what: string) => {
    let last = new Map<string, string[]>();
    try {
      return await until(what, SPLIT_MS, async () => {
        last = await ownersByKey(pods);
        return exactSplit(last, keys());
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${describeSplit(last, keys())}`);
    }
  };

  beforeAll(async () => {
    sd = await startScriptedServer(() => ({
      body: JSON.stringify(ids.map((id) => ({ targets: [target(id)], labels: { project: 'P', line: 'cdn', id } }))),
    }));
    const configPath = dir.file('config.yml');
    writeFileSync(
      configPath,
      `exporter: {check_interval: 5, sample_duration: 1, max_retries: 0, workers: 1, sharding: {mode: static}}\n` +
        `discovery:\n  - {name: sd, type: http_sd, url: "${sd.url}/targets.json", refresh_interval: 1}\n`,
    );
    pods = Array.from({ length: COUNT }, (_, i) =>
      Pod.spawn(String(i), configPath, { SHARD_INDEX: String(i), SHARD_COUNT: String(COUNT) }),
    );
    await Promise.all(pods.map((p) => p.ready()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pods.map((p) => p.process.stop()));
    await sd?.close();
    dir.cleanup();
  });

  it('each discovered stream is owned by exactly one process', async () => {
    const split = await waitSplit('30 discovered streams split exactly');
    const perPod = [...new Set(split.values())].length;
    expect(perPod).toBe(COUNT);
  }, 30_000);

  it('a changed list: new streams land on one process, removed ones vanish everywhere, the rest stay put', async () => {
    const before = await waitSplit('split before the change');
    ids = [...ids.slice(3), 'n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
    const after = await waitSplit('split after the change');
    for (const [key, pod] of after) if (before.has(key)) expect(pod, key).toBe(before.get(key));
    const all = (await ownersByKey(pods)).keys();
    for (const gone of ['P/cdn/d0', 'P/cdn/d1', 'P/cdn/d2']) expect([...all]).not.toContain(gone);
  }, 30_000);
});
