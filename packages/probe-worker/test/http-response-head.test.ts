import { describe, expect, it } from 'vitest';
import { type HeadParseResult, headerValue, ResponseHeadParser } from '../src/http/response-head.js';

// Buffers, like the socket's read buffer (Buffer#slice is a view, Uint8Array#slice a copy)
const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('ResponseHeadParser', () => {
  const head =
    'HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-Fold: one\r\n ' +
    ' two\r\n\r\n';
  const wire = enc(`${head}FLV\x01`);

  it('parses status line and fields and points at the first body byte', () => {
    const r = new ResponseHeadParser().push(wire);
    expect(r.kind).toBe('done');
    if (r.kind !== 'done') return;
    expect(r.head.status).toBe(200);
    expect(r.head.version).toBe('1.1');
    expect(r.head.reason).toBe('OK');
    expect(headerValue(r.head, 'content-type')).toBe('video/x-flv');
    expect(r.head.headers.get('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(headerValue(r.head, 'x-fold')).toBe('one two');
    expect(r.bodyStart).toBe(head.length);
  });

  it('gives the same head for a split at every position, with bodyStart inside the last slice', () => {
    for (let at = 1; at < wire.length; at++) {
      const p = new ResponseHeadParser();
      // the first slice is overwritten after the push, as the shared read buffer would be
      const first = Buffer.from(wire.subarray(0, at));
      let r: HeadParseResult = p.push(first);
      first.fill(0);
      // bodyStart indexes the slice that completed the head: `first` or `wire` pushed from `at`
      if (r.kind === 'more') r = p.push(wire, at);
      expect(r.kind, `split at ${at}`).toBe('done');
      if (r.kind !== 'done') return;
      expect(r.bodyStart, `split at ${at}`).toBe(head.length);
      expect(headerValue(r.head, 'content-type')).toBe('video/x-flv');
    }
  });

  it('accepts bare LF line ends and a status line without reason phrase', () => {
    const r = new ResponseHeadParser().push(enc('HTTP/1.0 404\nServer: x\n\nbody'));
    expect(r.kind).toBe('done');
    if (r.kind !== 'done') return;
    expect(r.head.status).toBe(404);
    expect(r.head.reason).toBe('');
    expect(r.head.version).toBe('1.0');
    expect(r.bodyStart).toBe('HTTP/1.0 404\nServer: x\n\n'.length);
  });

  it('rejects a peer that does not speak HTTP at the first wrong byte', () => {
    expect(new ResponseHeadParser().push(enc('F')).kind).toBe('error');
    expect(new ResponseHeadParser().push(enc('HTTX')).kind).toBe('error');
    expect(new ResponseHeadParser().push(enc('HTTP')).kind).toBe('more');
  });

  it('rejects a malformed status line', () => {
    expect(new ResponseHeadParser().push(enc('HTTP/1.1 2000 OK\r\n\r\n')).kind).toBe('error');
    expect(new ResponseHeadParser().push(enc('HTTP/x 200 OK\r\n\r\n')).kind).toBe('error');
  });

  it('caps the head size', () => {
    const big = `HTTP/1.1 200 OK\r\n${`X-Big: ${'a'.repeat(200)}\r\n`.repeat(100)}`;
    const p = new ResponseHeadParser(16 * 1024);
    let r: HeadParseResult = { kind: 'more' };
    for (let i = 0; i < big.length && r.kind === 'more'; i += 1000) r = p.push(enc(big.slice(i, i + 1000)));
    expect(r.kind).toBe('error');
    expect(p.bytes).toBeLessThanOrEqual(16 * 1024);
    // a head exactly at the cap is fine
    const exact = 'HTTP/1.1 200 OK\r\nX: ';
    const fill = 'b'.repeat(16 * 1024 - exact.length - 4);
    expect(new ResponseHeadParser(16 * 1024).push(enc(`${exact + fill}\r\n\r\n`)).kind).toBe('done');
    expect(new ResponseHeadParser(16 * 1024).push(enc(`${exact + fill}b\r\n\r\n`)).kind).toBe('error');
  });
});
