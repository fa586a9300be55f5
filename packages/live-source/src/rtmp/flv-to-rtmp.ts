/**
 * Turns the FLV byte stream a LiveStream writes (file header, then tag header + body + PreviousTagSize)
 * into RTMP chunks of audio / video / data messages, as bytes arrive: each tag header becomes a type-0
 * chunk header, its body passes through as views with a type-3 header every `chunkSize` bytes. Nothing is
 * buffered beyond an 11-byte tag header, so pacing, pauses and trickle cuts mid-tag behave as over HTTP.
 */
const FLV_FILE_HEADER_BYTES = 13; // 9-byte header + PreviousTagSize0
const TAG_HEADER_BYTES = 11;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const EXTENDED_TIMESTAMP = 0xffffff;
/** chunk stream per message type, as nginx-rtmp uses them */
const CSID_BY_TYPE: Record<number, number> = { 8: 4, 9: 6, 18: 5 };
const CSID_OTHER = 7;
/** the 1-byte type-3 headers, shared by every connection (chunk headers are written thousands of times a second) */
const CONTINUATION = new Map([4, 5, 6, CSID_OTHER].map((csid) => [csid, Buffer.from([0xc0 | csid])]));

const enum Stage {
  FileHeader,
  TagHeader,
  Body,
  PreviousTagSize,
}

export class FlvToRtmp {
  private stage = Stage.FileHeader;
  private skip = FLV_FILE_HEADER_BYTES;
  private readonly header = Buffer.alloc(TAG_HEADER_BYTES);
  private headerFill = 0;
  private bodyLeft = 0;
  /** payload bytes of the current chunk still to come before the next type-3 header */
  private chunkLeft = 0;
  private csid = 0;
  private extendedTs: number | undefined;

  constructor(
    private readonly streamId: number,
    private readonly chunkSize: number,
  ) {}

  /** Appends to `out` the RTMP bytes for `bytes` of FLV (views of it, plus small chunk headers). */
  push(bytes: Buffer, out: Buffer[]): void {
    let pos = 0;
    while (pos < bytes.length) {
      switch (this.stage) {
        case Stage.FileHeader:
        case Stage.PreviousTagSize: {
          const step = Math.min(this.skip, bytes.length - pos);
          this.skip -= step;
          pos += step;
          if (this.skip === 0) this.stage = Stage.TagHeader;
          break;
        }
        case Stage.TagHeader: {
          const step = Math.min(TAG_HEADER_BYTES - this.headerFill, bytes.length - pos);
          bytes.copy(this.header, this.headerFill, pos, pos + step);
          this.headerFill += step;
          pos += step;
          if (this.headerFill === TAG_HEADER_BYTES) this.onTagHeader(out);
          break;
        }
        case Stage.Body: {
          if (this.chunkLeft === 0) {
            out.push(this.continuationHeader());
            this.chunkLeft = Math.min(this.chunkSize, this.bodyLeft);
          }
          const step = Math.min(this.chunkLeft, bytes.length - pos);
          out.push(bytes.subarray(pos, pos + step));
          pos += step;
          this.chunkLeft -= step;
          this.bodyLeft -= step;
          if (this.bodyLeft === 0) this.endTag();
          break;
        }
      }
    }
  }

  private onTagHeader(out: Buffer[]): void {
    const h = this.header;
    this.headerFill = 0;
    const type = h[0]! & 0x1f;
    const size = h.readUIntBE(1, 3);
    const ts = ((h[7]! << 24) | h.readUIntBE(4, 3)) >>> 0;
    this.csid = CSID_BY_TYPE[type] ?? CSID_OTHER;
    const extended = ts >= EXTENDED_TIMESTAMP;
    this.extendedTs = extended ? ts : undefined;
    const chunk = Buffer.allocUnsafe(12 + (extended ? 4 : 0));
    chunk[0] = this.csid;
    chunk.writeUIntBE(extended ? EXTENDED_TIMESTAMP : ts, 1, 3);
    chunk.writeUIntBE(size, 4, 3);
    chunk[7] = type;
    chunk.writeUInt32LE(this.streamId, 8);
    if (extended) chunk.writeUInt32BE(ts, 12);
    out.push(chunk);
    this.bodyLeft = size;
    this.chunkLeft = Math.min(this.chunkSize, size);
    if (size === 0) this.endTag();
    else this.stage = Stage.Body;
  }

  private continuationHeader(): Buffer {
    if (this.extendedTs === undefined) return CONTINUATION.get(this.csid)!;
    const b = Buffer.allocUnsafe(5);
    b[0] = 0xc0 | this.csid;
    b.writeUInt32BE(this.extendedTs, 1);
    return b;
  }

  private endTag(): void {
    this.stage = Stage.PreviousTagSize;
    this.skip = PREVIOUS_TAG_SIZE_BYTES;
  }
}
