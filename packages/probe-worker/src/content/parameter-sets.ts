/**
 * Codec configuration records (FLV sequence headers) turned into what a raw decoder input needs in front
 * of a keyframe: H.264 / H.265 parameter sets as Annex-B NAL units, AV1 configOBUs as they are.
 * Pure; a record too short for what it claims yields what was read whole so far.
 */

const START_CODE = new Uint8Array([0, 0, 0, 1]);

/** The config of one video codec: bytes to put before each keyframe and the NAL length size. */
export interface VideoCodecSetup {
  /** Annex-B parameter sets (H.264 / H.265) or configOBUs (AV1); empty when the record carries none */
  prefix: Uint8Array;
  /** NAL unit length field size, H.264 / H.265 only */
  nalLengthSize: number;
}

const AVCC_LENGTH_SIZE_AT = 4;
const AVCC_SPS_COUNT_AT = 5;
const HVCC_LENGTH_SIZE_AT = 21;
const HVCC_ARRAYS_AT = 22;
const AV1C_HEADER_BYTES = 4;

export function videoCodecSetup(codec: string, record: Uint8Array): VideoCodecSetup | null {
  switch (codec) {
    case 'H.264':
      return avcSetup(record);
    case 'H.265':
      return hevcSetup(record);
    case 'AV1':
      return { prefix: record.subarray(Math.min(AV1C_HEADER_BYTES, record.length)), nalLengthSize: 0 };
    case 'VP9':
      return { prefix: new Uint8Array(0), nalLengthSize: 0 };
    default:
      return null;
  }
}

/** AVCDecoderConfigurationRecord: SPS and PPS arrays with 16-bit lengths. */
function avcSetup(r: Uint8Array): VideoCodecSetup | null {
  if (r.length <= AVCC_SPS_COUNT_AT) return null;
  const nals: Uint8Array[] = [];
  let pos = AVCC_SPS_COUNT_AT;
  for (const countMask of [0x1f, 0xff]) {
    if (pos >= r.length) break;
    const count = r[pos++]! & countMask;
    pos = readNalArray(r, pos, count, nals);
  }
  return { prefix: joinAnnexB(nals), nalLengthSize: (r[AVCC_LENGTH_SIZE_AT]! & 0x03) + 1 };
}

/** HEVCDecoderConfigurationRecord: typed arrays of VPS / SPS / PPS / SEI NAL units. */
function hevcSetup(r: Uint8Array): VideoCodecSetup | null {
  if (r.length <= HVCC_ARRAYS_AT) return null;
  const nals: Uint8Array[] = [];
  const arrays = r[HVCC_ARRAYS_AT]!;
  let pos = HVCC_ARRAYS_AT + 1;
  for (let a = 0; a < arrays && pos + 3 <= r.length; a++) {
    const count = (r[pos + 1]! << 8) | r[pos + 2]!;
    pos = readNalArray(r, pos + 3, count, nals);
  }
  return { prefix: joinAnnexB(nals), nalLengthSize: (r[HVCC_LENGTH_SIZE_AT]! & 0x03) + 1 };
}

function readNalArray(r: Uint8Array, pos: number, count: number, out: Uint8Array[]): number {
  for (let i = 0; i < count && pos + 2 <= r.length; i++) {
    const len = (r[pos]! << 8) | r[pos + 1]!;
    if (pos + 2 + len > r.length) return r.length;
    out.push(r.subarray(pos + 2, pos + 2 + len));
    pos += 2 + len;
  }
  return pos;
}

function joinAnnexB(nals: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nals.reduce((n, nal) => n + START_CODE.length + nal.length, 0));
  let pos = 0;
  for (const nal of nals) {
    out.set(START_CODE, pos);
    out.set(nal, pos + START_CODE.length);
    pos += START_CODE.length + nal.length;
  }
  return out;
}

/**
 * Length-prefixed NAL units (AVCC / HVCC sample format) as Annex-B, behind `prefix`. A length that runs
 * past the payload ends the conversion there: the decoder gets the whole units before it.
 */
export function toAnnexB(payload: Uint8Array, lengthSize: number, prefix: Uint8Array): Uint8Array {
  const nals: Uint8Array[] = [];
  let pos = 0;
  while (pos + lengthSize <= payload.length) {
    let len = 0;
    for (let i = 0; i < lengthSize; i++) len = len * 256 + payload[pos + i]!;
    pos += lengthSize;
    if (len === 0) continue;
    if (pos + len > payload.length) break;
    nals.push(payload.subarray(pos, pos + len));
    pos += len;
  }
  const body = joinAnnexB(nals);
  if (prefix.length === 0) return body;
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}
