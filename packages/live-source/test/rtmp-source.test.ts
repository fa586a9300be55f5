import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ProbeJob, runProbe } from '@video-exporter/probe-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveSource, startLiveSource } from '../src/index.js';

// The live source's RTMP mode: ffmpeg's RTMP client (a real player) reads it, and its faults reach the
// probe as the RTMP answers they map to.

const FIXTURE = fileURLToPath(new URL('../../../tests/fixtures/live/live_720p25.flv', import.meta.url));
let source: LiveSource;

beforeAll(async () => {
  source = await startLiveSource({ fixtures: { hd: FIXTURE }, rtmpPort: 0 });
});
afterAll(async () => {
  await source?.close();
});

const job = (path: string, extra: Partial<ProbeJob> = {}): ProbeJob => ({
  url: `${source.rtmpUrl!}${path}`,
  sampleMs: 2_000,
  minKeyframes: 1,
  stallThresholdMs: 200,
  deadlineMs: 8_000,
  headersTimeoutMs: 1_500,
  firstByteTimeoutMs: 1_500,
  idleTimeoutMs: 1_500,
  ...extra,
});

/** ffprobe reading an rtmp:// URL: codec, size and frame rate of the video stream. */
function ffprobe(url: string): Promise<{ codec_name: string; width: number; height: number; r_frame_rate: string }> {
  const args = ['-v', 'error', '-rw_timeout', '5000000', '-select_streams', 'v:0', '-show_streams', '-of', 'json', url];
  return new Promise((resolve, reject) => {
    execFile('ffprobe', args, { timeout: 15_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`ffprobe failed: ${err.message}\n${stderr}`));
      resolve(
        (
          JSON.parse(stdout) as {
            streams: Array<{ codec_name: string; width: number; height: number; r_frame_rate: string }>;
          }
        ).streams[0]!,
      );
    });
  });
}

describe('live source over RTMP', () => {
  it('serves rtmp:// URLs; ffprobe (FFmpeg RTMP client) and the probe see the same stream', async () => {
    expect(source.rtmpUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+$/);
    const [r, ff] = await Promise.all([runProbe(job('/live/hd/a')), ffprobe(`${source.rtmpUrl!}/live/hd/b`)]);
    expect(r.reason, r.error).toBeUndefined();
    expect(ff).toMatchObject({ codec_name: 'h264', width: 1280, height: 720, r_frame_rate: '25/1' });
    expect(r.video).toMatchObject({ codec: 'H.264', width: ff.width, height: ff.height });
    expect(r.video.framerate).toBeCloseTo(25, 0);
    expect(r.play_started).toBe(true);
  });

  it('pauses show as read stalls, as over HTTP', async () => {
    const r = await runProbe(job('/live/hd/p?pause_ms=600&pause_every_ms=1000', { sampleMs: 2_500 }));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.stalls!.count).toBeGreaterThanOrEqual(1);
    expect(r.stalls!.max_ms).toBeGreaterThanOrEqual(500);
  });

  it('pace=0.5 delivers half real time: the viewer model needs ~2 s to buffer its first second', async () => {
    const r = await runProbe(job('/live/hd/slow?pace=0.5', { sampleMs: 3_000 }));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.player!.startup_ms).toBeGreaterThanOrEqual(1_500);
    expect(r.media_ms!).toBeLessThan(r.sample_ms! * 0.8);
  });

  it.each([
    ['?status=404', 'rtmp_rejected', 'NetStream.Play.StreamNotFound'],
    ['?status=503', 'rtmp_rejected', 'NetStream.Play.Failed'],
    ['?html=1', 'parse_error', 'chunk stream'],
    ['?never_headers=1', 'timeout', 'never answered play'],
    ['?empty=1', 'timeout', 'no audio or video'],
    ['?rst=1', 'reset', 'ECONNRESET'],
    ['?audio_only=1', 'no_video', 'audio only'],
  ])('fault %s → %s', async (query, reason, text) => {
    const r = await runProbe(job(`/live/hd/f${query}`));
    expect(r.reason).toBe(reason);
    expect(r.error).toContain(text);
  });

  it('close_after_ms dies mid-stream: reset after media arrived', async () => {
    const r = await runProbe(job('/live/hd/die?close_after_ms=800'));
    expect(['reset', 'truncated']).toContain(r.reason);
    expect(r.video.frames).toBeGreaterThan(0);
  });

  it('an app that is not live/<fixture>: connect refused', async () => {
    const r = await runProbe(job('/vod/hd'));
    expect(r.reason).toBe('rtmp_rejected');
    expect(r.error).toContain('NetConnection.Connect.Rejected');
  });
});
