/**
 * The client side of the RTMP handshake (RTMP spec §5.2), the simple form: C0+C1 go out together; the
 * server answers S0 (version 3) + S1 (1536 bytes) + S2 (1536 bytes, the echo of C1); C2 echoes S1.
 * Servers that prefer the digest ("complex") handshake fall back to the simple one when C1 carries a
 * zero version field, as FFmpeg's and OBS's first attempt does. Pure: bytes in, verdicts out.
 */
import { randomFillSync } from 'node:crypto';

export const RTMP_VERSION = 3;
export const HANDSHAKE_BLOCK_BYTES = 1536;
/** S0 + S1 + S2 */
const SERVER_HANDSHAKE_BYTES = 1 + 2 * HANDSHAKE_BLOCK_BYTES;

/** C0 + C1: version, then time (0), zero, 1528 random bytes. */
export function clientHello(): Uint8Array {
  const out = new Uint8Array(1 + HANDSHAKE_BLOCK_BYTES);
  out[0] = RTMP_VERSION;
  randomFillSync(out, 9);
  return out;
}

export type HandshakeStep =
  | { kind: 'more' }
  /** S1 is complete: C2 (its echo) can be sent; continue from `pos` */
  | { kind: 's1'; c2: Uint8Array; pos: number }
  /** S2 is complete; chunk bytes from `pos` on are the chunk stream */
  | { kind: 'done'; pos: number }
  | { kind: 'error'; message: string };

/** Reads S0, S1, S2 from chunks split anywhere; keeps only S1 (for C2). */
export class HandshakeReader {
  private got = 0;
  private readonly s1 = new Uint8Array(HANDSHAKE_BLOCK_BYTES);
  private c2Sent = false;

  /** Feeds chunk[start, end); returns the step reached (call again with the rest after 's1'). */
  push(chunk: Uint8Array, start: number, end: number): HandshakeStep {
    let pos = start;
    if (this.got === 0 && pos < end) {
      const version = chunk[pos]!;
      if (version !== RTMP_VERSION)
        return { kind: 'error', message: `the server answered ${describeByte(version)}, not RTMP version 3` };
      this.got = 1;
      pos++;
    }
    if (this.got < 1 + HANDSHAKE_BLOCK_BYTES) {
      const step = Math.min(1 + HANDSHAKE_BLOCK_BYTES - this.got, end - pos);
      this.s1.set(chunk.subarray(pos, pos + step), this.got - 1);
      this.got += step;
      pos += step;
    }
    if (this.got === 1 + HANDSHAKE_BLOCK_BYTES && !this.c2Sent) {
      this.c2Sent = true;
      return { kind: 's1', c2: this.s1, pos };
    }
    const step = Math.min(SERVER_HANDSHAKE_BYTES - this.got, end - pos);
    this.got += step;
    pos += step;
    if (this.got === SERVER_HANDSHAKE_BYTES) return { kind: 'done', pos };
    return { kind: 'more' };
  }

  /** Bytes of the server's handshake received so far. */
  get received(): number {
    return this.got;
  }
}

function describeByte(b: number): string {
  const printable = b >= 0x20 && b < 0x7f ? ` ("${String.fromCharCode(b)}")` : '';
  return `0x${b.toString(16).padStart(2, '0')}${printable}`;
}
