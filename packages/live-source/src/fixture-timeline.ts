/**
 * One fixture FLV file turned into an endless live timeline: the file's media tags from its first keyframe
 * to its end, repeated forever, each repetition ("loop") shifted by the loop duration so timestamps keep
 * increasing. All connections of a fixture share this timeline (global timestamps, like an origin that
 * forwards the publisher's timestamps), so the rewritten 11-byte tag headers of a loop are shared too:
 * bodies are views of the file buffer, headers views of one small per-loop block.
 */

import type { IndexedTag } from '@video-exporter/flv-parser';
import { indexFlvTags, writeTagTimestamp } from '@video-exporter/flv-parser';

export const TAG_HEADER_SIZE = 11;
const PREVIOUS_TAG_SIZE = 4;
const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const TAG_SCRIPT = 18;
/** loops whose rewritten headers are kept; connections of one fixture are at most a GOP apart at pace 1 */
const HEADER_CACHE_LOOPS = 6;
const FALLBACK_FRAME_MS = 40;

/** A tag sent once per connection before the media (onMetaData, sequence headers). */
export interface PreludeTag {
  tagType: number;
  /** the 11-byte header as in the file (view; copy it before rewriting the timestamp) */
  header: Buffer;
  /** body + PreviousTagSize (view of the file, or of a patched copy for onMetaData) */
  rest: Buffer;
}

export interface LoopPosition {
  loop: number;
  index: number;
}

export class FixtureTimeline {
  /** FLV header + PreviousTagSize0, as in the file */
  readonly flvHeader: Buffer;
  /** the same with TypeFlags = audio only (TypeFlagsAudio set, TypeFlagsVideo clear) */
  readonly audioOnlyFlvHeader: Buffer;
  /** first script tag, first video and first audio sequence header, in file order */
  readonly prelude: readonly PreludeTag[];
  /** loop body, parallel arrays indexed by tag */
  readonly count: number;
  readonly tagType: Uint8Array;
  readonly keyframe: Uint8Array;
  /** tag timestamp relative to the loop's first keyframe (may be < 0 for audio muxed after it) */
  readonly relTs: Float64Array;
  readonly bodies: readonly Buffer[];
  /** loop-body indexes of video keyframes (every tag when the file has none, e.g. audio only) */
  readonly keyframeIndexes: Int32Array;
  readonly loopDurationMs: number;
  readonly hasVideo: boolean;
  readonly hasAudio: boolean;
  private readonly templateHeaders: Buffer[];
  /** keeps global timestamps >= 0 when some tag is muxed earlier than the first keyframe */
  private readonly baseTs: number;
  private readonly headerCache = new Map<number, Buffer[]>();

  /** epochMs: the clock reading (performance.now()) at which the global timeline is at loop 0, tag 0 */
  constructor(
    readonly name: string,
    file: Uint8Array,
    readonly epochMs: number,
  ) {
    const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
    const index = indexFlvTags(buf);
    const headerEnd = index.headerSize + PREVIOUS_TAG_SIZE;
    this.flvHeader = buf.subarray(0, headerEnd);
    this.audioOnlyFlvHeader = Buffer.from(this.flvHeader);
    // TypeFlags: bit 2 audio, bit 0 video
    this.audioOnlyFlvHeader[4] = 0x04;

    this.prelude = pickPrelude(buf, index.tags);
    const media = index.tags.filter(
      (t) => (t.tagType === TAG_AUDIO || t.tagType === TAG_VIDEO) && !t.sequenceHeader && !isEndOfSequence(buf, t),
    );
    if (media.length === 0) throw new Error(`fixture ${name}: no media tags`);
    // The loop starts at the first keyframe so that every repetition is decodable on its own; media muxed
    // before it (usually a few audio frames) is never sent.
    let first = media.findIndex((t) => t.keyframe);
    if (first < 0) first = 0;
    let body = media.slice(first);
    const keyTs = body[0]!.timestamp;
    // With video, the video track sets the loop: frame rate must stay exact across the loop point (a player
    // and the exporter measure it). Audio muxed past the last video frame is cut, leaving at most one audio
    // frame's gap there instead of a video gap.
    const videoMs = trackDuration(body, TAG_VIDEO);
    if (videoMs !== undefined) body = body.filter((t) => t.tagType !== TAG_AUDIO || t.timestamp - keyTs < videoMs);

    this.count = body.length;
    this.tagType = new Uint8Array(body.length);
    this.keyframe = new Uint8Array(body.length);
    this.relTs = new Float64Array(body.length);
    const bodies: Buffer[] = [];
    const headers: Buffer[] = [];
    const keyframes: number[] = [];
    const anyKeyframe = body.some((t) => t.keyframe);
    body.forEach((t, i) => {
      this.tagType[i] = t.tagType;
      this.keyframe[i] = t.keyframe ? 1 : 0;
      this.relTs[i] = t.timestamp - keyTs;
      headers.push(buf.subarray(t.offset, t.offset + TAG_HEADER_SIZE));
      bodies.push(
        buf.subarray(t.offset + TAG_HEADER_SIZE, t.offset + TAG_HEADER_SIZE + t.dataSize + PREVIOUS_TAG_SIZE),
      );
      if (t.keyframe || !anyKeyframe) keyframes.push(i);
    });
    this.bodies = bodies;
    this.templateHeaders = headers;
    this.keyframeIndexes = Int32Array.from(keyframes);
    this.hasVideo = body.some((t) => t.tagType === TAG_VIDEO);
    this.hasAudio = body.some((t) => t.tagType === TAG_AUDIO);
    this.loopDurationMs = videoMs ?? trackDuration(body, TAG_AUDIO) ?? 1;
    let minRel = 0;
    for (const r of this.relTs) minRel = Math.min(minRel, r);
    this.baseTs = -minRel;
  }

  /** Global timestamp (ms) of loop-body tag `index` in repetition `loop`. */
  tagTs(loop: number, index: number): number {
    return this.baseTs + loop * this.loopDurationMs + this.relTs[index]!;
  }

  /** Global media timestamp that is "now" for a real-time viewer of a stream `phaseMs` ahead. */
  nowTs(nowMs: number, phaseMs = 0): number {
    return this.baseTs + phaseMs + Math.max(0, nowMs - this.epochMs);
  }

  /** The latest keyframe whose global timestamp is <= ts (the loop's first keyframe has rel 0). */
  keyframeAtOrBefore(ts: number): LoopPosition {
    const t = Math.max(0, ts - this.baseTs);
    const loop = Math.floor(t / this.loopDurationMs);
    const rel = t - loop * this.loopDurationMs;
    const keys = this.keyframeIndexes;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.relTs[keys[mid]!]! <= rel) lo = mid;
      else hi = mid - 1;
    }
    return { loop, index: keys[lo]! };
  }

  /** 11-byte headers of every loop-body tag of `loop`, timestamps rewritten; shared by all connections. */
  headersFor(loop: number): Buffer[] {
    const cached = this.headerCache.get(loop);
    if (cached) return cached;
    const block = Buffer.allocUnsafe(this.count * TAG_HEADER_SIZE);
    const views: Buffer[] = [];
    for (let i = 0; i < this.count; i++) {
      const view = block.subarray(i * TAG_HEADER_SIZE, (i + 1) * TAG_HEADER_SIZE);
      this.templateHeaders[i]!.copy(view);
      writeTagTimestamp(view, this.tagTs(loop, i));
      views.push(view);
    }
    this.headerCache.set(loop, views);
    if (this.headerCache.size > HEADER_CACHE_LOOPS) {
      // evict the loop furthest from the one asked for: slow consumers lag, pace>1 ones run ahead
      let worst = loop;
      for (const k of this.headerCache.keys()) if (Math.abs(k - loop) > Math.abs(worst - loop)) worst = k;
      this.headerCache.delete(worst);
    }
    return views;
  }

  /** A fresh copy of a loop-body tag header with an arbitrary timestamp (zero-based streams). */
  headerWithTs(index: number, ts: number): Buffer {
    const h = Buffer.allocUnsafe(TAG_HEADER_SIZE);
    this.templateHeaders[index]!.copy(h);
    writeTagTimestamp(h, Math.max(0, Math.round(ts)));
    return h;
  }
}

function pickPrelude(buf: Buffer, tags: readonly IndexedTag[]): PreludeTag[] {
  const out: PreludeTag[] = [];
  const script = tags.find((t) => t.tagType === TAG_SCRIPT);
  const video = tags.find((t) => t.tagType === TAG_VIDEO && t.sequenceHeader);
  const audio = tags.find((t) => t.tagType === TAG_AUDIO && t.sequenceHeader);
  for (const t of [script, video, audio].sort((a, b) => (a?.offset ?? 0) - (b?.offset ?? 0))) {
    if (!t) continue;
    const start = t.offset + TAG_HEADER_SIZE;
    let rest = buf.subarray(start, start + t.dataSize + PREVIOUS_TAG_SIZE);
    if (t.tagType === TAG_SCRIPT) rest = zeroDuration(rest);
    out.push({ tagType: t.tagType, header: buf.subarray(t.offset, start), rest });
  }
  return out;
}

/**
 * A live stream has no duration: a file's onMetaData says e.g. 4.0, which a player would take for a VOD
 * length. Zero the AMF0 number that follows the "duration" key (UTF-8 length 8, then marker 0x00 Number).
 */
function zeroDuration(scriptBody: Buffer): Buffer {
  const key = Buffer.from([0x00, 0x08, ...Buffer.from('duration'), 0x00]);
  const at = scriptBody.indexOf(key);
  if (at < 0 || at + key.length + 8 > scriptBody.length) return scriptBody;
  const copy = Buffer.from(scriptBody);
  copy.fill(0, at + key.length, at + key.length + 8);
  return copy;
}

/** AVC/HEVC end-of-sequence (AVCPacketType 2) or Enhanced SequenceEnd: would end playback mid-loop. */
function isEndOfSequence(buf: Buffer, t: IndexedTag): boolean {
  if (t.tagType !== TAG_VIDEO || t.dataSize < 1) return false;
  const b0 = buf[t.offset + TAG_HEADER_SIZE]!;
  if (b0 & 0x80) return (b0 & 0x0f) === 2;
  const codecId = b0 & 0x0f;
  return (codecId === 7 || codecId === 12) && t.dataSize >= 2 && buf[t.offset + TAG_HEADER_SIZE + 1] === 2;
}

/**
 * The shift that keeps a track continuous across the loop point: its last timestamp plus one frame
 * duration (median step) minus its first timestamp. Undefined when the track is absent.
 */
function trackDuration(body: readonly IndexedTag[], type: number): number | undefined {
  const keyTs = body[0]!.timestamp;
  const ts = body.filter((t) => t.tagType === type).map((t) => t.timestamp - keyTs);
  if (ts.length === 0) return undefined;
  const steps: number[] = [];
  for (let i = 1; i < ts.length; i++) if (ts[i]! > ts[i - 1]!) steps.push(ts[i]! - ts[i - 1]!);
  steps.sort((a, b) => a - b);
  const frame = steps.length > 0 ? steps[steps.length >> 1]! : FALLBACK_FRAME_MS;
  let min = Infinity;
  let max = -Infinity;
  for (const t of ts) {
    min = Math.min(min, t);
    max = Math.max(max, t);
  }
  return Math.max(1, max + frame - min);
}
