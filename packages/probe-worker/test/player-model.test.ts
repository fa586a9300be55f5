import { describe, expect, it } from 'vitest';
import { PlayerModel } from '../src/player-model.js';

const FRAME_MS = 40; // 25 fps

/** Feeds frames: media timestamps `ts`, arriving at `arrival(ts, index)`. */
function play(
  frames: { at: number; ts: number }[],
  endMs: number,
  opts: { t0Ms?: number; startupBufferMs?: number } = {},
) {
  const p = new PlayerModel({
    t0Ms: opts.t0Ms ?? 0,
    ...(opts.startupBufferMs ? { startupBufferMs: opts.startupBufferMs } : {}),
  });
  // frames after the sample end are not part of the sample
  for (const f of frames) if (f.at <= endMs) p.onFrame(f.at, f.ts);
  return p.finish(endMs);
}

/** Frames with timestamps from `fromTs` every 40 ms, arriving at `startAt + (ts − fromTs) / pace`. */
function paced(fromTs: number, toTs: number, startAt: number, pace = 1): { at: number; ts: number }[] {
  const out: { at: number; ts: number }[] = [];
  for (let ts = fromTs; ts < toTs; ts += FRAME_MS) out.push({ at: startAt + (ts - fromTs) / pace, ts });
  return out;
}

describe('PlayerModel', () => {
  it('measures nothing without frames', () => {
    expect(new PlayerModel({ t0Ms: 0 }).finish(10_000)).toBeUndefined();
  });

  it('starts once 1 s of media has arrived at real-time pace, and never rebuffers', () => {
    // first byte 150 ms after t0, timestamps starting at 90 000 (a live stream's clock)
    const r = play(paced(90_000, 100_000, 150), 10_150)!;
    expect(r.startup_ms).toBe(150 + 1000);
    expect(r.rebuffer_count).toBe(0);
    expect(r.rebuffer_ms).toBe(0);
    expect(r.rebuffer_ratio).toBe(0);
  });

  it('measures startup from t0 on the caller clock', () => {
    const r = play(paced(0, 5000, 5150), 10_000, { t0Ms: 5000 })!;
    expect(r.startup_ms).toBe(150 + 1000);
  });

  it('honours a configured startup buffer', () => {
    const r = play(paced(0, 8000, 0), 8000, { startupBufferMs: 2000 })!;
    expect(r.startup_ms).toBe(2000);
  });

  it('starts at once on a GOP-cache burst at connect and shows no false rebuffer', () => {
    // 5 s of media in one burst at 200 ms, then real time
    const burst = paced(0, 5000, 200, Infinity);
    const live = paced(5000, 14_800, 200);
    const r = play([...burst, ...live], 10_000)!;
    expect(r.startup_ms).toBe(200);
    expect(r.rebuffer_count).toBe(0);
    expect(r.rebuffer_ratio).toBe(0);
  });

  it('rebuffers a source that delivers at 0.8x real time', () => {
    // 1 s buffered at 1250 ms; it drains at 0.2 ms per ms, so it is dry ~5 s later (~6250 ms); refilling
    // 1 s at 0.8x takes 1250 ms (resume ~7500 ms); the next dry-out (~12 500 ms) is after the sample
    const r = play(paced(0, 8000, 0, 0.8), 10_000)!;
    expect(r.startup_ms).toBe(1250);
    expect(r.rebuffer_count).toBe(1);
    expect(r.rebuffer_ms).toBeGreaterThan(1150);
    expect(r.rebuffer_ms).toBeLessThan(1350);
    expect(r.rebuffer_ratio).toBeCloseTo(r.rebuffer_ms / (10_000 - 1250), 10);
  });

  it('a slower source rebuffers more often and longer', () => {
    // both sources still deliver at the sample end (15 s)
    const a = play(paced(0, 20_000, 0, 0.8), 15_000)!;
    const b = play(paced(0, 20_000, 0, 0.5), 15_000)!;
    expect(a.rebuffer_count).toBe(2);
    expect(b.rebuffer_count).toBeGreaterThan(a.rebuffer_count);
    expect(b.rebuffer_ratio).toBeGreaterThan(a.rebuffer_ratio);
  });

  it('counts a buffer that runs dry before the sample end', () => {
    // real time until 6 s, then nothing: 1 s of buffer lasts until ~7 s, the viewer waits until 10 s
    const r = play(paced(0, 6000, 0), 10_000)!;
    expect(r.rebuffer_count).toBe(1);
    expect(r.rebuffer_ms).toBeGreaterThanOrEqual(2900);
    expect(r.rebuffer_ms).toBeLessThanOrEqual(3050);
  });

  it('rebuffers during a mid-stream interruption and resumes once 1 s is buffered again', () => {
    // real time to 4 s, 2 s of silence, then the source catches up at real time from its own clock
    const before = paced(0, 4000, 0);
    const after = paced(4000, 12_000, 6000);
    const r = play([...before, ...after], 12_000)!;
    expect(r.rebuffer_count).toBe(1);
    // dry at ~4960 (1 s after the last frame, minus one frame), resumes when 1 s more arrived (~7000)
    expect(r.rebuffer_ms).toBeGreaterThan(1900);
    expect(r.rebuffer_ms).toBeLessThan(2200);
  });

  it('does not start when less than the startup buffer ever arrives', () => {
    const r = play(paced(0, 500, 0), 10_000)!;
    expect(r.startup_ms).toBeUndefined();
    expect(r.rebuffer_count).toBe(0);
  });

  it('is not fooled by a timestamp jump forward (it would fill the buffer) ...', () => {
    // at 3 s the timestamps jump by an hour; the source stops at 6 s; the sample ends at 10 s
    const a = paced(0, 3000, 0);
    const b = paced(3_603_000, 3_606_000, 3000);
    const r = play([...a, ...b], 10_000)!;
    expect(r.rebuffer_count).toBe(1);
    expect(r.rebuffer_ms).toBeGreaterThan(2900);
  });

  it('... nor by a timestamp reset backwards (it would empty the buffer)', () => {
    const a = paced(50_000, 55_000, 0);
    const b = paced(0, 5000, 5000);
    const r = play([...a, ...b], 10_000)!;
    expect(r.rebuffer_count).toBe(0);
  });

  it('keeps the rebuffer ratio within [0, 1] and finish is repeatable', () => {
    const p = new PlayerModel({ t0Ms: 0 });
    for (const f of paced(0, 1000, 0, Infinity)) p.onFrame(f.at, f.ts);
    p.onFrame(0, 1000);
    const r = p.finish(100_000)!;
    expect(r.rebuffer_ratio).toBeGreaterThan(0.98);
    expect(r.rebuffer_ratio).toBeLessThanOrEqual(1);
    expect(p.finish(100_000)).toEqual(r);
  });
});
