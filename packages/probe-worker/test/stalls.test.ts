import { describe, expect, it } from 'vitest';
import { StallTracker } from '../src/stalls.js';

/** Read times every `stepMs` from `from` to `to` (exclusive), skipping times where `skip(t)` holds. */
function reads(from: number, to: number, stepMs: number, skip: (t: number) => boolean = () => false): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += stepMs) if (!skip(t)) out.push(t);
  return out;
}

function run(threshold: number, times: number[], end: number, sampleStart = times[0] ?? 0) {
  const t = new StallTracker(threshold);
  for (const now of times) t.onRead(now);
  return t.finish(end, sampleStart);
}

describe('StallTracker', () => {
  it('reports nothing when no body byte was read', () => {
    expect(new StallTracker(200).finish(10_000, 0)).toBeUndefined();
  });

  it('sees no stall in a steady stream', () => {
    expect(run(200, reads(0, 10_000, 40), 10_000)).toEqual({ count: 0, max_ms: 0, total_ms: 0, ratio: 0 });
  });

  it('counts a 600 ms pause every 2 s over 10 s as 4-5 stalls of about 600 ms', () => {
    const times = reads(0, 10_000, 40, (t) => t % 2000 >= 1400);
    const s = run(200, times, 10_000)!;
    expect(s.count).toBeGreaterThanOrEqual(4);
    expect(s.count).toBeLessThanOrEqual(5);
    expect(s.max_ms).toBeGreaterThanOrEqual(600);
    expect(s.max_ms).toBeLessThan(700);
    expect(s.total_ms).toBeGreaterThanOrEqual(s.count * 600);
    expect(s.total_ms).toBeLessThanOrEqual(s.count * 700);
    expect(s.ratio).toBeCloseTo(s.total_ms / 10_000, 10);
  });

  it('counts the whole gap, and only gaps longer than the threshold', () => {
    // gaps: 200 (not a stall: not longer), 201, 500
    const s = run(200, [0, 200, 401, 901], 901)!;
    expect(s).toEqual({ count: 2, max_ms: 500, total_ms: 701, ratio: 701 / 901 });
  });

  it('counts the gap from the last read to the sample end', () => {
    const s = run(200, [0, 100, 200], 1200)!;
    expect(s.count).toBe(1);
    expect(s.max_ms).toBe(1000);
    expect(s.total_ms).toBe(1000);
  });

  it('does not count the wait for the first byte', () => {
    // first byte at 3 s: the sample starts there
    const s = run(200, reads(3000, 10_000, 50), 10_000, 3000)!;
    expect(s.count).toBe(0);
  });

  it('clamps the ratio to [0, 1]', () => {
    expect(run(200, [0], 10_000, 9000)!.ratio).toBe(1);
    expect(run(200, [0], 0, 0)!.ratio).toBe(0);
  });

  it('can be finished more than once with the same answer', () => {
    const t = new StallTracker(100);
    for (const now of [0, 50, 400]) t.onRead(now);
    expect(t.finish(1000, 0)).toEqual(t.finish(1000, 0));
    expect(t.finish(1000, 0)!.count).toBe(2);
  });
});
