/**
 * Keeps a probe's media as FLV bytes for a content check, up to a byte cap (SPEC §13: bounded). HTTP-FLV
 * bytes are kept as they came; tag bodies (RTMP) get an FLV tag header and trailer so one indexer reads
 * both. Only a probe whose check is due has a recorder: the normal path pays one undefined check.
 */

const FLV_HEADER = new Uint8Array([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 0x09, 0, 0, 0, 0]);
const TAG_HEADER_BYTES = 11;
const PREVIOUS_TAG_SIZE_BYTES = 4;

export class SampleRecorder {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private tagsStarted = false;
  /** bytes still owed to the tag begun by startTag */
  private pendingTag = 0;
  private pendingTagSize = 0;
  /** the cap was reached: later media is dropped whole (a cut tag would be ignored by the indexer anyway) */
  full = false;

  constructor(private readonly maxBytes: number) {}

  bytes(chunk: Uint8Array): void {
    this.keep(chunk);
  }

  tag(tagType: number, timestamp: number, body: Uint8Array): void {
    this.startTag(tagType, timestamp, body.length);
    this.tagData(body);
  }

  startTag(tagType: number, timestamp: number, size: number): void {
    if (!this.tagsStarted) {
      this.tagsStarted = true;
      this.keep(FLV_HEADER);
    }
    const h = new Uint8Array(TAG_HEADER_BYTES);
    h[0] = tagType;
    h[1] = (size >> 16) & 0xff;
    h[2] = (size >> 8) & 0xff;
    h[3] = size & 0xff;
    h[4] = (timestamp >> 16) & 0xff;
    h[5] = (timestamp >> 8) & 0xff;
    h[6] = timestamp & 0xff;
    h[7] = (timestamp >>> 24) & 0xff;
    this.keep(h);
    this.pendingTag = size;
    this.pendingTagSize = size;
    if (size === 0) this.endTag();
  }

  tagData(piece: Uint8Array): void {
    this.keep(piece);
    this.pendingTag -= piece.length;
    if (this.pendingTag <= 0) this.endTag();
  }

  private endTag(): void {
    const t = new Uint8Array(PREVIOUS_TAG_SIZE_BYTES);
    new DataView(t.buffer).setUint32(0, TAG_HEADER_BYTES + this.pendingTagSize);
    this.keep(t);
  }

  private keep(b: Uint8Array): void {
    if (this.full) return;
    if (this.size + b.length > this.maxBytes) {
      this.full = true;
      return;
    }
    this.chunks.push(b.slice());
    this.size += b.length;
  }

  /** The kept bytes as one FLV buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let pos = 0;
    for (const c of this.chunks) {
      out.set(c, pos);
      pos += c.length;
    }
    return out;
  }
}
