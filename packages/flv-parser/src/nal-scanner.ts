import type { NalSyntax } from './video-tag.js';

/** How many NAL units of one tag are looked at before giving up on finding a VCL unit. */
const MAX_NALS_SCANNED = 32;

export type NalVerdict = 'key' | 'inter' | 'unknown';

const enum Phase {
  Length,
  Header,
  Skip,
  Done,
}

/**
 * Walks the length-prefixed NAL units of one video tag body as its bytes stream past, reading only
 * each unit's length field and header byte, so the body is never buffered. Stops at the first VCL
 * unit: its type says whether the picture is IDR (H.264 nal_unit_type 5) / IRAP (H.265 16..23).
 */
export class NalScanner {
  private syntax: NalSyntax = null;
  private lengthSize = 4;
  private phase = Phase.Done;
  private lengthBytesRead = 0;
  private nalLength = 0;
  private skipRemaining = 0;
  private scanned = 0;
  verdict: NalVerdict = 'unknown';
  emptyNals = 0;
  /** a unit's length ran past the end of the tag */
  overrun = false;

  reset(syntax: NalSyntax, lengthSize: number): void {
    this.syntax = syntax;
    this.lengthSize = lengthSize >= 1 && lengthSize <= 4 ? lengthSize : 4;
    this.phase = syntax === null ? Phase.Done : Phase.Length;
    this.lengthBytesRead = 0;
    this.nalLength = 0;
    this.skipRemaining = 0;
    this.scanned = 0;
    this.verdict = 'unknown';
    this.emptyNals = 0;
    this.overrun = false;
  }

  get active(): boolean {
    return this.phase !== Phase.Done;
  }

  /** Feeds body bytes [start, end); `bodyLeftAfter` = bytes of this tag's body after `end`. */
  feed(bytes: Uint8Array, start: number, end: number, bodyLeftAfter: number): void {
    let pos = start;
    while (pos < end) {
      switch (this.phase) {
        case Phase.Done:
          return;
        case Phase.Length: {
          // NALUnitLength: lengthSizeMinusOne + 1 bytes, big-endian
          this.nalLength = this.nalLength * 256 + bytes[pos++]!;
          if (++this.lengthBytesRead < this.lengthSize) break;
          const length = this.nalLength;
          this.lengthBytesRead = 0;
          this.nalLength = 0;
          if (length === 0) {
            this.emptyNals++;
          } else if (length > end - pos + bodyLeftAfter) {
            this.overrun = true;
            this.phase = Phase.Done;
          } else {
            this.skipRemaining = length;
            this.phase = Phase.Header;
          }
          break;
        }
        case Phase.Header:
          this.classify(bytes[pos]!);
          if (this.phase === Phase.Header) this.phase = Phase.Skip;
          break;
        case Phase.Skip: {
          const step = Math.min(this.skipRemaining, end - pos);
          this.skipRemaining -= step;
          pos += step;
          if (this.skipRemaining === 0) this.phase = Phase.Length;
          break;
        }
      }
    }
  }

  private classify(headerByte: number): void {
    this.scanned++;
    if (this.syntax === 'avc') {
      const nalUnitType = headerByte & 0x1f; // nal_unit_type
      if (nalUnitType === 5) return this.finish('key'); // coded slice of an IDR picture
      if (nalUnitType >= 1 && nalUnitType <= 4) return this.finish('inter'); // non-IDR slice or partition
    } else if (this.syntax === 'hevc') {
      const nalUnitType = (headerByte >> 1) & 0x3f; // nal_unit_type
      if (nalUnitType >= 16 && nalUnitType <= 23) return this.finish('key'); // IRAP: BLA, IDR, CRA
      if (nalUnitType <= 9) return this.finish('inter'); // other VCL units
    }
    if (this.scanned >= MAX_NALS_SCANNED) this.phase = Phase.Done;
  }

  private finish(verdict: NalVerdict): void {
    this.verdict = verdict;
    this.phase = Phase.Done;
  }
}
