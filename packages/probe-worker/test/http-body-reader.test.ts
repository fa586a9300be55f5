import { describe, expect, it } from 'vitest';
import { BodyReader, framingOf } from '../src/http/body-reader.js';
import type { ResponseHead } from '../src/http/response-head.js';

function head(fields: [string, string][]): ResponseHead {
  const headers = new Map<string, string[]>();
  for (const [n, v] of fields) headers.set(n, [...(headers.get(n) ?? []), v]);
  return { version: '1.1', status: 200, reason: 'OK', headers };
}

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function collect(r: BodyReader, parts: string[]) {
  let out = '';
  let last = '';
  for (const p of parts) {
    const b = enc(p);
    last = r.push(b, 0, b.length, (c, s, e) => {
      out += Buffer.from(c.subarray(s, e)).toString('latin1');
      return true;
    }).kind;
  }
  return { out, last };
}

describe('framingOf', () => {
  it('picks chunked over Content-Length, Content-Length over close', () => {
    expect(
      framingOf(
        head([
          ['transfer-encoding', 'chunked'],
          ['content-length', '5'],
        ]),
      ),
    ).toEqual({ kind: 'chunked' });
    expect(framingOf(head([['content-length', '42']]))).toEqual({ kind: 'length', length: 42 });
    expect(
      framingOf(
        head([
          ['content-length', '42'],
          ['content-length', '42'],
        ]),
      ),
    ).toEqual({ kind: 'length', length: 42 });
    expect(framingOf(head([]))).toEqual({ kind: 'close' });
    expect(framingOf(head([['transfer-encoding', 'identity']]))).toEqual({ kind: 'close' });
  });

  it('rejects what it cannot frame', () => {
    expect(framingOf(head([['content-length', '42, 43']])).kind).toBe('error');
    expect(framingOf(head([['content-length', '-1']])).kind).toBe('error');
    expect(framingOf(head([['content-length', 'abc']])).kind).toBe('error');
    expect(framingOf(head([['transfer-encoding', 'gzip, chunked']])).kind).toBe('error');
    expect(framingOf(head([['transfer-encoding', 'chunked, chunked']])).kind).toBe('error');
  });
});

describe('BodyReader', () => {
  it('delivers exactly Content-Length bytes and ignores what follows', () => {
    const r = new BodyReader({ kind: 'length', length: 7 });
    expect(collect(r, ['abc', 'defghij'])).toEqual({ out: 'abcdefg', last: 'done' });
    expect(r.onEof()).toEqual({ kind: 'done' });
  });

  it('is complete at once for Content-Length: 0', () => {
    expect(new BodyReader({ kind: 'length', length: 0 }).complete).toBe(true);
  });

  it('reports a Content-Length body cut short as truncated', () => {
    const r = new BodyReader({ kind: 'length', length: 10 });
    expect(collect(r, ['abcd']).last).toBe('more');
    const eof = r.onEof();
    expect(eof.kind).toBe('truncated');
    expect(eof.kind === 'truncated' && eof.message).toContain('4 of 10');
  });

  it('ends a close-delimited body at EOF', () => {
    const r = new BodyReader({ kind: 'close' });
    expect(collect(r, ['abc', 'def'])).toEqual({ out: 'abcdef', last: 'more' });
    expect(r.onEof()).toEqual({ kind: 'done' });
  });

  it('reports a chunked body without its last chunk as truncated', () => {
    const r = new BodyReader({ kind: 'chunked' });
    expect(collect(r, ['3\r\nabc\r\n'])).toEqual({ out: 'abc', last: 'more' });
    expect(r.onEof().kind).toBe('truncated');
  });
});
