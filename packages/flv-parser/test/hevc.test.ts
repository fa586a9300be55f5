import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseH265Sps } from '../src/codecs/h265-sps.js';
import {
  hevcLevelName,
  parseHevcDecoderConfigurationRecord,
  readHevcDecoderConfigurationRecord,
} from '../src/codecs/hevc.js';
import { indexFlvTags } from '../src/tag-index.js';
import type { ConfigResult, VideoConfig } from '../src/types.js';
import { addEmulationPrevention, BitWriter } from './support/bit-writer.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function ok<T>(r: ConfigResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.config;
}

// ---------------------------------------------------------------- test bitstream builders

type Rps =
  /** explicit: [delta_poc_sX_minus1, used_by_curr_pic_sX_flag] */
  | { neg: Array<[number, boolean]>; pos: Array<[number, boolean]> }
  /** inter-predicted: [used_by_curr_pic_flag, use_delta_flag (only coded when not used)] per entry */
  | { sign: boolean; absMinus1: number; flags: Array<[boolean, boolean?]> };

interface SpsSpec {
  maxSubLayersMinus1?: number;
  subLayers?: Array<{ profile: boolean; level: boolean }>;
  profileIdc?: number;
  tier?: boolean;
  compat?: number;
  levelIdc?: number;
  chromaFormatIdc?: number;
  separateColourPlane?: boolean;
  width: number;
  height: number;
  confWin?: [number, number, number, number];
  bitDepthLumaMinus8?: number;
  bitDepthChromaMinus8?: number;
  log2MaxPocLsbMinus4?: number;
  orderingInfoForAll?: boolean;
  scalingList?: 'off' | 'default' | 'data';
  pcm?: boolean;
  numShortTermRefPicSets?: number; // overrides rps.length (for range tests)
  rps?: Rps[];
  longTerm?: Array<[number, boolean]>;
  vui?: {
    sar?: [number, number];
    colour?: [number, number, number];
    chromaLoc?: [number, number];
    defaultDisplayWindow?: [number, number, number, number];
    timing?: [number, number];
  };
}

/** A complete SPS NAL unit (header 42 01: type 33, layer 0, tid 1), H.265 7.3.2.2.1 order. */
function buildSps(s: SpsSpec): Uint8Array {
  const w = new BitWriter();
  const maxSub = s.maxSubLayersMinus1 ?? 0;
  w.u(4, 0).u(3, maxSub).flag(1); // vps id, sps_max_sub_layers_minus1, temporal_id_nesting
  w.u(2, 0)
    .flag(s.tier ?? false)
    .u(5, s.profileIdc ?? 1)
    .u(32, s.compat ?? 0x60000000);
  w.u(4, 0b1001).u(32, 0).u(12, 0); // progressive + frame_only, 44 zero bits
  w.u(8, s.levelIdc ?? 93);
  const subs = s.subLayers ?? [];
  for (let i = 0; i < maxSub; i++) w.flag(subs[i]?.profile ?? false).flag(subs[i]?.level ?? false);
  if (maxSub > 0) for (let i = maxSub; i < 8; i++) w.u(2, 0);
  for (let i = 0; i < maxSub; i++) {
    if (subs[i]?.profile) w.u(8, 0x01).u(32, 0x60000000).u(32, 0x90000000).u(16, 0); // 88 bits
    if (subs[i]?.level) w.u(8, 60 + i * 3);
  }
  w.ue(0); // sps_seq_parameter_set_id
  const chroma = s.chromaFormatIdc ?? 1;
  w.ue(chroma);
  if (chroma === 3) w.flag(s.separateColourPlane ?? false);
  w.ue(s.width).ue(s.height);
  w.flag(!!s.confWin);
  if (s.confWin) for (const v of s.confWin) w.ue(v);
  w.ue(s.bitDepthLumaMinus8 ?? 0).ue(s.bitDepthChromaMinus8 ?? 0);
  const log2PocMinus4 = s.log2MaxPocLsbMinus4 ?? 4;
  w.ue(log2PocMinus4);
  const all = s.orderingInfoForAll ?? false;
  w.flag(all);
  for (let i = all ? 0 : maxSub; i <= maxSub; i++) w.ue(4).ue(2).ue(0);
  w.ue(0).ue(3).ue(0).ue(3).ue(1).ue(1); // coding block 8..64, transform block 4..32, depths
  const sl = s.scalingList ?? 'off';
  w.flag(sl !== 'off');
  if (sl !== 'off') {
    w.flag(sl === 'data');
    if (sl === 'data') {
      for (let sizeId = 0; sizeId < 4; sizeId++) {
        for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
          const explicit = (sizeId + matrixId) % 2 === 0;
          w.flag(explicit); // scaling_list_pred_mode_flag
          if (!explicit) {
            w.ue(matrixId === 0 ? 0 : 1); // scaling_list_pred_matrix_id_delta
          } else {
            const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
            if (sizeId > 1) w.se(8); // scaling_list_dc_coef_minus8
            for (let i = 0; i < coefNum; i++) w.se(i % 3 === 0 ? -(i % 7) : i % 5); // scaling_list_delta_coef
          }
        }
      }
    }
  }
  w.flag(0).flag(1); // amp off, sao on
  w.flag(s.pcm ?? false);
  if (s.pcm) w.u(4, 7).u(4, 7).ue(0).ue(1).flag(1);
  const rps = s.rps ?? [];
  w.ue(s.numShortTermRefPicSets ?? rps.length);
  rps.forEach((set, idx) => {
    if (idx !== 0) w.flag('sign' in set); // inter_ref_pic_set_prediction_flag
    if ('sign' in set) {
      w.flag(set.sign).ue(set.absMinus1);
      for (const [used, useDelta] of set.flags) {
        w.flag(used);
        if (!used) w.flag(useDelta ?? false);
      }
    } else {
      w.ue(set.neg.length).ue(set.pos.length);
      for (const [d, used] of set.neg) w.ue(d).flag(used);
      for (const [d, used] of set.pos) w.ue(d).flag(used);
    }
  });
  const lt = s.longTerm;
  w.flag(!!lt);
  if (lt) {
    w.ue(lt.length);
    for (const [lsb, used] of lt) w.u(log2PocMinus4 + 4, lsb).flag(used);
  }
  w.flag(1).flag(1); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  const v = s.vui;
  w.flag(!!v);
  if (v) {
    w.flag(!!v.sar);
    if (v.sar) w.u(8, 255).u(16, v.sar[0]).u(16, v.sar[1]);
    w.flag(0); // overscan_info_present_flag
    w.flag(!!v.colour);
    if (v.colour) w.u(3, 5).flag(0).flag(1).u(8, v.colour[0]).u(8, v.colour[1]).u(8, v.colour[2]);
    w.flag(!!v.chromaLoc);
    if (v.chromaLoc) w.ue(v.chromaLoc[0]).ue(v.chromaLoc[1]);
    w.flag(0).flag(0).flag(0); // neutral_chroma_indication, field_seq, frame_field_info_present
    w.flag(!!v.defaultDisplayWindow);
    if (v.defaultDisplayWindow) for (const x of v.defaultDisplayWindow) w.ue(x);
    w.flag(!!v.timing);
    if (v.timing) w.u(32, v.timing[0]).u(32, v.timing[1]).flag(0).flag(0); // + poc_proportional, hrd
    w.flag(0); // bitstream_restriction_flag
  }
  w.flag(0); // sps_extension_present_flag
  w.trailing();
  return Uint8Array.from([0x42, 0x01, ...addEmulationPrevention(w.bytes())]);
}

/** HEVCDecoderConfigurationRecord around the given arrays; header fields as a Main 4:2:0 8-bit stream. */
function buildRecord(
  arrays: Array<{ type: number; nalus: Uint8Array[] }>,
  opts: { numOfArrays?: number; profileByte?: number; levelIdc?: number; lengthSizeMinusOne?: number } = {},
): Uint8Array {
  const out: number[] = [
    0x01, // configurationVersion
    opts.profileByte ?? 0x01, // profile_space, tier, profile_idc
    0x60,
    0x00,
    0x00,
    0x00, // compatibility flags
    0x90,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00, // constraint flags
    opts.levelIdc ?? 93,
    0xf0,
    0x00,
    0xfc,
    0xfd,
    0xf8,
    0xf8,
    0x00,
    0x00,
    0x0c | (opts.lengthSizeMinusOne ?? 3), // numTemporalLayers 1, temporalIdNested, lengthSizeMinusOne
    opts.numOfArrays ?? arrays.length,
  ];
  for (const a of arrays) {
    out.push(0x80 | a.type, a.nalus.length >> 8, a.nalus.length & 0xff);
    for (const n of a.nalus) out.push(n.length >> 8, n.length & 0xff, ...n);
  }
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------- real encoder output

/**
 * hvcC payloads written by ffmpeg 5.1 + libx265 3.5 (Debian), made with
 *   ffmpeg -f lavfi -i testsrc2=size=WxH:rate=R -frames:v 2 -pix_fmt PIX -c:v libx265 \
 *     -x265-params "log-level=error:info=0:EXTRA" -f mp4 out.mp4
 * and cut out of the 'hvcC' box. Expected values are what ffprobe 5.1 reports for the same files.
 */
const X265 = {
  // 1920x1080 yuv420p 30 fps: ffprobe Main, level 120, 1920x1080, 30/1
  main: hex(
    '01016000000090000000000078f000fcfdf8f800000f03200001001840010c01ffff0160000003009000000300000300789598092100010' +
      '02a420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000f0422000100074401c172b46240',
  ),
  // 1916x1076 yuv420p 30 fps: ffprobe Main, 1916x1076, coded 1920x1080 (conformance window right 2, bottom 2)
  crop: hex(
    '01016000000090000000000078f000fcfdf8f800000f03200001001840010c01ffff01600000030090000003000003007895980921000100' +
      '2b420101016000000300900000030000030078a003c08010e7779656' +
      '6924caf0168080000003008000000f0422000100074401c172b46240',
  ),
  // 640x360, temporal-layers=1 (sps_max_sub_layers_minus1 = 1): ffprobe Main, level 63, 30/1
  tl: hex(
    '0101600000009000000000003ff000fcfdf8f800001303200001001c400' +
      '10c02ffff01600000030090000003000003003f00009598acc0482100010' +
      '02e42010201600000030090000003000003003f0000a005020169659598' +
      'acd24995e02d010000030001000003001e0822000100074401c172b46240',
  ),
  // 320x240 25 fps, scaling-list=default (scaling_list_enabled_flag, no list data): ffprobe Main, level 60
  sl: hex(
    '0101600000009000000000003cf000fcfdf8f800000f03200001001840010c01ffff01600000030090000003000003003c9598092100010' +
      '02a42010101600000030090000003000003003ca00a080f165959a49395e02d01000003000100000300190822000100074401c172b46240',
  ),
  // 1280x720 yuv420p10le 60000/1001: ffprobe Main 10, level 120
  m10: hex(
    '01022000000090000000000078f000fcfdfafa00000f03200001001840010c01ffff022000000300900000030000030078959809210001' +
      '0029420101022000000300900000030000030078a00280802d1365959a4932bc05a02000007d20001d4c0122000100074401c172b46240',
  ),
  // 352x288 yuv422p10le 24 fps: ffprobe Rext, level 60
  r422: hex(
    '0104080000009d08000000003cf000fcfefafa00000f03200001001740010c01ffff0408000003009d0800000300003c95980921000100' +
      '2a4201010408000003009d0800000300003cb00b080484d96566924caf016808000003000800000300c04022000100074401c172b46240',
  ),
  // 176x144 yuv444p 50 fps: ffprobe Rext, level 60
  r444: hex(
    '0104080000009e08000000003cf000fcfff8f800000f03200001001740010c01ffff0408000003009e0800000300003c95980921000100' +
      '294201010408000003009e0800000300003c9002c4048b2cacd24995e02d01000003000100000300320822000100084401c172860c4624',
  ),
  // 160x120 gray 30 fps: ffprobe Rext, gray, level 60
  mono: hex(
    '0104080000009fc8000000003cf000fcfcf8f800000f03200001001740010c01ffff0408000003009fc800000300003c95980921000' +
      '100274201010408000003009fc800000300003cc05081e596566924caf016c080000003008000000f0422000100074401c172b46240',
  ),
  // 3840x2160 60 fps, high-tier=1:level-idc=5.1 with VBV: ffprobe Main, level 153
  hi: hex(
    '01216000000090000000000099f000fcfdf8f800000f032000010018' +
      '40010c01ffff216000000300900000030000030099959809210001002' +
      'c420101216000000300900000030000030099a001e020021c5965669' +
      '24caf016808000003000800000301e04022000100074401c172b46240',
  ),
};

describe('parseHevcDecoderConfigurationRecord: x265 records (expected values from ffprobe)', () => {
  it('1080p Main: profile, level 4, size, 30 fps from the VUI, 4-byte NAL lengths', () => {
    const c = ok(parseHevcDecoderConfigurationRecord(X265.main));
    expect(c).toEqual<VideoConfig>({
      codec: 'H.265',
      profile: 'Main',
      profileIdc: 1,
      level: '4',
      levelIdc: 120,
      tier: 'Main',
      chromaFormat: '4:2:0',
      bitDepthLuma: 8,
      bitDepthChroma: 8,
      width: 1920,
      height: 1080,
      codedWidth: 1920,
      codedHeight: 1080,
      frameRate: 30,
      scalingMatrix: false,
      nalLengthSize: 4,
    });
  });

  it('applies the conformance window: coded 1920x1080, displayed 1916x1076', () => {
    const c = ok(parseHevcDecoderConfigurationRecord(X265.crop));
    expect([c.width, c.height, c.codedWidth, c.codedHeight]).toEqual([1916, 1076, 1920, 1080]);
  });

  it('walks profile_tier_level with sub-layer flags (sps_max_sub_layers_minus1 = 1)', () => {
    const rec = ok(readHevcDecoderConfigurationRecord(X265.tl));
    expect(rec.numTemporalLayers).toBe(2);
    const c = ok(parseHevcDecoderConfigurationRecord(X265.tl));
    expect(c).toMatchObject({ profile: 'Main', levelIdc: 63, level: '2.1', width: 640, height: 360, frameRate: 30 });
  });

  it('scaling_list_enabled_flag without list data sets scalingMatrix', () => {
    const c = ok(parseHevcDecoderConfigurationRecord(X265.sl));
    expect(c).toMatchObject({ scalingMatrix: true, width: 320, height: 240, frameRate: 25, level: '2' });
  });

  it('Main 10 at 59.94 fps', () => {
    const c = ok(parseHevcDecoderConfigurationRecord(X265.m10));
    expect(c).toMatchObject({ profile: 'Main 10', profileIdc: 2, level: '4', bitDepthLuma: 10, bitDepthChroma: 10 });
    expect(c.frameRate).toBeCloseTo(60000 / 1001, 9);
    expect([c.width, c.height]).toEqual([1280, 720]);
  });

  it('Rext 4:2:2 10-bit, 4:4:4 8-bit and 4:0:0', () => {
    expect(ok(parseHevcDecoderConfigurationRecord(X265.r422))).toMatchObject({
      profile: 'Rext',
      profileIdc: 4,
      chromaFormat: '4:2:2',
      bitDepthLuma: 10,
      width: 352,
      height: 288,
      frameRate: 24,
    });
    expect(ok(parseHevcDecoderConfigurationRecord(X265.r444))).toMatchObject({
      profile: 'Rext',
      chromaFormat: '4:4:4',
      bitDepthLuma: 8,
      width: 176,
      height: 144,
      frameRate: 50,
    });
    expect(ok(parseHevcDecoderConfigurationRecord(X265.mono))).toMatchObject({
      profile: 'Rext',
      chromaFormat: '4:0:0',
      width: 160,
      height: 120,
    });
  });

  it('High tier, level 5.1', () => {
    const c = ok(parseHevcDecoderConfigurationRecord(X265.hi));
    expect(c).toMatchObject({ tier: 'High', level: '5.1', levelIdc: 153, width: 3840, height: 2160, frameRate: 60 });
  });

  it('reads the record fields and arrays', () => {
    const rec = ok(readHevcDecoderConfigurationRecord(X265.m10));
    expect(rec).toMatchObject({
      configurationVersion: 1,
      generalProfileSpace: 0,
      generalTierFlag: false,
      generalProfileIdc: 2,
      generalProfileCompatibilityFlags: 0x20000000,
      generalConstraintIndicatorFlags: 0x900000000000,
      generalLevelIdc: 120,
      minSpatialSegmentationIdc: 0,
      parallelismType: 0,
      chromaFormat: 1,
      bitDepthLumaMinus8: 2,
      bitDepthChromaMinus8: 2,
      avgFrameRate: 0,
      constantFrameRate: 0,
      numTemporalLayers: 1,
      temporalIdNested: true,
      lengthSizeMinusOne: 3,
    });
    expect(rec.arrays.map((a) => [a.nalUnitType, a.arrayCompleteness, a.nalus.map((n) => n.length)])).toEqual([
      [32, false, [24]],
      [33, false, [41]],
      [34, false, [7]],
    ]);
  });
});

// ---------------------------------------------------------------- corpus

describe('corpus: hevc_aac.flv (Enhanced FLV hvc1)', () => {
  const file = new Uint8Array(readFileSync(new URL('../../../tests/fixtures/corpus/hevc_aac.flv', import.meta.url)));
  const tag = indexFlvTags(file).tags.find((t) => t.tagType === 9 && t.sequenceHeader)!;
  const body = file.subarray(tag.offset + 11, tag.offset + 11 + tag.dataSize);

  it('is an ExHeader SequenceStart for hvc1', () => {
    expect(body[0]! >> 7).toBe(1); // IsExHeader
    expect((body[0]! >> 4) & 7).toBe(1); // FrameType key
    expect(body[0]! & 0x0f).toBe(0); // PacketType SequenceStart
    expect(String.fromCharCode(...body.subarray(1, 5))).toBe('hvc1');
  });

  it('parses to 3840x2160 Main 60 fps (README), level 5.1', () => {
    const c = ok(parseHevcDecoderConfigurationRecord(body.subarray(5)));
    // 3840x2160 at 60 fps needs 497 664 000 luma samples/s: above level 5's MaxLumaSr (267 386 880),
    // within 5.1's (534 773 760), the level x265 picks on its own.
    expect(c).toMatchObject({
      codec: 'H.265',
      profile: 'Main',
      level: '5.1',
      tier: 'Main',
      width: 3840,
      height: 2160,
      frameRate: 60,
      chromaFormat: '4:2:0',
      bitDepthLuma: 8,
      nalLengthSize: 4,
    });
  });
});

// ---------------------------------------------------------------- SPS bit paths

/**
 * Built with buildSps() below and checked with ffmpeg's own SPS reader, which agrees on every element:
 *   printf '\0\0\0\1'; VPS; printf '\0\0\0\1'; SPS  > craft.hevc
 *   ffmpeg -f hevc -i craft.hevc -c copy -bsf:v trace_headers -f null -
 * It has 3 sub-layers (profile + level for the first, level only for the second), a 1920x1088 picture
 * with a bottom conformance window of 4 chroma rows, explicit scaling lists, PCM, five short-term RPSs
 * (three of them inter-predicted, one entry of which lands on delta POC 0 and is dropped, so the next
 * set reads 3 flag pairs, not 4), two long-term pictures and a VUI with extended SAR, colour
 * description, chroma location, a default display window and 1001 / 60000 timing.
 */
const CRAFTED_SPEC: SpsSpec = {
  maxSubLayersMinus1: 2,
  subLayers: [
    { profile: true, level: true },
    { profile: false, level: true },
  ],
  width: 1920,
  height: 1088,
  confWin: [0, 0, 0, 4],
  orderingInfoForAll: true,
  scalingList: 'data',
  pcm: true,
  rps: [
    {
      neg: [
        [0, true],
        [1, true],
      ],
      pos: [[0, true]],
    }, // S0 {-1, -3}, S1 {+1}
    { sign: true, absMinus1: 0, flags: [[true], [false, true], [true], [false, false]] }, // -> S0 {-2, -4}
    { sign: false, absMinus1: 1, flags: [[true], [true], [false, true]] }, // -> S0 {-2}, S1 {+2}
    { neg: [[3, false]], pos: [] }, // S0 {-4}
    { sign: true, absMinus1: 2, flags: [[false, false], [true]] }, // -> S0 {-3}
  ],
  longTerm: [
    [5, true],
    [200, false],
  ],
  vui: { sar: [4, 3], colour: [1, 1, 1], chromaLoc: [0, 0], defaultDisplayWindow: [2, 2, 0, 0], timing: [1001, 60000] },
};

const CRAFTED_SPS = hex(
  '42010501600000030090000003000003005dd00001600000030090000003000003003c3fa003c0801107cb96572b95e4912f443888' +
    'd218b42cc2196887111a43168598432d10e2234862d0b30864e887111a4316859843441223218f434c20a882c4590c26a6107441' +
    'a2252185d330812892d10e2234862d0b3086882446431e869841510588b2184d4c20e883444a430ba661025125a21c44690c5a16' +
    '610d10488c863d0d3082a20b1164309a9841d106889486174cc204a2610a21c44690c5a16610d10488c863d0d3082a20b1164309' +
    'a9841d106889486174cc204a24a10a21c44690c5a16610d10488c863d0d3082a20b1164309a9841d106889486174cc204a24a10a' +
    '21c44690c5a16610d10488c863d0d3082a20b1164309a9841d106889486174cc204a249842887111a4316859843441223218f434' +
    'c20a882c4590c26a6107441a2252185d330812896ef5335afec96948d9b05e43ffc0010000da808080f16f800001f48000753004',
);

describe('parseH265Sps', () => {
  it('the builder reproduces the ffmpeg-checked SPS byte for byte', () => {
    expect(buildSps(CRAFTED_SPEC)).toEqual(CRAFTED_SPS);
  });

  it('reads sub-layers, scaling lists, PCM, inter RPS, long-term refs and the VUI', () => {
    const sps = ok(parseH265Sps(CRAFTED_SPS));
    expect(sps).toMatchObject({
      nuhLayerId: 0,
      spsMaxSubLayersMinus1: 2,
      spsTemporalIdNestingFlag: true,
      profileTierLevel: { generalProfileIdc: 1, generalLevelIdc: 93, generalTierFlag: false },
      chromaFormatIdc: 1,
      picWidthInLumaSamples: 1920,
      picHeightInLumaSamples: 1088,
      conformanceWindow: { left: 0, right: 0, top: 0, bottom: 4 },
      width: 1920,
      height: 1080,
      log2MaxPicOrderCntLsb: 8,
      scalingListEnabledFlag: true,
      pcmEnabledFlag: true,
      sampleAdaptiveOffsetEnabledFlag: true,
      numShortTermRefPicSets: 5,
      longTermRefPicsPresentFlag: true,
      spsTemporalMvpEnabledFlag: true,
      strongIntraSmoothingEnabledFlag: true,
      vui: {
        aspectRatioIdc: 255,
        sarWidth: 4,
        sarHeight: 3,
        colourPrimaries: 1,
        transferCharacteristics: 1,
        matrixCoeffs: 1,
        defaultDisplayWindow: { left: 2, right: 2, top: 0, bottom: 0 },
        vuiNumUnitsInTick: 1001,
        vuiTimeScale: 60000,
      },
    });
    expect(sps.frameRate).toBeCloseTo(59.94, 2);
  });

  it('in a record: 1920x1088 coded, 1920x1080 shown, scaling matrix, 59.94 fps', () => {
    const c = ok(parseHevcDecoderConfigurationRecord(buildRecord([{ type: 33, nalus: [CRAFTED_SPS] }])));
    expect(c).toMatchObject({ width: 1920, height: 1080, codedWidth: 1920, codedHeight: 1088, scalingMatrix: true });
    expect(c.level).toBe('3.1');
  });

  it('predicted RPS: a wrong NumDeltaPocs shifts every later element', () => {
    // The same SPS but the third set codes 4 flag pairs: a reader that (like ffmpeg's decoder, not the
    // spec) counted the delta-POC-0 entry would accept this one instead; per 7.4.8 it is misaligned.
    const shifted = buildSps({
      ...CRAFTED_SPEC,
      rps: CRAFTED_SPEC.rps!.map((set, i) =>
        i === 2 ? { sign: false, absMinus1: 1, flags: [[true], [true], [false, true], [false, false]] } : set,
      ) as Rps[],
    });
    const r = parseH265Sps(shifted);
    expect(r.ok && r.config.vui?.vuiTimeScale === 60000 && r.config.vui.vuiNumUnitsInTick === 1001).toBe(false);
  });

  it('chains predicted sets: each set predicts from the one before', () => {
    // Each predicted set codes NumDeltaPocs(previous set) + 1 flag pairs, so a miscount anywhere
    // misaligns everything after it and the 48 fps timing is not found. Set 3 shifts by +1, which
    // puts one picture on delta POC 0: it is dropped, and set 4 again codes 4 pairs, not 5.
    const sps = buildSps({
      width: 64,
      height: 64,
      rps: [
        { neg: [[0, true]], pos: [] }, // S0 {-1}
        { sign: true, absMinus1: 0, flags: [[true], [true]] }, // deltaRps -1: S0 {-1, -2}
        { sign: true, absMinus1: 0, flags: [[true], [true], [true]] }, // S0 {-1, -2, -3}
        { sign: false, absMinus1: 0, flags: [[true], [true], [false, true], [true]] }, // +1: S0 {-1, -2}, S1 {+1}
        { sign: true, absMinus1: 1, flags: [[true], [true], [true], [true]] }, // -2: S0 {-1, -2, -3, -4}
      ],
      vui: { timing: [1, 48] },
    });
    expect(ok(parseH265Sps(sps))).toMatchObject({ numShortTermRefPicSets: 5, frameRate: 48 });
  });

  it('conformance window in 4:2:2 (SubWidthC 2, SubHeightC 1)', () => {
    const sps = ok(parseH265Sps(buildSps({ width: 1280, height: 720, chromaFormatIdc: 2, confWin: [1, 2, 3, 4] })));
    expect([sps.width, sps.height]).toEqual([1280 - 2 * 3, 720 - 7]);
  });

  it('conformance window with separate colour planes counts luma samples (ChromaArrayType 0)', () => {
    const sps = ok(
      parseH265Sps(
        buildSps({ width: 640, height: 480, chromaFormatIdc: 3, separateColourPlane: true, confWin: [1, 1, 2, 2] }),
      ),
    );
    expect(sps.separateColourPlaneFlag).toBe(true);
    expect([sps.width, sps.height]).toEqual([638, 476]);
  });

  it('conformance window in 4:0:0 counts luma samples', () => {
    const sps = ok(parseH265Sps(buildSps({ width: 640, height: 480, chromaFormatIdc: 0, confWin: [0, 3, 0, 5] })));
    expect([sps.width, sps.height]).toEqual([637, 475]);
  });

  it('a conformance window covering the picture is ignored (the coded size is shown)', () => {
    const sps = ok(parseH265Sps(buildSps({ width: 64, height: 64, confWin: [16, 16, 0, 0] })));
    expect([sps.width, sps.height]).toEqual([64, 64]);
  });

  it('all six sub-layers with profile and level present', () => {
    const sps = buildSps({
      width: 352,
      height: 288,
      maxSubLayersMinus1: 6,
      subLayers: Array.from({ length: 6 }, () => ({ profile: true, level: true })),
      vui: { timing: [1, 30] },
    });
    expect(ok(parseH265Sps(sps))).toMatchObject({ spsMaxSubLayersMinus1: 6, width: 352, frameRate: 30 });
  });

  it('no VUI, or VUI without timing, or a zero tick: no frame rate', () => {
    expect(ok(parseH265Sps(buildSps({ width: 64, height: 64 }))).frameRate).toBeUndefined();
    expect(ok(parseH265Sps(buildSps({ width: 64, height: 64, vui: { sar: [1, 1] } }))).frameRate).toBeUndefined();
    expect(ok(parseH265Sps(buildSps({ width: 64, height: 64, vui: { timing: [0, 30] } }))).frameRate).toBeUndefined();
  });

  it('bit depths up to 16', () => {
    const sps = ok(parseH265Sps(buildSps({ width: 64, height: 64, bitDepthLumaMinus8: 8, bitDepthChromaMinus8: 4 })));
    expect([sps.bitDepthLuma, sps.bitDepthChroma]).toEqual([16, 12]);
  });

  it.each<[string, SpsSpec, RegExp]>([
    ['chroma_format_idc 4', { width: 64, height: 64, chromaFormatIdc: 4 }, /chroma_format_idc 4/],
    ['bit depth 17', { width: 64, height: 64, bitDepthLumaMinus8: 9 }, /bit_depth_luma_minus8 9/],
    ['chroma bit depth 17', { width: 64, height: 64, bitDepthChromaMinus8: 9 }, /bit_depth_chroma_minus8 9/],
    ['width 0', { width: 0, height: 64 }, /pic_width_in_luma_samples 0/],
    ['height 0', { width: 64, height: 0 }, /pic_height_in_luma_samples 0/],
    ['width 16889', { width: 16889, height: 64 }, /pic_width_in_luma_samples 16889/],
    [
      'log2_max_pic_order_cnt_lsb_minus4 13',
      { width: 64, height: 64, log2MaxPocLsbMinus4: 13 },
      /log2_max_pic_order_cnt_lsb_minus4 13/,
    ],
    ['65 short-term RPSs', { width: 64, height: 64, numShortTermRefPicSets: 65 }, /num_short_term_ref_pic_sets 65/],
    ['sps_max_sub_layers_minus1 7', { width: 64, height: 64, maxSubLayersMinus1: 7 }, /sps_max_sub_layers_minus1 7/],
    [
      '17 negative pictures',
      {
        width: 64,
        height: 64,
        rps: [{ neg: Array.from({ length: 17 }, (): [number, boolean] => [0, true]), pos: [] }],
      },
      /num_negative_pics 17/,
    ],
  ])('out of range: %s -> bad_sps', (_name, spec, message) => {
    const r = parseH265Sps(buildSps(spec));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('bad_sps');
      expect(r.message).toMatch(message);
    }
  });

  it('16888 is the largest side accepted', () => {
    expect(ok(parseH265Sps(buildSps({ width: 16888, height: 8 }))).width).toBe(16888);
  });

  it('two sane sides above MaxLumaPs 35651584 together are bad_sps; 8192x4352 is the largest 8K frame', () => {
    const r = parseH265Sps(buildSps({ width: 16888, height: 16888 }));
    expect(r).toMatchObject({
      ok: false,
      code: 'bad_sps',
      message: expect.stringMatching(/285204544 luma samples, above MaxLumaPs 35651584/),
    });
    expect(parseH265Sps(buildSps({ width: 8192, height: 4360 }))).toMatchObject({ ok: false, code: 'bad_sps' });
    expect(ok(parseH265Sps(buildSps({ width: 8192, height: 4352 }))).height).toBe(4352);
  });

  it('rejects other NAL types and non-base layers', () => {
    const pps = hex('4401c172b46240');
    expect(parseH265Sps(pps)).toMatchObject({ ok: false, code: 'bad_sps' });
    const layer1 = Uint8Array.from(CRAFTED_SPS);
    layer1[1] = 0x09; // nuh_layer_id 1, tid 1
    expect(parseH265Sps(layer1)).toMatchObject({
      ok: false,
      code: 'bad_sps',
      message: expect.stringMatching(/nuh_layer_id 1/),
    });
    expect(parseH265Sps(new Uint8Array(0))).toMatchObject({ ok: false, code: 'bad_sps' });
  });

  it('every truncation is data, never an exception', () => {
    for (let n = 0; n < CRAFTED_SPS.length; n++) {
      const r = parseH265Sps(CRAFTED_SPS.subarray(0, n));
      // the timing info is in the last 9 bytes: any shorter prefix cannot reach it
      if (n < CRAFTED_SPS.length - 9) expect(r).toMatchObject({ ok: false, code: 'bad_sps' });
      else if (r.ok) expect(r.config.vui?.vuiTimeScale).toBe(60000);
    }
  });

  it('exp-Golomb codes longer than 32 bits are data', () => {
    // header, then vps id / sub layers / nesting and a PTL, then 40 zero bits where ue(v) is read
    const bytes = Uint8Array.from([...CRAFTED_SPS.subarray(0, 3), ...new Uint8Array(40)]);
    expect(parseH265Sps(bytes)).toMatchObject({ ok: false, code: 'bad_sps' });
  });
});

// ---------------------------------------------------------------- record walking and hostile input

describe('parseHevcDecoderConfigurationRecord: hostile and odd records', () => {
  const sps = buildSps({ width: 1280, height: 720, vui: { timing: [1, 25] } });

  it('finds the SPS after 254 empty arrays (numOfArrays 255)', () => {
    const arrays = Array.from({ length: 254 }, () => ({ type: 39, nalus: [] as Uint8Array[] }));
    arrays.push({ type: 33, nalus: [sps] });
    const c = ok(parseHevcDecoderConfigurationRecord(buildRecord(arrays)));
    expect([c.width, c.height, c.frameRate]).toEqual([1280, 720, 25]);
  });

  it('numOfArrays 255 with one array present: truncated, not a hang', () => {
    const r = parseHevcDecoderConfigurationRecord(buildRecord([{ type: 33, nalus: [sps] }], { numOfArrays: 255 }));
    expect(r).toMatchObject({ ok: false, code: 'bad_video_config', message: expect.stringMatching(/array 1 of 255/) });
  });

  it('numNalus 65535 with 2 NAL units present: truncated', () => {
    const rec = buildRecord([{ type: 33, nalus: [sps, sps] }]);
    rec[24] = 0xff; // numNalus high byte
    rec[25] = 0xff;
    expect(parseHevcDecoderConfigurationRecord(rec)).toMatchObject({ ok: false, code: 'bad_video_config' });
  });

  it('thousands of zero-length NAL units are walked; no SPS -> bad_video_config', () => {
    const rec = buildRecord([{ type: 39, nalus: Array.from({ length: 5000 }, () => new Uint8Array(0)) }]);
    const read = ok(readHevcDecoderConfigurationRecord(rec));
    expect(read.arrays[0]!.nalus).toHaveLength(5000);
    expect(parseHevcDecoderConfigurationRecord(rec)).toMatchObject({
      ok: false,
      code: 'bad_video_config',
      message: expect.stringMatching(/no SPS/),
    });
  });

  it('no arrays at all -> bad_video_config', () => {
    expect(parseHevcDecoderConfigurationRecord(buildRecord([]))).toMatchObject({ ok: false, code: 'bad_video_config' });
  });

  it('an SPS in an array labelled VPS is still found by its NAL header', () => {
    const c = ok(parseHevcDecoderConfigurationRecord(buildRecord([{ type: 32, nalus: [sps] }])));
    expect(c.width).toBe(1280);
  });

  it('a broken SPS gives bad_sps', () => {
    const bad = buildSps({ width: 64, height: 64, chromaFormatIdc: 7 });
    expect(parseHevcDecoderConfigurationRecord(buildRecord([{ type: 33, nalus: [bad] }]))).toMatchObject({
      ok: false,
      code: 'bad_sps',
    });
  });

  it('a size-0 picture gives bad_sps', () => {
    const zero = buildSps({ width: 0, height: 0 });
    expect(parseHevcDecoderConfigurationRecord(buildRecord([{ type: 33, nalus: [zero] }]))).toMatchObject({
      ok: false,
      code: 'bad_sps',
    });
  });

  it('every truncation of a real record is bad_video_config, never an exception', () => {
    for (let n = 0; n < X265.main.length; n++) {
      expect(parseHevcDecoderConfigurationRecord(X265.main.subarray(0, n))).toMatchObject({
        ok: false,
        code: 'bad_video_config',
      });
    }
  });

  it('Annex B instead of a record -> bad_video_config', () => {
    const annexB = Uint8Array.from([0, 0, 0, 1, ...sps, ...new Uint8Array(20)]);
    expect(parseHevcDecoderConfigurationRecord(annexB)).toMatchObject({
      ok: false,
      code: 'bad_video_config',
      message: expect.stringMatching(/Annex B/),
    });
  });

  it('2-byte NAL lengths', () => {
    const c = ok(
      parseHevcDecoderConfigurationRecord(buildRecord([{ type: 33, nalus: [sps] }], { lengthSizeMinusOne: 1 })),
    );
    expect(c.nalLengthSize).toBe(2);
  });

  it('general_profile_idc 0: the profile comes from the compatibility flags', () => {
    const main10Compat = buildSps({ width: 64, height: 64, profileIdc: 0, compat: 0x20000000 });
    const c = ok(parseHevcDecoderConfigurationRecord(buildRecord([{ type: 33, nalus: [main10Compat] }])));
    expect([c.profile, c.profileIdc]).toEqual(['Main 10', 2]);
  });

  it('SPS without profile or level: the record summary is used', () => {
    const bare = buildSps({ width: 64, height: 64, profileIdc: 0, compat: 0, levelIdc: 0 });
    const c = ok(
      parseHevcDecoderConfigurationRecord(
        buildRecord([{ type: 33, nalus: [bare] }], { profileByte: 0x03, levelIdc: 186 }),
      ),
    );
    expect([c.profile, c.level]).toEqual(['Main Still Picture', '6.2']);
  });
});

describe('hevcLevelName', () => {
  it.each([
    [30, '1'],
    [60, '2'],
    [63, '2.1'],
    [93, '3.1'],
    [120, '4'],
    [153, '5.1'],
    [156, '5.2'],
    [186, '6.2'],
  ])('%i -> %s', (idc, name) => {
    expect(hevcLevelName(idc)).toBe(name);
  });
  it('0 is no level', () => {
    expect(hevcLevelName(0)).toBeUndefined();
  });
});
