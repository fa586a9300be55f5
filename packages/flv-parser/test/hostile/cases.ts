/**
 * Hostile FLV streams, one per kind of attack, each followed by the same valid tail. Shared by the
 * parser tests next to this file and by tests/faults/hostile-heap.test.ts, which serves them over HTTP.
 *
 * The hostile parts are literal bytes with their fields named (hls.js style); only the valid tags around
 * them are wrapped by `tag()` (11-byte header + body + PreviousTagSize), which computes the sizes.
 * Every codec literal here was checked with Debian's FFmpeg 5.1 (`-bsf:v trace_headers` and the decoder's
 * own log), noted beside it: the out-of-range values are FFmpeg's verdict too, not only ours.
 */
import type { AnomalyCode } from '../../src/anomalies.js';
import { flvHeader, tag } from '../support/flv-builder.js';

const hex = (s: string): number[] => [...Buffer.from(s.replace(/\s+/g, ''), 'hex')];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const TAG_SCRIPT = 18;

// ---------------------------------------------------------------- the valid tail

/** AVCDecoderConfigurationRecord written by FFmpeg 5.1 + libx264 (1920x1080 High 4.0, 25 fps; ffprobe agrees). */
export const AVCC_1080P25 = hex(
  '01640028ffe1001b67640028acd940780227e5c044000003000400000300c83c60c65801000668ebe3cb22c0fdf8f800',
);
/** its SPS (27 bytes) and PPS (6 bytes) */
const SPS_1080P25 = hex('67640028acd940780227e5c044000003000400000300c83c60c658');
const PPS_X264 = hex('68ebe3cb22c0');
/** FrameType 1 (key) | CodecID 7, AVCPacketType 0 (sequence header), CompositionTime 0 */
const AVC_CONFIG = [0x17, 0x00, 0x00, 0x00, 0x00];
/** key frame, AVCPacketType 1 (NALUs), CTS 0, NALU length 4, nal_unit_type 5 (IDR slice) */
export const AVC_KEY = [0x17, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x65, 0x88, 0x84, 0x00];
/** inter frame (FrameType 2), NALU length 3, nal_unit_type 1 (non-IDR slice) */
export const AVC_INTER = [0x27, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x41, 0x9a, 0x00];
/** SoundFormat 10 (AAC) 44 kHz 16-bit stereo, AACPacketType 0, AudioSpecificConfig 11 90 (AAC-LC 48 kHz stereo) */
const AAC_CONFIG = [0xaf, 0x00, 0x11, 0x90];
/** AACPacketType 1, a raw AAC frame */
export const AAC_FRAME = [0xaf, 0x01, 0x21, 0x00];

/**
 * What follows every hostile part: an H.264 sequence header, AAC config, key / inter / key video frames
 * 40 ms apart from `t0` and two AAC frames. A case passes only if all of it is still read.
 */
export function validTail(t0: number): number[] {
  return [
    ...tag(TAG_VIDEO, t0, [...AVC_CONFIG, ...AVCC_1080P25]),
    ...tag(TAG_AUDIO, t0, AAC_CONFIG),
    ...tag(TAG_VIDEO, t0, AVC_KEY),
    ...tag(TAG_AUDIO, t0, AAC_FRAME),
    ...tag(TAG_VIDEO, t0 + 40, AVC_INTER),
    ...tag(TAG_AUDIO, t0 + 21, AAC_FRAME),
    ...tag(TAG_VIDEO, t0 + 80, AVC_KEY),
  ];
}
export const TAIL_VIDEO_FRAMES = 3;
export const TAIL_KEYFRAMES = 2;
export const TAIL_AUDIO_FRAMES = 2;

// ---------------------------------------------------------------- the cases

export type HostileGroup = 'container' | 'timestamps' | 'script' | 'amf' | 'sps' | 'records' | 'nal' | 'av1' | 'codecs';

export interface HostileCase {
  group: HostileGroup;
  name: string;
  /** the anomaly codes the demuxer must report, in order, and nothing else */
  codes: AnomalyCode[];
  /** the whole FLV: header, hostile tags, valid tail */
  bytes: Uint8Array;
  /** byte offset where the valid tail starts */
  tailOffset: number;
  /** DTS of the tail's first tag */
  t0: number;
}

function build(
  group: HostileGroup,
  name: string,
  codes: AnomalyCode[],
  hostile: number[] | Uint8Array,
  t0 = 0,
): HostileCase {
  const header = flvHeader();
  const tail = validTail(t0);
  const out = new Uint8Array(header.length + hostile.length + tail.length);
  out.set(header);
  out.set(hostile, header.length);
  const tailOffset = header.length + hostile.length;
  out.set(tail, tailOffset);
  return { group, name, codes, bytes: out, tailOffset, t0 };
}

/** a video tag (legacy or enhanced) around a codec body */
const video = (ts: number, body: number[]) => tag(TAG_VIDEO, ts, body);
const script = (ts: number, body: number[]) => tag(TAG_SCRIPT, ts, body);

/** AMF0 string "onMetaData": marker 02, u16 length 10, UTF-8 */
const ON_METADATA = [0x02, 0x00, 0x0a, ...ascii('onMetaData')];
/** AMF0 object-end: UTF-8-empty (00 00) + object-end-marker 09 */
const OBJECT_END = [0x00, 0x00, 0x09];
/** an ECMA array { width: 1280 } (marker 08, count 1, key "width", number 1280.0) */
const META_WIDTH = [
  0x08,
  0x00,
  0x00,
  0x00,
  0x01,
  0x00,
  0x05,
  ...ascii('width'),
  0x00,
  0x40,
  0x94,
  0x00,
  0,
  0,
  0,
  0,
  0,
  ...OBJECT_END,
];
/** onMetaData { width: 1280 }: a complete, valid 37-byte script body */
export const SMALL_METADATA = [...ON_METADATA, ...META_WIDTH];

/** `depth` objects nested through key "a" (03 00 01 61 ...), closed again unless `closed` is false */
function nestedObjects(depth: number, closed = true): number[] {
  const open = [0x03, 0x00, 0x01, 0x61]; // object marker, key "a"
  const out: number[] = [];
  for (let i = 0; i < depth - 1; i++) out.push(...open);
  out.push(0x03, ...OBJECT_END); // innermost: an empty object
  if (closed) for (let i = 0; i < depth - 1; i++) out.push(...OBJECT_END);
  return out;
}

/** AVCDecoderConfigurationRecord: version 1, High, level 3.1, 4-byte lengths, one SPS, one PPS (x264's) */
function avcC(sps: number[], pps = PPS_X264): number[] {
  return [0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, ...u16(sps.length), ...sps, 0x01, ...u16(pps.length), ...pps];
}

/** HEVCDecoderConfigurationRecord fixed part (23 bytes): Main, level 3.1, 4:2:0 8-bit, 4-byte lengths */
function hvcCHead(numOfArrays: number): number[] {
  return [
    0x01, // configurationVersion
    0x01, // general_profile_space 0, tier 0, general_profile_idc 1 (Main)
    0x60,
    0x00,
    0x00,
    0x00, // general_profile_compatibility_flags
    0x90,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00, // general_constraint_indicator_flags
    0x5d, // general_level_idc 93 (3.1)
    0xf0,
    0x00, // reserved 1111, min_spatial_segmentation_idc 0
    0xfc, // reserved 111111, parallelismType 0
    0xfd, // reserved, chromaFormat 1
    0xf8,
    0xf8, // bitDepthLumaMinus8 0, bitDepthChromaMinus8 0
    0x00,
    0x00, // avgFrameRate
    0x0f, // constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1, lengthSizeMinusOne 3
    numOfArrays,
  ];
}
/** one NAL unit array: array_completeness 1, NAL_unit_type, numNalus, then length-prefixed units */
function hvcCArray(type: number, nalus: number[][], numNalus = nalus.length): number[] {
  return [0x80 | type, ...u16(numNalus), ...nalus.flatMap((n) => [...u16(n.length), ...n])];
}
/** legacy HEVC sequence header: key frame | CodecID 12, AVCPacketType 0, CTS 0 */
const HEVC_CONFIG = [0x1c, 0x00, 0x00, 0x00, 0x00];

/**
 * hvcC written by FFmpeg 5.1 + libx265 3.5 (1920x1080 Main, level 4, 30 fps as ffprobe reports):
 * VPS, SPS and PPS arrays.
 */
const HVCC_1080P30 = hex(
  '01016000000090000000000078f000fcfdf8f800000f03200001001840010c01ffff0160000003009000000300000300789598092100010' +
    '02a420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000f0422000100074401c172b46240',
);

/** Enhanced RTMP SequenceStart: IsExHeader | FrameType 1 | PacketType 0, then the FourCC */
const exSequenceStart = (fourcc: string) => [0x90, ...ascii(fourcc)];
/** AV1CodecConfigurationRecord fixed part: marker 1 version 1, seq_profile 0 level 13 (5.1), 4:2:0, no delay */
const AV1C_HEAD = [0x81, 0x0d, 0x0c, 0x00];

// H.264 SPS NAL units (nal_unit_type 7) of a 1280x720 High stream with one field set out of range.
// FFmpeg 5.1 on each (Annex B: SPS + x264's PPS, `ffmpeg -f h264 -i s.264 -bsf:v trace_headers`):
const AVC_SPS = {
  /** h264: "log2_max_frame_num_minus4 out of range (0-12): 13" */
  log2MaxFrameNum13: hex('6764001fac1d65014016e4'),
  /** trace_headers: "pic_order_cnt_type out of range: 3, but must be in [0,2]" */
  picOrderCntType3: hex('6764001fac90a02802dc80'),
  /** trace_headers: "seq_parameter_set_id out of range: 32, but must be in [0,31]" */
  spsId32: hex('6764001f042b365014016e40'),
  /** h264: "chroma_format_idc 4 is not implemented" */
  chromaFormatIdc4: hex('6764001f97365014016e40'),
  /** trace_headers: "bit_depth_luma_minus8 out of range: 7, but must be in [0,6]" (15-bit luma) */
  bitDepthLuma15: hex('6764001fa11365014016e4'),
  /** pic_width_in_mbs_minus1 = 4294967294 (2^32 - 2): h264 "mb_width/height overflow" */
  widthOverflow: hex('6764001facd940000003003fffffffc16e40'),
  /** 1024 x 1024 macroblocks = 16384x16384: IMGUTILS "Picture size 16384x16384 is invalid" */
  area16384: hex('6764001facd940040000200640'),
};

// H.265 SPS NAL units (type 33) of a 1280x720 Main stream with one field out of range. FFmpeg 5.1 on
// each (Annex B: x265's VPS + the SPS, `ffmpeg -f hevc -i s.265 -bsf:v trace_headers`):
const HEVC_SPS = {
  /** trace_headers: "chroma_format_idc out of range: 4, but must be in [0,3]" */
  chromaFormatIdc4: hex('42010101600000030090000003000003005d9400a0200b45945792448ac8'),
  /** trace_headers: "bit_depth_luma_minus8 out of range: 9, but must be in [0,8]" (17-bit luma) */
  bitDepthLuma17: hex('42010101600000030090000003000003005da00280802d10a945792448ac80'),
  /** trace_headers: "pic_width_in_luma_samples out of range: 0, but must be in [1,16888]" */
  width0: hex('42010101600000030090000003000003005da802d16515e49122b2'),
  /** 16888x16888, each side allowed, the area 8 x MaxLumaPs: IMGUTILS "Picture size 16888x16888 is invalid" */
  area16888: hex('42010101600000030090000003000003005da00020fc800107e5945792448ac8'),
  /** hevc: "log2_max_pic_order_cnt_lsb_minus4 out range: 13" */
  log2MaxPocLsbMinus4Is13: hex('42010101600000030090000003000003005da00280802d16385792448ac8'),
};

/**
 * The 16 MB claim told true: 16 MB of zeros really follow, then the tail. Not in hostileCases(): 16 MB is
 * too much to keep around or to serve a thousand times.
 */
export function realSixteenMegabyteTag(): HostileCase {
  const size = 0xffffff;
  const hostile = new Uint8Array(11 + size + 4);
  // TagType 9, DataSize 0xFFFFFF, Timestamp 0, StreamID 0; the body is zeros
  hostile.set([0x09, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], 0);
  hostile.set(u32(11 + size), 11 + size); // PreviousTagSize 16,777,226
  return build(
    'container',
    'tag with a real 16 MB body: skipped unbuffered, the next tag read',
    ['oversized_tag'],
    hostile,
  );
}

let cached: HostileCase[] | undefined;

/** All cases (built once). */
export function hostileCases(): HostileCase[] {
  cached ??= makeCases();
  return cached;
}

function makeCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (...args: Parameters<typeof build>) => cases.push(build(...args));

  // ---- container
  add(
    'container',
    'tag claiming a 16 MB body that is really 5 bytes: resync on the next tag header',
    ['oversized_tag'],
    [
      // TagType 9, DataSize 0xFFFFFF (16,777,215), Timestamp 0, TimestampExtended 0, StreamID 0
      0x09,
      0xff,
      0xff,
      0xff,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x17,
      0x01,
      0x00,
      0x00,
      0x00, // the real body: an AVC NALU packet header, no NAL units
      0x00,
      0x00,
      0x00,
      0x10, // PreviousTagSize 16 = 11 + the real 5 bytes
    ],
  );
  add(
    'container',
    'zero-size video tag',
    ['zero_size_tag'],
    [
      0x09,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00, // TagType 9, DataSize 0
      0x00,
      0x00,
      0x00,
      0x0b, // PreviousTagSize 11
    ],
  );
  add(
    'container',
    'zero-size audio tag',
    ['zero_size_tag'],
    [
      0x08,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00, // TagType 8, DataSize 0
      0x00,
      0x00,
      0x00,
      0x0b,
    ],
  );
  add(
    'container',
    'zero-size script tag',
    ['zero_size_tag'],
    [
      0x12,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00, // TagType 18, DataSize 0
      0x00,
      0x00,
      0x00,
      0x0b,
    ],
  );
  add(
    'container',
    '1000 zero-size tags in a row',
    Array<AnomalyCode>(1000).fill('zero_size_tag'),
    Array.from({ length: 1000 }, () => [
      0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
    ]).flat(),
  );

  // ---- timestamps (video only before the tail, so exactly one track is affected)
  const avcConfig = (ts: number) => video(ts, [...AVC_CONFIG, ...AVCC_1080P25]);
  add(
    'timestamps',
    'video DTS jumps forward by one hour',
    ['timestamp_jump'],
    [
      ...avcConfig(0),
      ...video(0, AVC_KEY),
      ...video(40, AVC_INTER),
      // TagType 9, DataSize 13, Timestamp 0x36EEA8 = 3,600,040 ms (one hour after the frame before)
      0x09,
      0x00,
      0x00,
      0x0d,
      0x36,
      0xee,
      0xa8,
      0x00,
      0x00,
      0x00,
      0x00,
      ...AVC_KEY,
      ...u32(11 + 13),
    ],
    3_600_080,
  );
  add(
    'timestamps',
    'video DTS jumps by 4.6 hours through TimestampExtended',
    ['timestamp_jump'],
    [
      ...avcConfig(0),
      ...video(0, AVC_KEY),
      // Timestamp 0x000000 with TimestampExtended 0x01: 16,777,216 ms
      0x09,
      0x00,
      0x00,
      0x0d,
      0x00,
      0x00,
      0x00,
      0x01,
      0x00,
      0x00,
      0x00,
      ...AVC_KEY,
      ...u32(11 + 13),
    ],
    16_777_216 + 40,
  );
  add(
    'timestamps',
    'video DTS runs backwards by five seconds',
    ['timestamp_backwards'],
    [...avcConfig(5000), ...video(5000, AVC_KEY), ...video(5040, AVC_INTER)],
    0,
  ); // the tail's first frame at 0 ms is the step back
  add(
    'timestamps',
    'video DTS runs backwards from the top of the 32-bit range',
    ['timestamp_backwards'],
    [
      ...avcConfig(0),
      // Timestamp 0xFFFFFF, TimestampExtended 0xFF: 4,294,967,295 ms (49.7 days)
      0x09,
      0x00,
      0x00,
      0x0d,
      0xff,
      0xff,
      0xff,
      0xff,
      0x00,
      0x00,
      0x00,
      ...AVC_KEY,
      ...u32(11 + 13),
    ],
    40,
  );
  add(
    'timestamps',
    'audio DTS runs backwards',
    ['timestamp_backwards'],
    [...tag(TAG_AUDIO, 1000, AAC_FRAME), ...tag(TAG_AUDIO, 500, AAC_FRAME)],
    520,
  );

  // ---- script data
  {
    // onMetaData then a long string (marker 0C, u32 length) making the body 65,537 bytes: 1 over the cap
    const size = 64 * 1024 + 1;
    const filler = size - ON_METADATA.length - 5;
    add(
      'script',
      'script tag one byte above the 64 KiB record cap',
      ['script_too_large'],
      [
        0x12,
        ...[(size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff],
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        ...ON_METADATA,
        0x0c,
        ...u32(filler),
        ...new Array<number>(filler).fill(0x61),
        ...u32(11 + size),
      ],
    );
  }
  add(
    'script',
    '100 script tags in a row: the run past 64 tags is skipped',
    ['script_flood'],
    Array.from({ length: 100 }, () => script(0, SMALL_METADATA)).flat(),
  );
  {
    // 20 script tags of 60 KiB each (under the record cap one by one): the run passes 1 MiB at tag 18
    const body = [
      ...ON_METADATA,
      0x0c,
      ...u32(60 * 1024 - ON_METADATA.length - 5),
      ...new Array<number>(60 * 1024 - ON_METADATA.length - 5).fill(0x62),
    ];
    add(
      'script',
      '20 script tags of 60 KiB in a row: the run past 1 MiB is skipped',
      ['script_flood'],
      Array.from({ length: 20 }, () => script(0, body)).flat(),
    );
  }
  add(
    'script',
    'two floods separated by an audio frame: one report per run',
    ['script_flood', 'script_flood'],
    [
      ...Array.from({ length: 70 }, () => script(0, SMALL_METADATA)).flat(),
      ...tag(TAG_AUDIO, 0, AAC_FRAME),
      ...Array.from({ length: 70 }, () => script(0, SMALL_METADATA)).flat(),
    ],
  );

  // ---- AMF0
  add(
    'amf',
    'AMF0 objects nested 33 deep (cap 32)',
    ['amf_too_deep'],
    script(0, [...ON_METADATA, ...nestedObjects(33)]),
  );
  add(
    'amf',
    'AMF0 objects nested 16,000 deep in one 64 KB tag: no stack overflow',
    ['amf_too_deep'],
    // 4 bytes per level and no closing bytes (the decoder gives up at level 33): 64,013 bytes, under the cap
    script(0, [...ON_METADATA, ...nestedObjects(16_000, false)]),
  );
  add(
    'amf',
    'the same over-deep nesting repeated in 10 script tags',
    Array<AnomalyCode>(10).fill('amf_too_deep'),
    Array.from({ length: 10 }, () => script(0, [...ON_METADATA, ...nestedObjects(40)])).flat(),
  );
  add(
    'amf',
    'AMF0 object referring to itself (reference 0)',
    ['amf_reference'],
    script(0, [
      ...ON_METADATA,
      0x03, // object (complex object 0 in the reference table)
      0x00,
      0x04,
      ...ascii('self'),
      0x07,
      0x00,
      0x00, // "self": reference to object 0 = itself
      0x00,
      0x05,
      ...ascii('width'),
      0x00,
      0x40,
      0x94,
      0x00,
      0,
      0,
      0,
      0,
      0, // "width": 1280
      ...OBJECT_END,
    ]),
  );
  {
    // "Billion laughs": object k holds ten references to object k - 1, 12 levels deep. Resolved, that is
    // 10^12 leaves; unresolved it is 120 undefineds.
    const level = (k: number): number[] => {
      const refs: number[] = [];
      for (let i = 0; i < 10; i++) refs.push(0x00, 0x01, 0x30 + i, 0x07, ...u16(Math.max(0, k - 1)));
      return [0x00, 0x02, 0x6c, 0x61 + k, 0x03, ...refs, ...OBJECT_END]; // key "l<k>": object of refs
    };
    const body = [...ON_METADATA, 0x08, 0x00, 0x00, 0x00, 0x0c];
    for (let k = 0; k < 12; k++) body.push(...level(k));
    body.push(...OBJECT_END);
    add('amf', 'AMF0 references to references ("billion laughs")', ['amf_reference'], script(0, body));
  }

  // ---- SPS with out-of-range values, each in an otherwise well-formed sequence header
  const avcSps = (sps: number[]) => video(0, [...AVC_CONFIG, ...avcC(sps)]);
  add('sps', 'H.264 SPS log2_max_frame_num_minus4 = 13', ['bad_sps'], avcSps(AVC_SPS.log2MaxFrameNum13));
  add('sps', 'H.264 SPS pic_order_cnt_type = 3', ['bad_sps'], avcSps(AVC_SPS.picOrderCntType3));
  add('sps', 'H.264 SPS seq_parameter_set_id = 32', ['bad_sps'], avcSps(AVC_SPS.spsId32));
  add('sps', 'H.264 SPS chroma_format_idc = 4', ['bad_sps'], avcSps(AVC_SPS.chromaFormatIdc4));
  add('sps', 'H.264 SPS bit_depth_luma_minus8 = 7 (15 bits)', ['bad_sps'], avcSps(AVC_SPS.bitDepthLuma15));
  add(
    'sps',
    'H.264 SPS pic_width_in_mbs_minus1 = 2^32 - 2 (width overflows 32 bits)',
    ['bad_sps'],
    avcSps(AVC_SPS.widthOverflow),
  );
  add(
    'sps',
    'H.264 SPS 16384x16384 (each side allowed, the frame above MaxFS)',
    ['bad_sps'],
    avcSps(AVC_SPS.area16384),
  );
  const hevcSps = (sps: number[]) => video(0, [...HEVC_CONFIG, ...hvcCHead(1), ...hvcCArray(33, [sps])]);
  add('sps', 'H.265 SPS chroma_format_idc = 4', ['bad_sps'], hevcSps(HEVC_SPS.chromaFormatIdc4));
  add('sps', 'H.265 SPS bit_depth_luma_minus8 = 9 (17 bits)', ['bad_sps'], hevcSps(HEVC_SPS.bitDepthLuma17));
  add('sps', 'H.265 SPS pic_width_in_luma_samples = 0', ['bad_sps'], hevcSps(HEVC_SPS.width0));
  add('sps', 'H.265 SPS 16888x16888 (above MaxLumaPs)', ['bad_sps'], hevcSps(HEVC_SPS.area16888));
  add(
    'sps',
    'H.265 SPS log2_max_pic_order_cnt_lsb_minus4 = 13',
    ['bad_sps'],
    hevcSps(HEVC_SPS.log2MaxPocLsbMinus4Is13),
  );

  // ---- decoder configuration records
  const sps720 = hex('42010101600000030090000003000003005da00280802d16515e49122b20'); // valid 1280x720 Main
  add(
    'records',
    'HEVC record claiming numOfArrays 255, one array present',
    ['bad_video_config'],
    video(0, [...HEVC_CONFIG, ...hvcCHead(255), ...hvcCArray(33, [sps720])]),
  );
  add(
    'records',
    'HEVC record claiming numNalus 65535, one NAL unit present',
    ['bad_video_config'],
    video(0, [...HEVC_CONFIG, ...hvcCHead(1), ...hvcCArray(33, [sps720], 0xffff)]),
  );
  add(
    'records',
    'HEVC record with zero-length NAL units beside the SPS',
    ['empty_nal'],
    video(0, [...HEVC_CONFIG, ...hvcCHead(2), ...hvcCArray(32, [[], []]), ...hvcCArray(33, [[], sps720])]),
  );
  add(
    'records',
    'AVC record with a zero-length SPS before the real one and a zero-length PPS',
    ['empty_nal'],
    video(0, [
      ...AVC_CONFIG,
      0x01,
      0x64,
      0x00,
      0x28,
      0xff, // version 1, High, level 4.0, lengthSizeMinusOne 3
      0xe2, // numOfSequenceParameterSets 2
      0x00,
      0x00, // SPS 0: length 0
      0x00,
      0x1b,
      ...SPS_1080P25, // SPS 1: 27 bytes
      0x02, // numOfPictureParameterSets 2
      0x00,
      0x00, // PPS 0: length 0
      0x00,
      0x06,
      ...PPS_X264,
    ]),
  );
  add(
    'records',
    'AVC record whose only SPS is zero-length',
    ['empty_nal', 'bad_video_config'],
    video(0, [...AVC_CONFIG, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x00, 0x00]),
  );

  // ---- zero-length NAL units in coded frames
  add(
    'nal',
    'AVC coded frame: zero-length NAL units before the IDR slice',
    ['empty_nal'],
    [
      ...avcConfig(0),
      // key frame, AVCPacketType 1, CTS 0, NALU length 0, NALU length 0, NALU length 4 + IDR slice
      ...video(
        0,
        [0x17, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x04, 0x65, 0x88, 0x84, 0x00],
      ),
    ],
    40,
  );
  add(
    'nal',
    'AVC coded frame of nothing but zero-length NAL units',
    ['empty_nal'],
    [...avcConfig(0), ...video(0, [0x17, 0x01, 0x00, 0x00, 0x00, ...new Array<number>(4 * 500).fill(0)])],
    40,
  );
  add(
    'nal',
    'HEVC coded frame: a zero-length NAL unit before the IDR',
    ['empty_nal'],
    [
      ...video(0, [...HEVC_CONFIG, ...HVCC_1080P30]),
      // key | CodecID 12, AVCPacketType 1, CTS 0, NALU length 0, NALU length 3 + IDR_W_RADL (type 19)
      ...video(0, [0x1c, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x03, 0x26, 0x01, 0xaf]),
    ],
    40,
  );

  // ---- AV1 configuration records with garbage configOBUs (Enhanced RTMP 'av01' SequenceStart)
  const av1 = (obus: number[]) => video(0, [...exSequenceStart('av01'), ...AV1C_HEAD, ...obus]);
  add('av1', 'AV1 configOBUs: obu_forbidden_bit set', ['bad_video_config'], av1([0x8a, 0x01, 0x00]));
  add('av1', 'AV1 configOBUs: obu_size runs past the record', ['bad_video_config'], av1([0x0a, 0x7f, 0x00, 0x00]));
  add(
    'av1',
    'AV1 configOBUs: leb128 obu_size that never ends',
    ['bad_video_config'],
    av1([0x0a, ...new Array<number>(9).fill(0xff)]),
  );
  // obu_type 1 (sequence header) with obu_size 3: seq_profile 7 is reserved
  add('av1', 'AV1 configOBUs: sequence header OBU of garbage', ['bad_sps'], av1([0x0a, 0x03, 0xff, 0xff, 0xff]));

  // ---- unknown codecs without end
  {
    const hostile: number[] = [];
    for (let i = 0; i < 40; i++) hostile.push(...video(0, exSequenceStart(`x${String(i).padStart(3, '0')}`)));
    hostile.push(...video(0, exSequenceStart('x000'))); // remembered: not reported again
    hostile.push(...video(0, exSequenceStart('x035'))); // past the 32 remembered names: reported again
    add(
      'codecs',
      '40 made-up video FourCCs, then two repeats',
      Array<AnomalyCode>(41).fill('unknown_video_codec'),
      hostile,
    );
  }
  return cases;
}
