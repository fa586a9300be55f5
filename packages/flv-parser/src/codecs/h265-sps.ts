/**
 * H.265 sequence parameter set (ITU-T H.265 7.3.2.2.1), read as far as the VUI timing info.
 *
 * Everything before vui_parameters() has to be walked bit-exactly to reach the frame rate, including
 * scaling_list_data() and the short-term reference picture sets with inter RPS prediction, whose length
 * depends on the sets decoded before them. Elements after vui_num_units_in_tick / vui_time_scale (the
 * HRD parameters, the SPS extensions) are never read: nothing we report comes from them, and every
 * element we skip is one less chance for a quirky encoder to make us reject a good SPS.
 */
import { BitReader, BitReaderUnderrunError, ExpGolombOverflowError } from '../bit-reader.js';
import { removeEmulationPrevention } from '../emulation.js';
import type { ConfigResult } from '../types.js';

/** nal_unit_type of an SPS (Table 7-1) */
export const H265_NAL_SPS = 33;

/** The general part of profile_tier_level() (7.3.3); the sub-layer parts are skipped. */
export interface H265ProfileTierLevel {
  generalProfileSpace: number;
  generalTierFlag: boolean;
  generalProfileIdc: number;
  /** general_profile_compatibility_flag[0..31], flag j in bit 31 - j (as written) */
  generalProfileCompatibilityFlags: number;
  /** the 48 bits from general_progressive_source_flag to general_inbld_flag / reserved bit */
  generalConstraintIndicatorFlags: number;
  generalLevelIdc: number;
}

export interface H265ConformanceWindow {
  /** conf_win_*_offset as coded, in chroma sample units (multiply by SubWidthC / SubHeightC) */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface H265Vui {
  aspectRatioIdc?: number;
  sarWidth?: number;
  sarHeight?: number;
  videoFullRangeFlag?: boolean;
  colourPrimaries?: number;
  transferCharacteristics?: number;
  matrixCoeffs?: number;
  fieldSeqFlag: boolean;
  /** def_disp_win_*_offset; reported only: ffmpeg does not apply it by default and neither do we */
  defaultDisplayWindow?: H265ConformanceWindow;
  vuiNumUnitsInTick?: number;
  vuiTimeScale?: number;
}

export interface H265Sps {
  nuhLayerId: number;
  spsVideoParameterSetId: number;
  spsMaxSubLayersMinus1: number;
  spsTemporalIdNestingFlag: boolean;
  profileTierLevel: H265ProfileTierLevel;
  spsSeqParameterSetId: number;
  chromaFormatIdc: number;
  separateColourPlaneFlag: boolean;
  picWidthInLumaSamples: number;
  picHeightInLumaSamples: number;
  conformanceWindow?: H265ConformanceWindow;
  bitDepthLuma: number;
  bitDepthChroma: number;
  log2MaxPicOrderCntLsb: number;
  scalingListEnabledFlag: boolean;
  ampEnabledFlag: boolean;
  sampleAdaptiveOffsetEnabledFlag: boolean;
  pcmEnabledFlag: boolean;
  numShortTermRefPicSets: number;
  longTermRefPicsPresentFlag: boolean;
  spsTemporalMvpEnabledFlag: boolean;
  strongIntraSmoothingEnabledFlag: boolean;
  vui?: H265Vui;
  /** display size: the picture size with the conformance window removed */
  width: number;
  height: number;
  /** vui_time_scale / vui_num_units_in_tick, when both are signalled and non-zero */
  frameRate?: number;
}

/** Thrown inside the parser when a value is out of its range; becomes { ok: false, code: 'bad_sps' }. */
class SpsRangeError extends Error {}

function check(condition: boolean, message: string): void {
  if (!condition) throw new SpsRangeError(message);
}

/** Table A.8 and the general limit of 8 x MaxLumaPs: no level allows a side above sqrt(8 * 35 651 584). */
const MAX_PIC_SIDE = 16888;
/** MaxLumaPs of levels 6 to 6.2 (Table A.8): PicSizeInSamplesY of any conforming picture is at most this. */
const MAX_LUMA_PS = 35651584;

export function parseH265Sps(nal: Uint8Array): ConfigResult<H265Sps> {
  if (nal.length < 3) return { ok: false, code: 'bad_sps', message: `H.265 SPS: ${nal.length} bytes is too short` };
  // nal_unit_header(): forbidden_zero_bit, nal_unit_type(6), nuh_layer_id(6), nuh_temporal_id_plus1(3)
  const nalUnitType = (nal[0]! >> 1) & 0x3f;
  if (nalUnitType !== H265_NAL_SPS) {
    return { ok: false, code: 'bad_sps', message: `H.265 SPS: nal_unit_type is ${nalUnitType}, not 33` };
  }
  const nuhLayerId = ((nal[0]! & 1) << 5) | (nal[1]! >> 3);
  if (nuhLayerId !== 0) {
    // Layers above 0 (SHVC / MV-HEVC) may use the multi-layer SPS syntax (F.7.3.2.2.1), not read here.
    return {
      ok: false,
      code: 'bad_sps',
      message: `H.265 SPS: nuh_layer_id ${nuhLayerId} (multi-layer SPS) not supported`,
    };
  }
  const r = new BitReader(removeEmulationPrevention(nal).subarray(2));
  try {
    return { ok: true, config: readSps(r, nuhLayerId) };
  } catch (e) {
    if (e instanceof SpsRangeError) return { ok: false, code: 'bad_sps', message: `H.265 SPS: ${e.message}` };
    if (e instanceof BitReaderUnderrunError) {
      return { ok: false, code: 'bad_sps', message: `H.265 SPS: truncated (${e.message})` };
    }
    if (e instanceof ExpGolombOverflowError) return { ok: false, code: 'bad_sps', message: `H.265 SPS: ${e.message}` };
    throw e;
  }
}

function readSps(r: BitReader, nuhLayerId: number): H265Sps {
  const spsVideoParameterSetId = r.bits(4); // sps_video_parameter_set_id
  const spsMaxSubLayersMinus1 = r.bits(3); // sps_max_sub_layers_minus1
  check(spsMaxSubLayersMinus1 <= 6, `sps_max_sub_layers_minus1 ${spsMaxSubLayersMinus1} > 6`);
  const spsTemporalIdNestingFlag = r.bool(); // sps_temporal_id_nesting_flag
  const profileTierLevel = readProfileTierLevel(r, spsMaxSubLayersMinus1);

  const spsSeqParameterSetId = r.ue(); // sps_seq_parameter_set_id
  check(spsSeqParameterSetId <= 15, `sps_seq_parameter_set_id ${spsSeqParameterSetId} > 15`);
  const chromaFormatIdc = r.ue(); // chroma_format_idc
  check(chromaFormatIdc <= 3, `chroma_format_idc ${chromaFormatIdc} > 3`);
  // separate_colour_plane_flag: 4:4:4 coded as three monochrome planes (ChromaArrayType 0)
  const separateColourPlaneFlag = chromaFormatIdc === 3 ? r.bool() : false;
  const picWidthInLumaSamples = r.ue(); // pic_width_in_luma_samples
  const picHeightInLumaSamples = r.ue(); // pic_height_in_luma_samples
  check(
    picWidthInLumaSamples > 0 && picWidthInLumaSamples <= MAX_PIC_SIDE,
    `pic_width_in_luma_samples ${picWidthInLumaSamples} out of 1..${MAX_PIC_SIDE}`,
  );
  check(
    picHeightInLumaSamples > 0 && picHeightInLumaSamples <= MAX_PIC_SIDE,
    `pic_height_in_luma_samples ${picHeightInLumaSamples} out of 1..${MAX_PIC_SIDE}`,
  );
  // Two sane sides can still multiply to a picture no level allows (16888 x 16888 is 8 x MaxLumaPs)
  const picSizeInSamplesY = picWidthInLumaSamples * picHeightInLumaSamples;
  check(
    picSizeInSamplesY <= MAX_LUMA_PS,
    `picture ${picWidthInLumaSamples}x${picHeightInLumaSamples} is ${picSizeInSamplesY} luma samples, above` +
      ` MaxLumaPs ${MAX_LUMA_PS} of every level`,
  );
  let conformanceWindow: H265ConformanceWindow | undefined;
  if (r.bool()) {
    // conformance_window_flag
    conformanceWindow = { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
  }
  const bitDepthLumaMinus8 = r.ue(); // bit_depth_luma_minus8
  const bitDepthChromaMinus8 = r.ue(); // bit_depth_chroma_minus8
  check(bitDepthLumaMinus8 <= 8, `bit_depth_luma_minus8 ${bitDepthLumaMinus8} > 8`);
  check(bitDepthChromaMinus8 <= 8, `bit_depth_chroma_minus8 ${bitDepthChromaMinus8} > 8`);
  const log2MaxPicOrderCntLsbMinus4 = r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  check(log2MaxPicOrderCntLsbMinus4 <= 12, `log2_max_pic_order_cnt_lsb_minus4 ${log2MaxPicOrderCntLsbMinus4} > 12`);
  const log2MaxPicOrderCntLsb = log2MaxPicOrderCntLsbMinus4 + 4;

  // sps_sub_layer_ordering_info_present_flag: without it only the highest sub-layer's values are coded
  const subLayerOrderingInfoPresent = r.bool();
  for (let i = subLayerOrderingInfoPresent ? 0 : spsMaxSubLayersMinus1; i <= spsMaxSubLayersMinus1; i++) {
    r.ue(); // sps_max_dec_pic_buffering_minus1[i]
    r.ue(); // sps_max_num_reorder_pics[i]
    r.ue(); // sps_max_latency_increase_plus1[i]
  }
  r.ue(); // log2_min_luma_coding_block_size_minus3
  r.ue(); // log2_diff_max_min_luma_coding_block_size
  r.ue(); // log2_min_luma_transform_block_size_minus2
  r.ue(); // log2_diff_max_min_luma_transform_block_size
  r.ue(); // max_transform_hierarchy_depth_inter
  r.ue(); // max_transform_hierarchy_depth_intra

  const scalingListEnabledFlag = r.bool(); // scaling_list_enabled_flag
  if (scalingListEnabledFlag && r.bool()) {
    // sps_scaling_list_data_present_flag: without it the default lists apply and nothing is coded
    skipScalingListData(r);
  }
  const ampEnabledFlag = r.bool(); // amp_enabled_flag
  const sampleAdaptiveOffsetEnabledFlag = r.bool(); // sample_adaptive_offset_enabled_flag
  const pcmEnabledFlag = r.bool(); // pcm_enabled_flag
  if (pcmEnabledFlag) {
    r.bits(4); // pcm_sample_bit_depth_luma_minus1
    r.bits(4); // pcm_sample_bit_depth_chroma_minus1
    r.ue(); // log2_min_pcm_luma_coding_block_size_minus3
    r.ue(); // log2_diff_max_min_pcm_luma_coding_block_size
    r.bool(); // pcm_loop_filter_disabled_flag
  }

  const numShortTermRefPicSets = r.ue(); // num_short_term_ref_pic_sets
  check(numShortTermRefPicSets <= 64, `num_short_term_ref_pic_sets ${numShortTermRefPicSets} > 64`);
  const sets: ShortTermRps[] = [];
  for (let i = 0; i < numShortTermRefPicSets; i++) sets.push(readStRefPicSet(r, i, sets));

  const longTermRefPicsPresentFlag = r.bool(); // long_term_ref_pics_present_flag
  if (longTermRefPicsPresentFlag) {
    const numLongTermRefPicsSps = r.ue(); // num_long_term_ref_pics_sps
    check(numLongTermRefPicsSps <= 32, `num_long_term_ref_pics_sps ${numLongTermRefPicsSps} > 32`);
    for (let i = 0; i < numLongTermRefPicsSps; i++) {
      r.bits(log2MaxPicOrderCntLsb); // lt_ref_pic_poc_lsb_sps[i], u(v) of log2_max_pic_order_cnt_lsb bits
      r.bool(); // used_by_curr_pic_lt_sps_flag[i]
    }
  }
  const spsTemporalMvpEnabledFlag = r.bool(); // sps_temporal_mvp_enabled_flag
  const strongIntraSmoothingEnabledFlag = r.bool(); // strong_intra_smoothing_enabled_flag
  const vui = r.bool() ? readVui(r) : undefined; // vui_parameters_present_flag

  // Conformance window in luma samples (7-19): offsets count chroma samples, so scale by SubWidthC /
  // SubHeightC, which are 1 for 4:0:0, 4:4:4 and separate colour planes (ChromaArrayType 0 or 3).
  const chromaArrayType = separateColourPlaneFlag ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  let width = picWidthInLumaSamples;
  let height = picHeightInLumaSamples;
  if (conformanceWindow) {
    const croppedWidth = picWidthInLumaSamples - subWidthC * (conformanceWindow.left + conformanceWindow.right);
    const croppedHeight = picHeightInLumaSamples - subHeightC * (conformanceWindow.top + conformanceWindow.bottom);
    // A window as large as the picture is damage; like ffmpeg, show the whole coded picture instead.
    if (croppedWidth > 0 && croppedHeight > 0) {
      width = croppedWidth;
      height = croppedHeight;
    }
  }

  const sps: H265Sps = {
    nuhLayerId,
    spsVideoParameterSetId,
    spsMaxSubLayersMinus1,
    spsTemporalIdNestingFlag,
    profileTierLevel,
    spsSeqParameterSetId,
    chromaFormatIdc,
    separateColourPlaneFlag,
    picWidthInLumaSamples,
    picHeightInLumaSamples,
    bitDepthLuma: bitDepthLumaMinus8 + 8,
    bitDepthChroma: bitDepthChromaMinus8 + 8,
    log2MaxPicOrderCntLsb,
    scalingListEnabledFlag,
    ampEnabledFlag,
    sampleAdaptiveOffsetEnabledFlag,
    pcmEnabledFlag,
    numShortTermRefPicSets,
    longTermRefPicsPresentFlag,
    spsTemporalMvpEnabledFlag,
    strongIntraSmoothingEnabledFlag,
    width,
    height,
  };
  if (conformanceWindow) sps.conformanceWindow = conformanceWindow;
  if (vui) {
    sps.vui = vui;
    // HEVC timing counts pictures (E.3.1): unlike H.264 there is no factor 2 for fields.
    if (vui.vuiNumUnitsInTick && vui.vuiTimeScale) sps.frameRate = vui.vuiTimeScale / vui.vuiNumUnitsInTick;
  }
  return sps;
}

/** profile_tier_level(profilePresentFlag = 1, maxNumSubLayersMinus1) (7.3.3) */
function readProfileTierLevel(r: BitReader, maxNumSubLayersMinus1: number): H265ProfileTierLevel {
  const generalProfileSpace = r.bits(2); // general_profile_space
  const generalTierFlag = r.bool(); // general_tier_flag
  const generalProfileIdc = r.bits(5); // general_profile_idc
  const generalProfileCompatibilityFlags = r.bits(32); // general_profile_compatibility_flag[32]
  // general_progressive_source_flag .. general_inbld_flag / general_reserved_zero_bit: 4 + 43 + 1 bits
  const generalConstraintIndicatorFlags = r.bits(32) * 0x10000 + r.bits(16);
  const generalLevelIdc = r.bits(8); // general_level_idc
  const subLayerProfilePresent: boolean[] = [];
  const subLayerLevelPresent: boolean[] = [];
  for (let i = 0; i < maxNumSubLayersMinus1; i++) {
    subLayerProfilePresent.push(r.bool()); // sub_layer_profile_present_flag[i]
    subLayerLevelPresent.push(r.bool()); // sub_layer_level_present_flag[i]
  }
  // reserved_zero_2bits pad the flag pairs to 8 entries, so the sub-layer data starts byte aligned
  if (maxNumSubLayersMinus1 > 0) for (let i = maxNumSubLayersMinus1; i < 8; i++) r.skip(2);
  for (let i = 0; i < maxNumSubLayersMinus1; i++) {
    // sub_layer_profile_space .. sub_layer_inbld_flag: 2 + 1 + 5 + 32 + 4 + 43 + 1 = 88 bits
    if (subLayerProfilePresent[i]) r.skip(88);
    if (subLayerLevelPresent[i]) r.skip(8); // sub_layer_level_idc[i]
  }
  return {
    generalProfileSpace,
    generalTierFlag,
    generalProfileIdc,
    generalProfileCompatibilityFlags,
    generalConstraintIndicatorFlags,
    generalLevelIdc,
  };
}

/** scaling_list_data() (7.3.4): only walked, the lists themselves are not needed. */
function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    // 32x32 lists exist for matrixId 0 and 3 only (intra / inter luma)
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.bool()) {
        // scaling_list_pred_mode_flag = 0: copied from a reference list
        r.ue(); // scaling_list_pred_matrix_id_delta
      } else {
        const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
        if (sizeId > 1) r.se(); // scaling_list_dc_coef_minus8
        for (let i = 0; i < coefNum; i++) r.se(); // scaling_list_delta_coef
      }
    }
  }
}

/** What later sets need of an st_ref_pic_set: DeltaPocS0 / DeltaPocS1 (7.4.8). */
interface ShortTermRps {
  /** DeltaPocS0[stRpsIdx][0..NumNegativePics-1], decreasing (closest first) */
  s0: number[];
  /** DeltaPocS1[stRpsIdx][0..NumPositivePics-1], increasing (closest first) */
  s1: number[];
}

/** HEVC_MAX_REFS in ffmpeg: a DPB holds at most 16 pictures (A.4.2), so no list can be longer. */
const MAX_DELTA_POCS = 16;

/** st_ref_pic_set(stRpsIdx) (7.3.7) as coded in the SPS (stRpsIdx < num_short_term_ref_pic_sets). */
function readStRefPicSet(r: BitReader, stRpsIdx: number, sets: readonly ShortTermRps[]): ShortTermRps {
  // inter_ref_pic_set_prediction_flag: the set is coded as a delta against the previous one
  const interRefPicSetPrediction = stRpsIdx !== 0 ? r.bool() : false;
  if (!interRefPicSetPrediction) {
    const numNegativePics = r.ue(); // num_negative_pics
    const numPositivePics = r.ue(); // num_positive_pics
    check(numNegativePics <= MAX_DELTA_POCS, `st_ref_pic_set ${stRpsIdx}: num_negative_pics ${numNegativePics} > 16`);
    check(numPositivePics <= MAX_DELTA_POCS, `st_ref_pic_set ${stRpsIdx}: num_positive_pics ${numPositivePics} > 16`);
    const s0: number[] = [];
    let poc = 0;
    for (let i = 0; i < numNegativePics; i++) {
      poc -= r.ue() + 1; // delta_poc_s0_minus1[i]
      r.bool(); // used_by_curr_pic_s0_flag[i]
      s0.push(poc);
    }
    const s1: number[] = [];
    poc = 0;
    for (let i = 0; i < numPositivePics; i++) {
      poc += r.ue() + 1; // delta_poc_s1_minus1[i]
      r.bool(); // used_by_curr_pic_s1_flag[i]
      s1.push(poc);
    }
    return { s0, s1 };
  }

  // In the SPS delta_idx_minus1 is not coded (it is only in slice headers): RefRpsIdx = stRpsIdx - 1.
  const ref = sets[stRpsIdx - 1]!;
  const deltaRpsSign = r.bool(); // delta_rps_sign
  const absDeltaRpsMinus1 = r.ue(); // abs_delta_rps_minus1
  check(absDeltaRpsMinus1 <= 0x7fff, `st_ref_pic_set ${stRpsIdx}: abs_delta_rps_minus1 ${absDeltaRpsMinus1} > 32767`);
  const deltaRps = (deltaRpsSign ? -1 : 1) * (absDeltaRpsMinus1 + 1); // (7-60)
  // One (used_by_curr_pic_flag, use_delta_flag) pair per picture of the reference set, in the order
  // S0 then S1, plus a last one (j = NumDeltaPocs[RefRpsIdx]) for the reference picture itself.
  const numRefDeltaPocs = ref.s0.length + ref.s1.length;
  const useDelta: boolean[] = [];
  for (let j = 0; j <= numRefDeltaPocs; j++) {
    const usedByCurrPic = r.bool(); // used_by_curr_pic_flag[j]
    useDelta.push(usedByCurrPic ? true : r.bool()); // use_delta_flag[j], inferred 1 when not coded
  }
  // Derivation (7-61, 7-62): shift every reference delta by deltaRps, keep those flagged use_delta and
  // sort them into the negative / positive lists, closest picture first. A delta that lands on 0 is
  // the current picture and is dropped.
  const s0: number[] = [];
  for (let j = ref.s1.length - 1; j >= 0; j--) {
    const dPoc = ref.s1[j]! + deltaRps;
    if (dPoc < 0 && useDelta[ref.s0.length + j]) s0.push(dPoc);
  }
  if (deltaRps < 0 && useDelta[numRefDeltaPocs]) s0.push(deltaRps);
  for (let j = 0; j < ref.s0.length; j++) {
    const dPoc = ref.s0[j]! + deltaRps;
    if (dPoc < 0 && useDelta[j]) s0.push(dPoc);
  }
  const s1: number[] = [];
  for (let j = ref.s0.length - 1; j >= 0; j--) {
    const dPoc = ref.s0[j]! + deltaRps;
    if (dPoc > 0 && useDelta[j]) s1.push(dPoc);
  }
  if (deltaRps > 0 && useDelta[numRefDeltaPocs]) s1.push(deltaRps);
  for (let j = 0; j < ref.s1.length; j++) {
    const dPoc = ref.s1[j]! + deltaRps;
    if (dPoc > 0 && useDelta[ref.s0.length + j]) s1.push(dPoc);
  }
  check(
    s0.length <= MAX_DELTA_POCS && s1.length <= MAX_DELTA_POCS,
    `st_ref_pic_set ${stRpsIdx}: predicted set has ${s0.length} + ${s1.length} pictures`,
  );
  return { s0, s1 };
}

/** vui_parameters() (E.2.1) up to vui_time_scale. */
function readVui(r: BitReader): H265Vui {
  const vui: H265Vui = { fieldSeqFlag: false };
  if (r.bool()) {
    // aspect_ratio_info_present_flag
    vui.aspectRatioIdc = r.bits(8); // aspect_ratio_idc
    if (vui.aspectRatioIdc === 255) {
      // EXTENDED_SAR
      vui.sarWidth = r.bits(16); // sar_width
      vui.sarHeight = r.bits(16); // sar_height
    }
  }
  if (r.bool()) r.bool(); // overscan_info_present_flag, overscan_appropriate_flag
  if (r.bool()) {
    // video_signal_type_present_flag
    r.bits(3); // video_format
    vui.videoFullRangeFlag = r.bool(); // video_full_range_flag
    if (r.bool()) {
      // colour_description_present_flag
      vui.colourPrimaries = r.bits(8); // colour_primaries
      vui.transferCharacteristics = r.bits(8); // transfer_characteristics
      vui.matrixCoeffs = r.bits(8); // matrix_coeffs
    }
  }
  if (r.bool()) {
    // chroma_loc_info_present_flag
    r.ue(); // chroma_sample_loc_type_top_field
    r.ue(); // chroma_sample_loc_type_bottom_field
  }
  r.bool(); // neutral_chroma_indication_flag
  vui.fieldSeqFlag = r.bool(); // field_seq_flag
  r.bool(); // frame_field_info_present_flag
  if (r.bool()) {
    // default_display_window_flag
    vui.defaultDisplayWindow = { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
  }
  if (r.bool()) {
    // vui_timing_info_present_flag; the rest of the VUI (POC proportionality, HRD, bitstream
    // restrictions) is not needed
    vui.vuiNumUnitsInTick = r.bits(32); // vui_num_units_in_tick
    vui.vuiTimeScale = r.bits(32); // vui_time_scale
  }
  return vui;
}
