/**
 * Config reload end to end (SPEC §3): the exporter watches its config file and reloads on SIGHUP;
 * it applies only the difference, removes every series of a stream that left, keeps unchanged streams
 * untouched, and keeps the running config when the new file is invalid.
 *
 * Steps: start with A, U (unchanged throughout) and B;
 *   1. file replaced the way editors do (write + rename): B removed, C added, A's tags changed;
 *   2. file edited in place + SIGHUP: A's URL changed (to a 404);
 *   3. file edited in place with an invalid value: reload fails, the old streams keep being probed.
 */
import { writeFileSync } from 'node:fs';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configYaml, type StreamSpec, tempDir, writeAtomically } from './support/config-file.js';
import { ExporterProcess, LIVE_FIXTURE, sleep, until } from './support/exporter-process.js';
import { getJson, scrape } from './support/http.js';
import { type Exposition, sampleValue, select } from './support/prom-text.js';

const CHECK_INTERVAL_S = 4;
const EXPORTER = { check_interval: CHECK_INTERVAL_S, sample_duration: 2, max_retries: 1 };
/** one interval for the slot, a sample (up to twice for few keyframes), slack for a loaded machine */
const FIRST_PROBE_MS = (CHECK_INTERVAL_S + 4 + 4) * 1000;
const RELOAD_MS = 8_000;

describe('config reload: file watch, SIGHUP, invalid file', () => {
  const dir = tempDir('reload');
  let configPath: string;
  let source: LiveSource;
  let exporter: ExporterProcess;
  let url: string;
  let A: StreamSpec, A2: StreamSpec, A3: StreamSpec, B: StreamSpec, C: StreamSpec, U: StreamSpec;

  // labels as SPEC §6 exports them with the default allowed_tags [table, desk, biz, isp, role]
  const labels = (s: StreamSpec): Record<string, string> => {
    const l: Record<string, string> = { project: s.project, line: s.line.toLowerCase(), id: s.id };
    for (const t of ['table', 'desk', 'biz', 'isp', 'role']) l[t] = s.tags?.[t] ?? '';
    return l;
  };
  const seriesOf = (m: Exposition, match: Record<string, string>) =>
    m.samples.filter(
      (s) => s.name.startsWith('video_stream_') && Object.entries(match).every(([k, v]) => s.labels[k] === v),
    );
  const upOf = (m: Exposition, s: StreamSpec) => sampleValue(m, 'video_stream_up', labels(s));
  const reloadsLogged = () => exporter.logs.filter((l) => l.message === 'config reloaded').length;
  const streamApi = (s: StreamSpec) =>
    getJson<{ probes: number; stream: { url: string; tags: Record<string, string> } }>(
      `${url}/api/streams/${s.project}/${s.line.toLowerCase()}/${s.id}`,
    );
  const waitForSeries = (
    what: string,
    s: StreamSpec,
    pred: (m: Exposition) => boolean = (m) => upOf(m, s) !== undefined,
  ) =>
    until(what, FIRST_PROBE_MS, async () => {
      const m = await scrape(url);
      return pred(m) ? m : undefined;
    });

  beforeAll(async () => {
    configPath = dir.file('config.yml');
    source = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
    const src = source.url;
    A = { project: 'R', line: 'SOURCE', id: 'a', url: `${src}/live/hd/a.flv`, tags: { table: 'a1' } };
    A2 = { ...A, tags: { table: 'a2', isp: 'cm' } };
    A3 = { ...A2, url: `${src}/live/gone/a.flv` };
    B = { project: 'R', line: 'SOURCE', id: 'b', url: `${src}/live/hd/b.flv`, tags: { table: 'b1' } };
    C = { project: 'R', line: 'CDN', id: 'c', url: `${src}/live/hd/c.flv`, tags: { biz: 'new' } };
    U = { project: 'R', line: 'CDN', id: 'u', url: `${src}/live/hd/u.flv`, tags: { biz: 'keep' } };
    writeFileSync(configPath, configYaml(EXPORTER, [A, B, U]));
    exporter = ExporterProcess.spawn(configPath);
    url = await exporter.ready();
  }, 30_000);

  afterAll(async () => {
    await exporter?.stop();
    await source?.close();
    dir.cleanup();
  });

  it('starts with A, B and U probed', async () => {
    const m = await until('A, B and U probed', FIRST_PROBE_MS + 4_000, async () => {
      const m = await scrape(url);
      return [A, B, U].every((s) => upOf(m, s) === 1) ? m : undefined;
    });
    expect(sampleValue(m, 'video_exporter_config_last_reload_successful')).toBe(1);
    expect(seriesOf(m, { id: 'c' })).toEqual([]);
  }, 30_000);

  it('file replaced: B vanishes, C appears after its first probe, A loses its old labels, U is untouched', async () => {
    const before = await scrape(url);
    const uProbesBefore = (await streamApi(U)).body.probes;
    const reloadAtBefore = sampleValue(before, 'video_exporter_config_last_reload_timestamp_seconds')!;
    // scrape all through the reload: U's series must never disappear
    let watching = true;
    const uSeen: boolean[] = [];
    const watcher = (async () => {
      while (watching) {
        const m = await scrape(url);
        uSeen.push(upOf(m, U) === 1 && sampleValue(m, 'video_stream_framerate', labels(U)) !== undefined);
        await sleep(100);
      }
    })();
    try {
      const reloadsBefore = reloadsLogged();
      const from = exporter.logs.length;
      await sleep(1_100); // mtime granularity aside, give the watcher a distinct event
      writeAtomically(configPath, configYaml(EXPORTER, [A2, U, C]));
      const reloaded = await exporter.waitForLog(
        (l) => l.message === 'config reloaded',
        RELOAD_MS,
        '"config reloaded" after the file change',
        from,
      );
      expect(reloaded).toMatchObject({ added: 1, removed: 1, changed: 1, unchanged: 1 });
      expect(exporter.logs.slice(from).some((l) => l.message === 'reloading config (file changed)')).toBe(true);
      expect(reloadsLogged()).toBe(reloadsBefore + 1);

      const right = await scrape(url);
      expect(seriesOf(right, { id: 'b' })).toEqual([]);
      expect(seriesOf(right, { id: 'a', table: 'a1' })).toEqual([]);
      expect(upOf(right, U)).toBe(1);

      const m = await waitForSeries('C and the relabelled A probed', C, (m) => upOf(m, C) === 1 && upOf(m, A2) === 1);
      expect(seriesOf(m, { id: 'b' })).toEqual([]);
      expect(seriesOf(m, { id: 'a', table: 'a1' })).toEqual([]);
      // A's series now carry only the new labels
      expect(seriesOf(m, { id: 'a' }).every((s) => s.labels.table === 'a2' && s.labels.isp === 'cm')).toBe(true);
      expect(select(m, 'video_stream_info', labels(C))).toHaveLength(1);
      expect(sampleValue(m, 'video_exporter_config_last_reload_successful')).toBe(1);
      expect(sampleValue(m, 'video_exporter_config_last_reload_timestamp_seconds')).toBeGreaterThan(reloadAtBefore);
      expect(sampleValue(m, 'video_exporter_streams', { state: 'configured' })).toBe(3);
      // U kept its state: its probe count went on instead of restarting
      expect((await streamApi(U)).body.probes).toBeGreaterThanOrEqual(uProbesBefore);
      expect((await getJson(`${url}/api/streams/R/source/b`)).status).toBe(404);
    } finally {
      watching = false;
      await watcher;
    }
    expect(uSeen.length).toBeGreaterThan(10);
    expect(uSeen.every(Boolean)).toBe(true);
  }, 40_000);

  it('SIGHUP: applies the edited file (A now points at a 404)', async () => {
    const reloadAtBefore = sampleValue(await scrape(url), 'video_exporter_config_last_reload_timestamp_seconds')!;
    const from = exporter.logs.length;
    await sleep(1_100);
    writeFileSync(configPath, configYaml(EXPORTER, [A3, U, C]));
    // the file watcher sees the edit too; a SIGHUP within the 500 ms debounce is the reload's last trigger
    await sleep(150);
    exporter.signal('SIGHUP');
    const reloaded = await exporter.waitForLog(
      (l) => l.message === 'config reloaded',
      RELOAD_MS,
      '"config reloaded" after SIGHUP',
      from,
    );
    expect(reloaded).toMatchObject({ added: 0, removed: 0, changed: 1, unchanged: 2 });
    expect(exporter.logs.slice(from).some((l) => l.message === 'reloading config (SIGHUP)')).toBe(true);
    expect((await streamApi(A3)).body.stream.url).toContain('/live/gone/');

    const m = await waitForSeries(
      'A probed at its new URL',
      A3,
      (m) => sampleValue(m, 'video_stream_http_status', labels(A3)) === 404,
    );
    expect(upOf(m, A3)).toBe(0);
    expect(upOf(m, U)).toBe(1);
    expect(upOf(m, C)).toBe(1);
    expect(sampleValue(m, 'video_exporter_config_last_reload_successful')).toBe(1);
    expect(sampleValue(m, 'video_exporter_config_last_reload_timestamp_seconds')).toBeGreaterThan(reloadAtBefore);
  }, 30_000);

  it('invalid file: logs an error, last_reload_successful 0, the old streams keep being probed', async () => {
    const before = await scrape(url);
    const reloadAtBefore = sampleValue(before, 'video_exporter_config_last_reload_timestamp_seconds');
    const from = exporter.logs.length;
    await sleep(1_100);
    // sample_duration must stay below check_interval: a validation error, plus an unknown key
    writeFileSync(configPath, configYaml({ ...EXPORTER, sample_duration: 9, bogus_key: 1 }, [U]));
    const failed = await exporter.waitForLog(
      (l) => l.level === 'error' && /reload/i.test(l.message),
      RELOAD_MS,
      'a reload error',
      from,
    );
    expect(failed.message).toContain('sample_duration');
    expect(failed.message).toContain('bogus_key');

    const m = await scrape(url);
    expect(sampleValue(m, 'video_exporter_config_last_reload_successful')).toBe(0);
    expect(sampleValue(m, 'video_exporter_config_last_reload_timestamp_seconds')).toBe(reloadAtBefore);
    const status = await getJson<{ config: { last_reload_ok: boolean } }>(`${url}/status`);
    expect(status.body.config.last_reload_ok).toBe(false);

    // the running config stays: A, U and C are still probed (U and C's last check moves on)
    const checks = (e: Exposition) =>
      [U, C].map((s) => sampleValue(e, 'video_stream_last_check_timestamp_seconds', labels(s))!);
    const [u0, c0] = checks(m);
    const after = await until('U and C probed again', FIRST_PROBE_MS, async () => {
      const e = await scrape(url);
      const [u1, c1] = checks(e);
      return u1! > u0! && c1! > c0! ? e : undefined;
    });
    expect(upOf(after, U)).toBe(1);
    expect(upOf(after, C)).toBe(1);
    expect(sampleValue(after, 'video_stream_http_status', labels(A3))).toBe(404);
    expect(sampleValue(after, 'video_exporter_config_last_reload_successful')).toBe(0);
    expect(exporter.running).toBe(true);
  }, 30_000);
});
