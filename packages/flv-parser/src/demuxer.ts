import { type Amf0Result, decodeAmf0, interpretScriptData } from './amf0.js';
import { type AnomalyCode, FATAL_ANOMALIES } from './anomalies.js';
import {
  AUDIO_PREFIX_BYTES,
  AudioPacketType,
  type AudioTagHeader,
  isKnownAudioFourCc,
  readAudioTagHeader,
} from './audio-tag.js';
import { audioFourCcToCodec } from './codecs/audio.js';
import { videoFourCcToCodec } from './codecs/video-codec-names.js';
import { parseAudioConfigRecord, parseVideoConfigRecord } from './config-records.js';
import { parseEnhancedBody } from './enhanced-body.js';
import { NalScanner } from './nal-scanner.js';
import type { AudioConfig, FlvEventSink } from './types.js';
import {
  FRAME_TYPE_KEY,
  nalSyntaxOf,
  readVideoTagHeader,
  VIDEO_PREFIX_BYTES,
  VideoPacketType,
  type VideoTagHeader,
} from './video-tag.js';

export interface FlvDemuxerOptions {
  /** Largest script tag or sequence header that is read whole; larger ones are skipped as an anomaly. */
  maxRecordBytes?: number;
  /** DataSize above which a tag is reported as oversized (it is still skipped, never buffered). */
  maxTagBytes?: number;
  /** AMF0 nesting cap for script data. */
  maxAmfDepth?: number;
  /** A forward DTS step larger than this (ms) is a `timestamp_jump`. */
  maxTimestampJumpMs?: number;
  /**
   * Script tags in a row (no audio or video tag between them) that are parsed; the rest of such a run is
   * skipped unparsed and reported once as `script_flood`. Caption streams interleave script tags with
   * media, so they never build a run.
   */
  maxScriptRun?: number;
  /** Script bytes in a row that are parsed; past this the run is a `script_flood` too. */
  maxScriptRunBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
export const DEFAULT_MAX_TAG_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_SCRIPT_RUN = 64;
export const DEFAULT_MAX_SCRIPT_RUN_BYTES = 1024 * 1024;
/** Distinct unknown codec names remembered (to report each once); past this they are reported every time. */
const MAX_REMEMBERED_CODECS = 32;
const FILE_HEADER_BYTES = 9;
/** PreviousTagSize (4) + tag header (11) are read as one unit. */
const TAG_HEADER_BYTES = 15;
const PREFIX_BYTES = Math.max(VIDEO_PREFIX_BYTES, AUDIO_PREFIX_BYTES);
const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const TAG_SCRIPT = 18;

const enum Stage {
  FileHeader,
  HeaderSkip,
  TagHeader,
  Prefix,
  Record,
  Skip,
  /** skipping an oversized tag's claimed body while looking for the real next tag header */
  Resync,
  Fatal,
}

const enum RecordKind {
  Script,
  VideoConfig,
  VideoMetadata,
  VideoComplex,
  AudioConfig,
  AudioComplex,
}

const enum Pending {
  None,
  VideoFrame,
  AudioFrame,
}

/**
 * Copies src[from, from + n) to dst at `at` and returns the new fill. A loop, not `set(subarray)`: the
 * copies here are a few bytes (tag headers, body prefixes) and a view per copy was garbage per tag.
 */
function copyInto(dst: Uint8Array, at: number, src: Uint8Array, from: number, n: number): number {
  for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
  return at + n;
}

const KNOWN_VIDEO = new Set(['H.264', 'H.265', 'AV1', 'VP9', 'VP8']);
/** Scratch for a resync candidate that straddles two chunks (module-wide: used synchronously only). */
const WINDOW = new Uint8Array(TAG_HEADER_BYTES);

/**
 * Incremental FLV demuxer. Bytes arrive in chunks split anywhere; only the unparsed remainder of a
 * tag header, of a tag's first few bytes or of a small record (script data, sequence header) is kept.
 * Media bodies are counted and skipped. Results go to the sink as FlvEvents; damage is an
 * `anomaly` event, never an exception. Chunks are not retained, so a caller may reuse its buffer.
 */
export class FlvDemuxer {
  private readonly maxRecordBytes: number;
  private readonly maxTagBytes: number;
  private readonly maxAmfDepth: number;
  private readonly maxJumpMs: number;
  private readonly maxScriptRun: number;
  private readonly maxScriptRunBytes: number;

  private stage = Stage.FileHeader;
  private readonly header = new Uint8Array(TAG_HEADER_BYTES);
  private headerFill = 0;
  private headerSkip = 0;
  private readonly prefix = new Uint8Array(PREFIX_BYTES);
  private prefixFill = 0;
  private prefixWant = 0;
  private record: Uint8Array | null = null;
  private recordFill = 0;
  private recordKind = RecordKind.Script;
  private recordCodec = '';
  private bodyRemaining = 0;
  private base = 0;
  /** during push: the stream offset of the chunk's index 0 (base minus the range's start) */
  private origin = 0;

  // the tag being read
  private tagType = 0;
  private tagSize = 0;
  private tagTimestamp = 0;
  private tagOffset = 0;
  private previousTagSize = 0;

  private pending = Pending.None;
  private frameCodec = '';
  private frameKey = false;
  private frameCts = 0;
  private readonly scanner = new NalScanner();
  private readonly nalLengthSize = new Map<string, number>();
  private readonly configured = new Set<string>();
  /** unknown codec names already reported (capped at MAX_REMEMBERED_CODECS) */
  private readonly reportedCodecs = new Set<string>();
  /** codecs whose frames arrived before their sequence header, already reported */
  private readonly framesBeforeConfig = new Set<string>();
  private lastLegacyAudio: AudioConfig | null = null;
  private lastVideoDts = -1;
  private lastAudioDts = -1;
  /** script tags (and their bytes) since the last audio or video tag */
  private scriptRun = 0;
  private scriptRunBytes = 0;
  private scriptFloodReported = false;
  /** bytes of the oversized tag's body held in `header` for the resync window (at most 14) */
  private resyncCarry = 0;

  constructor(
    private readonly sink: FlvEventSink,
    options: FlvDemuxerOptions = {},
  ) {
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.maxTagBytes = options.maxTagBytes ?? DEFAULT_MAX_TAG_BYTES;
    this.maxAmfDepth = options.maxAmfDepth ?? 32;
    this.maxJumpMs = options.maxTimestampJumpMs ?? 1000;
    this.maxScriptRun = options.maxScriptRun ?? DEFAULT_MAX_SCRIPT_RUN;
    this.maxScriptRunBytes = options.maxScriptRunBytes ?? DEFAULT_MAX_SCRIPT_RUN_BYTES;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.base;
  }

  /** A fatal anomaly ended the stream: further bytes are ignored. */
  get failed(): boolean {
    return this.stage === Stage.Fatal;
  }

  /** The bytes so far end inside a tag (or the file header): a stream stopping here was cut short. */
  get insideUnit(): boolean {
    switch (this.stage) {
      case Stage.FileHeader:
        return this.headerFill > 0;
      case Stage.TagHeader:
        return this.headerFill !== 0 && this.headerFill !== 4;
      case Stage.Fatal:
      case Stage.HeaderSkip:
        return false;
      default:
        return true;
    }
  }

  /** Bytes currently held between chunks (the memory bound: fixed buffers + at most one record). */
  get retainedBytes(): number {
    return this.header.length + this.prefix.length + (this.record?.length ?? 0);
  }

  /**
   * Parses chunk[start, end). The range form lets a reader hand over a slice of its read buffer without
   * building a view per read (a TypedArray view is an allocation, and per read they were the largest
   * allocation site of a probe worker).
   */
  push(chunk: Uint8Array, start = 0, end = chunk.length): void {
    // a range reaching outside the chunk reads the bytes there are (as `subarray` clamps): never bytes that do
    // not exist, which would read as zeros and move every later offset
    if (end > chunk.length) end = chunk.length;
    if (start < 0) start = 0;
    if (start >= end) return;
    // stream offset of chunk[0]: `origin + pos` is the offset of chunk[pos]
    this.origin = this.base - start;
    let pos = start;
    while (pos < end && this.stage !== Stage.Fatal) {
      switch (this.stage) {
        case Stage.FileHeader:
          pos = this.fill(chunk, pos, end, FILE_HEADER_BYTES);
          if (this.headerFill === FILE_HEADER_BYTES) this.onFileHeader(pos);
          break;
        case Stage.HeaderSkip: {
          const step = Math.min(this.headerSkip, end - pos);
          this.headerSkip -= step;
          pos += step;
          if (this.headerSkip === 0) this.stage = Stage.TagHeader;
          break;
        }
        case Stage.TagHeader:
          pos = this.fill(chunk, pos, end, TAG_HEADER_BYTES);
          if (this.headerFill === TAG_HEADER_BYTES) this.onTagHeader(pos);
          break;
        case Stage.Prefix: {
          const step = Math.min(this.prefixWant - this.prefixFill, end - pos);
          this.prefixFill = copyInto(this.prefix, this.prefixFill, chunk, pos, step);
          pos += step;
          this.bodyRemaining -= step;
          if (this.prefixFill === this.prefixWant) this.onPrefix();
          break;
        }
        case Stage.Record: {
          const record = this.record!;
          const step = Math.min(record.length - this.recordFill, end - pos);
          record.set(chunk.subarray(pos, pos + step), this.recordFill);
          this.recordFill += step;
          pos += step;
          this.bodyRemaining -= step;
          if (this.recordFill === record.length) {
            this.record = null;
            // A record always spans the rest of the body, so the tag ends with it.
            this.onRecord(record);
            this.onBodyEnd();
          }
          break;
        }
        case Stage.Skip: {
          const step = Math.min(this.bodyRemaining, end - pos);
          this.bodyRemaining -= step;
          if (this.scanner.active) this.scanner.feed(chunk, pos, pos + step, this.bodyRemaining);
          pos += step;
          if (this.bodyRemaining === 0) this.onBodyEnd();
          break;
        }
        case Stage.Resync: {
          const step = Math.min(this.bodyRemaining, end - pos);
          const found = this.findTagHeader(chunk, pos, pos + step);
          if (found >= 0) {
            // `header` now holds the real next tag header, which ends at chunk index `found`.
            this.bodyRemaining = 0;
            pos = found;
            this.onTagHeader(pos, true);
            break;
          }
          this.bodyRemaining -= step;
          pos += step;
          if (this.bodyRemaining === 0) this.onBodyEnd();
          break;
        }
      }
    }
    this.base += end - start;
  }

  /** Declares the end of a complete file: a tag cut short is reported as `truncated`. */
  end(): void {
    if (this.stage === Stage.Fatal) return;
    const offset = this.base;
    if (this.stage === Stage.FileHeader) {
      this.anomaly('truncated', `stream ended inside the FLV header (${this.headerFill} of 9 bytes)`, 0);
    } else if (this.stage === Stage.TagHeader) {
      // A stream may end right after a tag body or after its PreviousTagSize.
      if (this.headerFill !== 0 && this.headerFill !== 4) {
        this.anomaly(
          'truncated',
          `stream ended inside a tag header (${this.headerFill} of ${TAG_HEADER_BYTES} bytes)`,
          offset - this.headerFill,
        );
      }
    } else if (this.stage !== Stage.HeaderSkip) {
      this.anomaly(
        'truncated',
        `stream ended inside a tag body (${this.bodyRemaining} of ${this.tagSize} bytes missing)`,
        this.tagOffset,
      );
    }
    this.stage = Stage.Fatal;
  }

  private fill(chunk: Uint8Array, pos: number, end: number, want: number): number {
    const step = Math.min(want - this.headerFill, end - pos);
    this.headerFill = copyInto(this.header, this.headerFill, chunk, pos, step);
    return pos + step;
  }

  private onFileHeader(pos: number): void {
    const h = this.header;
    this.headerFill = 0;
    // Signature "FLV", Version, TypeFlags (audio bit 2, video bit 0), DataOffset
    if (h[0] !== 0x46 || h[1] !== 0x4c || h[2] !== 0x56) {
      this.anomaly('bad_signature', `not FLV: the stream starts with ${hex(h.subarray(0, 3))}, not "FLV"`, 0);
      return;
    }
    const dataOffset = ((h[5]! << 24) | (h[6]! << 16) | (h[7]! << 8) | h[8]!) >>> 0;
    if (dataOffset < FILE_HEADER_BYTES || dataOffset > 1024 * 1024) {
      this.anomaly('bad_header_size', `FLV DataOffset ${dataOffset} is out of range (9..1048576)`, 5);
      return;
    }
    this.sink({
      type: 'header',
      version: h[3]!,
      hasAudio: (h[4]! & 0x04) !== 0,
      hasVideo: (h[4]! & 0x01) !== 0,
      headerSize: dataOffset,
    });
    this.headerSkip = dataOffset - FILE_HEADER_BYTES;
    this.stage = this.headerSkip > 0 ? Stage.HeaderSkip : Stage.TagHeader;
    void pos;
  }

  /** `header` holds PreviousTagSize + a tag header that ends at chunk index `pos`. */
  private onTagHeader(pos: number, resynced = false): void {
    const h = this.header;
    this.headerFill = 0;
    const at = this.origin + pos - TAG_HEADER_BYTES;
    const previousTagSize = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
    // After a resync the PreviousTagSize is what found the header: it matches by construction.
    if (!resynced && previousTagSize !== this.previousTagSize) {
      this.anomaly(
        'prev_tag_size_mismatch',
        `PreviousTagSize ${previousTagSize}, expected ${this.previousTagSize}`,
        at,
      );
    }
    // Reserved (2) Filter (1) TagType (5), DataSize UI24, Timestamp UI24, TimestampExtended UI8, StreamID UI24
    const filter = (h[4]! & 0x20) !== 0;
    const size = (h[5]! << 16) | (h[6]! << 8) | h[7]!;
    const timestamp = ((h[11]! << 24) | (h[8]! << 16) | (h[9]! << 8) | h[10]!) >>> 0;
    const streamId = (h[12]! << 16) | (h[13]! << 8) | h[14]!;
    this.previousTagSize = 11 + size;
    this.beginTag(h[4]! & 0x1f, size, timestamp, at + 4, filter, streamId, true);
  }

  /**
   * One whole tag body with its type and timestamp, as RTMP carries audio (8), video (9) and data (18)
   * messages: no FLV file header, no tag header, no PreviousTagSize. Parsed exactly like the body of an
   * FLV tag. A demuxer is fed either bytes (`push`) or tags (`pushTag`), never both.
   */
  pushTag(tagType: number, timestamp: number, body: Uint8Array): void {
    this.startTag(tagType, timestamp, body.length);
    if (this.stage !== Stage.TagHeader && this.stage !== Stage.Fatal) this.push(body);
    else this.base += body.length;
  }

  /**
   * Like pushTag, for a body that arrives in pieces (an RTMP message read chunk by chunk): the next
   * `size` bytes given to `push` are this tag's body, exactly; nothing else may be pushed until then.
   */
  startTag(tagType: number, timestamp: number, size: number): void {
    if (this.stage === Stage.Fatal) return;
    this.stage = Stage.TagHeader;
    this.beginTag(tagType, size, timestamp >>> 0, this.base, false, 0, false);
  }

  /** Starts reading a tag body; `resync`: an oversized tag may hide the next header (byte framing only). */
  private beginTag(
    type: number,
    size: number,
    timestamp: number,
    offset: number,
    filter: boolean,
    streamId: number,
    resync: boolean,
  ): void {
    this.tagOffset = offset;
    this.tagType = type;
    this.tagSize = size;
    this.tagTimestamp = timestamp;
    this.bodyRemaining = this.tagSize;
    this.pending = Pending.None;
    this.scanner.reset(null, 4);

    if (streamId !== 0) this.anomaly('nonzero_stream_id', `StreamID ${streamId} (must be 0)`, this.tagOffset);
    if (this.tagSize === 0) {
      this.anomaly('zero_size_tag', `tag type ${this.tagType} with DataSize 0`, this.tagOffset);
      this.stage = Stage.TagHeader;
      return;
    }
    if (this.tagSize > this.maxTagBytes) {
      this.anomaly(
        'oversized_tag',
        `tag type ${this.tagType} claims ${this.tagSize} bytes (limit ${this.maxTagBytes}); skipped` +
          (resync ? ' while looking for the next tag header' : ''),
        this.tagOffset,
      );
      if (!resync) return this.skipBody();
      this.resyncCarry = 0;
      this.stage = Stage.Resync;
      return;
    }
    if (filter) {
      this.anomaly(
        'encrypted_tag',
        `tag type ${this.tagType} has the Filter bit set (encrypted); skipped`,
        this.tagOffset,
      );
      return this.skipBody();
    }
    if (this.tagType === TAG_AUDIO || this.tagType === TAG_VIDEO) {
      this.scriptRun = 0;
      this.scriptRunBytes = 0;
      this.scriptFloodReported = false;
    }
    switch (this.tagType) {
      case TAG_SCRIPT:
        this.scriptRun++;
        this.scriptRunBytes += this.tagSize;
        if (this.scriptRun > this.maxScriptRun || this.scriptRunBytes > this.maxScriptRunBytes) {
          // Reported once per run: the run is one piece of damage however long it goes on.
          if (!this.scriptFloodReported) {
            this.scriptFloodReported = true;
            this.anomaly(
              'script_flood',
              `script tag ${this.scriptRun} in a row without audio or video (${this.scriptRunBytes} script bytes;` +
                ` caps ${this.maxScriptRun} tags, ${this.maxScriptRunBytes} bytes): the rest of the run is skipped`,
              this.tagOffset,
            );
          }
          return this.skipBody();
        }
        if (this.tagSize > this.maxRecordBytes) {
          this.anomaly(
            'script_too_large',
            `script tag of ${this.tagSize} bytes exceeds the ${this.maxRecordBytes}-byte cap; skipped`,
            this.tagOffset,
          );
          return this.skipBody();
        }
        return this.startRecord(RecordKind.Script, '', this.tagSize);
      case TAG_VIDEO:
      case TAG_AUDIO:
        this.prefixFill = 0;
        this.prefixWant = Math.min(this.tagSize, PREFIX_BYTES);
        this.stage = Stage.Prefix;
        return;
      default:
        this.anomaly('unknown_tag_type', `unknown TagType ${this.tagType}; skipped`, this.tagOffset);
        return this.skipBody();
    }
  }

  private onPrefix(): void {
    if (this.tagType === TAG_VIDEO) this.onVideoPrefix(readVideoTagHeader(this.prefix, this.tagSize));
    else this.onAudioPrefix(readAudioTagHeader(this.prefix, this.tagSize));
  }

  private onVideoPrefix(tag: VideoTagHeader): void {
    switch (tag.kind) {
      case 'config':
        return this.startPrefixedRecord(RecordKind.VideoConfig, tag.codec, tag.headerLen, 'config_too_large');
      case 'metadata':
        return this.startPrefixedRecord(RecordKind.VideoMetadata, '', tag.headerLen, 'script_too_large');
      case 'complex':
        return this.startPrefixedRecord(RecordKind.VideoComplex, '', 0, 'multitrack_too_large');
      case 'end':
        this.sink({ type: 'video-end', timestamp: this.tagTimestamp, track: 0, offset: this.tagOffset });
        return this.skipBody();
      case 'command':
        this.sink({ type: 'video-info', kind: 'command', timestamp: this.tagTimestamp, offset: this.tagOffset });
        return this.skipBody();
      case 'short':
        this.anomaly('short_tag', tag.message, this.tagOffset);
        return this.skipBody();
      case 'frame': {
        if (!tag.known) this.reportUnknownCodec('video', tag.codec);
        this.pending = Pending.VideoFrame;
        this.frameCodec = tag.codec;
        this.frameKey = tag.frameType === FRAME_TYPE_KEY;
        this.frameCts = tag.cts;
        if (tag.nal !== null) {
          this.checkConfigured(tag.codec);
          this.scanner.reset(tag.nal, this.nalLengthSize.get(tag.codec) ?? 4);
          this.scanner.feed(this.prefix, tag.headerLen, this.prefixFill, this.bodyRemaining);
        }
        return this.skipBody();
      }
    }
  }

  private onAudioPrefix(tag: AudioTagHeader): void {
    switch (tag.kind) {
      case 'config':
        if (tag.fourcc !== null && !isKnownAudioFourCc(tag.fourcc)) this.reportUnknownCodec('audio', tag.codec);
        return this.startPrefixedRecord(RecordKind.AudioConfig, tag.codec, tag.headerLen, 'config_too_large');
      case 'complex':
        return this.startPrefixedRecord(RecordKind.AudioComplex, '', 0, 'multitrack_too_large');
      case 'frame':
        if (tag.legacy !== null && !sameAudio(tag.legacy, this.lastLegacyAudio)) {
          this.lastLegacyAudio = tag.legacy;
          this.sink({
            type: 'audio-config',
            timestamp: this.tagTimestamp,
            track: 0,
            config: tag.legacy,
            offset: this.tagOffset,
          });
        }
        this.pending = Pending.AudioFrame;
        this.frameCodec = tag.codec;
        return this.skipBody();
      case 'info':
        return this.skipBody();
      case 'short':
        this.anomaly('short_tag', tag.message, this.tagOffset);
        return this.skipBody();
    }
  }

  /** Starts a record that begins `skip` bytes into the body; the prefix already holds its first bytes. */
  private startPrefixedRecord(kind: RecordKind, codec: string, skip: number, tooLarge: AnomalyCode): void {
    const size = this.tagSize - skip;
    if (size > this.maxRecordBytes) {
      this.anomaly(
        tooLarge,
        `${recordName(kind)} of ${size} bytes exceeds the ${this.maxRecordBytes}-byte cap; skipped`,
        this.tagOffset,
      );
      return this.skipBody();
    }
    const inPrefix = this.prefix.subarray(Math.min(skip, this.prefixFill), this.prefixFill);
    this.startRecord(kind, codec, size);
    this.record!.set(inPrefix, 0);
    this.recordFill = inPrefix.length;
    if (this.recordFill === size) {
      const record = this.record!;
      this.record = null;
      this.onRecord(record);
      this.onBodyEnd();
    }
  }

  /**
   * Looks in the body bytes chunk[start, end) of an oversized tag for the header of the real next tag.
   * PreviousTagSize is FLV's own resync aid (FFmpeg's flvdec resyncs on it too): the real next tag is
   * preceded by a PreviousTagSize equal to its distance from the oversized tag's start (11 + the real
   * body length). With TagType 8, 9 or 18 (reserved and Filter bits clear) and StreamID 0 that is 32 bits
   * that must match one exact value plus 4 more bytes: media bytes pass for a header about once in 2^62
   * positions. The DataSize is not judged: a tag found this way that is oversized too is reported and
   * resynced in turn. Returns the chunk index just after the 15 bytes found (copied into `header`), or -1.
   * Each candidate is checked once, when its last byte arrives, so the outcome does not depend on
   * chunking; the last 14 bytes are carried in `header` (idle while a body is read) for candidates that
   * straddle chunks. Candidates must lie wholly inside the claimed body: when none is found the claimed
   * size was true and the tag ends there.
   */
  private findTagHeader(chunk: Uint8Array, start: number, end: number): number {
    const h = this.header;
    const carry = this.resyncCarry;
    const seg = end - start;
    // Candidates that begin in the carried bytes, assembled byte by byte (at most 14 of them).
    for (let j = 0; j < carry; j++) {
      const need = j + TAG_HEADER_BYTES - carry;
      if (need > seg) break;
      for (let k = 0; k < TAG_HEADER_BYTES; k++) WINDOW[k] = j + k < carry ? h[j + k]! : chunk[start + j + k - carry]!;
      if (this.isNextTagHeader(WINDOW, 0, this.origin + start - carry + j)) {
        h.set(WINDOW, 0);
        return start + need;
      }
    }
    // Candidates wholly inside this chunk: the TagType byte rules out all but ~1 % at once.
    for (let k = start; k + TAG_HEADER_BYTES <= end; k++) {
      const type = chunk[k + 4];
      if (type !== TAG_VIDEO && type !== TAG_AUDIO && type !== TAG_SCRIPT) continue;
      if (this.isNextTagHeader(chunk, k, this.origin + k)) {
        h.set(chunk.subarray(k, k + TAG_HEADER_BYTES), 0);
        return k + TAG_HEADER_BYTES;
      }
    }
    // Carry the last (up to 14) bytes: the candidates not yet complete.
    const keep = Math.min(TAG_HEADER_BYTES - 1, carry + seg);
    if (seg >= keep) {
      h.set(chunk.subarray(end - keep, end), 0);
    } else {
      const fromCarry = keep - seg;
      h.copyWithin(0, carry - fromCarry, carry);
      h.set(chunk.subarray(start, end), fromCarry);
    }
    this.resyncCarry = keep;
    return -1;
  }

  /** Whether b[i, i + 15) at stream offset `at` is PreviousTagSize + a plausible header of the next tag. */
  private isNextTagHeader(b: Uint8Array, i: number, at: number): boolean {
    // Reserved (2) Filter (1) TagType (5): only the three tag types, unfiltered
    const type = b[i + 4]!;
    if (type !== TAG_VIDEO && type !== TAG_AUDIO && type !== TAG_SCRIPT) return false;
    if (b[i + 12] !== 0 || b[i + 13] !== 0 || b[i + 14] !== 0) return false; // StreamID
    const previousTagSize = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    return previousTagSize === at - this.tagOffset;
  }

  private startRecord(kind: RecordKind, codec: string, size: number): void {
    this.recordKind = kind;
    this.recordCodec = codec;
    this.record = new Uint8Array(size);
    this.recordFill = 0;
    this.stage = Stage.Record;
  }

  private skipBody(): void {
    if (this.bodyRemaining === 0) this.onBodyEnd();
    else this.stage = Stage.Skip;
  }

  private onBodyEnd(): void {
    if (this.pending === Pending.VideoFrame) {
      this.emitVideoFrame(0, this.frameCodec, this.frameKey, this.frameCts, this.tagSize);
    } else if (this.pending === Pending.AudioFrame) {
      this.emitAudioFrame(0, this.frameCodec);
    }
    this.pending = Pending.None;
    this.stage = Stage.TagHeader;
  }

  private emitVideoFrame(track: number, codec: string, keyframe: boolean, cts: number, size: number): void {
    const s = this.scanner;
    if (s.emptyNals > 0) this.anomaly('empty_nal', `${s.emptyNals} NAL unit(s) of length 0`, this.tagOffset);
    if (s.overrun) this.anomaly('nal_overrun', 'a NAL unit length runs past the end of the tag', this.tagOffset);
    if ((s.verdict === 'key' && !keyframe) || (s.verdict === 'inter' && keyframe)) {
      this.anomaly(
        'keyframe_mismatch',
        `FLV frame type says ${keyframe ? 'key' : 'inter'} frame, the NAL units say ${s.verdict}`,
        this.tagOffset,
      );
    }
    this.lastVideoDts = this.checkTimestamp('video', this.lastVideoDts);
    this.sink({
      type: 'video-frame',
      track,
      codec,
      dts: this.tagTimestamp,
      cts,
      keyframe,
      size,
      offset: this.tagOffset,
    });
  }

  private emitAudioFrame(track: number, codec: string): void {
    this.lastAudioDts = this.checkTimestamp('audio', this.lastAudioDts);
    this.sink({
      type: 'audio-frame',
      track,
      codec,
      dts: this.tagTimestamp,
      size: this.tagSize,
      offset: this.tagOffset,
    });
  }

  private checkTimestamp(media: string, last: number): number {
    const dts = this.tagTimestamp;
    if (last >= 0) {
      if (dts < last)
        this.anomaly('timestamp_backwards', `${media} DTS went back from ${last} to ${dts} ms`, this.tagOffset);
      else if (dts - last > this.maxJumpMs)
        this.anomaly('timestamp_jump', `${media} DTS jumped from ${last} to ${dts} ms`, this.tagOffset);
    }
    return dts;
  }

  private onRecord(record: Uint8Array): void {
    switch (this.recordKind) {
      case RecordKind.Script:
        return this.onScript(record);
      case RecordKind.VideoMetadata: {
        const decoded = decodeAmf0(record, { maxDepth: this.maxAmfDepth });
        this.reportAmf(decoded);
        this.sink({ type: 'video-info', kind: 'metadata', timestamp: this.tagTimestamp, offset: this.tagOffset });
        return;
      }
      case RecordKind.VideoConfig:
        return this.onVideoConfig(0, this.recordCodec, record);
      case RecordKind.AudioConfig:
        return this.onAudioConfig(0, this.recordCodec, record);
      case RecordKind.VideoComplex:
      case RecordKind.AudioComplex:
        return this.onComplex(record, this.recordKind === RecordKind.VideoComplex ? 'video' : 'audio');
    }
  }

  private onScript(record: Uint8Array): void {
    const decoded = decodeAmf0(record, { maxDepth: this.maxAmfDepth });
    this.reportAmf(decoded);
    const script = interpretScriptData(decoded.values);
    if (script)
      this.sink({
        type: 'script',
        name: script.name,
        value: script.value,
        timestamp: this.tagTimestamp,
        offset: this.tagOffset,
      });
  }

  private reportAmf(decoded: Amf0Result): void {
    if (decoded.references) {
      this.anomaly(
        'amf_reference',
        `${decoded.references} AMF0 reference marker(s) not resolved (read as undefined)`,
        this.tagOffset,
      );
    }
    if (!decoded.ok) this.anomaly(decoded.code, decoded.message, this.tagOffset);
  }

  private onVideoConfig(track: number, codec: string, record: Uint8Array): void {
    const known = KNOWN_VIDEO.has(codec);
    if (!known) this.reportUnknownCodec('video', codec);
    const parsed = parseVideoConfigRecord(codec, record);
    for (const w of parsed.warnings ?? []) this.anomaly(w.code, w.message, this.tagOffset);
    if (!parsed.ok) {
      this.anomaly(parsed.code, parsed.message, this.tagOffset);
      return;
    }
    // Only known codecs are remembered: a stream cycling through made-up FourCCs must not grow these.
    if (known) {
      if (parsed.config.nalLengthSize !== undefined) this.nalLengthSize.set(codec, parsed.config.nalLengthSize);
      this.configured.add(codec);
    }
    this.sink({
      type: 'video-config',
      timestamp: this.tagTimestamp,
      track,
      config: parsed.config,
      offset: this.tagOffset,
    });
  }

  private onAudioConfig(track: number, codec: string, record: Uint8Array): void {
    const parsed = parseAudioConfigRecord(codec, record);
    for (const w of parsed.warnings ?? []) this.anomaly(w.code, w.message, this.tagOffset);
    if (!parsed.ok) {
      this.anomaly(parsed.code, parsed.message, this.tagOffset);
      return;
    }
    this.sink({
      type: 'audio-config',
      timestamp: this.tagTimestamp,
      track,
      config: parsed.config,
      offset: this.tagOffset,
    });
  }

  private onComplex(record: Uint8Array, media: 'video' | 'audio'): void {
    const body = parseEnhancedBody(record, media);
    if (!body.ok) {
      this.anomaly('short_tag', `enhanced ${media} packet: ${body.message}`, this.tagOffset);
      return;
    }
    if (body.command) {
      this.sink({ type: 'video-info', kind: 'command', timestamp: this.tagTimestamp, offset: this.tagOffset });
      return;
    }
    for (const p of body.packets) {
      if (media === 'video') {
        const codec = videoFourCcToCodec(p.fourcc);
        if (p.packetType === VideoPacketType.SequenceStart) this.onVideoConfig(p.track, codec, p.data);
        else if (p.packetType === VideoPacketType.CodedFrames || p.packetType === VideoPacketType.CodedFramesX) {
          const nal = nalSyntaxOf(codec);
          this.scanner.reset(nal, this.nalLengthSize.get(codec) ?? 4);
          this.scanner.feed(p.data, 0, p.data.length, 0);
          this.emitVideoFrame(p.track, codec, body.frameType === FRAME_TYPE_KEY, p.cts, p.data.length);
        } else if (p.packetType === VideoPacketType.SequenceEnd)
          this.sink({ type: 'video-end', timestamp: this.tagTimestamp, track: p.track, offset: this.tagOffset });
      } else {
        const codec = audioFourCcToCodec(p.fourcc);
        if (p.packetType === AudioPacketType.SequenceStart) this.onAudioConfig(p.track, codec, p.data);
        else if (p.packetType === AudioPacketType.CodedFrames) this.emitAudioFrame(p.track, codec);
      }
    }
  }

  private checkConfigured(codec: string): void {
    if (!this.configured.has(codec) && !this.framesBeforeConfig.has(codec)) {
      // capped like reportedCodecs: invented codec names must not grow the set without end
      if (this.framesBeforeConfig.size < MAX_REMEMBERED_CODECS) this.framesBeforeConfig.add(codec);
      this.anomaly('frame_before_config', `${codec} coded frames arrived before any sequence header`, this.tagOffset);
    }
  }

  private reportUnknownCodec(media: 'video' | 'audio', codec: string): void {
    if (this.reportedCodecs.has(codec)) return;
    // Each name is reported once while the set is small; a hostile stream inventing names without end
    // gets every one reported instead of a set that grows with it.
    if (this.reportedCodecs.size < MAX_REMEMBERED_CODECS) this.reportedCodecs.add(codec);
    this.anomaly(
      media === 'video' ? 'unknown_video_codec' : 'unknown_audio_codec',
      `unknown ${media} codec "${codec}"`,
      this.tagOffset,
    );
  }

  private anomaly(code: AnomalyCode, message: string, offset: number): void {
    const fatal = FATAL_ANOMALIES.has(code);
    if (fatal) this.stage = Stage.Fatal;
    this.sink({ type: 'anomaly', code, message, offset, fatal });
  }
}

function sameAudio(a: AudioConfig, b: AudioConfig | null): boolean {
  return (
    b !== null &&
    a.codec === b.codec &&
    a.sampleRate === b.sampleRate &&
    a.channels === b.channels &&
    a.sampleSize === b.sampleSize
  );
}

function recordName(kind: RecordKind): string {
  switch (kind) {
    case RecordKind.Script:
      return 'script tag';
    case RecordKind.VideoConfig:
    case RecordKind.AudioConfig:
      return 'sequence header';
    case RecordKind.VideoMetadata:
      return 'video metadata packet';
    default:
      return 'multitrack packet';
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
