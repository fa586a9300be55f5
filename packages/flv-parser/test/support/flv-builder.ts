/** Builds FLV byte streams for tests: literal bytes wrapped with correct sizes. */
export function flvHeader(flags = 0x05): number[] {
  // "FLV", version 1, TypeFlags, DataOffset 9, PreviousTagSize0 = 0
  return [0x46, 0x4c, 0x56, 0x01, flags, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00];
}

export function tag(tagType: number, timestamp: number, body: number[] | Uint8Array, streamId = 0): number[] {
  const size = body.length;
  const out = [
    tagType,
    (size >> 16) & 0xff,
    (size >> 8) & 0xff,
    size & 0xff,
    (timestamp >> 16) & 0xff,
    (timestamp >> 8) & 0xff,
    timestamp & 0xff,
    (timestamp >>> 24) & 0xff,
    (streamId >> 16) & 0xff,
    (streamId >> 8) & 0xff,
    streamId & 0xff,
    ...body,
  ];
  const prev = 11 + size;
  out.push((prev >>> 24) & 0xff, (prev >> 16) & 0xff, (prev >> 8) & 0xff, prev & 0xff);
  return out;
}

export function flv(...tags: number[][]): Uint8Array {
  return Uint8Array.from([...flvHeader(), ...tags.flat()]);
}

/** A legacy AVC/HEVC video body: frame type, codec id, AVCPacketType 1, composition time, NAL units. */
export function nalFrame(frameType: number, codecId: number, cts: number, nals: number[][]): number[] {
  const body = [(frameType << 4) | codecId, 0x01, (cts >> 16) & 0xff, (cts >> 8) & 0xff, cts & 0xff];
  for (const nal of nals)
    body.push(
      (nal.length >>> 24) & 0xff,
      (nal.length >> 16) & 0xff,
      (nal.length >> 8) & 0xff,
      nal.length & 0xff,
      ...nal,
    );
  return body;
}

/** AAC raw frame with a legacy header (AAC, 44 kHz, 16-bit, stereo). */
export function aacFrame(payload: number[] = [0x21, 0x00]): number[] {
  return [0xaf, 0x01, ...payload];
}

export function amfString(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [0x02, (bytes.length >> 8) & 0xff, bytes.length & 0xff, ...bytes];
}

export function amfKey(s: string): number[] {
  return amfString(s).slice(1);
}

export function amfNumber(n: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, n);
  return [0x00, ...b];
}

/** Collects the events of one parse. */
export function fourcc(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}
