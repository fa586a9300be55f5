/**
 * Simulated viewer (SPEC §4 "Viewer model"): a player that starts once `startupBufferMs` of media is
 * buffered, plays media time at wall-clock speed, and rebuffers whenever the buffer runs dry until
 * `startupBufferMs` is buffered again.
 *
 * Input: one call per media frame with its arrival wall time and its timestamp. Feed video tags' DTS
 * when the stream has video (what a player waits for); for an audio-only stream feed the audio tags.
 * Sequence headers and script tags carry no media time and are not fed.
 *
 * Media time and wall time are MediaTimeline's (media-timeline.ts), shared with the latency figures: the
 * first frame is media position 0 and the player starts from there (a live player plays what it receives
 * first); timestamp discontinuities are stitched, so a backwards jump cannot empty the buffer and a jump
 * of an hour cannot fill it. The wall-clock gap around such an interruption still shows as rebuffering.
 *
 * Buffered media = newest frame position − play position (a frame's own duration is not added: the model
 * errs one frame on the pessimistic side). A frame arriving exactly when the buffer runs dry is in time.
 *
 * Pure: all times are passed in, in ms of one monotonic clock; no clock inside. Values are unrounded.
 */
import { MediaTimeline } from './media-timeline.js';
import type { PlayerSummary } from './result.js';

export interface PlayerModelOptions {
  /** request start on the same clock as the arrival times; startup_ms is measured from it */
  t0Ms: number;
  /** media needed in the buffer to start and to resume, ms (SPEC default 1 s) */
  startupBufferMs?: number;
  /** a forward timestamp step larger than this is a discontinuity, ms (SPEC §4: > 1 s) */
  discontinuityMs?: number;
}

type State = 'startup' | 'playing' | 'rebuffering';

export const DEFAULT_STARTUP_BUFFER_MS = 1000;

export class PlayerModel {
  private readonly t0Ms: number;
  private readonly bufferMs: number;
  /** frames fed, their stitched media positions and arrival times */
  private readonly timeline: MediaTimeline;
  private state: State = 'startup';
  /** while playing: play position = anchorPosMs + (now − anchorWallMs); otherwise the frozen position */
  private anchorPosMs = 0;
  private anchorWallMs = 0;
  private playStartMs: number | undefined;
  private rebufferStartMs = 0;
  private rebufferCount = 0;
  private rebufferMs = 0;

  constructor(opts: PlayerModelOptions) {
    this.t0Ms = opts.t0Ms;
    this.bufferMs = opts.startupBufferMs ?? DEFAULT_STARTUP_BUFFER_MS;
    this.timeline = new MediaTimeline(opts.discontinuityMs);
    if (!(this.bufferMs > 0)) throw new RangeError(`startup buffer must be > 0 ms, got ${this.bufferMs}`);
  }

  /** A media frame with timestamp `mediaTsMs` finished arriving at wall time `arrivalMs`. */
  onFrame(arrivalMs: number, mediaTsMs: number): void {
    const tl = this.timeline;
    const now = tl.clamp(arrivalMs);

    if (this.state === 'playing') {
      const dryAt = this.anchorWallMs + (tl.positionMs - this.anchorPosMs);
      if (dryAt < now) {
        // the buffer ran out before this frame came: the viewer sees a spinner from dryAt
        this.state = 'rebuffering';
        this.rebufferCount++;
        this.rebufferStartMs = dryAt;
        this.anchorPosMs = tl.positionMs;
      }
    }

    tl.add(now, mediaTsMs);

    if (this.state !== 'playing' && tl.positionMs - this.anchorPosMs >= this.bufferMs) {
      if (this.state === 'startup') this.playStartMs = now;
      else this.rebufferMs += now - this.rebufferStartMs;
      this.state = 'playing';
      this.anchorWallMs = now;
    }
  }

  /**
   * The summary at sample end `endMs`; a buffer that runs dry before `endMs` counts as a rebuffer that
   * lasts until `endMs`. Does not change the model.
   * - no frame fed: undefined (nothing was measured);
   * - frames fed but playback never started: no `startup_ms`, rebuffer fields 0 (the viewer never got to
   *   playback; the missing startup_ms is the signal).
   * rebuffer_ratio = rebuffer time / (endMs − playback start), clamped to [0, 1].
   */
  finish(endMs: number): PlayerSummary | undefined {
    const tl = this.timeline;
    if (tl.frames === 0) return undefined;
    if (this.playStartMs === undefined) return { rebuffer_count: 0, rebuffer_ms: 0, rebuffer_ratio: 0 };
    const end = tl.clamp(endMs);
    let count = this.rebufferCount;
    let ms = this.rebufferMs;
    if (this.state === 'playing') {
      const dryAt = this.anchorWallMs + (tl.positionMs - this.anchorPosMs);
      if (dryAt < end) {
        count++;
        ms += end - dryAt;
      }
    } else {
      ms += end - this.rebufferStartMs;
    }
    const played = end - this.playStartMs;
    const ratio = played > 0 ? Math.min(1, Math.max(0, ms / played)) : 0;
    return {
      startup_ms: this.playStartMs - this.t0Ms,
      rebuffer_count: count,
      rebuffer_ms: ms,
      rebuffer_ratio: ratio,
    };
  }
}
