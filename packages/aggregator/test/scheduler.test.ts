import { describe, expect, it } from 'vitest';
import { nextSlot, phaseMs } from '../src/scheduling/phase.js';
import { Scheduler, type SchedulerClock } from '../src/scheduling/scheduler.js';

/** A manual clock: timers fire only when the test advances time. */
class FakeClock implements SchedulerClock {
  t = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
    await new Promise((r) => setImmediate(r));
  }
}

describe('phase', () => {
  it('is stable and spreads keys evenly over the interval', () => {
    expect(phaseMs('G01/source/store-01', 30_000)).toBe(phaseMs('G01/source/store-01', 30_000));
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(phaseMs(`p/l/stream-${i}`, 30_000) / 3000)]++;
    for (const b of buckets) {
      expect(b).toBeGreaterThan(850);
      expect(b).toBeLessThan(1150);
    }
  });

  it('finds the next slot', () => {
    expect(nextSlot(1000, 200, 500)).toBe(1200);
    expect(nextSlot(1200, 200, 500)).toBe(1200);
    expect(nextSlot(1201, 200, 500)).toBe(1700);
  });
});

describe('Scheduler', () => {
  it('fires each stream once per interval at its phase, spread out', async () => {
    const clock = new FakeClock();
    const starts: { key: string; at: number }[] = [];
    const s = new Scheduler({
      intervalMs: 10_000,
      maxConcurrent: 100,
      clock,
      run: async (key) => void starts.push({ key, at: clock.t }),
    });
    for (let i = 0; i < 50; i++) s.add(`k${i}`);
    await clock.advance(30_000);
    expect(starts).toHaveLength(150);
    for (let i = 0; i < 50; i++) {
      const at = starts.filter((x) => x.key === `k${i}`).map((x) => x.at);
      expect(at[1]! - at[0]!).toBe(10_000);
      expect(at[0]! % 10_000).toBe(phaseMs(`k${i}`, 10_000) % 10_000);
    }
    // not all at once: the starts of one interval cover most of it
    const first = starts.slice(0, 50).map((x) => x.at);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(8000);
  });

  it('caps probes in flight and reports the lag of queued ones', async () => {
    const clock = new FakeClock();
    const release: (() => void)[] = [];
    let maxInFlight = 0;
    const lags: number[] = [];
    const s = new Scheduler({
      intervalMs: 100_000,
      maxConcurrent: 2,
      clock,
      onLag: (_k, lag) => lags.push(lag),
      run: () =>
        new Promise<void>((r) => {
          maxInFlight = Math.max(maxInFlight, s.running);
          release.push(r);
        }),
    });
    for (let i = 0; i < 5; i++) s.add(`key-${i}`);
    await clock.advance(100_000);
    expect(s.running).toBe(2);
    expect(s.queued).toBe(3);
    await clock.advance(1000);
    release.shift()!();
    await clock.advance(0);
    expect(s.running).toBe(2);
    expect(lags.at(-1)).toBeGreaterThan(0);
    expect(maxInFlight).toBeLessThanOrEqual(2);
  });

  it('never overlaps two probes of one stream, and stops cleanly', async () => {
    const clock = new FakeClock();
    let runs = 0;
    let overlaps = 0;
    let finish: () => void = () => {};
    const s = new Scheduler({
      intervalMs: 1000,
      maxConcurrent: 10,
      clock,
      onOverlap: () => overlaps++,
      run: () => {
        runs++;
        return new Promise<void>((r) => (finish = r));
      },
    });
    s.add('slow');
    await clock.advance(3500);
    expect(runs).toBe(1);
    expect(overlaps).toBeGreaterThanOrEqual(2);
    finish();
    await clock.advance(0); // let the finished probe settle before the next slot
    await clock.advance(1000);
    expect(runs).toBe(2);
    s.remove('slow');
    await clock.advance(5000);
    expect(runs).toBe(2);
    s.add('other');
    s.stop();
    await clock.advance(5000);
    expect(runs).toBe(2);
  });
});
