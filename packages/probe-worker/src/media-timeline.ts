/**
 * Media time vs wall time: the one notion the viewer model (player-model.ts) and the latency figures
 * (latency.ts) share.
 *
 * - Wall time: the arrival time of a frame, in ms of one monotonic clock, never moving backwards (a
 *   caller's slip is clamped to the previous arrival).
 * - Media time: the frame's position on a stitched timeline. The first frame is position 0; each later
 *   frame adds its timestamp step when the step is in [0, discontinuityMs] (SPEC §4: going backwards or
 *   jumping forward by more than 1 s is a discontinuity), and adds nothing otherwise: a frame after a
 *   discontinuity sits at the previous frame's position, as a player that re-bases its timeline does.
 *   So an encoder restart cannot empty a buffer and a spliced hour cannot fill one.
 * - Lead: media position minus wall time since the first frame. 0 at the first frame; it grows while
 *   media arrives faster than real time (a GOP-cache burst) and shrinks while it arrives slower.
 *
 * Pure: times are passed in; no clock inside.
 */
import { CONTINUOUS_STEP_MS } from '@video-exporter/flv-parser';

export class MediaTimeline {
  /** frames added */
  frames = 0;
  /** position of the newest frame on the stitched media timeline, ms */
  positionMs = 0;
  /** arrival of the newest frame, ms (monotonic) */
  arrivalMs = -Infinity;
  /** arrival of the first frame, ms */
  firstArrivalMs = 0;
  private lastRawTs = 0;

  constructor(private readonly discontinuityMs: number = CONTINUOUS_STEP_MS) {}

  /** The wall time a frame arriving at `arrivalMs` is counted at: never before the previous one. */
  clamp(arrivalMs: number): number {
    return Math.max(arrivalMs, this.arrivalMs);
  }

  /** A frame with timestamp `mediaTsMs` finished arriving at `arrivalMs`. */
  add(arrivalMs: number, mediaTsMs: number): void {
    this.arrivalMs = this.clamp(arrivalMs);
    if (this.frames === 0) {
      this.firstArrivalMs = this.arrivalMs;
      this.positionMs = 0;
    } else {
      const step = mediaTsMs - this.lastRawTs;
      if (step >= 0 && step <= this.discontinuityMs) this.positionMs += step;
    }
    this.lastRawTs = mediaTsMs;
    this.frames++;
  }

  /** Wall time from the first frame to the newest, ms. */
  get wallMs(): number {
    return this.frames === 0 ? 0 : this.arrivalMs - this.firstArrivalMs;
  }

  /** Media received ahead of wall time since the first frame, ms (negative: behind real time). */
  get leadMs(): number {
    return this.positionMs - this.wallMs;
  }
}
