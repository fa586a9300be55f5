/** Hostile FLV containers: tags claiming 16 MB, zero-size tags, timestamps that jump or run backwards. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlvDemuxer } from '../../src/demuxer.js';
import type { FlvEvent } from '../../src/types.js';
import { tag } from '../support/flv-builder.js';
import { AVC_KEY, hostileCases, realSixteenMegabyteTag, validTail } from './cases.js';
import { casesOf, checkCase, expectTail, parse } from './run.js';

const all = hostileCases();

describe('hostile containers: exact anomaly codes, no throw, the valid tail still read', () => {
  it.each(casesOf(all, 'container'))('%s', (_name, c) => {
    checkCase(c);
  });
});

describe('oversized tags', () => {
  const lie = all.find((c) => c.name.startsWith('tag claiming a 16 MB body'))!;

  it('the claim is reported at the tag, which then resyncs onto the real next tag header', () => {
    const p = checkCase(lie);
    const anomaly = p.events.find((e) => e.type === 'anomaly')!;
    expect(anomaly).toMatchObject({ code: 'oversized_tag', offset: 13, fatal: false });
    // nothing between the lying tag and the tail is taken for a tag, and no PreviousTagSize mismatch
    expect(p.events.filter((e) => e.type !== 'anomaly' && e.type !== 'header' && e.offset < lie.tailOffset)).toEqual(
      [],
    );
  });

  it('resync gives the same events however the bytes are split, down to one byte at a time', () => {
    const whole = JSON.stringify(parse(lie.bytes, lie.bytes.length).events);
    for (const size of [1, 2, 7, 14, 15, 16, 29])
      expect(JSON.stringify(parse(lie.bytes, size).events), `chunks of ${size}`).toBe(whole);
  });

  it('a real 16 MB body is skipped without being buffered, and the tag after it is read', () => {
    const c = realSixteenMegabyteTag();
    const p = checkCase(c, 1 << 20);
    expect(p.maxRetained).toBeLessThan(64); // no record was held: only the fixed buffers
  });

  it(
    'no false resync inside a real oversized body of random' + ' bytes, even with a fake header of the wrong distance',
    () => {
      const maxTagBytes = 2000;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: maxTagBytes + 1, maxLength: 6000 }), fc.nat(), (body, at) => {
          const b = body.slice();
          // plant a plausible header whose PreviousTagSize is off by one from its real distance
          const p = 16 + (at % (b.length - 32));
          const wrongDistance = 11 + p + 1;
          b.set(
            [
              wrongDistance >>> 24,
              (wrongDistance >> 16) & 0xff,
              (wrongDistance >> 8) & 0xff,
              wrongDistance & 0xff,
              9,
              0,
              0,
              13,
              0,
              0,
              0,
              0,
              0,
              0,
              0,
            ],
            p,
          );
          const bytes = Uint8Array.from([
            0x46,
            0x4c,
            0x56,
            1,
            5,
            0,
            0,
            0,
            9,
            0,
            0,
            0,
            0,
            ...tag(9, 0, b),
            ...validTail(0),
          ]);
          const events: FlvEvent[] = [];
          const d = new FlvDemuxer((e) => events.push(e), { maxTagBytes });
          d.push(bytes);
          d.end();
          // Random bytes can hold a real match (a 2^-60 chance per position): only then may the codes differ.
          const codes = events.flatMap((e) => (e.type === 'anomaly' ? [e.code] : []));
          expect(codes).toEqual(['oversized_tag']);
          expectTail(events, {
            group: 'container',
            name: '',
            codes: [],
            bytes,
            tailOffset: bytes.length - validTail(0).length,
            t0: 0,
          });
        }),
        { numRuns: 200 },
      );
    },
  );

  it('a second oversized claim found by the resync is itself resynced', () => {
    // two lying tags back to back, each really 13 bytes (an IDR frame), then the tail
    const liar = (ts: number) => [0x09, 0xff, 0xff, 0xff, 0, 0, ts, 0, 0, 0, 0, ...AVC_KEY, 0, 0, 0, 24];
    const bytes = Uint8Array.from([
      0x46,
      0x4c,
      0x56,
      1,
      5,
      0,
      0,
      0,
      9,
      0,
      0,
      0,
      0,
      ...liar(0),
      ...liar(0),
      ...validTail(0),
    ]);
    const p = parse(bytes, 5);
    expect(p.codes).toEqual(['oversized_tag', 'oversized_tag']);
    expectTail(p.events, { group: 'container', name: '', codes: [], bytes, tailOffset: 13 + 2 * 28, t0: 0 });
  });
});

describe('zero-size tags', () => {
  it('a zero-size tag is reported with its type and offset and has no body to skip', () => {
    const c = all.find((x) => x.name === 'zero-size script tag')!;
    const p = checkCase(c);
    expect(p.events.find((e) => e.type === 'anomaly')).toMatchObject({
      code: 'zero_size_tag',
      offset: 13,
      message: 'tag type 18 with DataSize 0',
    });
  });
});

describe('timestamps', () => {
  it.each(casesOf(all, 'timestamps'))('%s: counted as one discontinuity', (_name, c) => {
    const p = checkCase(c);
    expect(p.summary.timestamps.discontinuities).toBe(1);
  });

  it('the anomaly names the track and both timestamps', () => {
    const c = all.find((x) => x.name === 'video DTS jumps forward by one hour')!;
    const p = parse(c.bytes);
    expect(p.events.find((e) => e.type === 'anomaly')).toMatchObject({
      message: 'video DTS jumped from 40 to 3600040 ms',
    });
  });
});
