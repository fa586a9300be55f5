/**
 * Read-stall tracker (SPEC §4 "read stalls"): a gap between two consecutive body reads, or between the
 * last read and the sample end, longer than `stall_threshold_ms` is a stall. A stall's length is the
 * whole gap (as the reference's `read_stall_max_ms` "duration of the longest block"), not the part above
 * the threshold.
 *
 * Pure: the caller passes monotonic times in ms; no clock inside. Counting starts at the first body
 * read, so the wait for the first byte (ttfb) is never a stall.
 */
import type { StallSummary } from './result.js';

export class StallTracker {
  private lastReadMs: number | undefined;
  private count = 0;
  private maxMs = 0;
  private totalMs = 0;

  constructor(private readonly thresholdMs: number) {
    if (!(thresholdMs >= 0)) throw new RangeError(`stall threshold must be >= 0, got ${thresholdMs}`);
  }

  /** A body read (one socket read, any number of bytes) happened at `nowMs`. */
  onRead(nowMs: number): void {
    if (this.lastReadMs !== undefined) this.gap(nowMs - this.lastReadMs);
    // a clock that steps back (should not happen with a monotonic clock) must not shrink later gaps
    if (this.lastReadMs === undefined || nowMs > this.lastReadMs) this.lastReadMs = nowMs;
  }

  private gap(ms: number): void {
    if (ms <= this.thresholdMs) return;
    this.count++;
    this.totalMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /**
   * Closes the sample at `endMs` (the gap from the last read to it counts) and returns the summary;
   * `ratio` = total stall time / (`endMs` − `sampleStartMs`), clamped to [0, 1]. `sampleStartMs` is the
   * start of the sample's wall time (the first body byte, SPEC §4 `sample_ms`).
   * Returns undefined when no body byte was ever read: stalls were not measured.
   */
  finish(endMs: number, sampleStartMs: number): StallSummary | undefined {
    if (this.lastReadMs === undefined) return undefined;
    let { count, maxMs, totalMs } = this;
    const tail = endMs - this.lastReadMs;
    if (tail > this.thresholdMs) {
      count++;
      totalMs += tail;
      if (tail > maxMs) maxMs = tail;
    }
    const wall = endMs - sampleStartMs;
    const ratio = wall > 0 ? Math.min(1, Math.max(0, totalMs / wall)) : 0;
    return { count, max_ms: maxMs, total_ms: totalMs, ratio };
  }
}
