/**
 * Incremental decoder of the chunked transfer coding (RFC 9112 §7.1), fed arbitrary slices of the
 * socket's bytes. Chunk data is handed on as views of the pushed slice (no copy); the decoder keeps no
 * reference to the slice between pushes, so the caller may reuse its read buffer.
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk   = 1*("0") [ chunk-ext ] CRLF
 *
 * Lenient where servers are sloppy: bare LF instead of CRLF, whitespace after chunk-size. Strict where
 * leniency would desynchronise the stream: chunk-size must be hex, and chunk-data must be followed by
 * a line end.
 */

/** Receives decoded data; returns false to stop decoding (the consumer is done). */
export type DataSink = (chunk: Uint8Array, start: number, end: number) => boolean;

export type ChunkedResult =
  | { kind: 'more' }
  | { kind: 'done' }
  | { kind: 'stopped' }
  | { kind: 'error'; message: string };

const CR = 0x0d;
const LF = 0x0a;
/** chunk-size digits accepted: 12 hex digits = 256 TiB, far above any chunk, far below 2^53 */
const MAX_SIZE_DIGITS = 12;
/** chunk-ext and trailer lines are skipped, but not forever */
const MAX_LINE_BYTES = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;

/** decoder states */
const S = {
  /** reading chunk-size hex digits */
  Size: 0,
  /** after chunk-size: chunk-ext or whitespace up to the line end */
  SizeLine: 1,
  /** inside chunk-data */
  Data: 2,
  /** CR after chunk-data */
  DataCr: 3,
  /** LF after chunk-data */
  DataLf: 4,
  /** trailer-section lines after last-chunk */
  Trailer: 5,
  Done: 6,
  Failed: 7,
} as const;
type State = (typeof S)[keyof typeof S];

const MORE: ChunkedResult = { kind: 'more' };
const DONE: ChunkedResult = { kind: 'done' };
const STOPPED: ChunkedResult = { kind: 'stopped' };

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

export class ChunkedDecoder {
  private state: State = S.Size;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  /** trailer: bytes in the current line (CR not counted) */
  private trailerLineLen = 0;

  /** True once the last chunk and trailer section were read. */
  get done(): boolean {
    return this.state === S.Done;
  }

  push(chunk: Uint8Array, start: number, end: number, sink: DataSink): ChunkedResult {
    let i = start;
    while (i < end) {
      switch (this.state) {
        case S.Size: {
          const b = chunk[i]!;
          const v = hexValue(b);
          if (v >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.fail('chunk-size too large');
            this.size = this.size * 16 + v;
            i++;
            break;
          }
          if (this.digits === 0) return this.fail(`chunk-size expected, got byte 0x${b.toString(16)}`);
          this.state = S.SizeLine;
          this.lineBytes = 0;
          break; // the same byte is examined as part of the rest of the size line
        }
        case S.SizeLine: {
          const b = chunk[i++]!;
          if (b === LF) {
            if (this.size === 0) {
              this.state = S.Trailer;
              this.trailerLineLen = 0;
            } else {
              this.state = S.Data;
              this.remaining = this.size;
            }
            break;
          }
          if (++this.lineBytes > MAX_LINE_BYTES) return this.fail('chunk-ext line too long');
          // chunk-ext (";name=value"), BWS, CR: skipped; anything else right after the digits is not
          // a chunk-size line
          if (this.lineBytes === 1 && b !== 0x3b && b !== 0x20 && b !== 0x09 && b !== CR) {
            return this.fail(`invalid byte 0x${b.toString(16)} after chunk-size`);
          }
          break;
        }
        case S.Data: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          const from = i;
          i += n;
          if (this.remaining === 0) this.state = S.DataCr;
          if (!sink(chunk, from, i)) return STOPPED;
          break;
        }
        case S.DataCr: {
          const b = chunk[i++]!;
          if (b === CR) this.state = S.DataLf;
          else if (b === LF) this.nextChunk();
          else return this.fail('chunk-data not followed by CRLF');
          break;
        }
        case S.DataLf: {
          const b = chunk[i++]!;
          if (b !== LF) return this.fail('chunk-data not followed by CRLF');
          this.nextChunk();
          break;
        }
        case S.Trailer: {
          const b = chunk[i++]!;
          if (++this.trailerBytes > MAX_TRAILER_BYTES) return this.fail('trailer section too long');
          if (b === LF) {
            if (this.trailerLineLen === 0) {
              this.state = S.Done;
              return DONE;
            }
            this.trailerLineLen = 0;
          } else if (b !== CR) {
            this.trailerLineLen++;
          }
          break;
        }
        case S.Done:
          return DONE; // bytes after the message on a Connection: close response are ignored
        case S.Failed:
          return { kind: 'error', message: 'decoder already failed' };
      }
    }
    return this.state === S.Done ? DONE : MORE;
  }

  private nextChunk(): void {
    this.state = S.Size;
    this.size = 0;
    this.digits = 0;
  }

  private fail(message: string): ChunkedResult {
    this.state = S.Failed;
    return { kind: 'error', message };
  }
}
