/**
 * Stream discovery end to end (SPEC §11), one exporter process fed by three sources at once: an SRS API
 * stand-in (SRS's JSON), an http_sd list server and a file source, all pointing at the loopback live
 * source, plus one configured stream that clashes with an SRS one. Streams appear and are probed, an
 * unchanged refresh changes nothing, a vanished stream is down during its gone_grace and then loses
 * its series, a failing source keeps its list, and a reload touching one source leaves the others alone.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedServer,
  startScriptedServer,
} from '../../packages/aggregator/test/discovery/support/bad-server.js';
import { type SrsStandIn, startSrsStandIn } from '../../packages/aggregator/test/discovery/support/srs-stand-in.js';
import { tempDir, writeAtomically } from './support/config-file.js';
import { ExporterProcess, LIVE_FIXTURE, sleep, until } from './support/exporter-process.js';
import { apiStreams, getJson, getText, scrape } from './support/http.js';
import { type Exposition, sampleValue } from './support/prom-text.js';

const CHECK_INTERVAL_S = 3;
const GRACE_S = 4;
/** one interval for the slot, a sample (up to twice for few keyframes), slack for a loaded machine */
const PROBED_MS = (CHECK_INTERVAL_S + 2 + 6) * 1000;

const L = (project: string, line: string, id: string) => ({
  project,
  line,
  id,
  table: '',
  desk: '',
  biz: '',
  isp: '',
  role: '',
});
const srsB = { ...L('default', 'source', 'b'), role: 'origin' };
const srsA = L('default', 'source', 'a'); // configured: it wins the clash with SRS's a
const sdX = { ...L('SD', 'cdn', 'x'), isp: 'ct' };
const sdY = { ...L('SD', 'cdn', 'y'), isp: 'cm' };
const f1 = L('files', 'discovered', 'live/hd/f1');
const f2 = L('files', 'discovered', 'live/hd/f2');

describe('discovery: SRS stand-in, http_sd and file sources in one exporter', () => {
  const dir = tempDir('discovery');
  let live: LiveSource;
  let srs: SrsStandIn;
  let sd: ScriptedServer;
  let sdTargets: { targets: string[]; labels: Record<string, string> }[];
  let exporter: ExporterProcess;
  let url: string;
  let configPath: string;
  const up = (m: Exposition, l: Record<string, string>) => sampleValue(m, 'video_stream_up', l);
  const config = (sdRefresh: number) => `
exporter: {check_interval: ${CHECK_INTERVAL_S}, sample_duration: 1, max_retries: 1}
streams:
  default:
    SOURCE:
      - {url: "${live.url}/live/hd/a-configured.flv", id: a}
discovery:
  - name: srs
    type: srs
    url: "${srs.url}"
    refresh_interval: 1
    play_url: "${live.url}/live/hd/{stream}.flv"
    project: "{vhost}"
    line: SOURCE
    id: "{stream}"
    tags: {role: origin}
    match: {app: "^live$"}
    gone_grace: ${GRACE_S}
  - name: sd
    type: http_sd
    url: "${sd.url}/targets.json"
    refresh_interval: ${sdRefresh}
    headers: {Authorization: "Bearer \${SD_TOKEN}"}
  - name: files
    type: file
    path: "${dir.path}/targets/*.json"
    refresh_interval: 60
`;

  beforeAll(async () => {
    live = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
    srs = await startSrsStandIn({
      streams: [
        { app: 'live', name: 'a' },
        { app: 'live', name: 'b' },
        { app: 'live', name: 'left', active: false },
        { app: 'test', name: 'ignored' },
      ],
      maxPage: 1,
    });
    sdTargets = [
      {
        targets: [`${live.url}/live/hd/x.flv`],
        labels: { project: 'SD', line: 'CDN', id: 'x', isp: 'ct', __meta_dc: 'a' },
      },
    ];
    sd = await startScriptedServer(() => ({ body: JSON.stringify(sdTargets) }));
    dir.file('x');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir.file('targets'));
    writeFileSync(dir.file('targets/one.json'), JSON.stringify([{ targets: [`${live.url}/live/hd/f1.flv`] }]));
    configPath = dir.file('config.yml');
    writeFileSync(configPath, config(1));
    exporter = ExporterProcess.spawn(configPath, { env: { SD_TOKEN: 'sd-token-secret-31' } });
    url = await exporter.ready();
  }, 30_000);

  afterAll(async () => {
    await exporter?.stop();
    await Promise.all([live?.close(), srs?.close(), sd?.close()]);
    dir.cleanup();
  });

  it('probes every discovered stream like a configured one; the configured stream wins its clash', async () => {
    const m = await until('all discovered streams probed', PROBED_MS, async () => {
      const m = await scrape(url);
      return [srsA, srsB, sdX, f1].every((l) => up(m, l) === 1) ? m : undefined;
    });
    // inactive publishers and streams outside `match` are not probed
    expect(
      m.samples
        .filter((s) => s.name === 'video_stream_up')
        .map((s) => s.labels.id)
        .sort(),
    ).toEqual(['a', 'b', 'live/hd/f1', 'x']);
    for (const source of ['srs', 'sd', 'files'])
      expect(sampleValue(m, 'video_exporter_discovery_up', { source })).toBe(1);
    expect(sampleValue(m, 'video_exporter_discovery_streams', { source: 'srs' })).toBe(1);
    expect(sampleValue(m, 'video_exporter_discovery_conflicts_total', { source: 'srs' })).toBe(1);
    expect(sampleValue(m, 'video_exporter_discovery_failures_total', { source: 'srs' })).toBe(0);
    expect(sampleValue(m, 'video_exporter_discovery_last_success_timestamp_seconds', { source: 'sd' })).toBeGreaterThan(
      Date.now() / 1000 - 30,
    );
    expect(sampleValue(m, 'video_exporter_streams', { state: 'configured' })).toBe(4);

    const api = await apiStreams(url);
    expect(api.map((s) => [s.key, s.source]).sort()).toEqual([
      ['SD/cdn/x', 'sd'],
      ['default/source/a', 'config'],
      ['default/source/b', 'srs'],
      ['files/discovered/live/hd/f1', 'files'],
    ]);
    const bySource = (await getJson<{ streams: { key: string }[] }>(`${url}/api/streams?source=srs&source=files`)).body
      .streams;
    expect(bySource.map((s) => s.key)).toEqual(['default/source/b', 'files/discovered/live/hd/f1']);
    const status = (await getJson<{ discovery: { name: string; up: boolean; streams: number }[] }>(`${url}/status`))
      .body;
    expect(status.discovery.map((d) => [d.name, d.up, d.streams])).toEqual([
      ['srs', true, 1],
      ['sd', true, 1],
      ['files', true, 1],
    ]);
    const page = (await getText(`${url}/`)).body;
    for (const name of ['srs', 'sd', 'files']) expect(page).toContain(`data-source="${name}"`);
    // every SRS request asked for an explicit page size
    expect(srs.requests.filter((r) => r.startsWith('/api/v1/streams')).every((r) => r.includes('count='))).toBe(true);
  }, 40_000);

  it('promtool check metrics finds nothing to say about the discovery families', async () => {
    const text = (await getText(`${url}/metrics`)).body;
    const families = text
      .split('\n')
      .filter((l) => /^(# (HELP|TYPE) )?video_exporter_discovery_/.test(l))
      .join('\n');
    expect(families).toContain('# TYPE video_exporter_discovery_failures_total counter');
    const r = spawnSync('promtool', ['check', 'metrics'], {
      input: `${families}\n`,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('unchanged refreshes change nothing: series stay, probes go on', async () => {
    const before = (await getJson<{ probes: number }>(`${url}/api/streams/default/source/b`)).body.probes;
    const seen: boolean[] = [];
    // several SRS refreshes, and room for one probe slot plus its sample (up to twice for few keyframes)
    const deadline = Date.now() + (2 * CHECK_INTERVAL_S + 2) * 1000;
    while (Date.now() < deadline) {
      // the series itself must never go away (a probe on a loaded machine may fail: its value may change)
      seen.push(up(await scrape(url), srsB) !== undefined);
      await sleep(200);
    }
    expect(seen.every(Boolean)).toBe(true);
    const after = (await getJson<{ probes: number }>(`${url}/api/streams/default/source/b`)).body.probes;
    expect(after).toBeGreaterThanOrEqual(before + 1);
    expect(exporter.logs.filter((l) => /discovery source srs: \d+ streams \(/.test(String(l.message)))).toEqual([]);
  }, 20_000);

  it('http_sd and file lists change: new streams are probed, a removed one loses its series', async () => {
    sdTargets = [
      ...sdTargets,
      { targets: [`${live.url}/live/hd/y.flv`], labels: { project: 'SD', line: 'cdn', id: 'y', isp: 'cm' } },
    ];
    writeAtomically(dir.file('targets/one.json'), `- targets: ["${live.url}/live/hd/f2.flv"]\n`); // YAML too
    const m = await until('y and f2 probed, f1 gone', PROBED_MS, async () => {
      const m = await scrape(url);
      return up(m, sdY) === 1 && up(m, f2) === 1 && up(m, f1) === undefined ? m : undefined;
    });
    expect(m.samples.filter((s) => s.labels.id === 'live/hd/f1')).toEqual([]);
    expect((await getJson(`${url}/api/streams/files/discovered/live%2Fhd%2Ff1`)).status).toBe(404);
    expect((await getJson(`${url}/api/streams/files/discovered/live%2Fhd%2Ff2`)).status).toBe(200);
    // the list URL got the header from the environment; nothing shows it
    expect(sd.requests.at(-1)!.headers.authorization).toBe('Bearer sd-token-secret-31');
    expect(JSON.stringify(exporter.logs) + (await getText(`${url}/status`)).body).not.toContain('sd-token-secret-31');
  }, 40_000);

  it('a stream that leaves SRS is down during gone_grace, then all its series go', async () => {
    srs.options.streams = srs.options.streams.filter((s) => s.name !== 'b');
    const left = Date.now();
    await until('b down and flagged gone', 5_000, async () => {
      const m = await scrape(url);
      return up(m, srsB) === 0 ? m : undefined;
    });
    const api = (await getJson<{ gone?: boolean; up: boolean }>(`${url}/api/streams/default/source/b`)).body;
    expect(api).toMatchObject({ gone: true, up: false });
    await until('b series removed', (GRACE_S + 6) * 1000, async () => {
      const m = await scrape(url);
      return m.samples.some((s) => s.labels.id === 'b') ? undefined : m;
    });
    expect(Date.now() - left).toBeGreaterThanOrEqual(GRACE_S * 1000 - 500);
    expect((await getJson(`${url}/api/streams/default/source/b`)).status).toBe(404);
  }, 30_000);

  it('a failing source keeps its last list and is logged once; the others go on', async () => {
    srs.options.streams = [...srs.options.streams, { app: 'live', name: 'c' }];
    const srsC = { ...L('default', 'source', 'c'), role: 'origin' };
    await until('c probed', PROBED_MS, async () => (up(await scrape(url), srsC) === 1 ? true : undefined));
    const from = exporter.logs.length;
    srs.options.failWith = { status: 502, type: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' };
    const m = await until('srs down', 6_000, async () => {
      const m = await scrape(url);
      return sampleValue(m, 'video_exporter_discovery_up', { source: 'srs' }) === 0 ? m : undefined;
    });
    await sleep(3_000); // more failing refreshes
    const m2 = await scrape(url);
    expect(up(m2, srsC)).toBe(1); // still probed
    expect(sampleValue(m2, 'video_exporter_discovery_failures_total', { source: 'srs' })).toBeGreaterThanOrEqual(
      (sampleValue(m, 'video_exporter_discovery_failures_total', { source: 'srs' }) ?? 0) + 2,
    );
    expect(sampleValue(m2, 'video_exporter_discovery_up', { source: 'sd' })).toBe(1);
    const warned = exporter.logs.slice(from).filter((l) => String(l.message).startsWith('discovery source srs failed'));
    expect(warned).toHaveLength(1);
    expect(String(warned[0]!.error)).toContain('HTTP 502');
    srs.options.failWith = undefined;
    await until(
      'srs back up',
      6_000,
      async () => sampleValue(await scrape(url), 'video_exporter_discovery_up', { source: 'srs' }) === 1 || undefined,
    );
  }, 40_000);

  it('a reload that changes only the http_sd source leaves the SRS and file streams alone', async () => {
    const probes = async (path: string) =>
      (await getJson<{ probes: number }>(`${url}/api/streams/${path}`)).body.probes;
    const cBefore = await probes('default/source/c');
    const fBefore = await probes('files/discovered/live%2Fhd%2Ff2');
    const from = exporter.logs.length;
    writeAtomically(configPath, config(2));
    const reloaded = await exporter.waitForLog((l) => l.message === 'config reloaded', 8_000, 'config reloaded', from);
    expect(reloaded).toMatchObject({ added: 0, removed: 0, changed: 0 });
    await sleep((2 * CHECK_INTERVAL_S + 2) * 1000); // a slot and its sample, with room
    // state kept (a restarted stream would start again from 0 probes)
    expect(await probes('default/source/c')).toBeGreaterThan(cBefore);
    expect(await probes('files/discovered/live%2Fhd%2Ff2')).toBeGreaterThan(fBefore);
    expect(
      exporter.logs.slice(from).filter((l) => /discovery source (srs|files): first list/.test(String(l.message))),
    ).toEqual([]);
  }, 30_000);
});
