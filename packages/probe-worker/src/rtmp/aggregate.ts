/**
 * Aggregate messages (RTMP spec §7.1.6): a run of FLV-style sub-messages (type, size, timestamp, stream
 * id header + body + back pointer). Sub-message timestamps are shifted so the first one equals the
 * aggregate's own timestamp. Bounds are checked against the body: a lying size ends the walk.
 */
const SUB_HEADER_BYTES = 11;
const BACK_POINTER_BYTES = 4;

export type SubMessageSink = (type: number, timestamp: number, body: Uint8Array) => boolean;

/** Walks the sub-messages; returns an error message, '' when all were read, or 'stopped'. */
export function forEachSubMessage(body: Uint8Array, timestamp: number, sink: SubMessageSink): string {
  let pos = 0;
  let offset: number | undefined;
  while (pos < body.length) {
    if (body.length - pos < SUB_HEADER_BYTES) return `aggregate message: ${body.length - pos} stray bytes at its end`;
    const type = body[pos]!;
    const size = (body[pos + 1]! << 16) | (body[pos + 2]! << 8) | body[pos + 3]!;
    const ts = ((body[pos + 7]! << 24) | (body[pos + 4]! << 16) | (body[pos + 5]! << 8) | body[pos + 6]!) >>> 0;
    const start = pos + SUB_HEADER_BYTES;
    if (start + size > body.length) return `aggregate message: a sub-message of ${size} bytes runs past its end`;
    offset ??= timestamp - ts;
    if (!sink(type, (ts + offset) >>> 0, body.subarray(start, start + size))) return 'stopped';
    pos = Math.min(body.length, start + size + BACK_POINTER_BYTES);
  }
  return '';
}
