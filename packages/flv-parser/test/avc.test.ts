import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAvcDecoderConfigurationRecord, readAvcDecoderConfigurationRecord } from '../src/codecs/avc.js';
import { type H264Sps, h264LevelName, h264ProfileName, parseH264Sps } from '../src/codecs/h264-sps.js';
import { indexFlvTags } from '../src/tag-index.js';
import { BitWriter } from './support/bit-writer.js';

const hex = (s: string) =>
  Uint8Array.from(
    s
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );

function sps(nal: Uint8Array): H264Sps {
  const r = parseH264Sps(nal);
  if (!r.ok) throw new Error(`expected a valid SPS, got ${r.code}: ${r.message}`);
  return r.config;
}

function spsError(nal: Uint8Array): string {
  const r = parseH264Sps(nal);
  if (r.ok) throw new Error('expected bad_sps, got a valid SPS');
  expect(r.code).toBe('bad_sps');
  return r.message;
}

// ---------------------------------------------------------------------------------------------------------
// Real SPS NAL units written by x264 (Debian ffmpeg 5.1 + libx264). Each was generated with
//   ffmpeg -f lavfi -i testsrc2=size=WxH:rate=R -t 0.2 -c:v libx264 [options] -f h264 out.264
// and cut out of the Annex B stream (the NAL unit of type 7). Expected values come from
// `ffmpeg -i out.264 -c copy -bsf:v trace_headers -f null -` (raw fields) and from ffprobe -show_streams
// (profile, level, width, height, r_frame_rate), not from the parser under test.
// ---------------------------------------------------------------------------------------------------------

/** size=1280x720:rate=30, no options. ffprobe: High, level 31, 1280x720, 30/1. Has two 00 00 03 sequences. */
const SPS_720P30_HIGH = hex('6764001facd9405005bb0110000003001000000303c0f1831960');
/** size=1920x1080:rate=25. ffprobe: High, level 40, 1920x1080, 25/1. trace: frame_crop_bottom_offset=4 */
const SPS_1080P25_HIGH = hex('67640028acd940780227e5c044000003000400000300c83c60c658');
/** size=1920x1080:rate=25, -x264-params interlaced=1. ffprobe: High, 40, 1920x1080, field_order tt. */
const SPS_1080I25_HIGH = hex('67640028acd94078044fde0220000003002000000643e2c5b2c0');
/** size=1366x766:rate=30000/1001. ffprobe: High, 32, 1366x766, 30000/1001. trace: crop right 5, bottom 1 */
const SPS_1366X766_2997 = hex('67640020acd94056061e6ac04400000fa40003a9803c60c658');
/** size=320x240:rate=15, -profile:v baseline -level:v 3.0. ffprobe: Constrained Baseline, 30, 320x240, 15/1. */
const SPS_240P_BASELINE = hex('6742c01ed90141fb0110000003001000000301e0f162e480');
/** size=176x144:rate=15, -profile:v baseline -x264-params level=1b. trace: level_idc=11, constraint_set3_flag=1 */
const SPS_LEVEL1B_BASELINE = hex('6742d00bd902c4ec0440000003004000000783c48992');
/** size=176x144:rate=15, -profile:v high -x264-params level=1b. trace: level_idc=9. ffprobe: High, level 9 */
const SPS_LEVEL1B_HIGH = hex('67640009acd942c4ec0440000003004000000783c4896580');
/** size=1280x720:rate=50, -pix_fmt yuv420p10le. ffprobe: High 10, 32, yuv420p10le, 50/1. */
const SPS_720P50_HIGH10 = hex('676e0020a6cd9405005bb011000003000100000300640f183196');
/** size=1280x720:rate=30, -pix_fmt yuv422p. ffprobe: High 4:2:2, 31, yuv422p. */
const SPS_720P_HIGH422 = hex('677a001fbcd9405005bb0110000003001000000303c0f1831960');
/** size=1280x720:rate=30, -pix_fmt yuv444p -x264-params cqm=jvt. ffprobe: High 4:4:4 Predictive, 31, yuv444p. */
const SPS_720P_HIGH444 = hex('67f4001f919b280a00b76022000003000200000300781e30632c');
/**
 * size=720x480:rate=30000/1001, -vf setsar=8/9 -color_primaries bt709 -color_trc bt709 -colorspace bt709.
 * ffprobe: High, 30, 720x480, sample_aspect_ratio 8:9, color_primaries bt709, 30000/1001.
 * trace: aspect_ratio_idc=255 sar 8/9, video_format=5, colour 1/1/1.
 */
const SPS_480P_EXTENDED_SAR = hex('6764001eacd940b43dbff000800096a020202800001f480007530078b16cb0');

// CropUnitX / CropUnitY per chroma format (7.4.2.1.1). The source was asked for 1365x765, the conversion to the
// pixel format rounded it to 1364x764 (4:4:4, 4:0:0) and 1366x764 (4:2:2); ffprobe reports those sizes.
/** size=1365x765:rate=25, -pix_fmt yuv444p. ffprobe: High 4:4:4 Predictive, 1364x764. trace: crop right 12, bottom 4 */
const SPS_444_CROP = hex('67f40020919b280ac0c3c6cb80880000030008000003019078c18cb0');
/** size=1365x765:rate=25, -pix_fmt yuv422p. ffprobe: High 4:2:2, 1366x764. trace: crop right 5, bottom 4 */
const SPS_422_CROP = hex('677a0020bcd94056061e697011000003000100000300320f183196');
/**
 * size=1365x765:rate=25, -pix_fmt gray. ffprobe: High, 1364x764. trace: chroma_format_idc 0, crop right 12, bottom 4
 */
const SPS_400_CROP = hex('67640020f36501581878d97016c80000030008000003019078c18cb0');

// x264 writes scaling matrices only in the PPS and never uses pic_order_cnt_type 1, so these three SPS were
// built by hand (a small Python bit writer) and checked with `ffmpeg -f h264 -i sps.264 -bsf:v trace_headers`:
// FFmpeg's CBS read every element listed below and ended on rbsp_stop_one_bit, so the lists are coded right.
/**
 * High 640x360 (40x23 MBs, crop bottom 4), seq_scaling_matrix_present_flag=1, 8 lists:
 * [0] present, delta_scale 8,1,1,...(16 values) | [1] present, delta_scale -8 (useDefaultScalingMatrixFlag)
 * [2] absent | [3] present, 8 then 15 zeros | [4],[5] absent
 * [6] present, 4,2,2,2,2,2,2,2,2,2,-30 (nextScale 0 at j=10: the rest repeats) | [7] present, -8 (default).
 * VUI: only timing, num_units_in_tick=1 time_scale=48.
 */
const SPS_SCALING_420 = hex('6764001ead8412492492492508a10fffe441084210842101ec23b281405ff2c20000030002000003006008');
/**
 * High 4:4:4 Predictive 1280x720, 12 lists: [0..5] absent, [6] as above, [7] -8, [8] 2 then 63 ones,
 * [9] -8, [10] as [6], [11] absent. VUI timing 1/60, fixed_frame_rate_flag=1.
 */
const SPS_SCALING_444 = hex(
  '67f4001f91a0441084210842101ec23224924924924924924924924924924924924924924924924a' +
    '11882108421084203d6ca02802dd08000003000800000301e420',
);
/**
 * Main (constraint_set1) 1280x720, pic_order_cnt_type=1: delta_pic_order_always_zero_flag=0,
 * offset_for_non_ref_pic=-2, offset_for_top_to_bottom_field=1, offset_for_ref_frame = [4, -3, 2].
 * VUI timing 1001/60000, fixed_frame_rate_flag=1.
 */
const SPS_POC_TYPE1 = hex('674d401fd0a8820e4280a00b742000007d20001d4c1080');

/**
 * AVC sequence header bodies (FLV tag body minus the 5-byte video tag header) from
 *   ffmpeg -f lavfi -i testsrc2=size=1920x1080:rate=25 -t 0.2 -c:v libx264 -f flv out.flv
 * FFmpeg writes the High-profile extension bytes (fd f8 f8 00) after the PPS.
 */
const AVCC_1080P25 = hex(
  '01640028ffe1001b67640028acd940780227e5c044000003000400000300c83c60c65801000668ebe3cb22c0fdf8f800',
);
/** same with size=1280x720:rate=30 -pix_fmt yuv422p: extension says chroma_format 2 (fe). */
const AVCC_720P_HIGH422 = hex(
  '017a001fffe1001a677a001fbcd9405005bb0110000003001000000303c0f183196001000668ebe3cb22c0fef8f800',
);

describe('parseH264Sps: real x264 parameter sets', () => {
  it('1280x720 High 3.1, 30 fps from VUI timing', () => {
    const s = sps(SPS_720P30_HIGH);
    expect(s).toMatchObject({
      nal_ref_idc: 3,
      profile_idc: 100,
      constraint_set0_flag: false,
      constraint_set1_flag: false,
      constraint_set3_flag: false,
      level_idc: 31,
      seq_parameter_set_id: 0,
      chroma_format_idc: 1,
      bit_depth_luma_minus8: 0,
      bit_depth_chroma_minus8: 0,
      seq_scaling_matrix_present_flag: false,
      log2_max_frame_num_minus4: 0,
      pic_order_cnt_type: 0,
      log2_max_pic_order_cnt_lsb_minus4: 2,
      max_num_ref_frames: 4,
      gaps_in_frame_num_value_allowed_flag: false,
      pic_width_in_mbs_minus1: 79,
      pic_height_in_map_units_minus1: 44,
      frame_mbs_only_flag: true,
      direct_8x8_inference_flag: true,
      frame_cropping_flag: false,
      vui_parameters_present_flag: true,
      width: 1280,
      height: 720,
      codedWidth: 1280,
      codedHeight: 720,
      chromaFormat: '4:2:0',
      bitDepthLuma: 8,
      frameRate: 30,
    });
    expect(s.vui).toMatchObject({
      aspect_ratio_info_present_flag: true,
      aspect_ratio_idc: 1,
      sampleAspectRatio: [1, 1],
      timing_info_present_flag: true,
      num_units_in_tick: 1,
      time_scale: 60,
      fixed_frame_rate_flag: false,
    });
    expect(s.vui?.truncated).toBeUndefined();
    expect(h264ProfileName(s)).toBe('High');
    expect(h264LevelName(s)).toBe('3.1');
  });

  it('reads time_scale across emulation prevention bytes (00 00 03 inside num_units_in_tick / time_scale)', () => {
    // num_units_in_tick and time_scale sit at RBSP bits 92..155, where the NAL has "00 00 03 00 10 00 00 03 03":
    // read raw, the 03 bytes would land in the fields. Without stripping, time_scale would not be 60.
    const s = sps(SPS_720P30_HIGH);
    expect(s.vui?.num_units_in_tick).toBe(1);
    expect(s.vui?.time_scale).toBe(60);
  });

  it('1920x1080 High 4.0: coded 1088 lines, cropped to 1080 (frame_crop_bottom_offset 4 x CropUnitY 2)', () => {
    const s = sps(SPS_1080P25_HIGH);
    expect(s).toMatchObject({
      pic_width_in_mbs_minus1: 119,
      pic_height_in_map_units_minus1: 67,
      frame_cropping_flag: true,
      frame_crop_left_offset: 0,
      frame_crop_right_offset: 0,
      frame_crop_top_offset: 0,
      frame_crop_bottom_offset: 4,
      codedWidth: 1920,
      codedHeight: 1088,
      width: 1920,
      height: 1080,
      frameRate: 25,
    });
    expect(h264LevelName(s)).toBe('4.0');
  });

  it('interlaced 1080: map units are field MB pairs and CropUnitY doubles', () => {
    const s = sps(SPS_1080I25_HIGH);
    expect(s).toMatchObject({
      frame_mbs_only_flag: false,
      mb_adaptive_frame_field_flag: true,
      pic_height_in_map_units_minus1: 33, // 34 map units x 2 fields x 16 = 1088
      frame_crop_bottom_offset: 2, // x CropUnitY 4 = 8 lines
      codedHeight: 1088,
      width: 1920,
      height: 1080,
      frameRate: 25, // time_scale 50, num_units_in_tick 1
    });
  });

  it('odd size 1366x766: right and bottom cropping in chroma units, 29.97 fps', () => {
    const s = sps(SPS_1366X766_2997);
    expect(s).toMatchObject({
      frame_crop_right_offset: 5,
      frame_crop_bottom_offset: 1,
      codedWidth: 1376,
      codedHeight: 768,
      width: 1366,
      height: 766,
    });
    expect(s.vui).toMatchObject({ num_units_in_tick: 1001, time_scale: 60000 });
    expect(s.frameRate).toBeCloseTo(30000 / 1001, 10);
  });

  it('Constrained Baseline 3.0: no high-profile syntax, pic_order_cnt_type 2', () => {
    const s = sps(SPS_240P_BASELINE);
    expect(s).toMatchObject({
      profile_idc: 66,
      constraint_set0_flag: true,
      constraint_set1_flag: true,
      level_idc: 30,
      chroma_format_idc: 1, // inferred
      bitDepthLuma: 8,
      pic_order_cnt_type: 2,
      max_num_ref_frames: 3,
      width: 320,
      height: 240,
      frameRate: 15,
    });
    expect(s.log2_max_pic_order_cnt_lsb_minus4).toBeUndefined();
    expect(h264ProfileName(s)).toBe('Constrained Baseline');
    expect(h264LevelName(s)).toBe('3.0');
  });

  it('level 1b: level_idc 11 + constraint_set3 in Baseline, level_idc 9 in High', () => {
    const base = sps(SPS_LEVEL1B_BASELINE);
    expect(base).toMatchObject({ profile_idc: 66, level_idc: 11, constraint_set3_flag: true, width: 176, height: 144 });
    expect(h264LevelName(base)).toBe('1b');
    const high = sps(SPS_LEVEL1B_HIGH);
    expect(high).toMatchObject({ profile_idc: 100, level_idc: 9 });
    expect(h264LevelName(high)).toBe('1b');
    // level_idc 11 without constraint_set3 is plain level 1.1
    expect(h264LevelName({ profile_idc: 66, level_idc: 11, constraint_set3_flag: false })).toBe('1.1');
    // in High, constraint_set3 does not turn 11 into 1b
    expect(h264LevelName({ profile_idc: 100, level_idc: 11, constraint_set3_flag: true })).toBe('1.1');
  });

  it('High 10: bit depths 10, 50 fps', () => {
    const s = sps(SPS_720P50_HIGH10);
    expect(s).toMatchObject({
      profile_idc: 110,
      bit_depth_luma_minus8: 2,
      bit_depth_chroma_minus8: 2,
      bitDepthLuma: 10,
      bitDepthChroma: 10,
      frameRate: 50,
    });
    expect(h264ProfileName(s)).toBe('High 10');
    expect(h264LevelName(s)).toBe('3.2');
  });

  it('High 4:2:2', () => {
    const s = sps(SPS_720P_HIGH422);
    expect(s).toMatchObject({
      profile_idc: 122,
      chroma_format_idc: 2,
      chromaFormat: '4:2:2',
      width: 1280,
      height: 720,
    });
    expect(h264ProfileName(s)).toBe('High 4:2:2');
  });

  it('High 4:4:4 Predictive', () => {
    const s = sps(SPS_720P_HIGH444);
    expect(s).toMatchObject({
      profile_idc: 244,
      chroma_format_idc: 3,
      separate_colour_plane_flag: false,
      chromaArrayType: 3,
      chromaFormat: '4:4:4',
      width: 1280,
      height: 720,
    });
    expect(h264ProfileName(s)).toBe('High 4:4:4 Predictive');
  });

  it('crop units follow the chroma format: 4:4:4 (1, 1), 4:2:2 (2, 1), 4:0:0 (1, 1)', () => {
    expect(sps(SPS_444_CROP)).toMatchObject({
      chromaFormat: '4:4:4',
      codedWidth: 1376,
      codedHeight: 768,
      frame_crop_right_offset: 12,
      frame_crop_bottom_offset: 4,
      width: 1364,
      height: 764,
    });
    expect(sps(SPS_422_CROP)).toMatchObject({
      chromaFormat: '4:2:2',
      frame_crop_right_offset: 5,
      frame_crop_bottom_offset: 4,
      width: 1366,
      height: 764,
    });
    const mono = sps(SPS_400_CROP);
    expect(mono).toMatchObject({
      chroma_format_idc: 0,
      chromaArrayType: 0,
      chromaFormat: '4:0:0',
      width: 1364,
      height: 764,
    });
    expect(h264ProfileName(mono)).toBe('High');
  });

  it('VUI: Extended_SAR (255), video signal type and colour description', () => {
    const s = sps(SPS_480P_EXTENDED_SAR);
    expect(s.vui).toMatchObject({
      aspect_ratio_idc: 255,
      sar_width: 8,
      sar_height: 9,
      sampleAspectRatio: [8, 9],
      overscan_info_present_flag: false,
      video_signal_type_present_flag: true,
      video_format: 5,
      video_full_range_flag: false,
      colour_description_present_flag: true,
      colour_primaries: 1,
      transfer_characteristics: 1,
      matrix_coefficients: 1,
      chroma_loc_info_present_flag: false,
      num_units_in_tick: 1001,
      time_scale: 60000,
    });
    expect(s).toMatchObject({ width: 720, height: 480 });
  });
});

describe('parseH264Sps: syntax x264 does not write (hand-built, checked with FFmpeg trace_headers)', () => {
  it('8 scaling lists: custom, useDefaultScalingMatrixFlag, early stop, absent', () => {
    const s = sps(SPS_SCALING_420);
    expect(s.seq_scaling_matrix_present_flag).toBe(true);
    expect(s.seq_scaling_list_present_flag).toEqual([true, true, false, true, false, false, true, true]);
    // the fields after the lists only come out right if every delta_scale was consumed
    expect(s).toMatchObject({
      log2_max_frame_num_minus4: 0,
      pic_order_cnt_type: 0,
      log2_max_pic_order_cnt_lsb_minus4: 2,
      max_num_ref_frames: 4,
      pic_width_in_mbs_minus1: 39,
      pic_height_in_map_units_minus1: 22,
      frame_crop_bottom_offset: 4,
      width: 640,
      height: 360,
      frameRate: 24,
    });
    expect(s.vui).toMatchObject({
      aspect_ratio_info_present_flag: false,
      num_units_in_tick: 1,
      time_scale: 48,
      fixed_frame_rate_flag: false,
    });
  });

  it('12 scaling lists for 4:4:4', () => {
    const s = sps(SPS_SCALING_444);
    expect(s.seq_scaling_list_present_flag).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(s).toMatchObject({
      profile_idc: 244,
      chroma_format_idc: 3,
      pic_width_in_mbs_minus1: 79,
      pic_height_in_map_units_minus1: 44,
      width: 1280,
      height: 720,
      frameRate: 30,
    });
    expect(s.vui?.fixed_frame_rate_flag).toBe(true);
  });

  it('pic_order_cnt_type 1 with the offset_for_ref_frame loop', () => {
    const s = sps(SPS_POC_TYPE1);
    expect(s).toMatchObject({
      profile_idc: 77,
      constraint_set1_flag: true,
      pic_order_cnt_type: 1,
      delta_pic_order_always_zero_flag: false,
      offset_for_non_ref_pic: -2,
      offset_for_top_to_bottom_field: 1,
      num_ref_frames_in_pic_order_cnt_cycle: 3,
      offset_for_ref_frame: [4, -3, 2],
      max_num_ref_frames: 4,
      width: 1280,
      height: 720,
    });
    expect(s.frameRate).toBeCloseTo(29.97, 2);
    expect(h264ProfileName(s)).toBe('Main');
  });
});

describe('h264ProfileName: the names ffprobe prints', () => {
  const name = (profile_idc: number, cs1 = false, cs3 = false) =>
    h264ProfileName({ profile_idc, constraint_set1_flag: cs1, constraint_set3_flag: cs3 });
  it.each([
    [66, false, false, 'Baseline'],
    [66, true, false, 'Constrained Baseline'],
    [77, false, false, 'Main'],
    [88, false, false, 'Extended'],
    [100, false, false, 'High'],
    [110, false, true, 'High 10 Intra'],
    [122, false, true, 'High 4:2:2 Intra'],
    [244, false, true, 'High 4:4:4 Intra'],
    [44, false, false, 'CAVLC 4:4:4'],
    [118, false, false, 'Multiview High'],
    [128, false, false, 'Stereo High'],
    [99, false, false, 'Profile 99'],
  ])('profile_idc %i cs1=%s cs3=%s -> %s', (idc, cs1, cs3, expected) => {
    expect(name(idc, cs1, cs3)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Hostile SPS data, built bit by bit (independent little writer: u(n), ue, se, then rbsp trailing bits and
// emulation prevention, as an encoder would).
// ---------------------------------------------------------------------------------------------------------

interface SpsFields {
  nalHeader: number;
  profile_idc: number;
  seq_parameter_set_id: number;
  chroma_format_idc: number;
  bit_depth_luma_minus8: number;
  bit_depth_chroma_minus8: number;
  scalingLists?: number[][] | undefined; // delta_scale values per list, list 0 only
  log2_max_frame_num_minus4: number;
  pic_order_cnt_type: number;
  log2_max_pic_order_cnt_lsb_minus4: number;
  num_ref_frames_in_pic_order_cnt_cycle: number;
  max_num_ref_frames: number;
  pic_width_in_mbs_minus1: number;
  pic_height_in_map_units_minus1: number;
  frame_mbs_only_flag: number;
  crop?: [number, number, number, number] | undefined;
}

/** A 1280x720 High SPS without VUI; any field can be overridden with a hostile value. */
function buildSps(over: Partial<SpsFields> = {}): Uint8Array {
  const f: SpsFields = {
    nalHeader: 0x67,
    profile_idc: 100,
    seq_parameter_set_id: 0,
    chroma_format_idc: 1,
    bit_depth_luma_minus8: 0,
    bit_depth_chroma_minus8: 0,
    log2_max_frame_num_minus4: 0,
    pic_order_cnt_type: 0,
    log2_max_pic_order_cnt_lsb_minus4: 2,
    num_ref_frames_in_pic_order_cnt_cycle: 0,
    max_num_ref_frames: 4,
    pic_width_in_mbs_minus1: 79,
    pic_height_in_map_units_minus1: 44,
    frame_mbs_only_flag: 1,
    ...over,
  };
  const w = new BitWriter().u(8, f.nalHeader).u(8, f.profile_idc).u(8, 0).u(8, 31).ue(f.seq_parameter_set_id);
  w.ue(f.chroma_format_idc);
  if (f.chroma_format_idc === 3) w.flag(0);
  w.ue(f.bit_depth_luma_minus8).ue(f.bit_depth_chroma_minus8).flag(0);
  w.flag(f.scalingLists !== undefined);
  if (f.scalingLists) {
    for (let i = 0; i < 8; i++) {
      const list = f.scalingLists[i];
      w.flag(list !== undefined);
      if (list) for (const d of list) w.se(d);
    }
  }
  w.ue(f.log2_max_frame_num_minus4).ue(f.pic_order_cnt_type);
  if (f.pic_order_cnt_type === 0) w.ue(f.log2_max_pic_order_cnt_lsb_minus4);
  else if (f.pic_order_cnt_type === 1) {
    w.flag(0).se(0).se(0).ue(f.num_ref_frames_in_pic_order_cnt_cycle);
    for (let i = 0; i < Math.min(f.num_ref_frames_in_pic_order_cnt_cycle, 300); i++) w.se(1);
  }
  w.ue(f.max_num_ref_frames).flag(0).ue(f.pic_width_in_mbs_minus1).ue(f.pic_height_in_map_units_minus1);
  w.flag(f.frame_mbs_only_flag);
  if (!f.frame_mbs_only_flag) w.flag(0);
  w.flag(1).flag(f.crop !== undefined);
  if (f.crop) for (const c of f.crop) w.ue(c);
  w.flag(0); // vui_parameters_present_flag
  return w.nal();
}

describe('parseH264Sps: hostile values give bad_sps with a specific message', () => {
  it('the builder baseline is valid (so each case below fails for its own field)', () => {
    const s = sps(buildSps());
    expect(s).toMatchObject({ width: 1280, height: 720, vui_parameters_present_flag: false });
    expect(s.vui).toBeUndefined();
    expect(s.frameRate).toBeUndefined();
  });

  it('huge log2_max_frame_num_minus4', () => {
    expect(spsError(buildSps({ log2_max_frame_num_minus4: 200 }))).toMatch(
      /log2_max_frame_num_minus4 = 200 out of range 0\.\.12/,
    );
    expect(spsError(buildSps({ log2_max_frame_num_minus4: 2 ** 32 - 2 }))).toMatch(
      /log2_max_frame_num_minus4 = 4294967294/,
    );
    expect(sps(buildSps({ log2_max_frame_num_minus4: 12 })).log2_max_frame_num_minus4).toBe(12);
  });

  it('seq_parameter_set_id > 31', () => {
    expect(spsError(buildSps({ seq_parameter_set_id: 32 }))).toMatch(/seq_parameter_set_id = 32/);
    expect(sps(buildSps({ seq_parameter_set_id: 31 })).seq_parameter_set_id).toBe(31);
  });

  it('chroma_format_idc > 3', () => {
    expect(spsError(buildSps({ chroma_format_idc: 4 }))).toMatch(/chroma_format_idc = 4/);
  });

  it('bit depth above 14', () => {
    expect(spsError(buildSps({ bit_depth_luma_minus8: 7 }))).toMatch(/bit_depth_luma_minus8 = 7/);
    expect(spsError(buildSps({ bit_depth_chroma_minus8: 100 }))).toMatch(/bit_depth_chroma_minus8 = 100/);
    expect(sps(buildSps({ bit_depth_luma_minus8: 6 })).bitDepthLuma).toBe(14);
  });

  it('pic_order_cnt_type > 2 and log2_max_pic_order_cnt_lsb_minus4 > 12', () => {
    expect(spsError(buildSps({ pic_order_cnt_type: 3 }))).toMatch(/pic_order_cnt_type = 3/);
    expect(spsError(buildSps({ log2_max_pic_order_cnt_lsb_minus4: 13 }))).toMatch(
      /log2_max_pic_order_cnt_lsb_minus4 = 13/,
    );
  });

  it('num_ref_frames_in_pic_order_cnt_cycle > 255 is refused before the loop', () => {
    expect(spsError(buildSps({ pic_order_cnt_type: 1, num_ref_frames_in_pic_order_cnt_cycle: 256 }))).toMatch(
      /num_ref_frames_in_pic_order_cnt_cycle = 256/,
    );
    // a huge count with no data behind it is also refused by range, not by running out of bits
    expect(spsError(buildSps({ pic_order_cnt_type: 1, num_ref_frames_in_pic_order_cnt_cycle: 2 ** 31 }))).toMatch(
      /num_ref_frames_in_pic_order_cnt_cycle = 2147483648/,
    );
    const ok = sps(buildSps({ pic_order_cnt_type: 1, num_ref_frames_in_pic_order_cnt_cycle: 255 }));
    expect(ok.offset_for_ref_frame).toHaveLength(255);
    expect(ok.width).toBe(1280); // fields after the loop still line up
  });

  it('max_num_ref_frames > 16', () => {
    expect(spsError(buildSps({ max_num_ref_frames: 17 }))).toMatch(/max_num_ref_frames = 17/);
  });

  it('picture above 16384x16384, including ue values near 2^32', () => {
    expect(spsError(buildSps({ pic_width_in_mbs_minus1: 1024 }))).toMatch(/picture size 16400x720/);
    expect(spsError(buildSps({ pic_height_in_map_units_minus1: 2 ** 32 - 2 }))).toMatch(
      /picture size 1280x68719476720/,
    );
    // interlaced doubles the height: 600 map units x 2 x 16 = 19200
    expect(spsError(buildSps({ pic_height_in_map_units_minus1: 599, frame_mbs_only_flag: 0 }))).toMatch(
      /picture size 1280x19200/,
    );
    // 16384 wide is accepted as long as the frame stays within MaxFS (1024 x 136 = 139264 macroblocks)
    expect(sps(buildSps({ pic_width_in_mbs_minus1: 1023, pic_height_in_map_units_minus1: 135 }))).toMatchObject({
      width: 16384,
      height: 2176,
    });
  });

  it('sides within 16384 whose product is above MaxFS 139264 (no level allows the frame)', () => {
    expect(spsError(buildSps({ pic_width_in_mbs_minus1: 1023, pic_height_in_map_units_minus1: 1023 }))).toMatch(
      /16384x16384 is 1048576 macroblocks, above MaxFS 139264/,
    );
    expect(spsError(buildSps({ pic_width_in_mbs_minus1: 1023, pic_height_in_map_units_minus1: 136 }))).toMatch(
      /139264/,
    );
    // interlaced: FrameHeightInMbs is twice the map units
    expect(
      spsError(buildSps({ pic_width_in_mbs_minus1: 1023, pic_height_in_map_units_minus1: 68, frame_mbs_only_flag: 0 })),
    ).toMatch(/16384x2208/);
    expect(sps(buildSps({ pic_width_in_mbs_minus1: 511, pic_height_in_map_units_minus1: 271 }))).toMatchObject({
      width: 8192,
      height: 4352,
    });
  });

  it('cropping larger than the picture', () => {
    // 4:2:0: CropUnitX 2, so 640 + 0 units crop the whole 1280 width
    expect(spsError(buildSps({ crop: [640, 0, 0, 0] }))).toMatch(/cropping/);
    expect(spsError(buildSps({ crop: [0, 0, 2 ** 31, 2 ** 31] }))).toMatch(/cropping/);
    expect(sps(buildSps({ crop: [639, 0, 359, 0] }))).toMatchObject({ width: 2, height: 2 });
  });

  it('delta_scale outside -128..127', () => {
    expect(spsError(buildSps({ scalingLists: [[200]] }))).toMatch(/delta_scale = 200 in scaling list 0/);
  });

  it('an exp-Golomb code longer than 32 bits', () => {
    // seq_parameter_set_id given as 40 zero bits: no conforming encoder writes that
    const nal = new BitWriter().u(8, 0x67).u(8, 100).u(8, 0).u(8, 31).raw('0'.repeat(40)).raw('1').nal();
    expect(spsError(nal)).toMatch(/exp-Golomb/);
  });

  it('a NAL unit that is not an SPS, or has forbidden_zero_bit set', () => {
    const pps = hex('68ebe3cb22c0'); // the PPS from the 1080p25 stream
    expect(spsError(pps)).toMatch(/nal_unit_type = 8/);
    const forbidden = SPS_720P30_HIGH.slice();
    forbidden[0] = 0xe7;
    expect(spsError(forbidden)).toMatch(/forbidden_zero_bit/);
  });

  it('empty input', () => {
    expect(spsError(new Uint8Array(0))).toMatch(/truncated/);
  });
});

describe('parseH264Sps: truncation', () => {
  // From trace_headers of SPS_720P30_HIGH: vui_parameters_present_flag is RBSP bit 78 and fixed_frame_rate_flag
  // bit 156. The NAL has emulation prevention bytes at offsets 14 and 19, so RBSP byte k is NAL byte k (k < 14),
  // k + 1 (14 <= k < 18), k + 2 after that.
  const VUI_FLAG_NAL_BYTES = 10; // bits 0..78 need 10 RBSP bytes = the first 10 NAL bytes
  const TIMING_NAL_BYTES = 22; // bits 0..156 need 20 RBSP bytes = 22 NAL bytes

  it('every prefix: never throws; bad_sps before the VUI, then a valid SPS without (then with) the frame rate', () => {
    for (let n = 0; n <= SPS_720P30_HIGH.length; n++) {
      const r = parseH264Sps(SPS_720P30_HIGH.subarray(0, n));
      if (n < VUI_FLAG_NAL_BYTES) {
        expect(r.ok, `prefix ${n}`).toBe(false);
        if (!r.ok) expect(r.code).toBe('bad_sps');
        continue;
      }
      expect(r.ok, `prefix ${n}`).toBe(true);
      if (!r.ok) continue;
      expect(r.config.width).toBe(1280);
      if (n < TIMING_NAL_BYTES) {
        expect(r.config.vui?.truncated, `prefix ${n}`).toBe(true);
        expect(r.config.vui?.timing_info_present_flag).toBe(false);
        expect(r.config.frameRate, `prefix ${n}`).toBeUndefined();
      } else {
        expect(r.config.vui?.truncated, `prefix ${n}`).toBeUndefined();
        expect(r.config.frameRate, `prefix ${n}`).toBe(30);
      }
    }
  });

  it('a cut inside a scaling list is bad_sps', () => {
    const r = parseH264Sps(SPS_SCALING_420.subarray(0, 12));
    expect(r).toMatchObject({ ok: false, code: 'bad_sps' });
  });
});

describe('parseAvcDecoderConfigurationRecord', () => {
  it('FFmpeg avcC with the high-profile extension: 1920x1080 High 4.0, 25 fps, 4-byte lengths', () => {
    const r = parseAvcDecoderConfigurationRecord(AVCC_1080P25);
    expect(r).toEqual({
      ok: true,
      config: {
        codec: 'H.264',
        profile: 'High',
        profileIdc: 100,
        level: '4.0',
        levelIdc: 40,
        chromaFormat: '4:2:0',
        bitDepthLuma: 8,
        bitDepthChroma: 8,
        width: 1920,
        height: 1080,
        codedWidth: 1920,
        codedHeight: 1088,
        frameRate: 25,
        scalingMatrix: false,
        nalLengthSize: 4,
      },
    });
  });

  it('High 4:2:2 record', () => {
    const r = parseAvcDecoderConfigurationRecord(AVCC_720P_HIGH422);
    expect(r).toMatchObject({
      ok: true,
      config: { profile: 'High 4:2:2', level: '3.1', chromaFormat: '4:2:2', width: 1280, height: 720, frameRate: 30 },
    });
  });

  it('scalingMatrix reflects seq_scaling_matrix_present_flag', () => {
    const record = avcC([SPS_SCALING_420], []);
    expect(parseAvcDecoderConfigurationRecord(record)).toMatchObject({
      ok: true,
      config: { scalingMatrix: true, width: 640, height: 360 },
    });
  });

  it('record structure: parameter sets split out, extension bytes counted but not required', () => {
    const r = readAvcDecoderConfigurationRecord(AVCC_1080P25);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      configurationVersion: 1,
      AVCProfileIndication: 100,
      profile_compatibility: 0,
      AVCLevelIndication: 40,
      lengthSizeMinusOne: 3,
      trailingBytes: 4,
    });
    expect(Array.from(r.config.sequenceParameterSets[0]!)).toEqual(Array.from(SPS_1080P25_HIGH));
    expect(Array.from(r.config.pictureParameterSets[0]!)).toEqual(Array.from(hex('68ebe3cb22c0')));
  });

  it('lengthSizeMinusOne 0 and 1 give 1- and 2-byte NAL lengths', () => {
    for (const [byte4, size] of [
      [0xfc, 1],
      [0xfd, 2],
    ] as const) {
      const record = AVCC_1080P25.slice();
      record[4] = byte4;
      expect(parseAvcDecoderConfigurationRecord(record)).toMatchObject({ ok: true, config: { nalLengthSize: size } });
    }
  });

  it('configurationVersion other than 1 is rejected', () => {
    for (const version of [0, 2, 0xff]) {
      const record = AVCC_1080P25.slice();
      record[0] = version;
      const r = parseAvcDecoderConfigurationRecord(record);
      expect(r).toMatchObject({ ok: false, code: 'bad_video_config' });
      if (!r.ok) expect(r.message).toMatch(new RegExp(`configurationVersion ${version}`));
    }
  });

  it('no SPS is rejected as bad_video_config', () => {
    const r = parseAvcDecoderConfigurationRecord(avcC([], [hex('68ebe3cb22c0')]));
    expect(r).toMatchObject({ ok: false, code: 'bad_video_config' });
    if (!r.ok) expect(r.message).toMatch(/numOfSequenceParameterSets is 0/);
  });

  it('a broken SPS inside a well-formed record is bad_sps', () => {
    const r = parseAvcDecoderConfigurationRecord(avcC([buildSps({ log2_max_frame_num_minus4: 99 })], []));
    expect(r).toMatchObject({ ok: false, code: 'bad_sps' });
    const cut = parseAvcDecoderConfigurationRecord(avcC([SPS_1080P25_HIGH.subarray(0, 5)], []));
    expect(cut).toMatchObject({ ok: false, code: 'bad_sps' });
  });

  it('a zero-length SPS entry is skipped and reported as empty_nal; with nothing else the record is unusable', () => {
    const empty = parseAvcDecoderConfigurationRecord(avcC([new Uint8Array(0)], []));
    expect(empty).toMatchObject({
      ok: false,
      code: 'bad_video_config',
      message: expect.stringMatching(/all 1 SPS entries are empty/),
      warnings: [{ code: 'empty_nal' }],
    });
    const beside = parseAvcDecoderConfigurationRecord(avcC([new Uint8Array(0), SPS_720P30_HIGH], [new Uint8Array(0)]));
    expect(beside).toMatchObject({ ok: true, config: { width: 1280, height: 720 }, warnings: [{ code: 'empty_nal' }] });
    if (beside.ok) expect(beside.warnings![0]!.message).toMatch(/2 zero-length NAL unit/);
  });

  it('only the first SPS is parsed', () => {
    const r = parseAvcDecoderConfigurationRecord(avcC([SPS_720P30_HIGH, SPS_1080P25_HIGH], []));
    expect(r).toMatchObject({ ok: true, config: { width: 1280, height: 720 } });
  });

  it('every truncation is ok:false (never throws) until the PPS is complete; the extension is optional', () => {
    // 6 header bytes + 2 + 27 SPS + 1 + 2 + 6 PPS = 44; bytes 44..47 are the extension
    const complete = 44;
    for (let n = 0; n < AVCC_1080P25.length; n++) {
      const r = parseAvcDecoderConfigurationRecord(AVCC_1080P25.subarray(0, n));
      if (n < complete) {
        expect(r.ok, `prefix ${n}`).toBe(false);
        if (!r.ok) expect(r.code, `prefix ${n}`).toBe('bad_video_config');
      } else {
        expect(r, `prefix ${n}`).toMatchObject({ ok: true, config: { width: 1920, height: 1080 } });
      }
    }
  });

  it('never throws on arbitrary bytes or on bit-flipped real records', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = parseAvcDecoderConfigurationRecord(bytes);
        if (!r.ok) expect(['bad_video_config', 'bad_sps']).toContain(r.code);
        const s = parseH264Sps(bytes);
        if (!s.ok) expect(s.code).toBe('bad_sps');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.nat(AVCC_1080P25.length * 8 - 1), { minLength: 1, maxLength: 6 }), (flips) => {
        const record = AVCC_1080P25.slice();
        for (const bit of flips) record[bit >> 3]! ^= 0x80 >> (bit & 7);
        const r = parseAvcDecoderConfigurationRecord(record);
        if (r.ok) {
          // whatever survives the range checks is a sane picture
          expect(r.config.width).toBeGreaterThan(0);
          expect(r.config.width).toBeLessThanOrEqual(16384);
          expect(r.config.height).toBeGreaterThan(0);
          expect(r.config.height).toBeLessThanOrEqual(16384);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('corpus: tests/fixtures/corpus/avc_aac.flv', () => {
  it('first video sequence header: High, level 5.1, 3840x2160, 60 fps', () => {
    const file = new Uint8Array(readFileSync(new URL('../../../tests/fixtures/corpus/avc_aac.flv', import.meta.url)));
    const tag = indexFlvTags(file).tags.find((t) => t.tagType === 9 && t.sequenceHeader);
    expect(tag).toBeDefined();
    // 11-byte tag header, then FrameType/CodecID, AVCPacketType and 3 bytes of CompositionTime
    const bodyStart = tag!.offset + 11 + 5;
    const record = file.subarray(bodyStart, tag!.offset + 11 + tag!.dataSize);
    const r = parseAvcDecoderConfigurationRecord(record);
    expect(r).toMatchObject({
      ok: true,
      config: { codec: 'H.264', profile: 'High', level: '5.1', width: 3840, height: 2160, nalLengthSize: 4 },
    });
    // README: 60 fps; trace_headers of this SPS: num_units_in_tick 1, time_scale 120
    if (r.ok) expect(r.config.frameRate).toBe(60);
  });
});

/** Builds an AVCDecoderConfigurationRecord around the given parameter sets (no extension bytes). */
function avcC(spsList: Uint8Array[], ppsList: Uint8Array[]): Uint8Array {
  const out: number[] = [1, 100, 0, 31, 0xff, 0xe0 | spsList.length];
  for (const s of spsList) out.push(s.length >> 8, s.length & 0xff, ...s);
  out.push(ppsList.length);
  for (const p of ppsList) out.push(p.length >> 8, p.length & 0xff, ...p);
  return new Uint8Array(out);
}
