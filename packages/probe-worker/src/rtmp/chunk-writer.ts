/**
 * Writes RTMP messages as chunks (RTMP spec §5.3): a type-0 header, then type-3 continuation headers
 * every `chunkSize` payload bytes. The client's messages are small commands and control messages, so the
 * default chunk size of 128 is kept (no Set Chunk Size is sent) and every message gets a full header.
 */
import { RTMP_DEFAULT_CHUNK_SIZE } from './chunk-reader.js';

const EXTENDED_TIMESTAMP = 0xffffff;

/** Chunk stream ids the client uses: protocol control (2, required by the spec) and commands. */
export const CSID_CONTROL = 2;
export const CSID_COMMAND = 3;
export const CSID_STREAM_COMMAND = 8;

/** One message as chunks; `chunkSize` other than 128 only for a peer that was told (test servers). */
export function encodeMessage(
  csid: number,
  type: number,
  streamId: number,
  body: Uint8Array,
  timestamp = 0,
  chunkSize = RTMP_DEFAULT_CHUNK_SIZE,
): Buffer {
  if (csid < 2 || csid > 63) throw new RangeError('the client writes chunk stream ids 2..63 only');
  // a timestamp past 24 bits goes in an extended field after every chunk header of the message (§5.3.1.3)
  const extended = timestamp >= EXTENDED_TIMESTAMP;
  const ext = extended ? 4 : 0;
  const chunks = Math.max(1, Math.ceil(body.length / chunkSize));
  const out = Buffer.alloc(12 + ext + (chunks - 1) * (1 + ext) + body.length);
  out[0] = csid; // fmt 0
  out.writeUIntBE(extended ? EXTENDED_TIMESTAMP : timestamp, 1, 3);
  out.writeUIntBE(body.length, 4, 3);
  out[7] = type;
  out.writeUInt32LE(streamId, 8);
  let w = 12;
  if (extended) w = out.writeUInt32BE(timestamp >>> 0, w);
  for (let i = 0; i < body.length; i += chunkSize) {
    if (i > 0) {
      out[w++] = 0xc0 | csid; // fmt 3
      if (extended) w = out.writeUInt32BE(timestamp >>> 0, w);
    }
    const piece = body.subarray(i, i + chunkSize);
    out.set(piece, w);
    w += piece.length;
  }
  return out;
}
