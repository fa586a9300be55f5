/**
 * SPEC §12 latency and drift against the truth the live source knows (issue 13): its pace, the GOP-cache
 * burst it sent (reported per stream with --report-streams) and the onFI clock offset it stamped.
 *
 * The source runs in its own process, so its pacing does not share an event loop with the probes; the
 * probes run here, concurrently (five streams of ~2.6 Mbit/s, far below what loopback serves).
 * Tolerances are the issue's: rate 1.00 ± 0.02 and 0.80 ± 0.03, start lag b ± 0.15 s (< 0.15 s without a
 * cache), latency = offset ± 50 ms.
 */
import { type ProbeResult, runProbe } from '@video-exporter/probe-worker';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type LiveSourceProcess, startLiveSourceProcess } from '../support/live-source-process.js';
import { fixtureMedia, job, LIVE_FIXTURE } from './helpers.js';

const START_LAG_TOLERANCE_MS = 150;
const LATENCY_TOLERANCE_MS = 50;
/** the fixture's GOP: 2 s (50 frames at 25 fps) */
const GOP_MS = 2000;

let source: LiveSourceProcess;
let sourceUrl = '';
/** path -> GOP-cache burst the source sent, ms */
const bursts = new Map<string, number>();

beforeAll(async () => {
  source = await startLiveSourceProcess({
    fixtures: { hd: LIVE_FIXTURE },
    onStreamStart: (s) => bursts.set(s.stream, s.burst_ms),
  });
  sourceUrl = source.url;
});

afterAll(async () => {
  await source?.close();
});

function ok(r: ProbeResult): ProbeResult {
  if (!r.ok) throw new Error(`probe failed: ${r.reason}: ${r.error}`);
  return r;
}

describe.concurrent('latency and drift against the live source', () => {
  it('pace 1.0 without a cache: media rate 1.00 ± 0.02, start lag < 0.15 s, the GOP as the keyframe interval', async ({
    expect,
  }) => {
    const path = '/live/hd/realtime.flv';
    const r = ok(await runProbe(job(`${sourceUrl}${path}?gop_cache=0`, { sampleMs: 6000 })));
    console.log(`pace 1.0: ${JSON.stringify(r.latency)}`);
    expect(bursts.get(path)).toBe(0);
    expect(r.latency?.media_rate).toBeGreaterThanOrEqual(0.98);
    expect(r.latency?.media_rate).toBeLessThanOrEqual(1.02);
    expect(r.latency?.start_lag_ms).toBeGreaterThanOrEqual(0);
    expect(r.latency?.start_lag_ms).toBeLessThan(START_LAG_TOLERANCE_MS);
    // the oracle: the fixture's GOP as the parser's media summary reads it from the file (2 s)
    expect(fixtureMedia().video.gop_seconds! * 1000).toBe(GOP_MS);
    expect(r.latency?.keyframe_interval_max_ms).toBe(GOP_MS);
    expect(r.latency?.latency_ms).toBeUndefined();
  });

  it('pace 0.8: media rate 0.80 ± 0.03, and the viewer rebuffers', async ({ expect }) => {
    // 1 s buffered after 1.25 s; it drains by 0.2 s per s of playback: dry ≈ 6.3 s after t0
    const r = ok(await runProbe(job(`${sourceUrl}/live/hd/slow.flv?pace=0.8`, { sampleMs: 8000, deadlineMs: 20_000 })));
    console.log(`pace 0.8: ${JSON.stringify(r.latency)} player ${JSON.stringify(r.player)}`);
    expect(r.latency?.media_rate).toBeGreaterThanOrEqual(0.77);
    expect(r.latency?.media_rate).toBeLessThanOrEqual(0.83);
    expect(r.player?.rebuffer_count).toBeGreaterThanOrEqual(1);
    expect(r.latency?.start_lag_ms).toBeLessThan(START_LAG_TOLERANCE_MS);
  });

  it('GOP-cache bursts of b seconds (four phases a quarter GOP apart): start lag b ± 0.15 s, rate 1.00 ± 0.02', async ({
    expect,
  }) => {
    // Four streams connecting together, their timelines 500 ms apart: their bursts spread over the GOP,
    // so one of them holds at least 1.5 s of media whatever the moment.
    const phases = [0, 500, 1000, 1500];
    const results = await Promise.all(
      phases.map(async (phase) => {
        const path = `/live/hd/burst-${phase}.flv`;
        const r = ok(await runProbe(job(`${sourceUrl}${path}?gop_cache=1&phase_ms=${phase}`, { sampleMs: 5000 })));
        return { path, r, b: bursts.get(path) };
      }),
    );
    const rows = results.map(({ path, r, b }) => ({
      path,
      burst_ms: b,
      start_lag_ms: r.latency?.start_lag_ms,
      media_rate: r.latency?.media_rate,
    }));
    console.log(`GOP cache: ${JSON.stringify(rows)}`);
    for (const { path, burst_ms, start_lag_ms, media_rate } of rows) {
      expect(burst_ms, path).toBeDefined();
      expect(
        Math.abs(start_lag_ms! - burst_ms!),
        `${path}: start lag ${start_lag_ms} vs burst ${burst_ms}`,
      ).toBeLessThanOrEqual(START_LAG_TOLERANCE_MS);
      expect(media_rate, path).toBeGreaterThanOrEqual(0.98);
      expect(media_rate, path).toBeLessThanOrEqual(1.02);
    }
    expect(Math.max(...rows.map((x) => x.burst_ms!))).toBeGreaterThanOrEqual(GOP_MS * 0.75 - START_LAG_TOLERANCE_MS);
  });

  it('onFI wall clock 2.5 s behind the media: latency 2.5 s ± 50 ms', async ({ expect }) => {
    const offset = 2500;
    const r = ok(
      await runProbe(job(`${sourceUrl}/live/hd/onfi.flv?onfi_offset_ms=${offset}&gop_cache=0`, { sampleMs: 4500 })),
    );
    console.log(`onFI offset ${offset}: ${JSON.stringify(r.latency)}`);
    expect(r.latency?.latency_ms).toBeGreaterThanOrEqual(offset - LATENCY_TOLERANCE_MS);
    expect(r.latency?.latency_ms).toBeLessThanOrEqual(offset + LATENCY_TOLERANCE_MS);
  });
});
