import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  av1LevelName,
  parseAv1CodecConfigurationRecord,
  parseAv1SequenceHeaderObu,
  readAv1CodecConfigurationRecord,
} from '../src/codecs/av1.js';
import { indexFlvTags } from '../src/tag-index.js';
import type { ConfigResult, VideoConfig } from '../src/types.js';
import { BitWriter } from './support/bit-writer.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function ok<T>(r: ConfigResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.config;
}

// ---------------------------------------------------------------- test bitstream builders

interface SeqSpec {
  profile: number;
  still?: boolean;
  reduced?: boolean;
  timing?: { tick: number; scale: number; ticksPerPicture?: number; ticksPerPictureMinus1Raw?: number };
  /** decoder_model_info() present when set (needs timing) */
  bufferDelayLengthMinus1?: number;
  initialDisplayDelay?: boolean;
  ops?: Array<{ idc: number; level: number; tier?: number; decoderModel?: boolean; displayDelayMinus1?: number }>;
  width: number;
  height: number;
  frameIds?: boolean;
  orderHint?: boolean;
  screenContent?: 'select' | 0 | 1;
  integerMv?: 'select' | 0 | 1;
  highBitdepth?: boolean;
  twelveBit?: boolean;
  mono?: boolean;
  colour?: [number, number, number];
  colorRange?: boolean;
  subsampling?: [boolean, boolean];
  csp?: number;
  filmGrain?: boolean;
}

/** sequence_header_obu() (AV1 5.5) from the elements a test names. */
function buildSequenceHeader(s: SeqSpec): Uint8Array {
  const w = new BitWriter();
  w.u(3, s.profile)
    .flag(s.still ?? false)
    .flag(s.reduced ?? false);
  const ops = s.ops ?? [{ idc: 0, level: 8 }];
  if (s.reduced) {
    w.u(5, ops[0]!.level);
  } else {
    w.flag(!!s.timing);
    const model = s.bufferDelayLengthMinus1 !== undefined;
    if (s.timing) {
      const equal = s.timing.ticksPerPicture !== undefined || s.timing.ticksPerPictureMinus1Raw !== undefined;
      w.u(32, s.timing.tick).u(32, s.timing.scale).flag(equal);
      if (equal) w.uvlc(s.timing.ticksPerPictureMinus1Raw ?? s.timing.ticksPerPicture! - 1);
      w.flag(model);
      if (model) w.u(5, s.bufferDelayLengthMinus1!).u(32, 1).u(5, 31).u(5, 31);
    }
    w.flag(s.initialDisplayDelay ?? false);
    w.u(5, ops.length - 1);
    for (const op of ops) {
      w.u(12, op.idc).u(5, op.level);
      if (op.level > 7) w.u(1, op.tier ?? 0);
      if (model) {
        w.flag(op.decoderModel ?? false);
        if (op.decoderModel)
          w.u(s.bufferDelayLengthMinus1! + 1, 300)
            .u(s.bufferDelayLengthMinus1! + 1, 200)
            .flag(0);
      }
      if (s.initialDisplayDelay) {
        w.flag(op.displayDelayMinus1 !== undefined);
        if (op.displayDelayMinus1 !== undefined) w.u(4, op.displayDelayMinus1);
      }
    }
  }
  const wb = Math.max(1, Math.ceil(Math.log2(s.width)));
  const hb = Math.max(1, Math.ceil(Math.log2(s.height)));
  w.u(4, wb - 1)
    .u(4, hb - 1)
    .u(wb, s.width - 1)
    .u(hb, s.height - 1);
  if (!s.reduced) {
    w.flag(s.frameIds ?? false);
    if (s.frameIds) w.u(4, 13).u(3, 2);
  }
  w.flag(1).flag(1).flag(1); // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
  if (!s.reduced) {
    w.flag(1).flag(1).flag(0).flag(1); // interintra, masked, warped, dual filter
    const orderHint = s.orderHint ?? true;
    w.flag(orderHint);
    if (orderHint) w.flag(1).flag(1); // jnt_comp, ref_frame_mvs
    const sc = s.screenContent ?? 'select';
    w.flag(sc === 'select');
    if (sc !== 'select') w.u(1, sc);
    if (sc !== 0) {
      const im = s.integerMv ?? 'select';
      w.flag(im === 'select');
      if (im !== 'select') w.u(1, im);
    }
    if (orderHint) w.u(3, 6);
  }
  w.flag(0).flag(1).flag(1); // enable_superres, enable_cdef, enable_restoration
  w.flag(s.highBitdepth ?? false);
  if (s.profile === 2 && s.highBitdepth) w.flag(s.twelveBit ?? false);
  if (s.profile !== 1) w.flag(s.mono ?? false);
  w.flag(!!s.colour);
  if (s.colour) w.u(8, s.colour[0]).u(8, s.colour[1]).u(8, s.colour[2]);
  const [cp, tc, mc] = s.colour ?? [2, 2, 2];
  if (s.mono) {
    w.flag(s.colorRange ?? false);
  } else if (cp === 1 && tc === 13 && mc === 0) {
    w.flag(0); // separate_uv_delta_q
  } else {
    w.flag(s.colorRange ?? false);
    let [sx, sy] = s.profile === 0 ? [true, true] : s.profile === 1 ? [false, false] : [true, false];
    if (s.profile === 2 && s.twelveBit) {
      [sx, sy] = s.subsampling ?? [true, true];
      w.flag(sx);
      if (sx) w.flag(sy);
    }
    if (sx && sy) w.u(2, s.csp ?? 0);
    w.flag(1); // separate_uv_delta_q
  }
  w.flag(s.filmGrain ?? false);
  return w.trailing().bytes();
}

/** An OBU with obu_has_size_field set (and optionally an extension header). */
function obu(type: number, payload: Uint8Array, opts: { extension?: boolean; sized?: boolean } = {}): Uint8Array {
  const sized = opts.sized ?? true;
  const header = (type << 3) | (opts.extension ? 0x04 : 0) | (sized ? 0x02 : 0);
  const size: number[] = [];
  if (sized) {
    let n = payload.length;
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      size.push(b);
    } while (n);
  }
  return Uint8Array.from([header, ...(opts.extension ? [0x28] : []), ...size, ...payload]);
}

/** av1C fixed part for a Main 4:2:0 8-bit stream at the given level, then the config OBUs. */
function av1c(configObus: Uint8Array[], b1 = 0x08, b2 = 0x0c): Uint8Array {
  return Uint8Array.from([0x81, b1, b2, 0x00, ...configObus.flatMap((o) => [...o])]);
}

// ---------------------------------------------------------------- real encoder output

/**
 * av1C payloads written by ffmpeg 5.1 (Debian) into MP4, one frame of testsrc2 each:
 *   ffmpeg -f lavfi -i testsrc2=size=WxH:rate=R -frames:v 1 -pix_fmt PIX -c:v libaom-av1 -cpu-used 8 [-aom-params ...]
 * -f mp4
 *   ffmpeg ... -c:v libsvtav1 -preset 12 ...
 * Expected values are what ffprobe reports (profile name, level index, pix_fmt, size).
 */
const ENCODED: Array<[string, string, Partial<VideoConfig>]> = [
  // libaom 352x288 yuv420p: ffprobe Main, level 0, 352x288
  [
    'libaom 4:2:0',
    '81000c000a0b00000004457e3e6d7c8020',
    { profile: 'Main', level: '2.0', levelIdc: 0, width: 352, height: 288, bitDepthLuma: 8, chromaFormat: '4:2:0' },
  ],
  // libaom 640x360 yuv420p10le: ffprobe Main, level 1
  [
    'libaom 10-bit',
    '81014c000a0b0000000cc4ff6736be5010',
    {
      profile: 'Main',
      level: '2.1',
      width: 640,
      height: 360,
      bitDepthLuma: 10,
      bitDepthChroma: 10,
      chromaFormat: '4:2:0',
    },
  ],
  // libaom 176x144 yuv444p: ffprobe High
  [
    'libaom 4:4:4',
    '812000000a0a20000003bd7c79b5f204',
    { profile: 'High', profileIdc: 1, width: 176, height: 144, bitDepthLuma: 8, chromaFormat: '4:4:4' },
  ],
  // libaom 176x144 yuv422p12le: ffprobe Professional
  [
    'libaom 4:2:2 12-bit',
    '814068000a0b40000003bd7c79b5f2c440',
    { profile: 'Professional', profileIdc: 2, bitDepthLuma: 12, chromaFormat: '4:2:2' },
  ],
  // libaom 160x120 gray: ffprobe Main, gray
  [
    'libaom monochrome',
    '81001c000a0a00000003b4ff736be4a8',
    { profile: 'Main', width: 160, height: 120, chromaFormat: '4:0:0' },
  ],
  // libaom 320x240 50 fps, -aom-params timing-info=constant: equal_picture_interval, 1 / 50
  [
    'libaom timing-info=constant',
    '81000c000a140400000004000000cb400000bc3cffbcdaf90040',
    { width: 320, height: 240, frameRate: 50 },
  ],
  // libaom 320x240 30 fps, -aom-params timing-info=model: decoder model info + per-op parameters
  [
    'libaom timing-info=model',
    '81000c000a1e040000000400000079780000000a530000035f915f90bc3cffbcdaf90040',
    { width: 320, height: 240, frameRate: 30 },
  ],
  // SVT-AV1 1.4 1280x720 60 fps: ffprobe Main, level 8 (no timing info written)
  [
    'SVT-AV1 720p',
    '81080c000a0b00000042a67fd9e017c002',
    { profile: 'Main', level: '4.0', levelIdc: 8, tier: 'Main', width: 1280, height: 720 },
  ],
  // SVT-AV1 1920x1080 yuv420p10le: ffprobe Main, level 8
  [
    'SVT-AV1 1080p 10-bit',
    '81084c000a0b00000042abbfc3700be101',
    { level: '4.0', width: 1920, height: 1080, bitDepthLuma: 10 },
  ],
];

describe('parseAv1CodecConfigurationRecord: encoder output (expected values from ffprobe)', () => {
  it.each(ENCODED)('%s', (_name, record, expected) => {
    const c = ok(parseAv1CodecConfigurationRecord(hex(record)));
    expect(c.codec).toBe('AV1');
    expect(c).toMatchObject(expected);
  });

  it('no frame rate without timing_info', () => {
    expect(ok(parseAv1CodecConfigurationRecord(hex(ENCODED[0]![1]))).frameRate).toBeUndefined();
  });

  it('reads the fixed record fields', () => {
    expect(ok(readAv1CodecConfigurationRecord(hex('814068000a0b40000003bd7c79b5f2c440')))).toMatchObject({
      seqProfile: 2,
      seqLevelIdx0: 0,
      seqTier0: 0,
      highBitdepth: true,
      twelveBit: true,
      monochrome: false,
      chromaSubsamplingX: true,
      chromaSubsamplingY: false,
      chromaSamplePosition: 0,
    });
  });
});

// ---------------------------------------------------------------- corpus

describe('corpus: av1_aac.flv (Enhanced FLV av01)', () => {
  const file = new Uint8Array(readFileSync(new URL('../../../tests/fixtures/corpus/av1_aac.flv', import.meta.url)));
  const tag = indexFlvTags(file).tags.find((t) => t.tagType === 9 && t.sequenceHeader)!;
  const body = file.subarray(tag.offset + 11, tag.offset + 11 + tag.dataSize);

  it('is an ExHeader SequenceStart for av01', () => {
    expect(body[0]! >> 7).toBe(1);
    expect(body[0]! & 0x0f).toBe(0);
    expect(String.fromCharCode(...body.subarray(1, 5))).toBe('av01');
  });

  it('parses to the 2560x1440 maximum frame size (README), Main, level 5.1', () => {
    const c = ok(parseAv1CodecConfigurationRecord(body.subarray(5)));
    // 2560x1440 at the stream's 144 fps is 530 841 600 samples/s: beyond level 5.0's MaxDisplayRate
    // (267 386 880), within 5.1's (534 773 760).
    expect(c).toMatchObject({
      codec: 'AV1',
      profile: 'Main',
      level: '5.1',
      levelIdc: 13,
      tier: 'Main',
      width: 2560,
      height: 1440,
      chromaFormat: '4:2:0',
      bitDepthLuma: 8,
    });
    expect(c.frameRate).toBeUndefined(); // no timing_info in this sequence header
  });
});

// ---------------------------------------------------------------- sequence header bit paths

/**
 * Built with buildSequenceHeader() and checked with ffmpeg's AV1 reader, which agrees on every element:
 *   printf '\x12\x00' > t.obu; (sequence header OBU) >> t.obu
 *   ffmpeg -f obu -i t.obu -c copy -bsf:v trace_headers -f null -
 * timing_info 1001 / 60000 with 2 ticks per picture, decoder model info (10-bit buffer delays), initial
 * display delays, three operating points (the first at level 5.1 High tier with decoder model
 * parameters), frame id numbers, forced screen content tools without integer MV choice, BT.2020 / PQ
 * colour, full range, chroma_sample_position 2, film grain.
 */
const OPS_SPEC: SeqSpec = {
  profile: 0,
  timing: { tick: 1001, scale: 60000, ticksPerPicture: 2 },
  bufferDelayLengthMinus1: 9,
  initialDisplayDelay: true,
  ops: [
    { idc: 0x103, level: 13, tier: 1, decoderModel: true, displayDelayMinus1: 3 },
    { idc: 0x101, level: 9, tier: 0 },
    { idc: 0x100, level: 5, displayDelayMinus1: 9 },
  ],
  width: 3840,
  height: 2160,
  frameIds: true,
  screenContent: 1,
  integerMv: 0,
  colour: [9, 16, 9],
  colorRange: true,
  csp: 2,
  filmGrain: true,
};
const OPS_SEQ = hex('0400000fa40003a982a900000001ffe21036e961909880a4080159bbeff86feafbd332122013b8');

describe('parseAv1SequenceHeaderObu', () => {
  it('the builder reproduces the ffmpeg-checked header byte for byte', () => {
    expect(buildSequenceHeader(OPS_SPEC)).toEqual(OPS_SEQ);
  });

  it('timing, decoder model, operating points, frame ids and colour config', () => {
    const seq = ok(parseAv1SequenceHeaderObu(OPS_SEQ));
    expect(seq).toMatchObject({
      seqProfile: 0,
      stillPicture: false,
      reducedStillPictureHeader: false,
      timingInfo: { numUnitsInDisplayTick: 1001, timeScale: 60000, equalPictureInterval: true, numTicksPerPicture: 2 },
      decoderModelInfoPresent: true,
      operatingPoints: [
        { operatingPointIdc: 0x103, seqLevelIdx: 13, seqTier: 1 },
        { operatingPointIdc: 0x101, seqLevelIdx: 9, seqTier: 0 },
        { operatingPointIdc: 0x100, seqLevelIdx: 5, seqTier: 0 },
      ],
      maxFrameWidth: 3840,
      maxFrameHeight: 2160,
      frameIdNumbersPresent: true,
      colorConfig: {
        bitDepth: 8,
        monoChrome: false,
        colorPrimaries: 9,
        transferCharacteristics: 16,
        matrixCoefficients: 9,
        colorRange: true,
        subsamplingX: true,
        subsamplingY: true,
        chromaSamplePosition: 2,
      },
      filmGrainParamsPresent: true,
    });
  });

  it('in a record: operating point 0 gives level and tier, 2 ticks per picture halve the tick rate', () => {
    const c = ok(parseAv1CodecConfigurationRecord(av1c([obu(1, OPS_SEQ)])));
    expect(c).toMatchObject({ level: '5.1', tier: 'High', width: 3840, height: 2160 });
    expect(c.frameRate).toBeCloseTo(60000 / 1001 / 2, 9);
  });

  it('reduced still picture header, sRGB (implicit 4:4:4 full range), High profile', () => {
    // checked with ffmpeg trace_headers as above
    const seq = buildSequenceHeader({
      profile: 1,
      still: true,
      reduced: true,
      ops: [{ idc: 0, level: 12 }],
      width: 4000,
      height: 3000,
      colour: [1, 13, 0],
    });
    expect(seq).toEqual(hex('3b2efe7eedfb40434008'));
    expect(ok(parseAv1SequenceHeaderObu(seq))).toMatchObject({
      stillPicture: true,
      reducedStillPictureHeader: true,
      operatingPoints: [{ seqLevelIdx: 12, seqTier: 0 }],
      maxFrameWidth: 4000,
      maxFrameHeight: 3000,
      colorConfig: { bitDepth: 8, colorRange: true, subsamplingX: false, subsamplingY: false },
    });
    expect(ok(parseAv1CodecConfigurationRecord(av1c([obu(1, seq)])))).toMatchObject({
      profile: 'High',
      level: '5.0',
      chromaFormat: '4:4:4',
    });
  });

  it('Professional 12-bit 4:4:4 without order hint or screen content tools', () => {
    // checked with ffmpeg trace_headers as above
    const seq = buildSequenceHeader({
      profile: 2,
      highBitdepth: true,
      twelveBit: true,
      subsampling: [false, false],
      width: 1024,
      height: 768,
      orderHint: false,
      screenContent: 0,
    });
    expect(seq).toEqual(hex('4000004267ffbfdf43c280'));
    expect(ok(parseAv1CodecConfigurationRecord(av1c([obu(1, seq)])))).toMatchObject({
      profile: 'Professional',
      bitDepthLuma: 12,
      chromaFormat: '4:4:4',
      width: 1024,
      height: 768,
    });
  });

  it('Professional 12-bit 4:2:0 reads subsampling_y and chroma_sample_position', () => {
    const seq = buildSequenceHeader({
      profile: 2,
      highBitdepth: true,
      twelveBit: true,
      subsampling: [true, true],
      csp: 1,
      width: 64,
      height: 64,
      filmGrain: true,
    });
    expect(ok(parseAv1SequenceHeaderObu(seq))).toMatchObject({
      colorConfig: { bitDepth: 12, subsamplingX: true, subsamplingY: true, chromaSamplePosition: 1 },
      filmGrainParamsPresent: true,
    });
  });

  it('Professional 10-bit is 4:2:2 without coding the subsampling', () => {
    const seq = buildSequenceHeader({ profile: 2, highBitdepth: true, width: 64, height: 64, filmGrain: true });
    const parsed = ok(parseAv1SequenceHeaderObu(seq));
    expect(parsed.colorConfig).toMatchObject({ bitDepth: 10, subsamplingX: true, subsamplingY: false });
    expect(parsed.filmGrainParamsPresent).toBe(true);
  });

  it('10-bit monochrome', () => {
    // checked with ffmpeg trace_headers as above
    const seq = buildSequenceHeader({
      profile: 0,
      highBitdepth: true,
      mono: true,
      colorRange: true,
      width: 640,
      height: 480,
    });
    expect(seq).toEqual(hex('00000042627fefbeff3d40'));
    expect(ok(parseAv1CodecConfigurationRecord(av1c([obu(1, seq)])))).toMatchObject({
      chromaFormat: '4:0:0',
      bitDepthLuma: 10,
      width: 640,
      height: 480,
    });
  });

  it('timing without equal_picture_interval: the display tick rate', () => {
    const seq = buildSequenceHeader({ profile: 0, timing: { tick: 1, scale: 144 }, width: 2560, height: 1440 });
    expect(ok(parseAv1CodecConfigurationRecord(av1c([obu(1, seq)]))).frameRate).toBe(144);
  });

  it('a zero tick or time scale gives no frame rate', () => {
    const seq = buildSequenceHeader({ profile: 0, timing: { tick: 0, scale: 30 }, width: 64, height: 64 });
    expect(ok(parseAv1CodecConfigurationRecord(av1c([obu(1, seq)]))).frameRate).toBeUndefined();
  });

  it('num_ticks_per_picture_minus_1 = 2^32 - 1 is bad_sps', () => {
    const seq = buildSequenceHeader({
      profile: 0,
      timing: { tick: 1, scale: 30, ticksPerPictureMinus1Raw: 2 ** 32 - 1 },
      width: 64,
      height: 64,
    });
    expect(parseAv1SequenceHeaderObu(seq)).toMatchObject({ ok: false, code: 'bad_sps' });
  });

  it('reserved seq_profile is bad_sps', () => {
    const seq = buildSequenceHeader({ profile: 0, width: 64, height: 64 });
    seq[0] = (seq[0]! & 0x1f) | (3 << 5);
    expect(parseAv1SequenceHeaderObu(seq)).toMatchObject({
      ok: false,
      code: 'bad_sps',
      message: expect.stringMatching(/seq_profile 3/),
    });
  });

  it('every truncation of a sequence header is data, never an exception', () => {
    for (let n = 0; n < OPS_SEQ.length - 1; n++) {
      expect(parseAv1SequenceHeaderObu(OPS_SEQ.subarray(0, n))).toMatchObject({ ok: false, code: 'bad_sps' });
    }
  });
});

// ---------------------------------------------------------------- OBU walking and hostile records

describe('parseAv1CodecConfigurationRecord: config OBUs and hostile records', () => {
  const seq = buildSequenceHeader({ profile: 0, width: 1920, height: 1080 });

  it('empty configOBUs: the record summary is reported', () => {
    // seq_profile 2, seq_level_idx_0 13; seq_tier_0 0, high_bitdepth 1, twelve_bit 0, 4:2:0
    const c = ok(parseAv1CodecConfigurationRecord(hex('81 4d 4c 00')));
    expect(c).toMatchObject({
      codec: 'AV1',
      profile: 'Professional',
      profileIdc: 2,
      levelIdc: 13,
      level: '5.1',
      tier: 'Main',
      bitDepthLuma: 10,
      chromaFormat: '4:2:0',
    });
    expect(c.width).toBeUndefined();
    // seq_tier_0 1, high_bitdepth 1, twelve_bit 1, 4:4:4
    expect(ok(parseAv1CodecConfigurationRecord(hex('81 4d e0 00')))).toMatchObject({
      tier: 'High',
      bitDepthLuma: 12,
      chromaFormat: '4:4:4',
    });
    // monochrome 10-bit
    expect(ok(parseAv1CodecConfigurationRecord(hex('81 08 5c 00')))).toMatchObject({
      bitDepthLuma: 10,
      chromaFormat: '4:0:0',
    });
  });

  it('skips a metadata OBU before the sequence header', () => {
    const metadata = obu(5, hex('01 02 03 04 05'));
    const c = ok(parseAv1CodecConfigurationRecord(av1c([metadata, obu(1, seq)])));
    expect([c.width, c.height]).toEqual([1920, 1080]);
  });

  it('reads an OBU extension header and a last OBU without obu_size', () => {
    const c = ok(
      parseAv1CodecConfigurationRecord(av1c([obu(5, hex('0102'), { extension: true }), obu(1, seq, { sized: false })])),
    );
    expect(c.width).toBe(1920);
  });

  it('a multi-byte leb128 obu_size', () => {
    const big = obu(5, new Uint8Array(300)); // size 300 = ac 02
    expect(big.subarray(1, 3)).toEqual(hex('ac02'));
    expect(ok(parseAv1CodecConfigurationRecord(av1c([big, obu(1, seq)]))).height).toBe(1080);
  });

  it('configOBUs without a sequence header fall back to the record', () => {
    const c = ok(parseAv1CodecConfigurationRecord(av1c([obu(5, hex('00'))])));
    expect(c).toMatchObject({ level: '4.0', chromaFormat: '4:2:0' });
    expect(c.width).toBeUndefined();
  });

  it('a broken sequence header is bad_sps', () => {
    expect(parseAv1CodecConfigurationRecord(av1c([obu(1, seq.subarray(0, 3))]))).toMatchObject({
      ok: false,
      code: 'bad_sps',
    });
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['empty', new Uint8Array(0), /0 bytes/],
    ['3 bytes', hex('81000c'), /3 bytes/],
    ['marker bit 0 (a bare OBU)', Uint8Array.from([...obu(1, seq)]), /marker/],
    ['version 2', hex('82000c00'), /version 2/],
    ['obu_forbidden_bit', av1c([Uint8Array.from([0x8a, 0x00])]), /forbidden/],
    ['obu_size past the end', av1c([Uint8Array.from([0x0a, 0x7f, 0x00])]), /runs past the end/],
    ['obu_size of 8 leb128 bytes past the end', av1c([hex('0a ffffffffffffff7f')]), /runs past the end/],
    ['unterminated leb128', av1c([hex('0a ffff')]), /obu_size runs past the end/],
    ['extension header cut off', av1c([hex('0e')]), /runs past the end/],
  ])('%s -> bad_video_config', (_name, record, message) => {
    const r = parseAv1CodecConfigurationRecord(record);
    expect(r).toMatchObject({ ok: false, code: 'bad_video_config' });
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('every truncation of the corpus record is data: only the bare 4-byte record parses', () => {
    const record = hex('810d0c000a0f0000006aea7fecf804332020202080'); // av1_aac.flv SequenceStart body
    for (let n = 0; n < record.length; n++) {
      const r = parseAv1CodecConfigurationRecord(record.subarray(0, n));
      if (n === 4) expect(r.ok).toBe(true);
      else expect(r.ok).toBe(false);
    }
  });
});

describe('av1LevelName', () => {
  it.each([
    [0, '2.0'],
    [1, '2.1'],
    [8, '4.0'],
    [13, '5.1'],
    [19, '6.3'],
    [23, '7.3'],
  ])('%i -> %s', (idx, name) => {
    expect(av1LevelName(idx)).toBe(name);
  });
  it('31 (no level constraint) and reserved values have no name', () => {
    expect(av1LevelName(31)).toBeUndefined();
    expect(av1LevelName(24)).toBeUndefined();
  });
});
