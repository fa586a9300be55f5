import { describe, expect, it } from 'vitest';
import { ChunkedDecoder, type ChunkedResult } from '../src/http/chunked.js';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** Feeds `wire` split at the given positions; returns the decoded text and the last result. */
function decode(wire: Uint8Array, splits: number[], stopAfter = Infinity) {
  const d = new ChunkedDecoder();
  let out = '';
  let calls = 0;
  let last: ChunkedResult = { kind: 'more' };
  const bounds = [0, ...splits, wire.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    // each slice lives in its own scratch buffer that is overwritten afterwards, like the read buffer
    const scratch = new Uint8Array(wire.slice(bounds[i]!, bounds[i + 1]!));
    last = d.push(scratch, 0, scratch.length, (c, s, e) => {
      out += Buffer.from(c.subarray(s, e)).toString('latin1');
      return ++calls < stopAfter;
    });
    scratch.fill(0x58);
    if (last.kind !== 'more') break;
  }
  return { out, last, done: d.done };
}

describe('ChunkedDecoder', () => {
  const wire = enc('5\r\nhello\r\n1;name=value\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n');
  const body = 'hello 0123456789';

  it('decodes a whole message in one push', () => {
    expect(decode(wire, [])).toEqual({ out: body, last: { kind: 'done' }, done: true });
  });

  it('decodes the same message split at every single position', () => {
    for (let at = 1; at < wire.length; at++) {
      const r = decode(wire, [at]);
      expect(r.out, `split at ${at}`).toBe(body);
      expect(r.last.kind, `split at ${at}`).toBe('done');
    }
  });

  it('decodes the message fed one byte at a time', () => {
    const splits = Array.from({ length: wire.length - 1 }, (_, i) => i + 1);
    expect(decode(wire, splits)).toEqual({ out: body, last: { kind: 'done' }, done: true });
  });

  it('accepts upper- and lower-case hex, leading zeros, and bare LF line ends', () => {
    const w = enc(`0000b\nhello world\n1F\r\n${'x'.repeat(31)}\r\n0\n\n`);
    expect(decode(w, []).out).toBe(`hello world${'x'.repeat(31)}`);
    expect(decode(w, []).last.kind).toBe('done');
  });

  it('is not done before the last chunk and its empty trailer line', () => {
    expect(decode(enc('5\r\nhello\r\n'), []).last.kind).toBe('more');
    expect(decode(enc('5\r\nhello\r\n0\r\n'), []).last.kind).toBe('more');
    expect(decode(enc('5\r\nhello\r\n0\r\n\r\n'), []).last.kind).toBe('done');
  });

  it('rejects a chunk-size that is not hex', () => {
    expect(decode(enc('zz\r\n'), []).last.kind).toBe('error');
    expect(decode(enc('\r\n'), []).last.kind).toBe('error');
    expect(decode(enc('5x\r\nhello\r\n'), []).last.kind).toBe('error');
  });

  it('rejects chunk-data that is longer than its size (no CRLF where one must be)', () => {
    const r = decode(enc('3\r\nhello\r\n0\r\n\r\n'), []);
    expect(r.out).toBe('hel');
    expect(r.last.kind).toBe('error');
  });

  it('rejects an absurd chunk-size instead of overflowing', () => {
    expect(decode(enc('1234567890abc\r\n'), []).last.kind).toBe('error');
  });

  it('stops when the sink says so', () => {
    const r = decode(wire, [], 1);
    expect(r.out).toBe('hello');
    expect(r.last.kind).toBe('stopped');
  });

  it('hands data on without copying: views of the pushed buffer', () => {
    const d = new ChunkedDecoder();
    const buf = enc('4\r\nabcd\r\n');
    let seen: Uint8Array | undefined;
    let range: [number, number] = [0, 0];
    d.push(buf, 0, buf.length, (c, s, e) => {
      seen = c;
      range = [s, e];
      return true;
    });
    expect(seen).toBe(buf);
    expect(range).toEqual([3, 7]);
  });

  it('honours start/end of the pushed slice', () => {
    const d = new ChunkedDecoder();
    const buf = enc('JUNK3\r\nabc\r\n0\r\n\r\nJUNK');
    let out = '';
    const r = d.push(buf, 4, buf.length - 4, (c, s, e) => {
      out += Buffer.from(c.subarray(s, e)).toString();
      return true;
    });
    expect(r.kind).toBe('done');
    expect(out).toBe('abc');
  });
});
