import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProbeJob, type ProbeResult, runProbe } from '@video-exporter/probe-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FF_CODEC_LABEL, type FfStream, ffprobeLiveStreams, ffRate } from './support/ffprobe.js';
import { type NginxRtmp, startNginxRtmp } from './support/nginx-rtmp.js';
import { Child, freePorts, sleep } from './support/processes.js';

// Issue 15: the RTMP client against two RTMP servers nobody here wrote, Debian's nginx with
// libnginx-mod-rtmp and node-media-server 4.4.3, each fed by ffmpeg pushing the live fixture. ffprobe
// reading the same rtmp:// URL is the oracle; NMS's HTTP-FLV view of the same stream must agree too.

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = 'tests/fixtures/live/live_720p25.flv';
const children: Child[] = [];
let nginx: NginxRtmp | undefined;
let dataDir: string | undefined;
let nginxUrl = '';
let nmsRtmpUrl = '';
let nmsFlvUrl = '';

const job = (url: string, extra: Partial<ProbeJob> = {}): ProbeJob => ({
  url,
  sampleMs: 3_000,
  minKeyframes: 1,
  stallThresholdMs: 200,
  deadlineMs: 15_000,
  ...extra,
});

function publish(target: string): Child {
  const ffmpeg = new Child(
    `ffmpeg → ${target}`,
    'ffmpeg',
    [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      fixture,
      '-c',
      'copy',
      '-f',
      'flv',
      target,
    ],
    { cwd: root },
  );
  children.push(ffmpeg);
  return ffmpeg;
}

/** Probes until video arrives (the publisher needs a moment to connect), bounded by `timeoutMs`. */
async function waitForVideo(url: string, timeoutMs: number, logs: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: ProbeResult | undefined;
  while (Date.now() < until) {
    last = await runProbe(job(url, { sampleMs: 300, deadlineMs: 5_000, firstByteTimeoutMs: 3_000 }));
    if (last.video.frames > 0) return;
    await sleep(300);
  }
  throw new Error(`no video at ${url} within ${timeoutMs} ms: ${last?.reason} ${last?.error}\n${logs()}`);
}

async function startNms(dir: string): Promise<{ nms: Child; rtmpPort: number; httpPort: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [rtmpPort, httpPort] = (await freePorts(2)) as [number, number];
    const nms = new Child('node-media-server', process.execPath, ['tests/e2e/support/nms-server.mjs'], {
      cwd: root,
      env: { ...process.env, NMS_RTMP_PORT: String(rtmpPort), NMS_HTTP_PORT: String(httpPort), NMS_DATA_DIR: dir },
      stdin: 'pipe',
    });
    children.push(nms);
    try {
      await nms.waitForLine('ready', 10_000);
      return { nms, rtmpPort, httpPort };
    } catch (err) {
      lastError = err;
      await nms.stop();
    }
  }
  throw lastError;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'video-exporter-nms-rtmp-'));
  const [started, nms] = await Promise.all([startNginxRtmp(), startNms(dataDir)]);
  nginx = started;
  nginxUrl = `rtmp://127.0.0.1:${nginx.port}/live/test`;
  nmsRtmpUrl = `rtmp://127.0.0.1:${nms.rtmpPort}/live/test`;
  nmsFlvUrl = `http://127.0.0.1:${nms.httpPort}/live/test.flv`;
  const toNginx = publish(nginxUrl);
  const toNms = publish(nmsRtmpUrl);
  await Promise.all([
    waitForVideo(nginxUrl, 20_000, () => `${toNginx.output()}\n${nginx!.child.output()}`),
    waitForVideo(nmsRtmpUrl, 20_000, () => `${toNms.output()}\n${nms.nms.output()}`),
  ]);
}, 60_000);

afterAll(async () => {
  const stops = await Promise.allSettled([...children].reverse().map((c) => c.stop(2_000)));
  await nginx?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  expect(stops.filter((s) => s.status === 'rejected')).toEqual([]);
  expect(children.every((c) => c.done)).toBe(true);
  expect(nginx?.child.done ?? true).toBe(true);
});

function expectMatchesFfprobe(r: ProbeResult, streams: FfStream[]): void {
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  expect(v, 'ffprobe saw a video stream').toBeDefined();
  expect(a, 'ffprobe saw an audio stream').toBeDefined();
  expect(r.video.codec).toBe(FF_CODEC_LABEL[v!.codec_name!]);
  expect(r.video.width).toBe(v!.width);
  expect(r.video.height).toBe(v!.height);
  expect(r.video.profile).toBe(v!.profile);
  const rate = ffRate(v!.avg_frame_rate) ?? ffRate(v!.r_frame_rate);
  expect(rate, `ffprobe frame rate ${v!.avg_frame_rate} / ${v!.r_frame_rate}`).toBeDefined();
  expect(Math.abs(r.video.framerate! - rate!)).toBeLessThanOrEqual(0.5);
  expect(r.audio.codec).toBe(FF_CODEC_LABEL[a!.codec_name!]);
  expect(r.audio.sample_rate).toBe(Number(a!.sample_rate));
  expect(r.audio.channels).toBe(a!.channels);
}

/** What an RTMP probe that played must carry: SPEC §14's timings, no HTTP status. */
function expectRtmpTimings(r: ProbeResult): void {
  expect(r.reason, r.error).toBeUndefined();
  expect(r.ok).toBe(true);
  expect(r.play_started).toBe(true);
  expect(r.http_status).toBeUndefined();
  expect(r.connect_ms).toBeGreaterThanOrEqual(0);
  expect(r.handshake_ms).toBeGreaterThan(0);
  expect(r.response_ms).toBeGreaterThanOrEqual(r.handshake_ms!);
  expect(r.ttfb_ms).toBeGreaterThanOrEqual(r.response_ms! - 1);
  expect(r.first_frame_ms).toBeGreaterThanOrEqual(r.ttfb_ms!);
  expect(r.video.keyframes).toBeGreaterThanOrEqual(1);
}

describe.each([
  ['nginx-rtmp (Debian libnginx-mod-rtmp)', () => nginxUrl],
  ['node-media-server 4.4.3', () => nmsRtmpUrl],
])('RTMP play from %s, published by ffmpeg', (_name, url) => {
  it('codec, size, profile, frame rate and audio match ffprobe reading the same rtmp:// URL', async () => {
    const [result, streams] = await Promise.all([runProbe(job(url())), ffprobeLiveStreams(url())]);
    expectRtmpTimings(result);
    expectMatchesFfprobe(result, streams);
  });

  it('a stream nobody publishes: play accepted, nothing comes: timeout inside the deadline', async () => {
    const deadlineMs = 8_000;
    const started = performance.now();
    const result = await runProbe(job(url().replace(/test$/, 'nobody'), { firstByteTimeoutMs: 2_000, deadlineMs }));
    expect(result.ok).toBe(false);
    expect(result.reason, result.error).toBe('timeout');
    expect(result.video.frames).toBe(0);
    expect(performance.now() - started).toBeLessThan(deadlineMs + 1_000);
  });
});

describe('the CLI', () => {
  it('`probe rtmp://… --json --duration 3` agrees with ffprobe (nginx-rtmp)', async () => {
    const [cli, streams] = await Promise.all([
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['packages/aggregator/dist/cli.js', 'probe', nginxUrl, '--json', '--duration', '3'],
          { cwd: root, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' },
          (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
        );
      }),
      ffprobeLiveStreams(nginxUrl),
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as ProbeResult;
    expect(result).toMatchObject({ url: nginxUrl, ok: true, play_started: true, scores: { up: true } });
    expectMatchesFfprobe(result, streams);
  });
});

describe('the same stream over NMS HTTP-FLV and NMS RTMP', () => {
  it('gives the same codec, size, profile, frame rate and audio', async () => {
    const [overRtmp, overHttp] = await Promise.all([runProbe(job(nmsRtmpUrl)), runProbe(job(nmsFlvUrl))]);
    expectRtmpTimings(overRtmp);
    expect(overHttp.reason, overHttp.error).toBeUndefined();
    expect(overHttp.http_status).toBe(200);
    for (const key of ['codec', 'profile', 'level', 'width', 'height'] as const)
      expect(overRtmp.video[key]).toBe(overHttp.video[key]);
    expect(Math.abs(overRtmp.video.framerate! - overHttp.video.framerate!)).toBeLessThanOrEqual(0.5);
    expect(overRtmp.audio).toMatchObject({
      codec: overHttp.audio.codec,
      sample_rate: overHttp.audio.sample_rate,
      channels: overHttp.audio.channels,
    });
    // both carry about the same media bitrate (the same stream, sampled at slightly different moments)
    expect(overRtmp.bitrate_bps! / overHttp.bitrate_bps!).toBeGreaterThan(0.7);
    expect(overRtmp.bitrate_bps! / overHttp.bitrate_bps!).toBeLessThan(1.4);
  });
});
