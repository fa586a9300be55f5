/**
 * runProbe against the live HTTP-FLV source (issue 3 item 5): what a healthy stream, a stalling one, a
 * slower-than-real-time one and a GOP-cache burst look like in the probe result (SPEC §4).
 *
 * The tests of this file run concurrently against one source: each reads ~2.6 Mbit/s, so together they
 * stay far from what the machine can serve, and the 10 s pause test sets the file's wall time.
 */
import { readFileSync } from 'node:fs';
import { FixtureTimeline, type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { runProbe } from '@video-exporter/probe-worker';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fixtureMedia, job, LIVE_FIXTURE } from './helpers.js';

let src: LiveSource;
/** clock reading when the source was started: its timeline's epoch, to within microseconds */
let sourceEpoch: number;

beforeAll(async () => {
  sourceEpoch = performance.now();
  src = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
});
afterAll(async () => {
  await src?.close();
});

describe.concurrent('runProbe on the live source', () => {
  it('healthy stream: up, no stalls, 25 fps, the fixture bitrate and codec, ordered timings', async ({ expect }) => {
    // The sample starts at a keyframe (GOP 2 s, loop 4 s). 3.5 s ends mid-GOP, 0.5 s away from any
    // keyframe whatever the pacing jitter, and holds 2 keyframes like the whole file: ~1-2 % above the
    // file's bitrate. (A 4 s sample would end on the next loop's keyframe: in or out by one tick, +10 %.)
    const r = await runProbe(job(`${src.url}/live/hd/healthy.flv`, { sampleMs: 3500 }));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.http_status).toBe(200);
    expect(r.stalls?.count).toBe(0);
    expect(r.stalls?.ratio).toBe(0);

    // tolerance: 25 ± 0.5 fps (SPEC framerate = (frames − 1) / DTS span)
    expect(r.video.framerate).toBeGreaterThanOrEqual(24.5);
    expect(r.video.framerate).toBeLessThanOrEqual(25.5);

    // tolerance: within 5 % of the whole fixture's payload bitrate, parsed here from the file itself
    const expected = fixtureMedia().bitrate_bps!;
    expect(expected).toBeGreaterThan(2_000_000); // the parse found the media at all (~2.5 Mbit/s)
    expect(r.bitrate_bps).toBeDefined();
    expect(Math.abs(r.bitrate_bps! - expected) / expected).toBeLessThanOrEqual(0.05);

    expect(r.video).toMatchObject({ codec: 'H.264', profile: 'High', width: 1280, height: 720 });
    expect(r.audio).toMatchObject({ codec: 'AAC', sample_rate: 48000 });
    expect(r.video.keyframes).toBeGreaterThanOrEqual(2);

    // timings: t0 → headers ≤ t0 → first byte ≤ t0 → first keyframe; 127.0.0.1 needs no DNS
    expect(r.dns_ms).toBeUndefined();
    expect(r.connect_ms).toBeGreaterThanOrEqual(0);
    expect(r.response_ms).toBeDefined();
    expect(r.ttfb_ms).toBeDefined();
    expect(r.first_frame_ms).toBeDefined();
    expect(r.response_ms!).toBeLessThanOrEqual(r.ttfb_ms!);
    expect(r.ttfb_ms!).toBeLessThanOrEqual(r.first_frame_ms!);
    expect(r.throughput_bps).toBeGreaterThan(0);
    expect(r.player?.startup_ms).toBeDefined();
    expect(r.player?.rebuffer_count).toBe(0);
  });

  it('600 ms pause every 2 s over a 10 s sample: 4–5 stalls of ≈ 600 ms, ratio ≈ 4–5 × 600 / 10 000', async ({
    expect,
  }) => {
    const sampleMs = 10_000;
    const pauseMs = 600;
    const r = await runProbe(
      job(`${src.url}/live/hd/pause.flv?pause_ms=${pauseMs}&pause_every_ms=2000`, { sampleMs, deadlineMs: 25_000 }),
    );
    expect(r.reason, r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    const s = r.stalls!;
    // Pauses start 2, 4, 6 and 8 s into the body; the 5th starts at 10 s, exactly when the sample ends, so
    // its silence before the sample end is far below the 200 ms threshold: 4 in practice, 5 allowed.
    expect(s.count).toBeGreaterThanOrEqual(4);
    expect(s.count).toBeLessThanOrEqual(5);
    // a stall is the whole read gap: the pause plus up to one 20 ms pacing tick. Lower bound tight
    // (-100 ms); upper bound with room for a busy machine delaying a tick or a read (+400 ms)
    expect(s.max_ms).toBeGreaterThanOrEqual(pauseMs - 100);
    expect(s.max_ms).toBeLessThanOrEqual(pauseMs + 400);
    // Ratio = stall time / sample wall time. Issue 3 wrote "≈ 0.25–0.3"; the figure that the fault
    // really produces is 4 × 600 / 10 000 = 0.24 (+ a tick per gap, ≈ 0.245), 0.30 with a 5th pause:
    // asserting 0.25 as the floor would fail about every second run for no fault of the probe. The
    // bounds below are the ones 4–5 stalls of 600 (+100) ms imply.
    expect(s.ratio).toBeGreaterThanOrEqual((s.count * pauseMs) / sampleMs - 0.01);
    expect(s.ratio).toBeLessThanOrEqual((s.count * (pauseMs + 400)) / sampleMs);
    expect(s.ratio).toBeGreaterThanOrEqual(0.24 - 0.01);
    expect(s.ratio).toBeLessThanOrEqual(0.3 + 0.15);
    expect(s.ratio).toBeCloseTo(s.total_ms / r.sample_ms!, 2);
    // Default catch-up: the timeline ran on during each pause and a burst refills the player's 1 s
    // buffer, so the viewer never rebuffers although the wire stalled.
    expect(r.player?.rebuffer_count).toBe(0);
    expect(r.video.framerate).toBeGreaterThanOrEqual(24.5);
    expect(r.video.framerate).toBeLessThanOrEqual(25.5);
  });

  it('the same pauses without catch-up: same stalls on the wire, and the viewer rebuffers', async ({ expect }) => {
    // pause_catch_up=0 freezes the timeline during each pause: every pause costs the player 600 ms of
    // its 1 s buffer for good, so by the 2nd pause (1.2 s lost) it has run dry.
    const r = await runProbe(
      job(`${src.url}/live/hd/pause-nocatchup.flv?pause_ms=600&pause_every_ms=2000&pause_catch_up=0`, {
        sampleMs: 10_000,
        deadlineMs: 25_000,
      }),
    );
    expect(r.reason, r.error).toBeUndefined();
    expect(r.stalls!.count).toBeGreaterThanOrEqual(4);
    expect(r.stalls!.count).toBeLessThanOrEqual(5);
    expect(r.player?.rebuffer_count).toBeGreaterThanOrEqual(1);
    expect(r.player?.rebuffer_ratio).toBeGreaterThan(0);
    // media lags wall time by the paused time: ≈ 10 s − 4 × 0.6 s of media in 10 s
    expect(r.media_ms!).toBeLessThan(r.sample_ms! - 4 * 600 + 300);
  });

  it('pace 0.8× real time: no read stalls, but the viewer rebuffers', async ({ expect }) => {
    // Startup buffer 0.5 s (a configurable viewer setting, SPEC startup_buffer_ms) keeps the sample short:
    // 0.5 s of media arrives after 0.625 s, then the buffer shrinks by 0.2 s per s of playback and runs
    // dry 2.5 s later, ≈ 3.1 s after t0, well inside a 4 s sample. (With the 1 s default: ≈ 6.3 s.)
    const sampleMs = 4000;
    const r = await runProbe(job(`${src.url}/live/hd/slow.flv?pace=0.8`, { sampleMs, startupBufferMs: 500 }));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    // every 20 ms tick still sends something: no single read stalls
    expect(r.stalls?.count).toBe(0);
    // tolerance: media per wall time 0.8 ± 0.05
    expect(r.media_ms! / r.sample_ms!).toBeGreaterThanOrEqual(0.75);
    expect(r.media_ms! / r.sample_ms!).toBeLessThanOrEqual(0.85);
    expect(r.player?.startup_ms).toBeDefined();
    expect(r.player!.rebuffer_count).toBeGreaterThanOrEqual(1);
    expect(r.player!.rebuffer_ratio).toBeGreaterThan(0);
  });

  it('GOP-cache burst: no stall, no rebuffer, start-up at once', async ({ expect }) => {
    // The burst holds the media from the latest keyframe to "now": between 0 and one GOP (2 s) depending
    // on where the stream's timeline stands. Choose the stream's phase so that "now" is 1.5 s after a
    // keyframe: the burst then holds more than the player's 1 s start-up buffer, whatever the timing.
    const timeline = new FixtureTimeline('hd', readFileSync(LIVE_FIXTURE), sourceEpoch);
    const lead = (phase: number, at: number): number => {
      const ts = timeline.nowTs(at, phase);
      const k = timeline.keyframeAtOrBefore(ts);
      return ts - timeline.tagTs(k.loop, k.index);
    };
    const at = performance.now() + 20; // when the request will reach the source, roughly
    let phase = 0;
    for (let p = 0; p < timeline.loopDurationMs; p += 10)
      if (Math.abs(lead(p, at) - 1500) < Math.abs(lead(phase, at) - 1500)) phase = p;
    expect(Math.abs(lead(phase, at) - 1500)).toBeLessThan(50);

    const r = await runProbe(job(`${src.url}/live/hd/burst.flv?gop_cache=1&phase_ms=${phase}`));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.stalls?.count).toBe(0);
    expect(r.player?.rebuffer_count).toBe(0);
    expect(r.player?.rebuffer_ratio).toBe(0);
    // start-up well before the 1 s a viewer paced from a keyframe waits for its buffer (room for a busy machine)
    expect(r.player?.startup_ms).toBeDefined();
    expect(r.player!.startup_ms!).toBeLessThan(700);
    // the burst is media beyond real time: ≈ 1.5 s more media than wall time
    expect(r.media_ms! - r.sample_ms!).toBeGreaterThan(1000);
  });
});
