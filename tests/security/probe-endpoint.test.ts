/**
 * `/probe?target=` against the built CLI and the live FLV source on loopback (issue 8 item 4, SSRF):
 * off by default; when on, only allow-listed targets are fetched (the live source's 127.0.0.1 is listed
 * explicitly), loopback / metadata / unlisted hosts and non-http schemes are refused, a listed name
 * that resolves to loopback is refused, redirects are not followed, and more than 10 probes at once
 * are answered 429 while /metrics stays served.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configYaml, tempDir } from '../exporter/support/config-file.js';
import { ExporterProcess, LIVE_FIXTURE } from '../exporter/support/exporter-process.js';
import { getText } from '../exporter/support/http.js';
import { type Exposition, parseExposition, sampleValue } from '../exporter/support/prom-text.js';

const dir = tempDir('probe-ep');
let source: LiveSource;
let off: ExporterProcess;
let on: ExporterProcess;
let offUrl: string;
let onUrl: string;
/** the live source's port: targets are built on 127.0.0.1 and on names resolving to it */
let port: number;

const ALLOWED = ['127.0.0.1', 'localhost', 'metadata.google.internal'];

function withProbeEndpoint(yaml: string, allowed: readonly string[]): string {
  return yaml.replace(
    'exporter:\n',
    `exporter:\n  probe_endpoint:\n    enabled: true\n    allowed_hosts: ${JSON.stringify(allowed)}\n`,
  );
}

const probeUrl = (base: string, target: string, extra = '') =>
  `${base}/probe?target=${encodeURIComponent(target)}${extra}`;

async function probe(base: string, target: string, extra = ''): Promise<{ status: number; body: string }> {
  const r = await fetch(probeUrl(base, target, extra), { signal: AbortSignal.timeout(20_000) });
  return { status: r.status, body: await r.text() };
}

beforeAll(async () => {
  source = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE }, rtmpPort: 0 });
  port = source.port;
  const streams = [{ project: 'P', line: 'SOURCE', id: 'live', url: `${source.url}/live/hd/configured.flv` }];
  const keys = { check_interval: 30, sample_duration: 2, max_retries: 0, first_byte_timeout_ms: 3000 };
  const offPath = dir.file('off.yml');
  const onPath = dir.file('on.yml');
  writeFileSync(offPath, configYaml(keys, streams));
  writeFileSync(onPath, withProbeEndpoint(configYaml(keys, streams), ALLOWED));
  off = ExporterProcess.spawn(offPath);
  on = ExporterProcess.spawn(onPath);
  [offUrl, onUrl] = await Promise.all([off.ready(), on.ready()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([off?.stop(), on?.stop()]);
  await source?.close();
  dir.cleanup();
});

/** promtool's complaint about the old exporter's `_ms` names, which keep their units (SPEC §6) */
const LEGACY_MS_COMPLAINT = new RegExp(
  '^video_stream_(response|ttfb|read_stall_max|read_stall_total)_ms ' +
    'metric names should not contain abbreviated units$',
);

describe('/probe disabled (the default)', () => {
  it('answers 404 with a reason and fetches nothing', async () => {
    const r = await probe(offUrl, `http://127.0.0.1:${port}/live/hd/p.flv`);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ error: '/probe is disabled' });
  });
});

describe('/probe enabled with an allow-list', () => {
  it('probes an allowed target and answers that probe alone as exposition text', async () => {
    const r = await probe(onUrl, `http://127.0.0.1:${port}/live/hd/probe-ok.flv`, '&duration=2');
    expect(r.status).toBe(200);
    const m: Exposition = parseExposition(r.body);
    expect(sampleValue(m, 'video_exporter_probe_success', {})).toBe(1);
    expect(sampleValue(m, 'video_stream_up', {})).toBe(1);
    expect(sampleValue(m, 'video_stream_width', {})).toBe(1280);
    expect(sampleValue(m, 'video_stream_height', {})).toBe(720);
    expect(sampleValue(m, 'video_stream_framerate', {})).toBeCloseTo(25, 0);
    expect(m.samples.find((s) => s.name === 'video_stream_info')?.labels.video_codec).toBe('H.264');
    // one probe only: nothing of the exporter's registry, no per-stream labels, no history
    expect(
      m.samples.some((s) => s.name.startsWith('video_exporter_') && s.name !== 'video_exporter_probe_success'),
    ).toBe(false);
    expect(m.samples.some((s) => 'project' in s.labels || 'id' in s.labels)).toBe(false);
    expect(m.samples.some((s) => s.name === 'video_stream_avg_bitrate_bps')).toBe(false);
    lintWithPromtool(r.body);
  });

  it('probes an allowed rtmp:// target the same way: handshake measured, no HTTP status', async () => {
    const r = await probe(onUrl, `${source.rtmpUrl!}/live/hd/probe-rtmp`, '&duration=2');
    expect(r.status).toBe(200);
    const m: Exposition = parseExposition(r.body);
    expect(sampleValue(m, 'video_exporter_probe_success', {})).toBe(1);
    expect(sampleValue(m, 'video_stream_up', {})).toBe(1);
    expect(sampleValue(m, 'video_stream_width', {})).toBe(1280);
    expect(sampleValue(m, 'video_stream_handshake_seconds', {})).toBeGreaterThan(0);
    expect(sampleValue(m, 'video_stream_http_status', {})).toBeUndefined();
    lintWithPromtool(r.body);
  });

  it.each([
    ['loopback by another address', () => `http://127.0.0.2:${port}/live/hd/a.flv`],
    ['IPv6 loopback', () => `http://[::1]:${port}/live/hd/a.flv`],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['AWS IPv6 metadata', () => 'http://[fd00:ec2::254]/latest/meta-data/'],
    ['0.0.0.0', () => `http://0.0.0.0:${port}/live/hd/a.flv`],
    ['an unlisted name', () => `http://stream.example.com/live/a.flv`],
  ])('refuses %s (not listed) with 403', async (_what, target) => {
    const r = await probe(onUrl, target());
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toMatch(/not in exporter\.probe_endpoint\.allowed_hosts/);
  });

  it('refuses a listed host name that resolves to loopback', async () => {
    const r = await probe(onUrl, `http://localhost:${port}/live/hd/a.flv`);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toMatch(/localhost resolves to (127\.\d+\.\d+\.\d+|::1) \(loopback\)/);
  });

  it('refuses a cloud metadata name even when listed', async () => {
    const r = await probe(onUrl, 'http://metadata.google.internal/computeMetadata/v1/');
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toMatch(/metadata service/);
  });

  it.each(['ftp://127.0.0.1/x.flv', 'file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'srt://127.0.0.1:9000'])(
    'refuses the scheme of %s with 400',
    async (target) => {
      const r = await probe(onUrl, target);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).error).toMatch(/http, https, rtmp and rtmps only/);
    },
  );

  it('refuses an rtmp:// target without /app/stream with 400', async () => {
    const r = await probe(onUrl, 'rtmp://127.0.0.1/live');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/not a valid RTMP URL/);
  });

  it('applies the same allow-list to rtmp:// targets: a host not listed is 403', async () => {
    const r = await probe(onUrl, 'rtmp://10.1.2.3/live/a');
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toMatch(/not in exporter.probe_endpoint.allowed_hosts/);
  });

  it('does not follow a redirect (the next hop could leave the allow-list)', async () => {
    const r = await probe(onUrl, `http://127.0.0.1:${port}/live/hd/redir.flv?redirect=1`, '&duration=1');
    expect(r.status).toBe(200);
    const m = parseExposition(r.body);
    expect(sampleValue(m, 'video_exporter_probe_success', {})).toBe(0);
    expect(sampleValue(m, 'video_exporter_probe_failure_reason', { reason: 'too_many_redirects' })).toBe(1);
    expect(sampleValue(m, 'video_stream_http_status', {})).toBe(302);
  });

  it('answers 429 beyond 10 probes in flight, while /metrics stays served', async () => {
    // never_headers: the source reads the request and never answers, so each probe holds its slot until
    // the exporter's first-byte timeout (3 s)
    const target = (i: number) => `http://127.0.0.1:${port}/live/hd/hang-${i}.flv?never_headers=1`;
    const pending = Array.from({ length: 12 }, (_, i) => probe(onUrl, target(i), '&duration=1'));
    const t0 = performance.now();
    const scrape = await getText(`${onUrl}/metrics`);
    const scrapeMs = performance.now() - t0;
    const statuses = (await Promise.all(pending)).map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBe(2);
    expect(statuses.filter((s) => s === 200).length).toBe(10);
    expect(scrape.status).toBe(200);
    expect(scrapeMs).toBeLessThan(2_000);
    // the slots are free again
    expect((await probe(onUrl, `http://127.0.0.1:${port}/live/hd/after.flv`, '&duration=1')).status).toBe(200);
  }, 30_000);
});

/**
 * `promtool check metrics` on the /probe answer. SPEC §6 keeps five reference names promtool's lint dislikes
 * (`_ms` units, a `_count` suffix on a gauge); exactly those lint messages are tolerated, anything else fails.
 */
function lintWithPromtool(text: string): void {
  if (!existsSync('/usr/bin/promtool')) throw new Error('promtool is not installed (scripts/setup.sh installs it)');
  const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const problems = `${r.stdout}${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .filter((l) => !LEGACY_MS_COMPLAINT.test(l))
    .filter(
      (l) =>
        !/^video_stream_read_stall_count non-histogram and non-summary metrics should not have "_count" suffix$/.test(
          l,
        ),
    );
  expect(problems).toEqual([]);
}
