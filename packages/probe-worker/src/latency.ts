/**
 * Live latency and drift from timestamps alone (SPEC §12), on the media-vs-wall timeline the viewer model
 * uses (media-timeline.ts). Fed one call per video frame (audio frames for an audio-only stream), as the
 * player is, and one call per `onFI` wall clock the stream carries.
 *
 * Definitions (wall = arrival time since the first frame; media = stitched media position):
 * - start_lag_ms: the largest lead (media − wall) over the sample: how much media a new viewer got ahead
 *   of real time, i.e. how far behind live it starts. A GOP cache or a CDN buffer bursts its backlog at
 *   connect and shows here; a source paced in real time stays near 0.
 * - media_rate: media advanced per wall time after the start burst, as the least-squares slope of media
 *   over wall of the frames from the burst's end to the sample end. The burst ends at the frame with the
 *   largest lead among those that arrived in the first half of the sample (a burst comes at connect; the
 *   first half keeps a window of at least half the sample for the slope). 1 = real time; below 1 the
 *   source falls behind and players rebuffer; above 1 it is catching up. Needs MIN_RATE_FRAMES frames
 *   over MIN_RATE_WALL_MS of wall time.
 * - keyframe_interval_max_ms: the longest media time between two consecutive keyframes (stitched, so a
 *   timestamp jump is not an interval). Needs 2 keyframes.
 * - latency_ms: for the newest `onFI` tag of the sample, the probe's wall clock when the tag arrived minus
 *   the wall clock the tag carries: how far the newest media received trails the encoder's clock
 *   (encoder → server → probe). A viewer plays start_lag_ms further behind. Clock skew between the encoder
 *   and the probe adds in. Absent when the stream carries no such clock.
 *
 * Memory is bounded: at most MAX_POINTS (wall, media) points are kept for the slope; past that every
 * other point is dropped and only every 2nd, 4th, ... frame is kept.
 *
 * Pure: times are passed in; the caller owns the clocks.
 */
import { MediaTimeline } from './media-timeline.js';
import type { LatencySummary } from './result.js';

const MAX_POINTS = 1024;
const MIN_RATE_FRAMES = 10;
const MIN_RATE_WALL_MS = 1000;
/** the start burst is looked for in this share of the sample's wall span */
const BURST_SEARCH_SHARE = 0.5;

export class LatencyTracker {
  private readonly timeline = new MediaTimeline();
  private maxLeadMs = -Infinity;
  private lastKeyPosMs: number | undefined;
  private keyIntervalMaxMs: number | undefined;
  /** (wall since first frame, media position) pairs, decimated by `stride` */
  private wall: number[] = [];
  private media: number[] = [];
  private stride = 1;
  private sinceKept = 0;
  private clockLatencyMs: number | undefined;

  /** A frame with timestamp `mediaTsMs` finished arriving at `arrivalMs` (monotonic ms). */
  onFrame(arrivalMs: number, mediaTsMs: number, keyframe: boolean): void {
    const tl = this.timeline;
    tl.add(arrivalMs, mediaTsMs);
    const lead = tl.leadMs;
    if (lead > this.maxLeadMs) this.maxLeadMs = lead;
    if (keyframe) {
      if (this.lastKeyPosMs !== undefined) {
        const interval = tl.positionMs - this.lastKeyPosMs;
        if (this.keyIntervalMaxMs === undefined || interval > this.keyIntervalMaxMs) this.keyIntervalMaxMs = interval;
      }
      this.lastKeyPosMs = tl.positionMs;
    }
    this.keep(tl.wallMs, tl.positionMs);
  }

  /** An `onFI` tag carrying the encoder's wall clock `streamWallMs` arrived at the probe's wall clock `probeWallMs`. */
  onStreamClock(probeWallMs: number, streamWallMs: number): void {
    this.clockLatencyMs = probeWallMs - streamWallMs;
  }

  /** The figures measured; fields that could not be measured are absent. */
  finish(): LatencySummary {
    const out: LatencySummary = {};
    if (this.timeline.frames > 0) out.start_lag_ms = Math.max(0, this.maxLeadMs);
    const rate = this.mediaRate();
    if (rate !== undefined) out.media_rate = rate;
    if (this.keyIntervalMaxMs !== undefined) out.keyframe_interval_max_ms = this.keyIntervalMaxMs;
    if (this.clockLatencyMs !== undefined) out.latency_ms = this.clockLatencyMs;
    return out;
  }

  /** Only the media figures (a file read at once has no wall time to compare with). */
  keyframeIntervalMaxMs(): number | undefined {
    return this.keyIntervalMaxMs;
  }

  private keep(wallMs: number, mediaMs: number): void {
    if (++this.sinceKept < this.stride) return;
    this.sinceKept = 0;
    this.wall.push(wallMs);
    this.media.push(mediaMs);
    if (this.wall.length >= MAX_POINTS) {
      this.wall = this.wall.filter((_, i) => i % 2 === 0);
      this.media = this.media.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  private mediaRate(): number | undefined {
    const { wall, media } = this;
    const n = wall.length;
    if (n === 0) return undefined;
    const searchEnd = wall[n - 1]! * BURST_SEARCH_SHARE;
    let start = 0;
    let best = -Infinity;
    for (let i = 0; i < n && wall[i]! <= searchEnd; i++) {
      const lead = media[i]! - wall[i]!;
      if (lead > best) {
        best = lead;
        start = i;
      }
    }
    if (n - start < MIN_RATE_FRAMES || wall[n - 1]! - wall[start]! < MIN_RATE_WALL_MS) return undefined;
    return slope(wall, media, start, n);
  }
}

/** Least-squares slope of y over x for indexes [from, to). */
function slope(x: readonly number[], y: readonly number[], from: number, to: number): number | undefined {
  const n = to - from;
  let sx = 0;
  let sy = 0;
  for (let i = from; i < to; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < to; i++) {
    const dx = x[i]! - mx;
    sxx += dx * dx;
    sxy += dx * (y[i]! - my);
  }
  return sxx > 0 ? sxy / sxx : undefined;
}
