import { describe, expect, it } from 'vitest';
import { LatencyTracker } from '../src/latency.js';
import { MediaTimeline } from '../src/media-timeline.js';

const FRAME_MS = 40; // 25 fps
const GOP = 50; // frames per 2 s GOP

interface Frame {
  at: number;
  ts: number;
  key: boolean;
}

/** Frames from `fromTs` every 40 ms arriving at `startAt + (ts − fromTs) / pace`, a keyframe every GOP. */
function paced(fromTs: number, toTs: number, startAt: number, pace = 1): Frame[] {
  const out: Frame[] = [];
  for (let ts = fromTs; ts < toTs; ts += FRAME_MS)
    out.push({ at: startAt + (ts - fromTs) / pace, ts, key: (ts / FRAME_MS) % GOP === 0 });
  return out;
}

function track(frames: Frame[]) {
  const t = new LatencyTracker();
  for (const f of frames) t.onFrame(f.at, f.ts, f.key);
  return t.finish();
}

describe('MediaTimeline', () => {
  it('stitches discontinuities and never lets wall time go back', () => {
    const tl = new MediaTimeline();
    tl.add(100, 5000);
    tl.add(140, 5040);
    tl.add(130, 3_600_000); // a jump of an hour, arriving "before" the previous frame
    tl.add(200, 3_600_040);
    expect(tl.positionMs).toBe(80);
    expect(tl.arrivalMs).toBe(200);
    expect(tl.wallMs).toBe(100);
    expect(tl.leadMs).toBe(-20);
  });
});

describe('LatencyTracker', () => {
  it('measures nothing without frames', () => {
    expect(new LatencyTracker().finish()).toEqual({});
  });

  it('real-time pace: no start lag, rate 1, the GOP as the longest keyframe interval', () => {
    const r = track(paced(0, 8000, 300));
    expect(r.start_lag_ms).toBe(0);
    expect(r.media_rate).toBeCloseTo(1, 6);
    expect(r.keyframe_interval_max_ms).toBe(2000);
    expect(r.latency_ms).toBeUndefined();
  });

  it('a 0.8x source: rate 0.8 and no start lag', () => {
    const r = track(paced(0, 8000, 0, 0.8));
    expect(r.start_lag_ms).toBe(0);
    expect(r.media_rate).toBeCloseTo(0.8, 6);
  });

  it('a GOP-cache burst of 1.2 s at connect: start lag 1.2 s, and the rate after the burst stays 1', () => {
    const burst = paced(0, 1240, 200, Infinity);
    const live = paced(1240, 8000, 200 + FRAME_MS);
    const r = track([...burst, ...live]);
    expect(r.start_lag_ms).toBe(1200);
    expect(r.media_rate).toBeCloseTo(1, 6);
  });

  it('a source catching up at 1.5x over the whole sample: rate 1.5 (not a burst)', () => {
    const r = track(paced(0, 12_000, 0, 1.5));
    expect(r.media_rate).toBeCloseTo(1.5, 6);
    // the lead grows all along: the newest frame (11 960 ms of media) came after 11 960 / 1.5 ms
    expect(r.start_lag_ms).toBeCloseTo(11_960 - 11_960 / 1.5, 6);
  });

  it('batches of frames (a 20 ms pacing tick) keep the rate within 0.5 %', () => {
    const frames = paced(0, 6000, 0).map((f) => ({ ...f, at: Math.ceil(f.at / 20) * 20 }));
    expect(track(frames).media_rate).toBeCloseTo(1, 2);
  });

  it('needs a second keyframe for an interval, and ten frames over a second for a rate', () => {
    const r = track(paced(0, 1000, 0));
    expect(r.keyframe_interval_max_ms).toBeUndefined();
    expect(r.media_rate).toBeUndefined();
    expect(r.start_lag_ms).toBe(0);
  });

  it('a keyframe interval across a timestamp jump counts only the stitched media time', () => {
    const before = paced(0, 1000, 0);
    const after = paced(3_600_000, 3_604_000, 1000);
    const r = track([...before, ...after]);
    // keyframes at 0 and at 3 600 000 (the jump adds nothing), then 3 602 000: intervals 960 and 2000
    expect(r.keyframe_interval_max_ms).toBe(2000);
  });

  it('the stream clock: latency of the newest onFI', () => {
    const t = new LatencyTracker();
    t.onStreamClock(1_000_000, 997_000);
    t.onStreamClock(1_002_000, 999_500);
    expect(t.finish().latency_ms).toBe(2500);
  });

  it('keeps its memory bounded on a flood of frames, and the rate still right', () => {
    const t = new LatencyTracker();
    for (let i = 0; i < 200_000; i++) t.onFrame(i * 0.1, i * 0.1, false);
    const points = (t as unknown as { wall: number[] }).wall.length;
    expect(points).toBeLessThan(1024);
    expect(t.finish().media_rate).toBeCloseTo(1, 6);
  });
});
