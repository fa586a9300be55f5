import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAmf0, interpretScriptData, metadataNumbers } from '../src/amf0.js';
import { indexFlvTags } from '../src/tag-index.js';
import type { AmfValue } from '../src/types.js';

// --- byte builders for the larger buffers (the small cases below are written out byte by byte) ---

const enc = new TextEncoder();
/** UTF-8 with a u16 length: an object key or the payload of a string value */
function u16str(s: string): number[] {
  const b = [...enc.encode(s)];
  return [b.length >> 8, b.length & 0xff, ...b];
}
function f64(n: number): number[] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, n);
  return [...new Uint8Array(dv.buffer)];
}
const num = (n: number): number[] => [0x00, ...f64(n)];
const str = (s: string): number[] => [0x02, ...u16str(s)];
const END = [0x00, 0x00, 0x09];
const bytes = (...parts: number[][]): Uint8Array => new Uint8Array(parts.flat());

function decodeOk(b: Uint8Array): AmfValue[] {
  const r = decodeAmf0(b);
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.values;
}

describe('decodeAmf0: value types', () => {
  it('number (float64 big endian)', () => {
    expect(decodeOk(new Uint8Array([0x00, 0x40, 0xae, 0, 0, 0, 0, 0, 0]))).toEqual([3840]);
    expect(decodeOk(new Uint8Array([0x00, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]))).toEqual([1.5]);
  });

  it('boolean: any non-zero byte is true', () => {
    expect(decodeOk(new Uint8Array([0x01, 0x00, 0x01, 0x01, 0x01, 0x7f]))).toEqual([false, true, true]);
  });

  it('string with u16 length, UTF-8', () => {
    expect(decodeOk(new Uint8Array([0x02, 0x00, 0x03, 0x61, 0x62, 0x63]))).toEqual(['abc']);
    // "é" is two bytes in UTF-8, "€" three
    expect(decodeOk(new Uint8Array([0x02, 0x00, 0x05, 0xc3, 0xa9, 0xe2, 0x82, 0xac]))).toEqual(['é€']);
    expect(decodeOk(new Uint8Array([0x02, 0x00, 0x00]))).toEqual(['']);
  });

  it('invalid UTF-8 becomes U+FFFD instead of failing', () => {
    expect(decodeOk(new Uint8Array([0x02, 0x00, 0x02, 0x61, 0xff]))).toEqual(['a\ufffd']);
  });

  it('null, undefined, unsupported', () => {
    expect(decodeOk(new Uint8Array([0x05, 0x06, 0x0d]))).toEqual([null, undefined, undefined]);
  });

  it('reference reads as undefined without an error, and is counted for the caller to report', () => {
    const r = decodeAmf0(new Uint8Array([0x07, 0x00, 0x01, 0x05]));
    expect(r).toEqual({ ok: true, values: [undefined, null], references: 1 });
  });

  it('object: key/value pairs until empty key + object-end', () => {
    const b = new Uint8Array([
      0x03,
      0x00,
      0x01,
      0x61,
      /* "a" */ 0x00,
      0x3f,
      0xf8,
      0,
      0,
      0,
      0,
      0,
      0, // 1.5
      0x00,
      0x01,
      0x62,
      /* "b" */ 0x02,
      0x00,
      0x01,
      0x78, // "x"
      0x00,
      0x00,
      0x09,
    ]);
    expect(decodeOk(b)).toEqual([{ a: 1.5, b: 'x' }]);
  });

  it('object: an empty key not followed by object-end is a property named ""', () => {
    expect(decodeOk(new Uint8Array([0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x09]))).toEqual([{ '': null }]);
  });

  it('ECMA array: the count is only a hint (0 here, 2 entries follow)', () => {
    const b = new Uint8Array([
      0x08,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x01,
      0x77,
      /* "w" */ 0x00,
      0x40,
      0xae,
      0,
      0,
      0,
      0,
      0,
      0, // 3840
      0x00,
      0x01,
      0x73,
      /* "s" */ 0x01,
      0x01, // true
      0x00,
      0x00,
      0x09,
    ]);
    expect(decodeOk(b)).toEqual([{ w: 3840, s: true }]);
  });

  it('ECMA array: a huge count hint allocates nothing', () => {
    const b = new Uint8Array([0x08, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x09]);
    expect(decodeOk(b)).toEqual([{}]);
  });

  it('nested ECMA arrays and objects', () => {
    const b = bytes(
      [0x08, 0, 0, 0, 1],
      u16str('outer'),
      [0x08, 0, 0, 0, 2],
      u16str('inner'),
      [0x03],
      u16str('deep'),
      str('yes'),
      END,
      u16str('n'),
      num(7),
      END,
      END,
    );
    expect(decodeOk(b)).toEqual([{ outer: { inner: { deep: 'yes' }, n: 7 } }]);
  });

  it('strict array: exactly count values', () => {
    const b = new Uint8Array([
      0x0a,
      0x00,
      0x00,
      0x00,
      0x03,
      0x00,
      0x3f,
      0xf8,
      0,
      0,
      0,
      0,
      0,
      0, // 1.5
      0x05, // null
      0x02,
      0x00,
      0x01,
      0x7a, // "z"
    ]);
    expect(decodeOk(b)).toEqual([[1.5, null, 'z']]);
    expect(decodeOk(new Uint8Array([0x0a, 0, 0, 0, 0]))).toEqual([[]]);
  });

  it('date: float64 ms + s16 time-zone', () => {
    const b = new Uint8Array([0x0b, 0x42, 0x78, 0xbc, 0xfe, 0x56, 0x80, 0x00, 0x00, 0xff, 0xc4]);
    expect(decodeOk(b)).toEqual([{ amfType: 'date', epochMs: 1_700_000_000_000, timezoneMinutes: -60 }]);
  });

  it('long string (u32 length)', () => {
    const text = 'L'.repeat(70000); // longer than a u16 length can say
    const b = bytes([0x0c, 0x00, 0x01, 0x11, 0x70], [...enc.encode(text)]);
    expect(decodeOk(b)).toEqual([text]);
  });

  it('XML document is a long string', () => {
    expect(decodeOk(new Uint8Array([0x0f, 0, 0, 0, 4, 0x3c, 0x61, 0x2f, 0x3e]))).toEqual(['<a/>']);
  });

  it('typed object: class name then properties (class name dropped)', () => {
    const b = new Uint8Array([
      0x10,
      0x00,
      0x03,
      0x46,
      0x6f,
      0x6f, // "Foo"
      0x00,
      0x01,
      0x78,
      /* "x" */ 0x00,
      0x3f,
      0xf8,
      0,
      0,
      0,
      0,
      0,
      0, // 1.5
      0x00,
      0x00,
      0x09,
    ]);
    expect(decodeOk(b)).toEqual([{ x: 1.5 }]);
  });

  it('decodes a sequence of values until the end, and nothing from an empty body', () => {
    expect(decodeOk(bytes(str('a'), num(2), [0x05]))).toEqual(['a', 2, null]);
    expect(decodeAmf0(new Uint8Array(0))).toEqual({ ok: true, values: [] });
  });
});

describe('decodeAmf0: damage', () => {
  it('names the value and its byte offset on a string overrun', () => {
    // number (9 bytes) + null + undefined + null = 12 bytes, then a string claiming 300 bytes with 20 present
    const b = bytes(num(1), [0x05, 0x06, 0x05], [0x02, 0x01, 0x2c], new Array<number>(20).fill(0x41));
    const r = decodeAmf0(b);
    expect(r).toEqual({
      ok: false,
      code: 'amf_error',
      message: 'AMF0 string at byte 12 runs past end (length 300, 20 left)',
      values: [1, null, undefined, null],
    });
  });

  it('unknown markers (MovieClip 4, RecordSet 14, AVM+ 17) are amf_error', () => {
    for (const marker of [0x04, 0x0e, 0x11, 0xff]) {
      const r = decodeAmf0(new Uint8Array([0x05, marker]));
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.code).toBe('amf_error');
      expect(r.message).toBe(`AMF0 unknown type marker ${marker} at byte 1`);
      expect(r.values).toEqual([null]);
    }
  });

  it('object-end outside an object is amf_error', () => {
    for (const b of [[0x09], [0x0a, 0, 0, 0, 1, 0x09]]) {
      const r = decodeAmf0(new Uint8Array(b));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/object-end marker at byte \d+ outside an object/);
    }
  });

  it('an object without its object-end is amf_error, keeping the complete entries', () => {
    const r = decodeAmf0(bytes(str('onMetaData'), [0x08, 0, 0, 0, 2], u16str('width'), num(640), u16str('height')));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('amf_error');
    expect(r.values).toEqual(['onMetaData', { width: 640 }]);
  });

  // A script body with every type, to cut at every length.
  const all = bytes(
    str('onMetaData'),
    [0x08, 0, 0, 0, 9],
    u16str('num'),
    num(29.97),
    u16str('bool'),
    [0x01, 0x01],
    u16str('str'),
    str('Lavf'),
    u16str('obj'),
    [0x03],
    u16str('k'),
    [0x05],
    END,
    u16str('undef'),
    [0x06],
    u16str('ref'),
    [0x07, 0x00, 0x00],
    u16str('ecma'),
    [0x08, 0, 0, 0, 1],
    u16str('k'),
    [0x0d],
    END,
    u16str('strict'),
    [0x0a, 0, 0, 0, 2],
    num(1),
    num(2),
    u16str('date'),
    [0x0b],
    f64(0),
    [0x00, 0x00],
    u16str('long'),
    [0x0c, 0, 0, 0, 2, 0x68, 0x69],
    u16str('xml'),
    [0x0f, 0, 0, 0, 0],
    u16str('typed'),
    [0x10],
    u16str('C'),
    u16str('p'),
    [0x05],
    END,
    END,
  );
  const nameLength = 13; // "onMetaData" as a string value: marker + u16 + 10 bytes

  it('the all-types buffer itself decodes', () => {
    expect(decodeOk(all)).toEqual([
      'onMetaData',
      {
        num: 29.97,
        bool: true,
        str: 'Lavf',
        obj: { k: null },
        undef: undefined,
        ref: undefined,
        ecma: { k: undefined },
        strict: [1, 2],
        date: { amfType: 'date', epochMs: 0, timezoneMinutes: 0 },
        long: 'hi',
        xml: '',
        typed: { p: null },
      },
    ]);
  });

  it('every truncation of a valid buffer is ok:false (except at value boundaries), never throws', () => {
    for (let len = 0; len < all.length; len++) {
      const r = decodeAmf0(all.subarray(0, len));
      if (len === 0 || len === nameLength) {
        // cut exactly between top-level values: what is there is whole
        expect(r.ok, `length ${len}`).toBe(true);
        expect(r.values).toHaveLength(len === 0 ? 0 : 1);
        continue;
      }
      expect(r.ok, `length ${len}`).toBe(false);
      if (r.ok) continue;
      expect(r.code).toBe('amf_error');
      expect(r.message).toMatch(/^AMF0 .* at byte \d+ (runs past end|claims \d+ items, only \d+ bytes left)/);
      if (len > nameLength) expect(r.values[0]).toBe('onMetaData');
    }
  });

  it('never throws on random bytes or on mutations of a valid buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const r = decodeAmf0(b);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const b = all.slice();
        b[at] = byte;
        const r = decodeAmf0(b);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('decodeAmf0: limits', () => {
  /** n objects each holding the next under key "a" */
  function nestedObjects(n: number): Uint8Array {
    const out: number[] = [0x03];
    for (let i = 1; i < n; i++) out.push(0x00, 0x01, 0x61, 0x03);
    out.push(0x00, 0x01, 0x61, 0x05); // innermost: { a: null }
    for (let i = 0; i < n; i++) out.push(...END);
    return new Uint8Array(out);
  }

  it('1000 nested objects -> amf_too_deep, no stack overflow', () => {
    const r = decodeAmf0(nestedObjects(1000));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('amf_too_deep');
      expect(r.message).toContain('deeper than 32');
    }
  });

  it('100000 nested strict arrays -> amf_too_deep', () => {
    const out: number[] = [];
    for (let i = 0; i < 100_000; i++) out.push(0x0a, 0, 0, 0, 1);
    out.push(0x05);
    const r = decodeAmf0(new Uint8Array(out));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('amf_too_deep');
  });

  it('maxDepth is the number of nested containers accepted', () => {
    expect(decodeAmf0(nestedObjects(32)).ok).toBe(true);
    expect(decodeAmf0(nestedObjects(33)).ok).toBe(false);
    expect(decodeAmf0(nestedObjects(3), { maxDepth: 3 }).ok).toBe(true);
    const r = decodeAmf0(nestedObjects(4), { maxDepth: 3 });
    expect(r.ok === false && r.code).toBe('amf_too_deep');
  });

  it('a strict array claiming 4 billion items fails at once without allocating', () => {
    const r = decodeAmf0(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x05, 0x05]));
    expect(r).toEqual({
      ok: false,
      code: 'amf_error',
      message: 'AMF0 strict array at byte 0 claims 4294967295 items, only 2 bytes left',
      values: [],
    });
  });

  it('maxItems caps the entries of one container', () => {
    const many = (n: number) =>
      bytes([0x0a, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff], new Array<number>(n).fill(0x05));
    expect(decodeAmf0(many(10_000)).ok).toBe(true);
    const r = decodeAmf0(many(10_001));
    expect(r.ok === false && r.message).toBe('AMF0 strict array at byte 0 has more than 10000 entries');
    expect(decodeAmf0(many(10_001), { maxItems: 20_000 }).ok).toBe(true);

    const props = (n: number) => {
      const out: number[] = [0x03];
      for (let i = 0; i < n; i++) out.push(...u16str(`k${i}`), 0x05);
      out.push(...END);
      return new Uint8Array(out);
    };
    expect(decodeAmf0(props(5), { maxItems: 5 }).ok).toBe(true);
    const p = decodeAmf0(props(6), { maxItems: 5 });
    expect(p.ok === false && p.message).toBe('AMF0 object at byte 0 has more than 5 entries');
  });
});

describe('decodeAmf0: hostile keys', () => {
  it('a "__proto__" key pollutes nothing', () => {
    const b = bytes(
      str('onMetaData'),
      [0x08, 0, 0, 0, 3],
      u16str('__proto__'),
      [0x03],
      u16str('polluted'),
      [0x01, 0x01],
      END,
      u16str('constructor'),
      str('data'),
      u16str('width'),
      num(640),
      END,
    );
    const values = decodeOk(b);
    const meta = values[1] as Record<string, AmfValue>;
    expect(Object.getPrototypeOf(meta)).toBeNull();
    expect((meta as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(meta)).toEqual(['constructor', 'width']);
    expect(meta.constructor).toBe('data'); // an ordinary data key
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // consumers copying the record into plain objects are safe as well
    const copy = Object.assign({}, meta) as { polluted?: unknown };
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy.polluted).toBeUndefined();
    expect(metadataNumbers(meta).width).toBe(640);
  });
});

describe('interpretScriptData', () => {
  it('unwraps @setDataFrame', () => {
    const values = decodeOk(bytes(str('@setDataFrame'), str('onMetaData'), [0x03], u16str('width'), num(1280), END));
    expect(interpretScriptData(values)).toEqual({ name: 'onMetaData', value: { width: 1280 } });
  });

  it('takes a plain name + value', () => {
    const values = decodeOk(bytes(str('onMetaData'), [0x08, 0, 0, 0, 0], END));
    expect(interpretScriptData(values)).toEqual({ name: 'onMetaData', value: {} });
    expect(interpretScriptData(['onCuePoint'])).toEqual({ name: 'onCuePoint', value: undefined });
  });

  it('is undefined when the first value is not a name', () => {
    expect(interpretScriptData([])).toBeUndefined();
    expect(interpretScriptData([1, 'onMetaData'])).toBeUndefined();
  });
});

describe('metadataNumbers', () => {
  it('reads numeric fields and ignores ones of the wrong type', () => {
    const values = decodeOk(
      bytes(
        str('onMetaData'),
        [0x08, 0, 0, 0, 0],
        u16str('width'),
        num(1280),
        u16str('height'),
        str('720'),
        u16str('framerate'),
        num(29.97),
        u16str('videodatarate'),
        num(2500),
        u16str('audiodatarate'),
        num(128),
        u16str('videocodecid'),
        num(7),
        u16str('audiocodecid'),
        str('mp4a'),
        u16str('audiosamplerate'),
        num(44100),
        u16str('duration'),
        num(Number.NaN),
        END,
      ),
    );
    expect(metadataNumbers(values[1])).toEqual({
      width: 1280,
      frameRate: 29.97,
      videoDataRate: 2500,
      audioDataRate: 128,
      videoCodecId: 7,
      audioCodecId: 'mp4a',
      audioSampleRate: 44100,
    });
  });

  it('turns a FourCC written as a number back into its string, and falls back to "fps"', () => {
    const values = decodeOk(
      bytes([0x03], u16str('videocodecid'), num(0x61763031), u16str('fps'), num(25), u16str('duration'), num(0), END),
    );
    expect(metadataNumbers(values[0])).toEqual({ videoCodecId: 'av01', frameRate: 25, duration: 0 });
  });

  it('gives nothing for values that are not records', () => {
    expect(metadataNumbers(undefined)).toEqual({});
    expect(metadataNumbers([1, 2])).toEqual({});
    expect(metadataNumbers('onMetaData')).toEqual({});
    expect(metadataNumbers({ amfType: 'date', epochMs: 0, timezoneMinutes: 0 })).toEqual({});
  });
});

describe('corpus onMetaData', () => {
  function metadataOf(name: string) {
    const file = new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/corpus/${name}`, import.meta.url)));
    const tag = indexFlvTags(file).tags.find((t) => t.tagType === 18);
    if (!tag) throw new Error(`${name}: no script tag`);
    const r = decodeAmf0(file.subarray(tag.offset + 11, tag.offset + 11 + tag.dataSize));
    expect(r.ok).toBe(true);
    const script = interpretScriptData(r.values);
    expect(script?.name).toBe('onMetaData');
    return metadataNumbers(script!.value);
  }

  it('avc_aac.flv: 3840x2160, 60 fps, H.264 + AAC, 1.088 s', () => {
    expect(metadataOf('avc_aac.flv')).toMatchObject({
      width: 3840,
      height: 2160,
      frameRate: 60,
      videoCodecId: 7,
      audioCodecId: 10,
      duration: 1.088,
    });
  });

  it('hevc_aac.flv: Enhanced FLV writes videocodecid as the hvc1 FourCC number', () => {
    expect(metadataOf('hevc_aac.flv')).toMatchObject({
      width: 3840,
      height: 2160,
      frameRate: 60,
      videoCodecId: 'hvc1',
      duration: 2.038,
    });
  });

  it('av1_aac.flv: live recording, framerate 144, duration 0', () => {
    expect(metadataOf('av1_aac.flv')).toMatchObject({ width: 2560, height: 1440, frameRate: 144, duration: 0 });
  });
});
