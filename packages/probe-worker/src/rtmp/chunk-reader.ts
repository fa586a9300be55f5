/**
 * RTMP chunk stream reader (RTMP spec §5.3): reassembles messages from chunks with all four header types
 * (full, same stream, delta only, continuation) and extended timestamps, from socket reads split anywhere.
 *
 * The server decides sizes, so everything is capped and nothing is allocated by a claim alone beyond the
 * caps: the chunk size (1..2^31-1; nothing is allocated by it), one message's length, the bytes of all
 * messages being reassembled at once, and the number of chunk stream ids. Breaking a cap, or the protocol,
 * is an error that ends the stream (`error`). A message that arrives in one chunk inside one read is handed
 * on as a view of the read buffer, without a copy; audio and video messages of several chunks are streamed
 * piece by piece (StreamingSink) rather than copied together: reassembling every video frame cost RTMP
 * about 1.5× the CPU of HTTP-FLV in the bench, streaming brings it to 0.9–1.25× (docs/benchmarks.md).
 */
export const RTMP_DEFAULT_CHUNK_SIZE = 128;
export const RTMP_MAX_CHUNK_SIZE = 0x7fffffff;
/** As the FLV demuxer's largest tag: a real frame is far smaller. */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Bytes of all partly received messages together (interleaved chunk streams). */
export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Servers use a handful (control, commands, audio, video, data). */
export const DEFAULT_MAX_CHUNK_STREAMS = 64;
/** A reassembly buffer up to this size is kept for the chunk stream's next message. */
const REUSED_BUFFER_BYTES = 64 * 1024;
const EXTENDED_TIMESTAMP = 0xffffff;
/** message header bytes by chunk type (fmt) 0..3 */
const MESSAGE_HEADER_BYTES = [11, 7, 3, 0] as const;
/** basic header (≤ 3) + message header (≤ 11) + extended timestamp (4) */
const MAX_HEADER_BYTES = 18;

/** Receives a complete message; the body is only valid during the call. Return false to stop reading. */
export type MessageSink = (type: number, streamId: number, timestamp: number, body: Uint8Array) => boolean;

/**
 * Messages of the types in `types` that need more than one chunk are not reassembled: `begin` announces
 * one, its payload follows in order through `data` as views of the reads (no copy), while complete
 * messages of other chunk streams that arrive in between are held (copied) and delivered after it.
 */
export interface StreamingSink {
  types: ReadonlySet<number>;
  begin(type: number, streamId: number, timestamp: number, length: number): boolean;
  data(piece: Uint8Array): boolean;
}

interface HeldMessage {
  type: number;
  streamId: number;
  timestamp: number;
  body: Uint8Array;
}

export interface ChunkReaderOptions {
  maxMessageBytes?: number;
  maxPendingBytes?: number;
  maxChunkStreams?: number;
}

export type ChunkReadResult = 'more' | 'stopped' | 'error';

class ChunkStream {
  timestamp = 0;
  delta = 0;
  length = 0;
  type = 0;
  streamId = 0;
  /** the last header of this chunk stream carried an extended timestamp (so its type-3 chunks do too) */
  extended = false;
  buf: Uint8Array | null = null;
  /** bytes of the current message received; 0 between messages */
  fill = 0;
  /** the current message goes to the streaming sink instead of `buf` */
  streamed = false;
}

/** Smallest reassembly buffer: frames grow a little from one to the next, buffers should not each time. */
const MIN_BUFFER_BYTES = 16 * 1024;

/**
 * A buffer for a message of `length` bytes: up to the reuse limit rounded up to a power of two (kept for
 * the chunk stream's next messages), above it exactly (a keyframe, dropped after delivery). Not
 * zero-filled: every byte is written by the chunks before the message is delivered.
 */
function reassemblyBuffer(length: number): Uint8Array {
  const size =
    length <= REUSED_BUFFER_BYTES
      ? Math.min(REUSED_BUFFER_BYTES, Math.max(MIN_BUFFER_BYTES, 2 ** Math.ceil(Math.log2(length))))
      : length;
  return new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
}

export class ChunkReader {
  private chunkSize = RTMP_DEFAULT_CHUNK_SIZE;
  private readonly maxMessageBytes: number;
  private readonly maxPendingBytes: number;
  private readonly maxChunkStreams: number;
  private readonly streams = new Map<number, ChunkStream>();
  private readonly header = new Uint8Array(MAX_HEADER_BYTES);
  private headerFill = 0;
  /** the chunk stream whose payload is being read, and how much of this chunk's payload is left */
  private current: ChunkStream | null = null;
  private payloadLeft = 0;
  private pendingBytes = 0;
  /** the message being streamed, and the complete messages held until it ends */
  private streaming: ChunkStream | null = null;
  private readonly held: HeldMessage[] = [];
  /** why reading ended, after 'error' */
  error = '';

  constructor(options: ChunkReaderOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.maxChunkStreams = options.maxChunkStreams ?? DEFAULT_MAX_CHUNK_STREAMS;
  }

  /** Set Chunk Size from the server; false (and `error`) when the value is outside 1..2^31-1. */
  setChunkSize(size: number): boolean {
    if (size < 1 || size > RTMP_MAX_CHUNK_SIZE) {
      this.error = `Set Chunk Size ${size} is outside 1..${RTMP_MAX_CHUNK_SIZE}`;
      return false;
    }
    this.chunkSize = size;
    return true;
  }

  /** Bytes held for partly received messages (the memory bound). */
  get retainedBytes(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.buf?.length ?? 0;
    return n;
  }

  push(chunk: Uint8Array, start: number, end: number, sink: MessageSink, streaming?: StreamingSink): ChunkReadResult {
    let pos = start;
    while (pos < end) {
      if (this.current === null) {
        const need = this.headerNeed();
        if (need < 0) return 'error';
        // at most 18 bytes: a loop, not a subarray view per header
        const stop = Math.min(pos + need - this.headerFill, end);
        const h = this.header;
        while (pos < stop) h[this.headerFill++] = chunk[pos++]!;
        if (this.headerFill < need || this.headerNeed() !== need) continue;
        const r = this.onHeader(chunk, pos, end, sink, streaming);
        if (typeof r === 'string') return r;
        pos = r;
        continue;
      }
      const s = this.current;
      const step = Math.min(this.payloadLeft, end - pos);
      if (s.streamed) {
        if (!streaming!.data(chunk.subarray(pos, pos + step))) return this.stopped();
      } else {
        s.buf!.set(chunk.subarray(pos, pos + step), s.fill);
      }
      s.fill += step;
      this.payloadLeft -= step;
      pos += step;
      if (this.payloadLeft > 0) continue;
      this.current = null;
      if (s.fill < s.length) continue;
      if (s.streamed) {
        if (!this.endStreamed(s, sink)) return this.stopped();
      } else if (!this.deliver(s, s.buf!.subarray(0, s.length), sink)) return this.stopped();
    }
    return 'more';
  }

  private stopped(): ChunkReadResult {
    return this.error === '' ? 'stopped' : 'error';
  }

  /** Header bytes needed given those read so far; -1 (and `error`) on a protocol violation. */
  private headerNeed(): number {
    const h = this.header;
    if (this.headerFill < 1) return 1;
    const fmt = h[0]! >> 6;
    const low = h[0]! & 0x3f;
    const basic = low === 0 ? 2 : low === 1 ? 3 : 1;
    if (this.headerFill < basic) return basic;
    const base = basic + MESSAGE_HEADER_BYTES[fmt]!;
    if (this.headerFill < base) return base;
    const extended =
      fmt === 3
        ? (this.streams.get(this.csid())?.extended ?? false)
        : ((h[basic]! << 16) | (h[basic + 1]! << 8) | h[basic + 2]!) === EXTENDED_TIMESTAMP;
    return extended ? base + 4 : base;
  }

  private csid(): number {
    const h = this.header;
    const low = h[0]! & 0x3f;
    if (low === 0) return 64 + h[1]!;
    if (low === 1) return 64 + h[1]! + h[2]! * 256;
    return low;
  }

  /** A whole chunk header is in `header`; returns the position after what it consumed, or a result. */
  private onHeader(
    chunk: Uint8Array,
    pos: number,
    end: number,
    sink: MessageSink,
    streaming: StreamingSink | undefined,
  ): number | ChunkReadResult {
    const h = this.header;
    const fmt = h[0]! >> 6;
    const csid = this.csid();
    const low = h[0]! & 0x3f;
    const at = low === 0 ? 2 : low === 1 ? 3 : 1;
    const hasExtended = this.headerFill === at + MESSAGE_HEADER_BYTES[fmt]! + 4;
    this.headerFill = 0;
    let s = this.streams.get(csid);
    if (s === undefined) {
      if (fmt !== 0) return this.fail(`chunk stream ${csid} begins with a type-${fmt} chunk header instead of type 0`);
      if (this.streams.size >= this.maxChunkStreams)
        return this.fail(`more than ${this.maxChunkStreams} chunk stream ids`);
      s = new ChunkStream();
      this.streams.set(csid, s);
    }
    const midMessage = s.fill > 0;
    if (fmt !== 3 && midMessage)
      return this.fail(`a type-${fmt} chunk header on chunk stream ${csid} inside a message`);
    if (fmt < 3) {
      const field = (h[at]! << 16) | (h[at + 1]! << 8) | h[at + 2]!;
      const e = at + MESSAGE_HEADER_BYTES[fmt]!;
      const time = hasExtended ? ((h[e]! << 24) | (h[e + 1]! << 16) | (h[e + 2]! << 8) | h[e + 3]!) >>> 0 : field;
      s.extended = hasExtended;
      if (fmt <= 1) {
        s.length = (h[at + 3]! << 16) | (h[at + 4]! << 8) | h[at + 5]!;
        s.type = h[at + 6]!;
      }
      if (fmt === 0) {
        s.streamId = (h[at + 7]! | (h[at + 8]! << 8) | (h[at + 9]! << 16) | (h[at + 10]! << 24)) >>> 0;
        s.timestamp = time;
        s.delta = 0;
      } else {
        s.delta = time;
        s.timestamp = (s.timestamp + time) >>> 0;
      }
    } else if (!midMessage) {
      s.timestamp = (s.timestamp + s.delta) >>> 0;
    }
    if (!midMessage) {
      if (s.length > this.maxMessageBytes) {
        return this.fail(
          `a message of ${s.length} bytes on chunk stream ${csid} exceeds the ${this.maxMessageBytes}-byte cap`,
        );
      }
      if (s.length === 0) return this.deliver(s, chunk.subarray(pos, pos), sink) ? pos : this.stopped();
      // the common case: a whole message in one chunk, all in this read: no copy
      if (s.length <= this.chunkSize && end - pos >= s.length) {
        return this.deliver(s, chunk.subarray(pos, pos + s.length), sink) ? pos + s.length : this.stopped();
      }
      if (streaming !== undefined && this.streaming === null && streaming.types.has(s.type)) {
        s.streamed = true;
        this.streaming = s;
        if (!streaming.begin(s.type, s.streamId, s.timestamp, s.length)) return this.stopped();
        this.current = s;
        this.payloadLeft = Math.min(this.chunkSize, s.length);
        return pos;
      }
      if (s.buf === null || s.buf.length < s.length) {
        if (this.pendingBytes + s.length > this.maxPendingBytes) {
          return this.fail(`messages being reassembled would hold more than ${this.maxPendingBytes} bytes`);
        }
        s.buf = reassemblyBuffer(s.length);
      }
      this.pendingBytes += s.length;
    }
    this.current = s;
    this.payloadLeft = Math.min(this.chunkSize, s.length - s.fill);
    return pos;
  }

  private deliver(s: ChunkStream, body: Uint8Array, sink: MessageSink): boolean {
    if (s.fill > 0) {
      this.pendingBytes -= s.length;
      s.fill = 0;
      if (s.buf !== null && s.buf.length > REUSED_BUFFER_BYTES) s.buf = null;
    }
    if (this.streaming !== null) return this.hold(s, body);
    return sink(s.type, s.streamId, s.timestamp, body) && this.error === '';
  }

  /** A complete message while another is streamed: kept (a copy: the body is a view) until that one ends. */
  private hold(s: ChunkStream, body: Uint8Array): boolean {
    if (this.pendingBytes + body.length > this.maxPendingBytes) {
      this.error = `messages held behind a streamed one would take more than ${this.maxPendingBytes} bytes`;
      return false;
    }
    this.pendingBytes += body.length;
    this.held.push({ type: s.type, streamId: s.streamId, timestamp: s.timestamp, body: body.slice() });
    return true;
  }

  /** The streamed message is complete: the held messages follow it, in arrival order. */
  private endStreamed(s: ChunkStream, sink: MessageSink): boolean {
    s.fill = 0;
    s.streamed = false;
    this.streaming = null;
    while (this.held.length > 0) {
      const m = this.held.shift()!;
      this.pendingBytes -= m.body.length;
      if (!sink(m.type, m.streamId, m.timestamp, m.body) || this.error !== '') return false;
    }
    return true;
  }

  private fail(message: string): ChunkReadResult {
    this.error = message;
    return 'error';
  }
}
