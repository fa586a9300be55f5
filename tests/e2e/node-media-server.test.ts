import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encoderLabel } from '@video-exporter/aggregator';
import { type ProbeResult, runProbe } from '@video-exporter/probe-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FF_CODEC_LABEL, type FfStream, ffprobeLiveStreams, ffRate } from './support/ffprobe.js';
import { amf0StringAt, type FlvPrefix, flvTags, readFlvPrefix, waitForVideoTag } from './support/flv-http.js';
import { watchLiveEdge } from './support/keyframe-watch.js';
import { Child, freePorts } from './support/processes.js';

// Issue 3 item 6: the probe against an HTTP-FLV server nobody here wrote. node-media-server 4.4.3 (a root
// devDependency) runs as a child process on loopback, Debian's ffmpeg publishes the live fixture to it over
// RTMP, and ffprobe reading the same HTTP-FLV URL is the oracle for what the probe must report.

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = 'tests/fixtures/live/live_720p25.flv';

const children: Child[] = [];
let dataDir: string | undefined;
let streamUrl = '';
let missingUrl = '';
/** the first body bytes of the published stream, read while waiting for it to go live */
let livePrefix: FlvPrefix;

/** node-media-server on two fresh ports; a port taken between the port-0 probe and NMS's bind → try again. */
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
      if (!nms.done) break;
    }
  }
  throw lastError;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'video-exporter-nms-'));
  const { nms, rtmpPort, httpPort } = await startNms(dataDir);
  const ffmpeg = new Child(
    'ffmpeg (RTMP publisher)',
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
      `rtmp://127.0.0.1:${rtmpPort}/live/test`,
    ],
    { cwd: root },
  );
  children.push(ffmpeg);
  streamUrl = `http://127.0.0.1:${httpPort}/live/test.flv`;
  missingUrl = `http://127.0.0.1:${httpPort}/live/missing.flv`;
  try {
    livePrefix = await waitForVideoTag(streamUrl, 15_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${ffmpeg.output()}\n${nms.output()}`);
  }
});

afterAll(async () => {
  // Publisher first, so NMS is not left mid-publish; every child is stopped even if another stop fails.
  const stops = await Promise.allSettled([...children].reverse().map((c) => c.stop(2_000)));
  const failed = stops.filter((s) => s.status === 'rejected');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  expect(failed).toEqual([]);
  expect(children.every((c) => c.done)).toBe(true);
});

/** Codec, size, profile, level and frame rate of `r` against ffprobe's video and audio streams. */
function expectMatchesFfprobe(r: ProbeResult, streams: FfStream[]) {
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  expect(v, 'ffprobe saw a video stream').toBeDefined();
  expect(a, 'ffprobe saw an audio stream').toBeDefined();
  expect(r.video.codec).toBe(FF_CODEC_LABEL[v!.codec_name!]);
  expect(r.video.width).toBe(v!.width);
  expect(r.video.height).toBe(v!.height);
  expect(r.video.profile).toBe(v!.profile);
  expect(r.video.level).toBe((v!.level! / 10).toFixed(1));
  // The probe's rate comes from FLV DTS steps (1 ms resolution) over a few seconds of a looping stream.
  const avg = ffRate(v!.avg_frame_rate);
  const real = ffRate(v!.r_frame_rate);
  expect(avg, `ffprobe avg_frame_rate ${v!.avg_frame_rate}`).toBeDefined();
  expect(real, `ffprobe r_frame_rate ${v!.r_frame_rate}`).toBeDefined();
  expect(Math.abs(r.video.framerate! - avg!)).toBeLessThanOrEqual(0.5);
  expect(Math.abs(r.video.framerate! - real!)).toBeLessThanOrEqual(0.5);
  expect(r.audio.codec).toBe(FF_CODEC_LABEL[a!.codec_name!]);
  expect(r.audio.sample_rate).toBe(Number(a!.sample_rate));
  expect(r.audio.channels).toBe(a!.channels);
  // NMS relays ffmpeg's metadata inside "@setDataFrame": the probe must still have read onMetaData.
  expect(r.metadata, 'onMetaData read from the @setDataFrame tag').toBeDefined();
  expect(r.metadata).toMatchObject({ width: v!.width, height: v!.height });
}

describe('HTTP-FLV from node-media-server 4.4.3, published by ffmpeg over RTMP', () => {
  it('has the habits the issue describes: 200, no Content-Type, an @setDataFrame script tag first', () => {
    expect(livePrefix.status).toBe(200);
    expect(livePrefix.headers['content-type']).toBeUndefined();
    const first = flvTags(livePrefix.bytes)[0];
    expect(first?.type).toBe(18);
    expect(amf0StringAt(livePrefix.bytes, first!.dataOffset)).toBe('@setDataFrame');
  });

  it('runProbe reads the live stream, and codec, size, profile and frame rate match ffprobe', async () => {
    const [result, streams] = await Promise.all([
      runProbe({ url: streamUrl, sampleMs: 3_000, minKeyframes: 1, stallThresholdMs: 200, deadlineMs: 15_000 }),
      ffprobeLiveStreams(streamUrl),
    ]);
    expect(result.reason, result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.http_status).toBe(200);
    expect(result.video.frames).toBeGreaterThan(0);
    expect(result.video.keyframes).toBeGreaterThanOrEqual(1);
    expectMatchesFfprobe(result, streams);
  });

  it('the CLI `probe URL --json --duration 4` agrees with ffprobe too', async () => {
    const [cli, streams] = await Promise.all([
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['packages/aggregator/dist/cli.js', 'probe', streamUrl, '--json', '--duration', '4'],
          { cwd: root, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' },
          (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
        );
      }),
      ffprobeLiveStreams(streamUrl),
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as ProbeResult;
    expect(result).toMatchObject({ url: streamUrl, ok: true, http_status: 200 });
    expectMatchesFfprobe(result, streams);
    // SPEC §12 in the JSON: measured fields present, latency_ms absent (ffmpeg writes no onFI clock)
    expect(Object.keys(result.latency ?? {}).sort()).toEqual([
      'keyframe_interval_max_ms',
      'media_rate',
      'start_lag_ms',
    ]);
  });

  it(
    'a stream nobody publishes (200, FLV header, then' + ' silence) ends as no_video or timeout inside its deadline',
    async () => {
      const deadlineMs = 6_000;
      const started = performance.now();
      const [result, raw] = await Promise.all([
        runProbe({
          url: missingUrl,
          sampleMs: 2_000,
          minKeyframes: 1,
          stallThresholdMs: 200,
          idleTimeoutMs: 1_500,
          deadlineMs,
        }),
        // The premise, seen without the probe: the server answers and then sends nothing past the header.
        readFlvPrefix(missingUrl, 1_500),
      ]);
      const elapsed = performance.now() - started;
      expect(raw.status).toBe(200);
      expect(raw.bytes.subarray(0, 3).toString('latin1')).toBe('FLV');
      expect(flvTags(raw.bytes)).toEqual([]);

      expect(result.ok).toBe(false);
      expect(['no_video', 'timeout']).toContain(result.reason);
      expect(result.video.frames).toBe(0);
      expect(elapsed).toBeLessThan(deadlineMs + 1_000);
    },
  );

  it('its GOP cache shows as start lag: the media since the latest keyframe was live, ± 0.15 s', async () => {
    const WINDOW_END_MS = 1_500;
    const WINDOW_TRIES = 4;
    // The oracle: a second reader sees when frames go live (after its own burst). A probe that connects
    // D ms after a keyframe was at the live edge gets NMS's cache from that keyframe on: D ms of media.
    const watch = watchLiveEdge(streamUrl);
    try {
      await watch.live(10_000);
      // a GOP of live frames settles the live edge; then connect 0.8-1.2 s after a keyframe was live
      await new Promise((r) => setTimeout(r, 2_000));
      // this process may stall on a busy machine and overshoot the window (then the next keyframe may already be
      // live, unseen by the watcher): such a try does not count, the next keyframe's window is taken instead
      let expected = Number.NaN;
      for (let tries = 0; tries < WINDOW_TRIES && !(expected < WINDOW_END_MS); tries++) {
        const seen = watch.latestKeyframeLiveAt();
        const until = performance.now() + 3_000;
        while (tries > 0 && watch.latestKeyframeLiveAt() === seen && performance.now() < until)
          await new Promise((r) => setTimeout(r, 20));
        while (performance.now() - watch.latestKeyframeLiveAt() < 800 && performance.now() < until)
          await new Promise((r) => setTimeout(r, 20));
        expected = performance.now() - watch.latestKeyframeLiveAt();
      }
      const r = await runProbe({
        url: streamUrl,
        sampleMs: 4_000,
        minKeyframes: 1,
        stallThresholdMs: 200,
        deadlineMs: 15_000,
      });
      expect(r.reason, r.error).toBeUndefined();
      console.log(
        `node-media-server GOP cache: expected burst ${expected.toFixed(1)} ms, ${JSON.stringify(r.latency)}`,
      );
      // a real cache, inside the 2 s GOP
      expect(expected).toBeGreaterThanOrEqual(800);
      expect(expected).toBeLessThan(2_000);
      expect(Math.abs(r.latency!.start_lag_ms! - expected)).toBeLessThanOrEqual(150);
      expect(r.latency!.media_rate).toBeGreaterThanOrEqual(0.98);
      expect(r.latency!.media_rate).toBeLessThanOrEqual(1.02);
      // the GOP is 2 s; ffmpeg -stream_loop leaves up to a frame or two of gap at the loop point
      expect(r.latency!.keyframe_interval_max_ms).toBeGreaterThanOrEqual(2_000);
      expect(r.latency!.keyframe_interval_max_ms).toBeLessThanOrEqual(2_080);
      // ffmpeg's FLV muxer names itself in onMetaData; NMS relays it: the encoder label of video_stream_info
      expect(encoderLabel(r.metadata)).toMatch(/^Lavf\d+\.\d+\.\d+$/);
    } finally {
      watch.close();
    }
  });
});
