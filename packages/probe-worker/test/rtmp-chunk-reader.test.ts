import { describe, expect, it } from 'vitest';
import { ChunkReader, DEFAULT_MAX_CHUNK_STREAMS, DEFAULT_MAX_PENDING_BYTES } from '../src/rtmp/chunk-reader.js';
import { encodeMessage } from '../src/rtmp/chunk-writer.js';

type Got = Array<[type: number, streamId: number, timestamp: number, body: string]>;

function readAll(
  bytes: Uint8Array,
  splits: number[] = [],
  reader = new ChunkReader(),
): { got: Got; result: string; reader: ChunkReader } {
  const got: Got = [];
  let result = 'more';
  let start = 0;
  for (const end of [...splits, bytes.length]) {
    result = reader.push(bytes, start, end, (type, sid, ts, body) => {
      got.push([type, sid, ts, Buffer.from(body).toString('hex')]);
      return true;
    });
    start = end;
    if (result !== 'more') break;
  }
  return { got, result, reader };
}

const body = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

/** Hand-built chunks of all four header types on chunk stream 4 (RTMP spec §5.3.2 example 2 style). */
function allHeaderTypes(): Buffer {
  const b1 = body(300, 1); // spans 3 chunks of 128
  const b2 = body(20, 2);
  const b3 = body(20, 3);
  const b4 = body(20, 4);
  const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
  return Buffer.concat([
    // fmt 0: ts 1000, len 300, type 9, stream 1
    hex('04 0003e8 00012c 09 01000000'),
    b1.subarray(0, 128),
    hex('c4'),
    b1.subarray(128, 256),
    hex('c4'),
    b1.subarray(256),
    // fmt 1: delta 40, len 20, type 8
    hex('44 000028 000014 08'),
    b2,
    // fmt 2: delta 33
    hex('84 000021'),
    b3,
    // fmt 3 starting a new message: the same delta again
    hex('c4'),
    b4,
  ]);
}

describe('ChunkReader', () => {
  it('reads all four header types with timestamp deltas, however the bytes are split', () => {
    const bytes = allHeaderTypes();
    const whole = readAll(bytes).got;
    expect(whole.map(([t, s, ts]) => [t, s, ts])).toEqual([
      [9, 1, 1000],
      [8, 1, 1040],
      [8, 1, 1073],
      [8, 1, 1106],
    ]);
    expect(whole[0]![3]).toBe(Buffer.from(body(300, 1)).toString('hex'));
    for (let cut = 1; cut < bytes.length; cut += 7) expect(readAll(bytes, [cut]).got).toEqual(whole);
    expect(
      readAll(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ).got,
    ).toEqual(whole);
  });

  it('reads extended timestamps, on the type-3 continuation chunks too', () => {
    const big = body(400, 5);
    const bytes = Buffer.concat([
      encodeMessage(6, 9, 1, big, 0x12345678),
      encodeMessage(6, 9, 1, body(10, 6), 0xffffff),
    ]);
    const { got, result } = readAll(bytes, [13, 200]);
    expect(result).toBe('more');
    expect(got.map(([, , ts, b]) => [ts, b.length / 2])).toEqual([
      [0x12345678, 400],
      [0xffffff, 10],
    ]);
  });

  it('interleaves messages of two chunk streams', () => {
    const a = encodeMessage(4, 8, 1, body(200, 7), 10);
    const v = encodeMessage(6, 9, 1, body(200, 8), 20);
    // audio chunk 1, video chunk 1, audio chunk 2, video chunk 2
    const bytes = Buffer.concat([a.subarray(0, 140), v.subarray(0, 140), a.subarray(140), v.subarray(140)]);
    expect(readAll(bytes).got.map(([t, , ts]) => [t, ts])).toEqual([
      [8, 10],
      [9, 20],
    ]);
  });

  it('applies Set Chunk Size and rejects 0 and values past 2^31-1', () => {
    const r = new ChunkReader();
    expect(r.setChunkSize(4096)).toBe(true);
    const { got } = readAll(encodeMessage(6, 9, 1, body(3000, 9), 0, 4096), [], r);
    expect(got).toHaveLength(1);
    expect(new ChunkReader().setChunkSize(0)).toBe(false);
    const huge = new ChunkReader();
    expect(huge.setChunkSize(2 ** 31)).toBe(false);
    expect(huge.error).toContain('2147483648');
  });

  it('caps chunk stream ids and the bytes held for messages being reassembled', () => {
    const parts: Buffer[] = [];
    for (let csid = 3; csid < 3 + 2 * DEFAULT_MAX_CHUNK_STREAMS; csid++) {
      // each announces 1 MB and sends its first 128 bytes
      parts.push(encodeMessage(Math.min(csid, 63), 9, 1, new Uint8Array(1 << 20)).subarray(0, 12 + 128));
      if (csid >= 63) break;
    }
    const { result, reader } = readAll(Buffer.concat(parts));
    expect(result).toBe('error');
    expect(reader.error).toMatch(/would hold more than \d+ bytes/);
    expect(reader.retainedBytes).toBeLessThanOrEqual(DEFAULT_MAX_PENDING_BYTES);
  });

  it('a message longer than the cap is an error at its header, before any allocation', () => {
    const reader = new ChunkReader({ maxMessageBytes: 1000 });
    const { result } = readAll(encodeMessage(6, 9, 1, body(1001, 1)).subarray(0, 12), [], reader);
    expect(result).toBe('error');
    expect(reader.error).toContain('1001 bytes');
    expect(reader.retainedBytes).toBe(0);
  });

  it('a type-1/2/3 header on an unknown chunk stream, or a new header inside a message, is an error', () => {
    expect(readAll(Buffer.from('45000028000014080000', 'hex')).reader.error).toContain('begins with a type-1');
    const half = encodeMessage(6, 9, 1, body(300, 1)).subarray(0, 12 + 128);
    const again = encodeMessage(6, 9, 1, body(10, 1));
    expect(readAll(Buffer.concat([half, again])).reader.error).toContain('inside a message');
  });

  it('streams multi-chunk media without reassembly; messages arriving meanwhile follow it, in order', () => {
    const v = encodeMessage(6, 9, 1, body(300, 8), 20); // 3 chunks
    const a1 = encodeMessage(4, 8, 1, body(50, 7), 10); // 1 chunk each
    const a2 = encodeMessage(4, 8, 1, body(60, 9), 30);
    const bytes = Buffer.concat([v.subarray(0, 140), a1, v.subarray(140, 269), a2, v.subarray(269)]);
    const events: string[] = [];
    let streamed = '';
    const reader = new ChunkReader();
    const sink = (type: number, _sid: number, ts: number) => {
      events.push(`message ${type}@${ts}`);
      return true;
    };
    const streaming = {
      types: new Set([8, 9]),
      begin: (type: number, _sid: number, ts: number, length: number) => {
        events.push(`begin ${type}@${ts} ${length}`);
        return true;
      },
      data: (piece: Uint8Array) => {
        streamed += Buffer.from(piece).toString('hex');
        return true;
      },
    };
    // split anywhere: the outcome is the same
    for (const cut of [1, 13, 139, 140, 200, bytes.length - 1]) {
      events.length = 0;
      streamed = '';
      const r = new ChunkReader();
      expect(r.push(bytes, 0, cut, sink, streaming)).toBe('more');
      expect(r.push(bytes, cut, bytes.length, sink, streaming)).toBe('more');
      expect(events).toEqual(['begin 9@20 300', 'message 8@10', 'message 8@30']);
      expect(streamed).toBe(Buffer.from(body(300, 8)).toString('hex'));
    }
    expect(reader.retainedBytes).toBe(0);
  });
});
