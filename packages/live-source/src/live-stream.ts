/**
 * One viewer's FLV body: a cursor on the fixture's shared timeline, advanced on every pacer tick to what is
 * due, written to the socket as a list of shared buffers (tag headers of the loop, tag bodies of the file)
 * in one corked batch, so the kernel gets one writev per tick and no media byte is copied per connection.
 */
import { writeTagTimestamp } from '@video-exporter/flv-parser';
import type { PauseFault } from './faults.js';
import type { FixtureTimeline } from './fixture-timeline.js';
import { onFiTag } from './onfi-tag.js';
import type { PacedStream } from './pacer.js';

const TAG_VIDEO = 9;

export interface LiveStreamOptions {
  pace: number;
  /** burst from the start keyframe up to "now" at connect */
  gopCache: boolean;
  audioOnly: boolean;
  noKeyframesAfterFirstGop: boolean;
  zeroTs: boolean;
  trickleBps: number | undefined;
  pause: PauseFault | undefined;
  /**
   * A consumer further behind its timeline than this (slow reader, long pause, trickle) is moved forward
   * to the latest due keyframe, as a live server drops a full queue rather than buffer without bound.
   */
  maxBacklogMs: number;
  /** the stream's offset on the fixture timeline (streams of one path share it) */
  phaseMs: number;
  /**
   * Stamp every video keyframe with an onFI wall clock this far behind the moment the keyframe is due
   * (an encoder clock `onFiOffsetMs` ahead of the media: SPEC §12 latency). Undefined: no onFI tags.
   * onFI tags are outside the trickle budget.
   */
  onFiOffsetMs?: number | undefined;
}

/** What a LiveStream writes to: a TCP socket (HTTP-FLV), or an RTMP connection's media adapter. */
export interface StreamSocket {
  readonly destroyed: boolean;
  write(bytes: Buffer): boolean;
  cork(): void;
  uncork(): void;
  destroy(): void;
  on(event: 'drain', listener: () => void): unknown;
}

export interface ByteCounter {
  bytesSent: number;
}

/** Ticks run one at a time, so one list serves as the write batch of every stream. */
const batch: Buffer[] = [];

export class LiveStream implements PacedStream {
  private loop: number;
  private index: number;
  /** global timestamp of the keyframe this viewer started at */
  private readonly startTs: number;
  /** media already due at connect (GOP-cache burst), ms: 0 without the GOP cache */
  readonly leadMs: number;
  /** subtracted from every timestamp written (zero-based streams) */
  private readonly tsShift: number;
  /** bytes owed before the next tag: the prelude, or the rest of a tag cut by the trickle budget */
  private pending: Buffer[];
  private written = 0;
  private blocked = false;
  private keyframesSent = 0;

  constructor(
    private readonly socket: StreamSocket,
    private readonly timeline: FixtureTimeline,
    private readonly opts: LiveStreamOptions,
    private readonly counter: ByteCounter,
    private readonly t0: number,
  ) {
    const nowTs = timeline.nowTs(t0, opts.phaseMs);
    const start = timeline.keyframeAtOrBefore(nowTs);
    this.loop = start.loop;
    this.index = start.index;
    this.startTs = timeline.tagTs(start.loop, start.index);
    this.leadMs = opts.gopCache ? nowTs - this.startTs : 0;
    this.tsShift = opts.zeroTs ? this.startTs : 0;
    this.pending = this.prelude();
    socket.on('drain', () => {
      this.blocked = false;
    });
  }

  abort(): void {
    this.socket.destroy();
  }

  tick(nowMs: number): void {
    if (this.blocked || this.socket.destroyed) return;
    const { pace, pause, trickleBps } = this.opts;
    const elapsed = nowMs - this.t0;
    let mediaElapsed = elapsed;
    if (pause) {
      if (elapsed >= pause.everyMs && elapsed % pause.everyMs < pause.ms) return;
      if (!pause.catchUp) mediaElapsed = elapsed - pausedTime(elapsed, pause);
    }
    // media time (relative to startTs) that is due now
    const due = this.leadMs + mediaElapsed * pace;
    let budget = trickleBps === undefined ? Infinity : Math.floor((trickleBps / 8) * (elapsed / 1000)) - this.written;
    if (budget <= 0) return;

    const out = batch;
    let bytes = 0;
    while (this.pending.length > 0 && budget > 0) {
      const b = this.pending[0]!;
      if (b.length <= budget) {
        out.push(b);
        this.pending.shift();
        bytes += b.length;
        budget -= b.length;
      } else {
        out.push(b.subarray(0, budget));
        this.pending[0] = b.subarray(budget);
        bytes += budget;
        budget = 0;
      }
    }
    if (budget > 0) bytes += this.takeDueTags(out, due, budget);
    if (out.length > 0) this.write(out, bytes);
  }

  /** Appends the tags due by `due` to `out` within `budget` bytes; returns the bytes appended. */
  private takeDueTags(out: Buffer[], due: number, budget: number): number {
    const tl = this.timeline;
    this.dropBacklog(due);
    let headers = this.tsShift === 0 ? tl.headersFor(this.loop) : undefined;
    let bytes = 0;
    while (budget > 0) {
      const ts = tl.tagTs(this.loop, this.index);
      if (ts - this.startTs > due) break;
      const i = this.index;
      const wanted = this.wanted(i);
      const header = !wanted ? undefined : headers ? headers[i]! : tl.headerWithTs(i, ts - this.tsShift);
      if (++this.index === tl.count) {
        this.index = 0;
        this.loop++;
        if (headers) headers = tl.headersFor(this.loop);
      }
      if (header === undefined) continue;
      if (this.opts.onFiOffsetMs !== undefined && tl.keyframe[i] === 1 && tl.tagType[i] === TAG_VIDEO) {
        const onFi = onFiTag(ts - this.tsShift, this.wallClockDue(ts) - this.opts.onFiOffsetMs);
        out.push(onFi);
        bytes += onFi.length;
      }
      const body = tl.bodies[i]!;
      const size = header.length + body.length;
      if (size <= budget) {
        out.push(header, body);
        bytes += size;
        budget -= size;
      } else if (budget < header.length) {
        out.push(header.subarray(0, budget));
        this.pending = [header.subarray(budget), body];
        bytes += budget;
        budget = 0;
      } else {
        out.push(header, body.subarray(0, budget - header.length));
        this.pending = [body.subarray(budget - header.length)];
        bytes += budget;
        budget = 0;
      }
    }
    return bytes;
  }

  /** Wall clock (epoch ms) at which global timestamp `ts` is due on this connection's pacing. */
  private wallClockDue(ts: number): number {
    const dueAt = this.t0 + (ts - this.startTs - this.leadMs) / this.opts.pace;
    return dueAt + (Date.now() - performance.now());
  }

  private wanted(i: number): boolean {
    const tl = this.timeline;
    if (tl.tagType[i] !== TAG_VIDEO) return true;
    if (this.opts.audioOnly) return false;
    if (tl.keyframe[i] === 1) {
      if (this.opts.noKeyframesAfterFirstGop && this.keyframesSent > 0) return false;
      this.keyframesSent++;
    }
    return true;
  }

  private dropBacklog(due: number): void {
    const tl = this.timeline;
    const cursorTs = tl.tagTs(this.loop, this.index);
    if (due - (cursorTs - this.startTs) <= this.opts.maxBacklogMs) return;
    const next = tl.keyframeAtOrBefore(this.startTs + due);
    // with a GOP longer than the cap the latest keyframe may be behind the cursor: never go back in time
    if (tl.tagTs(next.loop, next.index) > cursorTs) {
      this.loop = next.loop;
      this.index = next.index;
    }
  }

  private write(out: Buffer[], bytes: number): void {
    const socket = this.socket;
    let ok = true;
    if (out.length === 1) {
      ok = socket.write(out[0]!);
    } else {
      socket.cork();
      for (const b of out) ok = socket.write(b);
      socket.uncork();
    }
    out.length = 0;
    this.written += bytes;
    this.counter.bytesSent += bytes;
    // write() is false once the socket's buffer is past its high-water mark: skip ticks until 'drain'
    if (!ok) this.blocked = true;
  }

  /** FLV header, onMetaData and sequence headers, stamped with the start keyframe's timestamp. */
  private prelude(): Buffer[] {
    const tl = this.timeline;
    const out = [this.opts.audioOnly ? tl.audioOnlyFlvHeader : tl.flvHeader];
    for (const tag of tl.prelude) {
      if (this.opts.audioOnly && tag.tagType === TAG_VIDEO) continue;
      const header = Buffer.from(tag.header);
      writeTagTimestamp(header, this.startTs - this.tsShift);
      out.push(header, tag.rest);
    }
    return out;
  }
}

/** Wall time spent in pauses by `elapsed`: pauses are [k*everyMs, k*everyMs + ms) for k >= 1. */
function pausedTime(elapsed: number, pause: PauseFault): number {
  const k = Math.floor(elapsed / pause.everyMs);
  if (k < 1) return 0;
  return (k - 1) * pause.ms + Math.min(pause.ms, elapsed - k * pause.everyMs);
}
