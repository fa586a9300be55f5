/**
 * AMF0 encoding of the few command values an RTMP play client sends (AMF0 spec §2): numbers, strings,
 * booleans, null, anonymous objects and strict arrays of strings (Enhanced RTMP's `fourCcList`).
 * Decoding of the server's answers reuses the flv-parser's hostile-input AMF0 reader.
 */
const MARKER_NUMBER = 0x00;
const MARKER_BOOLEAN = 0x01;
const MARKER_STRING = 0x02;
const MARKER_OBJECT = 0x03;
const MARKER_NULL = 0x05;
const MARKER_STRICT_ARRAY = 0x0a;
const OBJECT_END = [0x00, 0x00, 0x09];

export type Amf0Out = number | string | boolean | null | Amf0Out[] | { [key: string]: Amf0Out };

const utf8 = new TextEncoder();

/** Encodes values one after another, as a command message body. */
export function encodeAmf0(...values: Amf0Out[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) writeValue(out, v);
  return Uint8Array.from(out);
}

function writeValue(out: number[], v: Amf0Out): void {
  if (v === null) {
    out.push(MARKER_NULL);
  } else if (typeof v === 'number') {
    out.push(MARKER_NUMBER);
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, v);
    for (let i = 0; i < 8; i++) out.push(b.getUint8(i));
  } else if (typeof v === 'boolean') {
    out.push(MARKER_BOOLEAN, v ? 1 : 0);
  } else if (typeof v === 'string') {
    out.push(MARKER_STRING);
    writeShortString(out, v);
  } else if (Array.isArray(v)) {
    out.push(
      MARKER_STRICT_ARRAY,
      (v.length >>> 24) & 0xff,
      (v.length >>> 16) & 0xff,
      (v.length >>> 8) & 0xff,
      v.length & 0xff,
    );
    for (const item of v) writeValue(out, item);
  } else {
    out.push(MARKER_OBJECT);
    for (const [key, value] of Object.entries(v)) {
      writeShortString(out, key);
      writeValue(out, value);
    }
    out.push(...OBJECT_END);
  }
}

function writeShortString(out: number[], s: string): void {
  const bytes = utf8.encode(s);
  if (bytes.length > 0xffff) throw new RangeError('AMF0 string longer than 65535 bytes');
  out.push(bytes.length >>> 8, bytes.length & 0xff, ...bytes);
}
