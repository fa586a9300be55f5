import { BitReader, BitReaderUnderrunError, ExpGolombOverflowError } from '../bit-reader.js';
import { removeEmulationPrevention } from '../emulation.js';
import type { ChromaFormat, ConfigResult } from '../types.js';

/**
 * H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1), field names as in the spec. Flags are booleans.
 * Fields the syntax does not carry for this SPS hold the value the spec infers (e.g. chroma_format_idc 1
 * for Main), except the pic_order_cnt_type branches, which are undefined when their branch is not taken.
 */
export interface H264Sps {
  nal_ref_idc: number;
  profile_idc: number;
  constraint_set0_flag: boolean;
  constraint_set1_flag: boolean;
  constraint_set2_flag: boolean;
  constraint_set3_flag: boolean;
  constraint_set4_flag: boolean;
  constraint_set5_flag: boolean;
  level_idc: number;
  seq_parameter_set_id: number;
  chroma_format_idc: number;
  separate_colour_plane_flag: boolean;
  bit_depth_luma_minus8: number;
  bit_depth_chroma_minus8: number;
  qpprime_y_zero_transform_bypass_flag: boolean;
  seq_scaling_matrix_present_flag: boolean;
  /** seq_scaling_list_present_flag[i], 8 or 12 entries when the matrix is present, else empty */
  seq_scaling_list_present_flag: boolean[];
  log2_max_frame_num_minus4: number;
  pic_order_cnt_type: number;
  /** pic_order_cnt_type 0 */
  log2_max_pic_order_cnt_lsb_minus4?: number;
  /** pic_order_cnt_type 1 */
  delta_pic_order_always_zero_flag?: boolean;
  offset_for_non_ref_pic?: number;
  offset_for_top_to_bottom_field?: number;
  num_ref_frames_in_pic_order_cnt_cycle?: number;
  offset_for_ref_frame?: number[];
  max_num_ref_frames: number;
  gaps_in_frame_num_value_allowed_flag: boolean;
  pic_width_in_mbs_minus1: number;
  pic_height_in_map_units_minus1: number;
  frame_mbs_only_flag: boolean;
  mb_adaptive_frame_field_flag: boolean;
  direct_8x8_inference_flag: boolean;
  frame_cropping_flag: boolean;
  frame_crop_left_offset: number;
  frame_crop_right_offset: number;
  frame_crop_top_offset: number;
  frame_crop_bottom_offset: number;
  vui_parameters_present_flag: boolean;
  vui?: H264Vui;

  // ---- derived (7.4.2.1.1, Table 6-1, E.2.1)
  /** ChromaArrayType: 0 for monochrome or separate colour planes, else chroma_format_idc */
  chromaArrayType: number;
  chromaFormat: ChromaFormat;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** size in luma samples of the decoded frame, before cropping */
  codedWidth: number;
  codedHeight: number;
  /** size after the frame cropping rectangle is applied */
  width: number;
  height: number;
  /** time_scale / (2 * num_units_in_tick), only when the VUI signals timing info */
  frameRate?: number;
}

/** VUI parameters (Annex E.1.1) up to the timing info; HRD and bitstream restriction are not read. */
export interface H264Vui {
  aspect_ratio_info_present_flag: boolean;
  aspect_ratio_idc?: number;
  /** Extended_SAR (aspect_ratio_idc 255) only */
  sar_width?: number;
  sar_height?: number;
  /** sample aspect ratio from Table E-1 or Extended_SAR; absent for "unspecified" and reserved idc values */
  sampleAspectRatio?: [number, number];
  overscan_info_present_flag: boolean;
  overscan_appropriate_flag?: boolean;
  video_signal_type_present_flag: boolean;
  video_format?: number;
  video_full_range_flag?: boolean;
  colour_description_present_flag?: boolean;
  colour_primaries?: number;
  transfer_characteristics?: number;
  matrix_coefficients?: number;
  chroma_loc_info_present_flag: boolean;
  chroma_sample_loc_type_top_field?: number;
  chroma_sample_loc_type_bottom_field?: number;
  timing_info_present_flag: boolean;
  num_units_in_tick?: number;
  time_scale?: number;
  fixed_frame_rate_flag?: boolean;
  /**
   * The NAL unit ended inside the VUI. Decoders (FFmpeg's "Overread VUI") play such streams, so the SPS
   * stays valid; fields after the cut are absent and timing info is kept only if it was read whole.
   */
  truncated?: true;
}

/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices (7.3.2.1.1). */
const HIGH_SYNTAX_PROFILES: ReadonlySet<number> = new Set([
  100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135,
]);

/** Table E-1, aspect_ratio_idc 1..16. */
const SAR_TABLE: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [12, 11],
  [10, 11],
  [16, 11],
  [40, 33],
  [24, 11],
  [20, 11],
  [32, 11],
  [80, 33],
  [18, 11],
  [15, 11],
  [64, 33],
  [160, 99],
  [4, 3],
  [3, 2],
  [2, 1],
];
const EXTENDED_SAR = 255;

/**
 * Largest picture side we accept: level 6.2 allows 8192x4320 with room to spare, 16384 is the H.264 ceiling in
 * practice.
 */
const MAX_PICTURE_SIDE = 16384;
/**
 * MaxFS of levels 6 to 6.2 (Table A-1), the largest frame any level allows, in macroblocks (8192x4352).
 * Sides within MAX_PICTURE_SIDE can still multiply to a picture no decoder is built for (16384x16384 is
 * 7.5 times this): an SPS claiming one is garbage, not a stream to report sizes for.
 */
const MAX_FRAME_MBS = 139264;

const CHROMA_FORMATS: readonly ChromaFormat[] = ['4:0:0', '4:2:0', '4:2:2', '4:4:4'];

/** Out-of-range syntax element: turned into a `bad_sps` result by parseH264Sps. */
class SpsRangeError extends Error {}

/** se(v) with +0 for the zero code word: BitReader.se() returns -0 there, which toEqual / Object.is tell apart. */
function se(r: BitReader): number {
  return r.se() + 0;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new SpsRangeError(message);
}

function inRange(name: string, value: number, min: number, max: number): number {
  check(value >= min && value <= max, `${name} = ${value} out of range ${min}..${max}`);
  return value;
}

/**
 * Parses an SPS NAL unit (with its 1-byte NAL header, emulation prevention bytes still in).
 * Damage is data: truncated or out-of-range SPS data gives `{ ok: false, code: 'bad_sps' }`, never a throw.
 */
export function parseH264Sps(nal: Uint8Array): ConfigResult<H264Sps> {
  try {
    return { ok: true, config: readSps(new BitReader(removeEmulationPrevention(nal))) };
  } catch (err) {
    if (err instanceof SpsRangeError) return { ok: false, code: 'bad_sps', message: `H.264 SPS: ${err.message}` };
    if (err instanceof BitReaderUnderrunError) {
      return { ok: false, code: 'bad_sps', message: `H.264 SPS truncated (${nal.length} bytes): ${err.message}` };
    }
    if (err instanceof ExpGolombOverflowError)
      return { ok: false, code: 'bad_sps', message: `H.264 SPS: ${err.message}` };
    throw err;
  }
}

function readSps(r: BitReader): H264Sps {
  // nal_unit_header: the caller hands us the whole NAL unit, so check it really is an SPS
  const forbidden_zero_bit = r.bits(1);
  check(forbidden_zero_bit === 0, 'forbidden_zero_bit is 1');
  const nal_ref_idc = r.bits(2);
  const nal_unit_type = r.bits(5);
  check(nal_unit_type === 7, `nal_unit_type = ${nal_unit_type}, not 7 (SPS)`);

  const profile_idc = r.bits(8);
  const constraint_set0_flag = r.bool();
  const constraint_set1_flag = r.bool();
  const constraint_set2_flag = r.bool();
  const constraint_set3_flag = r.bool();
  const constraint_set4_flag = r.bool();
  const constraint_set5_flag = r.bool();
  r.skip(2); // reserved_zero_2bits: not checked, later spec editions may use them
  const level_idc = r.bits(8);
  const seq_parameter_set_id = inRange('seq_parameter_set_id', r.ue(), 0, 31);

  // Inferred values for profiles without the high-profile syntax (7.4.2.1.1): 4:2:0, 8 bit, flat matrices
  let chroma_format_idc = 1;
  let separate_colour_plane_flag = false;
  let bit_depth_luma_minus8 = 0;
  let bit_depth_chroma_minus8 = 0;
  let qpprime_y_zero_transform_bypass_flag = false;
  let seq_scaling_matrix_present_flag = false;
  const seq_scaling_list_present_flag: boolean[] = [];
  if (HIGH_SYNTAX_PROFILES.has(profile_idc)) {
    chroma_format_idc = inRange('chroma_format_idc', r.ue(), 0, 3);
    if (chroma_format_idc === 3) separate_colour_plane_flag = r.bool();
    bit_depth_luma_minus8 = inRange('bit_depth_luma_minus8', r.ue(), 0, 6);
    bit_depth_chroma_minus8 = inRange('bit_depth_chroma_minus8', r.ue(), 0, 6);
    qpprime_y_zero_transform_bypass_flag = r.bool();
    seq_scaling_matrix_present_flag = r.bool();
    if (seq_scaling_matrix_present_flag) {
      // 4:4:4 adds the Cb and Cr 8x8 lists (intra and inter), hence 12 instead of 8
      const lists = chroma_format_idc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        const present = r.bool(); // seq_scaling_list_present_flag[i]
        seq_scaling_list_present_flag.push(present);
        // The list values are only needed for dequantisation; we read them to reach the fields after
        if (present) skipScalingList(r, i < 6 ? 16 : 64, i);
      }
    }
  }

  const log2_max_frame_num_minus4 = inRange('log2_max_frame_num_minus4', r.ue(), 0, 12);
  const pic_order_cnt_type = inRange('pic_order_cnt_type', r.ue(), 0, 2);
  let log2_max_pic_order_cnt_lsb_minus4: number | undefined;
  let delta_pic_order_always_zero_flag: boolean | undefined;
  let offset_for_non_ref_pic: number | undefined;
  let offset_for_top_to_bottom_field: number | undefined;
  let num_ref_frames_in_pic_order_cnt_cycle: number | undefined;
  let offset_for_ref_frame: number[] | undefined;
  if (pic_order_cnt_type === 0) {
    log2_max_pic_order_cnt_lsb_minus4 = inRange('log2_max_pic_order_cnt_lsb_minus4', r.ue(), 0, 12);
  } else if (pic_order_cnt_type === 1) {
    delta_pic_order_always_zero_flag = r.bool();
    offset_for_non_ref_pic = se(r);
    offset_for_top_to_bottom_field = se(r);
    // bounded before the loop so a hostile count cannot make us spin through millions of reads
    num_ref_frames_in_pic_order_cnt_cycle = inRange('num_ref_frames_in_pic_order_cnt_cycle', r.ue(), 0, 255);
    offset_for_ref_frame = [];
    for (let i = 0; i < num_ref_frames_in_pic_order_cnt_cycle; i++) offset_for_ref_frame.push(se(r));
  }

  // MaxDpbFrames is at most 16 in every level (A.3.1 item h), so more reference frames is damage
  const max_num_ref_frames = inRange('max_num_ref_frames', r.ue(), 0, 16);
  const gaps_in_frame_num_value_allowed_flag = r.bool();
  const pic_width_in_mbs_minus1 = r.ue();
  const pic_height_in_map_units_minus1 = r.ue();
  const frame_mbs_only_flag = r.bool();
  // field-coded streams count map units in field MB pairs, so the frame is twice as many MB rows
  const mb_adaptive_frame_field_flag = frame_mbs_only_flag ? false : r.bool();
  const direct_8x8_inference_flag = r.bool();

  // ue() values reach 2^32 - 2, which stays exact in doubles: range-check the products, nothing wraps
  const codedWidth = (pic_width_in_mbs_minus1 + 1) * 16;
  const codedHeight = (frame_mbs_only_flag ? 1 : 2) * (pic_height_in_map_units_minus1 + 1) * 16;
  check(
    codedWidth <= MAX_PICTURE_SIDE && codedHeight <= MAX_PICTURE_SIDE,
    `picture size ${codedWidth}x${codedHeight} above ${MAX_PICTURE_SIDE}x${MAX_PICTURE_SIDE}`,
  );
  // PicWidthInMbs * FrameHeightInMbs (A.3.1 item a): both factors are below 1025 here, the product is exact
  const frameMbs = (codedWidth / 16) * (codedHeight / 16);
  check(
    frameMbs <= MAX_FRAME_MBS,
    `picture size ${codedWidth}x${codedHeight} is ${frameMbs} macroblocks, above MaxFS ${MAX_FRAME_MBS} of every level`,
  );

  const frame_cropping_flag = r.bool();
  let frame_crop_left_offset = 0;
  let frame_crop_right_offset = 0;
  let frame_crop_top_offset = 0;
  let frame_crop_bottom_offset = 0;
  if (frame_cropping_flag) {
    frame_crop_left_offset = r.ue();
    frame_crop_right_offset = r.ue();
    frame_crop_top_offset = r.ue();
    frame_crop_bottom_offset = r.ue();
  }

  // 7.4.2.1.1: crop offsets count chroma samples horizontally, and field pairs vertically when interlaced
  const chromaArrayType = separate_colour_plane_flag ? 0 : chroma_format_idc;
  const subWidthC = chroma_format_idc === 3 ? 1 : 2; // Table 6-1
  const subHeightC = chroma_format_idc === 1 ? 2 : 1;
  const fieldFactor = frame_mbs_only_flag ? 1 : 2; // 2 - frame_mbs_only_flag
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = chromaArrayType === 0 ? fieldFactor : subHeightC * fieldFactor;
  const cropX = cropUnitX * (frame_crop_left_offset + frame_crop_right_offset);
  const cropY = cropUnitY * (frame_crop_top_offset + frame_crop_bottom_offset);
  check(
    cropX < codedWidth && cropY < codedHeight,
    `cropping (${cropX} x ${cropY} samples) leaves no picture of ${codedWidth}x${codedHeight}`,
  );

  const vui_parameters_present_flag = r.bool();
  const vui = vui_parameters_present_flag ? readVui(r) : undefined;

  let frameRate: number | undefined;
  if (vui?.timing_info_present_flag && vui.num_units_in_tick && vui.time_scale) {
    // E.2.1: a tick is one field period, so a frame takes two ticks
    frameRate = vui.time_scale / (2 * vui.num_units_in_tick);
  }

  return {
    nal_ref_idc,
    profile_idc,
    constraint_set0_flag,
    constraint_set1_flag,
    constraint_set2_flag,
    constraint_set3_flag,
    constraint_set4_flag,
    constraint_set5_flag,
    level_idc,
    seq_parameter_set_id,
    chroma_format_idc,
    separate_colour_plane_flag,
    bit_depth_luma_minus8,
    bit_depth_chroma_minus8,
    qpprime_y_zero_transform_bypass_flag,
    seq_scaling_matrix_present_flag,
    seq_scaling_list_present_flag,
    log2_max_frame_num_minus4,
    pic_order_cnt_type,
    log2_max_pic_order_cnt_lsb_minus4,
    delta_pic_order_always_zero_flag,
    offset_for_non_ref_pic,
    offset_for_top_to_bottom_field,
    num_ref_frames_in_pic_order_cnt_cycle,
    offset_for_ref_frame,
    max_num_ref_frames,
    gaps_in_frame_num_value_allowed_flag,
    pic_width_in_mbs_minus1,
    pic_height_in_map_units_minus1,
    frame_mbs_only_flag,
    mb_adaptive_frame_field_flag,
    direct_8x8_inference_flag,
    frame_cropping_flag,
    frame_crop_left_offset,
    frame_crop_right_offset,
    frame_crop_top_offset,
    frame_crop_bottom_offset,
    vui_parameters_present_flag,
    vui,
    chromaArrayType,
    chromaFormat: CHROMA_FORMATS[chroma_format_idc]!,
    bitDepthLuma: bit_depth_luma_minus8 + 8,
    bitDepthChroma: bit_depth_chroma_minus8 + 8,
    codedWidth,
    codedHeight,
    width: codedWidth - cropX,
    height: codedHeight - cropY,
    frameRate,
  };
}

/** scaling_list() (7.3.2.1.1.1), values discarded. */
function skipScalingList(r: BitReader, sizeOfScalingList: number, index: number): void {
  let lastScale = 8;
  let nextScale = 8;
  for (let j = 0; j < sizeOfScalingList; j++) {
    if (nextScale !== 0) {
      const delta_scale = se(r);
      check(
        delta_scale >= -128 && delta_scale <= 127,
        `delta_scale = ${delta_scale} in scaling list ${index} out of range -128..127`,
      );
      nextScale = (lastScale + delta_scale + 256) % 256;
    }
    // nextScale 0 ends the coded list: at j = 0 it is useDefaultScalingMatrixFlag (Table 7-3/7-4),
    // later it means "repeat lastScale to the end"
    if (nextScale === 0) return;
    lastScale = nextScale;
  }
}

/** vui_parameters() (E.1.1) up to fixed_frame_rate_flag; the HRD and restriction fields are not needed. */
function readVui(r: BitReader): H264Vui {
  const vui: H264Vui = {
    aspect_ratio_info_present_flag: false,
    overscan_info_present_flag: false,
    video_signal_type_present_flag: false,
    chroma_loc_info_present_flag: false,
    timing_info_present_flag: false,
  };
  try {
    vui.aspect_ratio_info_present_flag = r.bool();
    if (vui.aspect_ratio_info_present_flag) {
      const aspect_ratio_idc = r.bits(8);
      vui.aspect_ratio_idc = aspect_ratio_idc;
      if (aspect_ratio_idc === EXTENDED_SAR) {
        vui.sar_width = r.bits(16);
        vui.sar_height = r.bits(16);
        if (vui.sar_width > 0 && vui.sar_height > 0) vui.sampleAspectRatio = [vui.sar_width, vui.sar_height];
      } else {
        const sar = SAR_TABLE[aspect_ratio_idc - 1]; // idc 0 is "unspecified", 17..254 reserved
        if (sar) vui.sampleAspectRatio = [sar[0], sar[1]];
      }
    }
    vui.overscan_info_present_flag = r.bool();
    if (vui.overscan_info_present_flag) vui.overscan_appropriate_flag = r.bool();
    vui.video_signal_type_present_flag = r.bool();
    if (vui.video_signal_type_present_flag) {
      vui.video_format = r.bits(3);
      vui.video_full_range_flag = r.bool();
      vui.colour_description_present_flag = r.bool();
      if (vui.colour_description_present_flag) {
        vui.colour_primaries = r.bits(8);
        vui.transfer_characteristics = r.bits(8);
        vui.matrix_coefficients = r.bits(8);
      }
    }
    vui.chroma_loc_info_present_flag = r.bool();
    if (vui.chroma_loc_info_present_flag) {
      vui.chroma_sample_loc_type_top_field = r.ue();
      vui.chroma_sample_loc_type_bottom_field = r.ue();
    }
    const timing_info_present_flag = r.bool();
    if (timing_info_present_flag) {
      // read into locals first so a cut inside the timing info leaves none of it behind
      const num_units_in_tick = r.bits(32);
      const time_scale = r.bits(32);
      const fixed_frame_rate_flag = r.bool();
      vui.timing_info_present_flag = true;
      vui.num_units_in_tick = num_units_in_tick;
      vui.time_scale = time_scale;
      vui.fixed_frame_rate_flag = fixed_frame_rate_flag;
    }
  } catch (err) {
    if (!(err instanceof BitReaderUnderrunError || err instanceof ExpGolombOverflowError)) throw err;
    vui.truncated = true;
  }
  return vui;
}

/** Profile name as FFmpeg / ffprobe prints it (libavcodec profiles.c), spec names where FFmpeg has none. */
export function h264ProfileName(
  sps: Pick<H264Sps, 'profile_idc' | 'constraint_set1_flag' | 'constraint_set3_flag'>,
): string {
  const intra = sps.constraint_set3_flag; // A.2.8-A.2.11: the Intra profiles are the High ones with constraint_set3
  switch (sps.profile_idc) {
    case 66:
      return sps.constraint_set1_flag ? 'Constrained Baseline' : 'Baseline';
    case 77:
      return 'Main';
    case 88:
      return 'Extended';
    case 100:
      return 'High';
    case 110:
      return intra ? 'High 10 Intra' : 'High 10';
    case 122:
      return intra ? 'High 4:2:2 Intra' : 'High 4:2:2';
    case 244:
      return intra ? 'High 4:4:4 Intra' : 'High 4:4:4 Predictive';
    case 44:
      return 'CAVLC 4:4:4'; // the spec's "CAVLC 4:4:4 Intra"; FFmpeg drops "Intra" since the profile is intra-only
    case 144:
      return 'High 4:4:4'; // removed from the spec in 2007, still named by FFmpeg
    case 83:
      return 'Scalable Baseline';
    case 86:
      return intra ? 'Scalable High Intra' : 'Scalable High';
    case 118:
      return 'Multiview High';
    case 128:
      return 'Stereo High';
    case 134:
      return 'MFC High';
    case 135:
      return 'MFC Depth High';
    case 138:
      return 'Multiview Depth High';
    case 139:
      return 'Enhanced Multiview Depth High';
    default:
      return `Profile ${sps.profile_idc}`;
  }
}

/** Level as "3.1"; level 1b is level_idc 11 + constraint_set3 in Baseline/Main/Extended (A.3.1), 9 elsewhere. */
export function h264LevelName(sps: Pick<H264Sps, 'profile_idc' | 'level_idc' | 'constraint_set3_flag'>): string {
  const { profile_idc, level_idc } = sps;
  if (level_idc === 9) return '1b';
  if (
    level_idc === 11 &&
    sps.constraint_set3_flag &&
    (profile_idc === 66 || profile_idc === 77 || profile_idc === 88)
  ) {
    return '1b';
  }
  return `${Math.floor(level_idc / 10)}.${level_idc % 10}`;
}
