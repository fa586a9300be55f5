/**
 * AMF0 decoding for FLV script data (Action Message Format AMF0, Adobe 2006; FLV spec E.4.4 SCRIPTDATA).
 *
 * A script tag body is a sequence of AMF0 values, normally the name string "onMetaData" followed by an
 * ECMA array. The bytes come from the stream, so this decoder treats them as hostile: it never throws on
 * damage, never allocates by a count it has not seen bytes for, caps nesting depth (recursion) and the
 * entries of one container, and builds objects without a prototype.
 */
import type { AmfDate, AmfValue } from './types.js';

// AMF0 type markers (AMF0 spec 2.1). 4 MovieClip, 14 RecordSet and 17 AVM+ switch are not handled:
// Flash-only types no FLV muxer writes into onMetaData, reported as an unknown marker.
const MARKER_NUMBER = 0x00;
const MARKER_BOOLEAN = 0x01;
const MARKER_STRING = 0x02;
const MARKER_OBJECT = 0x03;
const MARKER_NULL = 0x05;
const MARKER_UNDEFINED = 0x06;
const MARKER_REFERENCE = 0x07;
const MARKER_ECMA_ARRAY = 0x08;
const MARKER_OBJECT_END = 0x09;
const MARKER_STRICT_ARRAY = 0x0a;
const MARKER_DATE = 0x0b;
const MARKER_LONG_STRING = 0x0c;
const MARKER_UNSUPPORTED = 0x0d;
const MARKER_XML_DOCUMENT = 0x0f;
const MARKER_TYPED_OBJECT = 0x10;

// Non-fatal decoder: invalid UTF-8 in a metadata string becomes U+FFFD rather than an error.
const utf8 = new TextDecoder('utf-8');

export interface Amf0Options {
  /** deepest container nesting accepted (objects, ECMA arrays, strict arrays); default 32 */
  maxDepth?: number;
  /** most entries accepted in one container; default 10000 */
  maxItems?: number;
}

/**
 * `references`, present only when non-zero: how many reference markers (0x07) were read. They are valid
 * AMF0 but no onMetaData writer uses them, and they are how AMF0 data turns recursive (an object that
 * refers to itself or to its container), so they are not resolved and the caller reports them.
 */
export type Amf0Result =
  | { ok: true; values: AmfValue[]; references?: number }
  | { ok: false; code: 'amf_error' | 'amf_too_deep'; message: string; values: AmfValue[]; references?: number };

type AmfRecord = { [key: string]: AmfValue };

/** Internal: unwinds the recursion on damage; never escapes decodeAmf0. */
class AmfFailure {
  constructor(
    readonly code: 'amf_error' | 'amf_too_deep',
    readonly message: string,
  ) {}
}

class Amf0Reader {
  pos = 0;
  /** the outermost container being filled, so damage inside it can still hand back its complete entries */
  openRoot: AmfValue = undefined;
  /** reference markers read (each one reads as undefined) */
  references = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly maxItems: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get left(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number, what: string, start: number): void {
    if (n > this.left) {
      throw new AmfFailure(
        'amf_error',
        `AMF0 ${what} at byte ${start} runs past end (needs ${n} bytes, ${this.left} left)`,
      );
    }
  }

  private u8(what: string, start: number): number {
    this.need(1, what, start);
    return this.bytes[this.pos++]!;
  }

  private u16(what: string, start: number): number {
    this.need(2, what, start);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  private s16(what: string, start: number): number {
    this.need(2, what, start);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  private u32(what: string, start: number): number {
    this.need(4, what, start);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  private f64(what: string, start: number): number {
    this.need(8, what, start);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** UTF-8 payload of `length` bytes; the length was read by the caller (u16 or u32 prefix). */
  private utf8Bytes(length: number, what: string, start: number): string {
    if (length > this.left) {
      throw new AmfFailure(
        'amf_error',
        `AMF0 ${what} at byte ${start} runs past end (length ${length}, ${this.left} left)`,
      );
    }
    const s = utf8.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return s;
  }

  /** UTF-8 (AMF0 1.3.1): u16 length + bytes. Used for string values and for object keys. */
  private shortString(what: string, start = this.pos): string {
    return this.utf8Bytes(this.u16(what, start), what, start);
  }

  /** UTF-8-long: u32 length + bytes. */
  private longString(what: string, start = this.pos): string {
    return this.utf8Bytes(this.u32(what, start), what, start);
  }

  private enter(depth: number, what: string, start: number): void {
    if (depth > this.maxDepth) {
      throw new AmfFailure('amf_too_deep', `AMF0 ${what} at byte ${start} nests deeper than ${this.maxDepth} levels`);
    }
  }

  private countEntry(count: number, what: string, start: number): void {
    if (count > this.maxItems) {
      throw new AmfFailure('amf_error', `AMF0 ${what} at byte ${start} has more than ${this.maxItems} entries`);
    }
  }

  /** Reads one value-type (marker + payload). `depth` = number of containers around it. */
  value(depth: number): AmfValue {
    const start = this.pos;
    const marker = this.u8('value marker', start);
    switch (marker) {
      case MARKER_NUMBER:
        return this.f64('number', start);
      case MARKER_BOOLEAN:
        return this.u8('boolean', start) !== 0;
      case MARKER_STRING:
        return this.shortString('string', start);
      case MARKER_OBJECT:
        return this.properties(depth + 1, 'object', start);
      case MARKER_NULL:
        return null;
      case MARKER_UNDEFINED:
      case MARKER_UNSUPPORTED:
        return undefined;
      case MARKER_REFERENCE:
        // u16 index into the objects read so far: no onMetaData writer uses it, and resolving it would
        // let hostile data build shared or cyclic graphs (or a "billion laughs" of references to
        // references), so it reads as undefined and is counted for the caller to report.
        this.u16('reference', start);
        this.references++;
        return undefined;
      case MARKER_ECMA_ARRAY:
        // associative-count (u32) is a hint some muxers leave at 0: the object-end marker ends the array.
        this.u32('ECMA array count', start);
        return this.properties(depth + 1, 'ECMA array', start);
      case MARKER_STRICT_ARRAY:
        return this.strictArray(depth + 1, start);
      case MARKER_DATE: {
        const epochMs = this.f64('date', start);
        // time-zone (S16) is reserved and should be 0; kept as written
        const timezoneMinutes = this.s16('date time-zone', start);
        const date: AmfDate = { amfType: 'date', epochMs, timezoneMinutes };
        return date;
      }
      case MARKER_LONG_STRING:
        return this.longString('long string', start);
      case MARKER_XML_DOCUMENT:
        return this.longString('XML document', start);
      case MARKER_TYPED_OBJECT: {
        // class-name then the object's properties; AmfValue has no place for the class name, it is dropped
        this.shortString('typed object class name');
        return this.properties(depth + 1, 'typed object', start);
      }
      case MARKER_OBJECT_END:
        throw new AmfFailure('amf_error', `AMF0 object-end marker at byte ${start} outside an object`);
      default:
        throw new AmfFailure('amf_error', `AMF0 unknown type marker ${marker} at byte ${start}`);
    }
  }

  /** object-property* then object-end (UTF-8-empty + 0x09): the body of objects, ECMA arrays, typed objects. */
  private properties(depth: number, what: string, start: number): AmfRecord {
    this.enter(depth, what, start);
    // No prototype: a "__proto__" or "constructor" key is then just data and cannot reach Object.prototype.
    const record = Object.create(null) as AmfRecord;
    if (depth === 1) this.openRoot = record;
    let count = 0;
    for (;;) {
      const keyStart = this.pos;
      const key = this.shortString(`${what} key`);
      if (key === '') {
        // UTF-8-empty followed by object-end-marker closes the container. An empty key followed by any
        // other marker is an (odd but decodable) property named "".
        this.need(1, `${what} end`, keyStart);
        if (this.bytes[this.pos] === MARKER_OBJECT_END) {
          this.pos++;
          return record;
        }
      }
      this.countEntry(++count, what, start);
      const v = this.value(depth);
      // Belt and braces for consumers that copy records with Object.assign or `obj[key] = ...` into plain
      // objects: a "__proto__" key would set their prototype there. No muxer writes it, so it is dropped.
      if (key !== '__proto__') record[key] = v;
    }
  }

  /** strict-array-count (u32) then exactly that many values. */
  private strictArray(depth: number, start: number): AmfValue[] {
    this.enter(depth, 'strict array', start);
    const count = this.u32('strict array count', start);
    // Every value takes at least one byte, so a count beyond the bytes left is damage; checking first
    // also means a claim of 4 billion items costs nothing.
    if (count > this.left) {
      throw new AmfFailure(
        'amf_error',
        `AMF0 strict array at byte ${start} claims ${count} items, only ${this.left} bytes left`,
      );
    }
    this.countEntry(count, 'strict array', start);
    const items: AmfValue[] = [];
    if (depth === 1) this.openRoot = items;
    for (let i = 0; i < count; i++) items.push(this.value(depth));
    return items;
  }
}

/**
 * Decodes the AMF0 values of a script tag body until the end of `bytes`.
 * Never throws on damage: returns ok:false with a code, a message naming the byte offset, and the values
 * decoded before the damage — the complete top-level values, then (when the damage is inside a top-level
 * container) that container with the entries it completed.
 * Records (objects, ECMA arrays, typed objects) have a null prototype: use Object.hasOwn / `in`, not
 * `record.hasOwnProperty`.
 */
export function decodeAmf0(bytes: Uint8Array, options: Amf0Options = {}): Amf0Result {
  const maxDepth = options.maxDepth ?? 32;
  const maxItems = options.maxItems ?? 10000;
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new RangeError(`maxDepth must be a non-negative integer`);
  if (!Number.isInteger(maxItems) || maxItems < 0) throw new RangeError(`maxItems must be a non-negative integer`);
  const reader = new Amf0Reader(bytes, maxDepth, maxItems);
  const values: AmfValue[] = [];
  try {
    while (reader.left > 0) {
      reader.openRoot = undefined;
      values.push(reader.value(0));
    }
    return reader.references > 0 ? { ok: true, values, references: reader.references } : { ok: true, values };
  } catch (err) {
    if (!(err instanceof AmfFailure)) throw err; // a bug here, not stream damage
    if (reader.openRoot !== undefined) values.push(reader.openRoot);
    const failure = { ok: false as const, code: err.code, message: err.message, values };
    return reader.references > 0 ? { ...failure, references: reader.references } : failure;
  }
}

function isRecord(v: AmfValue): v is AmfRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Partial<AmfDate>).amfType !== 'date';
}

/**
 * Names the script data: ["onMetaData", {...}] and the RTMP publish form
 * ["@setDataFrame", "onMetaData", {...}] both give { name: "onMetaData", value: {...} }.
 * Undefined when the first value is not a string (not a named script message).
 */
export function interpretScriptData(values: AmfValue[]): { name: string; value: AmfValue } | undefined {
  const first = values[0];
  if (typeof first !== 'string') return undefined;
  const second = values[1];
  if (first === '@setDataFrame' && typeof second === 'string') return { name: second, value: values[2] };
  return { name: first, value: second };
}

/** The onMetaData fields a probe uses, when present with the right type. All optional: encoders differ. */
export interface StreamMetadata {
  width?: number;
  height?: number;
  /** frames per second ("framerate", or "fps" as some encoders write it) */
  frameRate?: number;
  /** kbit/s as the encoder claims */
  videoDataRate?: number;
  audioDataRate?: number;
  /** legacy CodecID as a number (7 = H.264), or an Enhanced RTMP FourCC as a string ("hvc1") */
  videoCodecId?: number | string;
  audioCodecId?: number | string;
  /** Hz (some encoders write the legacy SoundRate index instead; reported as written) */
  audioSampleRate?: number;
  /** seconds; 0 for live streams */
  duration?: number;
}

function finiteNumber(v: AmfValue): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Codec ids: legacy FLV ids are small numbers; Enhanced RTMP writes the FourCC either as a string or as
 * its big-endian u32 value (e.g. 0x68766331 for "hvc1"), which is turned back into the FourCC string.
 */
function codecId(v: AmfValue): number | string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  const n = finiteNumber(v);
  if (n === undefined) return undefined;
  if (Number.isInteger(n) && n > 0xff && n <= 0xffffffff) {
    const chars = [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    if (chars.every((c) => c >= 0x20 && c <= 0x7e)) return String.fromCharCode(...chars);
  }
  return n;
}

/** Pulls the common onMetaData fields out of the metadata object; fields missing or of the wrong type are left out. */
export function metadataNumbers(value: AmfValue): StreamMetadata {
  const out: StreamMetadata = {};
  if (!isRecord(value)) return out;
  const get = (key: string): AmfValue => (Object.hasOwn(value, key) ? value[key] : undefined);
  const set = <K extends keyof StreamMetadata>(key: K, v: StreamMetadata[K] | undefined): void => {
    if (v !== undefined) out[key] = v;
  };
  set('width', finiteNumber(get('width')));
  set('height', finiteNumber(get('height')));
  set('frameRate', finiteNumber(get('framerate')) ?? finiteNumber(get('fps')));
  set('videoDataRate', finiteNumber(get('videodatarate')));
  set('audioDataRate', finiteNumber(get('audiodatarate')));
  set('videoCodecId', codecId(get('videocodecid')));
  set('audioCodecId', codecId(get('audiocodecid')));
  set('audioSampleRate', finiteNumber(get('audiosamplerate')));
  set('duration', finiteNumber(get('duration')));
  return out;
}
