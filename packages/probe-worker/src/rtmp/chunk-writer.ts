/**
 * Writes RTMP messages as chunks (RTMP spec §5.3): a type-0 header, then type-3 continuation headers
 * every `chunkSize` payload bytes. The client's messages are small commands and control messages, so the
 * default chunk size of 128 is kept (no Set Chunk Size is sent) and every message gets a full header.
 */
import { RTMP_DEFAULT_CHUNK_SIZE } from './chunk-reader.js';

/** Chunk stream ids the client uses: protocol control (2, required by the spec) and commands. */
export const CSID_CONTROL = 2;
export const CSID_COMMAND = 3;
export const CSID_STREAM_COMMAND = 8;

export function encodeMessage(csid: number, type: number, streamId: number, body: Uint8Array, timestamp = 0): Buffer {
  if (csid < 2 || csid > 63) throw new RangeError('the client writes chunk stream ids 2..63 only');
  const chunks = Math.max(1, Math.ceil(body.length / RTMP_DEFAULT_CHUNK_SIZE));
  const out = Buffer.alloc(12 + (chunks - 1) + body.length);
  out[0] = csid; // fmt 0
  out.writeUIntBE(Math.min(timestamp, 0xfffffe), 1, 3);
  out.writeUIntBE(body.length, 4, 3);
  out[7] = type;
  out.writeUInt32LE(streamId, 8);
  let w = 12;
  for (let i = 0; i < body.length; i += RTMP_DEFAULT_CHUNK_SIZE) {
    if (i > 0) out[w++] = 0xc0 | csid; // fmt 3
    const piece = body.subarray(i, i + RTMP_DEFAULT_CHUNK_SIZE);
    out.set(piece, w);
    w += piece.length;
  }
  return out;
}
