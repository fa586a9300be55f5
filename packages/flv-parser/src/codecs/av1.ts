/**
 * AV1CodecConfigurationRecord (AV1 Codec ISO Media File Format Binding 2.3.3), the body of an Enhanced
 * RTMP 'av01' SequenceStart, and the sequence_header_obu() (AV1 bitstream spec 5.5) in its configOBUs.
 *
 * The sequence header is authoritative: it is what a decoder uses, and the record's summary bytes are
 * only a copy written by the muxer. The record alone is reported when configOBUs is empty (allowed by
 * the binding: the sequence header may travel in-band only).
 */
import { BitReader, BitReaderUnderrunError } from '../bit-reader.js';
import type { ChromaFormat, ConfigResult, VideoConfig } from '../types.js';

/** obu_type of a sequence header (6.2.2, Table "OBU types") */
export const OBU_SEQUENCE_HEADER = 1;

export interface Av1TimingInfo {
  numUnitsInDisplayTick: number;
  timeScale: number;
  equalPictureInterval: boolean;
  /** num_ticks_per_picture_minus_1 + 1, when equal_picture_interval */
  numTicksPerPicture?: number;
}

export interface Av1OperatingPoint {
  operatingPointIdc: number;
  seqLevelIdx: number;
  /** 0 = Main, 1 = High; only coded for levels above 3.3 (seq_level_idx > 7) */
  seqTier: number;
}

export interface Av1ColorConfig {
  bitDepth: number;
  monoChrome: boolean;
  colorPrimaries: number;
  transferCharacteristics: number;
  matrixCoefficients: number;
  colorRange: boolean;
  subsamplingX: boolean;
  subsamplingY: boolean;
  /** chroma_sample_position, 0 (CSP_UNKNOWN) when not coded */
  chromaSamplePosition: number;
}

export interface Av1SequenceHeader {
  seqProfile: number;
  stillPicture: boolean;
  reducedStillPictureHeader: boolean;
  timingInfo?: Av1TimingInfo;
  decoderModelInfoPresent: boolean;
  /** operating point 0 is the one a decoder picks by default (choose_operating_point() returns 0) */
  operatingPoints: Av1OperatingPoint[];
  maxFrameWidth: number;
  maxFrameHeight: number;
  frameIdNumbersPresent: boolean;
  use128x128Superblock: boolean;
  enableOrderHint: boolean;
  enableSuperres: boolean;
  colorConfig: Av1ColorConfig;
  filmGrainParamsPresent: boolean;
}

/** The fixed 4 bytes of the configuration record. */
export interface Av1CodecConfigurationRecord {
  seqProfile: number;
  seqLevelIdx0: number;
  seqTier0: number;
  highBitdepth: boolean;
  twelveBit: boolean;
  monochrome: boolean;
  chromaSubsamplingX: boolean;
  chromaSubsamplingY: boolean;
  chromaSamplePosition: number;
  initialPresentationDelayMinusOne?: number;
  configObus: Uint8Array;
}

const PROFILE_NAMES = ['Main', 'High', 'Professional'] as const;

/** seq_profile as ffprobe names it: 0 Main, 1 High, 2 Professional (3..7 are reserved). */
export function av1ProfileName(seqProfile: number): string | undefined {
  return PROFILE_NAMES[seqProfile];
}

/**
 * seq_level_idx as the level number of Annex A.3: X = 2 + (idx >> 2), Y = idx & 3, so 8 -> "4.0",
 * 13 -> "5.1". 31 means "no level constraint" and has no name.
 */
export function av1LevelName(seqLevelIdx: number): string | undefined {
  if (seqLevelIdx > 23) return undefined; // 24..30 reserved, 31 = maximum parameters
  return `${2 + (seqLevelIdx >> 2)}.${seqLevelIdx & 3}`;
}

function chromaFormat(mono: boolean, subsamplingX: boolean, subsamplingY: boolean): ChromaFormat {
  if (mono) return '4:0:0';
  if (subsamplingX) return subsamplingY ? '4:2:0' : '4:2:2';
  return '4:4:4'; // subsampling_y without subsampling_x is not allowed
}

class SequenceHeaderError extends Error {}

function badSps(message: string): { ok: false; code: 'bad_sps'; message: string } {
  return { ok: false, code: 'bad_sps', message: `AV1 sequence header: ${message}` };
}

function badRecord(message: string): { ok: false; code: 'bad_video_config'; message: string } {
  return { ok: false, code: 'bad_video_config', message: `AV1CodecConfigurationRecord: ${message}` };
}

/** Parses sequence_header_obu() from an OBU payload (the bytes after obu_header and obu_size). */
export function parseAv1SequenceHeaderObu(payload: Uint8Array): ConfigResult<Av1SequenceHeader> {
  try {
    return { ok: true, config: readSequenceHeader(new BitReader(payload)) };
  } catch (e) {
    if (e instanceof SequenceHeaderError) return badSps(e.message);
    if (e instanceof BitReaderUnderrunError) return badSps(`truncated (${e.message})`);
    throw e;
  }
}

function readSequenceHeader(r: BitReader): Av1SequenceHeader {
  const seqProfile = r.bits(3); // seq_profile
  if (seqProfile > 2) throw new SequenceHeaderError(`seq_profile ${seqProfile} is reserved`);
  const stillPicture = r.bool(); // still_picture
  const reducedStillPictureHeader = r.bool(); // reduced_still_picture_header
  let timingInfo: Av1TimingInfo | undefined;
  let decoderModelInfoPresent = false;
  const operatingPoints: Av1OperatingPoint[] = [];
  if (reducedStillPictureHeader) {
    // One operating point, no timing or decoder model, and only seq_level_idx[0] coded.
    operatingPoints.push({ operatingPointIdc: 0, seqLevelIdx: r.bits(5), seqTier: 0 });
  } else {
    if (r.bool()) {
      // timing_info_present_flag: timing_info()
      const numUnitsInDisplayTick = r.bits(32); // num_units_in_display_tick
      const timeScale = r.bits(32); // time_scale
      const equalPictureInterval = r.bool(); // equal_picture_interval
      timingInfo = { numUnitsInDisplayTick, timeScale, equalPictureInterval };
      if (equalPictureInterval) {
        const numTicksPerPictureMinus1 = r.uvlc(); // num_ticks_per_picture_minus_1
        if (numTicksPerPictureMinus1 === 2 ** 32 - 1) {
          throw new SequenceHeaderError('num_ticks_per_picture_minus_1 is 2^32 - 1');
        }
        timingInfo.numTicksPerPicture = numTicksPerPictureMinus1 + 1;
      }
      decoderModelInfoPresent = r.bool(); // decoder_model_info_present_flag
    }
    let bufferDelayLength = 0;
    if (decoderModelInfoPresent) {
      // decoder_model_info()
      bufferDelayLength = r.bits(5) + 1; // buffer_delay_length_minus_1
      r.bits(32); // num_units_in_decoding_tick
      r.bits(5); // buffer_removal_time_length_minus_1
      r.bits(5); // frame_presentation_time_length_minus_1
    }
    const initialDisplayDelayPresent = r.bool(); // initial_display_delay_present_flag
    const operatingPointsCntMinus1 = r.bits(5); // operating_points_cnt_minus_1
    for (let i = 0; i <= operatingPointsCntMinus1; i++) {
      const operatingPointIdc = r.bits(12); // operating_point_idc[i]
      const seqLevelIdx = r.bits(5); // seq_level_idx[i]
      // seq_tier[i]: levels up to 3.3 have a single tier, so the bit is only coded above them
      const seqTier = seqLevelIdx > 7 ? r.bits(1) : 0;
      if (decoderModelInfoPresent && r.bool()) {
        // decoder_model_present_for_this_op[i]: operating_parameters_info(i)
        r.bits(bufferDelayLength); // decoder_buffer_delay[i]
        r.bits(bufferDelayLength); // encoder_buffer_delay[i]
        r.bool(); // low_delay_mode_flag[i]
      }
      if (initialDisplayDelayPresent && r.bool()) {
        // initial_display_delay_present_for_this_op[i]
        r.bits(4); // initial_display_delay_minus_1[i]
      }
      operatingPoints.push({ operatingPointIdc, seqLevelIdx, seqTier });
    }
  }
  const frameWidthBits = r.bits(4) + 1; // frame_width_bits_minus_1
  const frameHeightBits = r.bits(4) + 1; // frame_height_bits_minus_1
  const maxFrameWidth = r.bits(frameWidthBits) + 1; // max_frame_width_minus_1
  const maxFrameHeight = r.bits(frameHeightBits) + 1; // max_frame_height_minus_1
  const frameIdNumbersPresent = reducedStillPictureHeader ? false : r.bool(); // frame_id_numbers_present_flag
  if (frameIdNumbersPresent) {
    r.bits(4); // delta_frame_id_length_minus_2
    r.bits(3); // additional_frame_id_length_minus_1
  }
  const use128x128Superblock = r.bool(); // use_128x128_superblock
  r.bool(); // enable_filter_intra
  r.bool(); // enable_intra_edge_filter
  let enableOrderHint = false;
  if (!reducedStillPictureHeader) {
    r.bool(); // enable_interintra_compound
    r.bool(); // enable_masked_compound
    r.bool(); // enable_warped_motion
    r.bool(); // enable_dual_filter
    enableOrderHint = r.bool(); // enable_order_hint
    if (enableOrderHint) {
      r.bool(); // enable_jnt_comp
      r.bool(); // enable_ref_frame_mvs
    }
    // seq_choose_screen_content_tools = 1 means SELECT_SCREEN_CONTENT_TOOLS (2), otherwise
    // seq_force_screen_content_tools is coded; the integer-mv choice is only coded when that is not 0
    const seqForceScreenContentTools = r.bool() ? 2 : r.bits(1);
    if (seqForceScreenContentTools > 0) {
      if (!r.bool()) r.bits(1); // seq_choose_integer_mv; when 0, seq_force_integer_mv
    }
    if (enableOrderHint) r.bits(3); // order_hint_bits_minus_1
  }
  const enableSuperres = r.bool(); // enable_superres
  r.bool(); // enable_cdef
  r.bool(); // enable_restoration
  const colorConfig = readColorConfig(r, seqProfile);
  const filmGrainParamsPresent = r.bool(); // film_grain_params_present
  const header: Av1SequenceHeader = {
    seqProfile,
    stillPicture,
    reducedStillPictureHeader,
    decoderModelInfoPresent,
    operatingPoints,
    maxFrameWidth,
    maxFrameHeight,
    frameIdNumbersPresent,
    use128x128Superblock,
    enableOrderHint,
    enableSuperres,
    colorConfig,
    filmGrainParamsPresent,
  };
  if (timingInfo) header.timingInfo = timingInfo;
  return header;
}

/** color_config() (5.5.2) */
function readColorConfig(r: BitReader, seqProfile: number): Av1ColorConfig {
  const highBitdepth = r.bool(); // high_bitdepth
  let bitDepth = highBitdepth ? 10 : 8;
  // twelve_bit: only the Professional profile has 12-bit
  if (seqProfile === 2 && highBitdepth) bitDepth = r.bool() ? 12 : 10;
  const monoChrome = seqProfile === 1 ? false : r.bool(); // mono_chrome; High is always 4:4:4 colour
  let colorPrimaries = 2; // CP_UNSPECIFIED
  let transferCharacteristics = 2; // TC_UNSPECIFIED
  let matrixCoefficients = 2; // MC_UNSPECIFIED
  if (r.bool()) {
    // color_description_present_flag
    colorPrimaries = r.bits(8); // color_primaries
    transferCharacteristics = r.bits(8); // transfer_characteristics
    matrixCoefficients = r.bits(8); // matrix_coefficients
  }
  const base = { bitDepth, monoChrome, colorPrimaries, transferCharacteristics, matrixCoefficients };
  if (monoChrome) {
    const colorRange = r.bool(); // color_range
    return { ...base, colorRange, subsamplingX: true, subsamplingY: true, chromaSamplePosition: 0 };
  }
  if (colorPrimaries === 1 && transferCharacteristics === 13 && matrixCoefficients === 0) {
    // CP_BT_709 + TC_SRGB + MC_IDENTITY: sRGB / RGB, always full range 4:4:4, nothing more is coded
    // but separate_uv_delta_q
    r.bool(); // separate_uv_delta_q
    return { ...base, colorRange: true, subsamplingX: false, subsamplingY: false, chromaSamplePosition: 0 };
  }
  const colorRange = r.bool(); // color_range
  let subsamplingX: boolean;
  let subsamplingY: boolean;
  if (seqProfile === 0) {
    subsamplingX = subsamplingY = true; // Main: 4:2:0 only
  } else if (seqProfile === 1) {
    subsamplingX = subsamplingY = false; // High: 4:4:4 only
  } else if (bitDepth === 12) {
    // Professional 12-bit may code any of 4:2:0, 4:2:2, 4:4:4
    subsamplingX = r.bool(); // subsampling_x
    subsamplingY = subsamplingX ? r.bool() : false; // subsampling_y
  } else {
    subsamplingX = true; // Professional 8/10-bit: 4:2:2
    subsamplingY = false;
  }
  const chromaSamplePosition = subsamplingX && subsamplingY ? r.bits(2) : 0; // chroma_sample_position
  r.bool(); // separate_uv_delta_q
  return { ...base, colorRange, subsamplingX, subsamplingY, chromaSamplePosition };
}

interface Obu {
  type: number;
  payload: Uint8Array;
}

/** Reads leb128() (4.10.5) at pos; undefined when it runs past the end or exceeds 8 bytes. */
function readLeb128(b: Uint8Array, pos: number): { value: number; length: number } | undefined {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[pos + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * 2 ** (i * 7);
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  return undefined;
}

/** Walks low-overhead-format OBUs (5.3): obu_header(), optional obu_size, payload. */
function readObus(b: Uint8Array): Obu[] | string {
  const obus: Obu[] = [];
  let pos = 0;
  while (pos < b.length) {
    const h = b[pos]!;
    // obu_header(): obu_forbidden_bit, obu_type(4), obu_extension_flag, obu_has_size_field, obu_reserved_1bit
    if (h & 0x80) return `OBU at byte ${pos}: obu_forbidden_bit is set`;
    const type = (h >> 3) & 0x0f;
    const extension = (h & 0x04) !== 0;
    const hasSize = (h & 0x02) !== 0;
    let at = pos + 1 + (extension ? 1 : 0); // obu_extension_header(): temporal_id, spatial_id, reserved
    if (at > b.length) return `OBU at byte ${pos}: header runs past the end`;
    let size: number;
    if (hasSize) {
      const leb = readLeb128(b, at);
      if (!leb) return `OBU at byte ${pos}: obu_size runs past the end or is longer than 8 bytes (leb128)`;
      size = leb.value;
      at += leb.length;
    } else {
      size = b.length - at; // without obu_size the OBU extends to the end of the buffer
    }
    if (size > b.length - at) return `OBU at byte ${pos}: obu_size ${size} runs past the end (${b.length - at} left)`;
    obus.push({ type, payload: b.subarray(at, at + size) });
    pos = at + size;
  }
  return obus;
}

/** Reads the 4 fixed bytes of the record. */
export function readAv1CodecConfigurationRecord(record: Uint8Array): ConfigResult<Av1CodecConfigurationRecord> {
  if (record.length < 4) return badRecord(`${record.length} bytes, shorter than the 4-byte fixed part`);
  const b0 = record[0]!;
  const b1 = record[1]!;
  const b2 = record[2]!;
  const b3 = record[3]!;
  // marker(1) = 1, version(7) = 1: anything else is not (this version of) the record
  if (b0 >> 7 !== 1) return badRecord(`marker bit is 0 (first byte 0x${b0.toString(16).padStart(2, '0')})`);
  if ((b0 & 0x7f) !== 1) return badRecord(`version ${b0 & 0x7f}, expected 1`);
  const fields: Av1CodecConfigurationRecord = {
    seqProfile: b1 >> 5,
    seqLevelIdx0: b1 & 0x1f,
    seqTier0: b2 >> 7,
    highBitdepth: ((b2 >> 6) & 1) === 1,
    twelveBit: ((b2 >> 5) & 1) === 1,
    monochrome: ((b2 >> 4) & 1) === 1,
    chromaSubsamplingX: ((b2 >> 3) & 1) === 1,
    chromaSubsamplingY: ((b2 >> 2) & 1) === 1,
    chromaSamplePosition: b2 & 0x03,
    configObus: record.subarray(4),
  };
  // reserved(3), initial_presentation_delay_present(1), initial_presentation_delay_minus_one(4)
  if (b3 & 0x10) fields.initialPresentationDelayMinusOne = b3 & 0x0f;
  return { ok: true, config: fields };
}

/** The frame rate timing_info() signals: time_scale ticks per second over the ticks of one picture. */
function frameRate(t: Av1TimingInfo): number | undefined {
  if (t.numUnitsInDisplayTick === 0 || t.timeScale === 0) return undefined;
  return t.timeScale / (t.numUnitsInDisplayTick * (t.numTicksPerPicture ?? 1));
}

export function parseAv1CodecConfigurationRecord(record: Uint8Array): ConfigResult<VideoConfig> {
  const read = readAv1CodecConfigurationRecord(record);
  if (!read.ok) return read;
  const rec = read.config;
  const obus = readObus(rec.configObus);
  if (typeof obus === 'string') return badRecord(`configOBUs: ${obus}`);
  const seqObu = obus.find((o) => o.type === OBU_SEQUENCE_HEADER);
  if (!seqObu) {
    // configOBUs may be empty: report what the record's summary bytes say.
    const bitDepth = rec.twelveBit ? 12 : rec.highBitdepth ? 10 : 8;
    const config: VideoConfig = {
      codec: 'AV1',
      profileIdc: rec.seqProfile,
      levelIdc: rec.seqLevelIdx0,
      tier: rec.seqTier0 ? 'High' : 'Main',
      chromaFormat: chromaFormat(rec.monochrome, rec.chromaSubsamplingX, rec.chromaSubsamplingY),
      bitDepthLuma: bitDepth,
      bitDepthChroma: bitDepth,
    };
    const profile = av1ProfileName(rec.seqProfile);
    if (profile !== undefined) config.profile = profile;
    const level = av1LevelName(rec.seqLevelIdx0);
    if (level !== undefined) config.level = level;
    return { ok: true, config };
  }
  const parsed = parseAv1SequenceHeaderObu(seqObu.payload);
  if (!parsed.ok) return parsed;
  const seq = parsed.config;
  const op0 = seq.operatingPoints[0]!;
  const cc = seq.colorConfig;
  const config: VideoConfig = {
    codec: 'AV1',
    profileIdc: seq.seqProfile,
    levelIdc: op0.seqLevelIdx,
    tier: op0.seqTier ? 'High' : 'Main',
    chromaFormat: chromaFormat(cc.monoChrome, cc.subsamplingX, cc.subsamplingY),
    bitDepthLuma: cc.bitDepth,
    bitDepthChroma: cc.bitDepth,
    // the largest frame the sequence may code; each frame header may signal a smaller size
    width: seq.maxFrameWidth,
    height: seq.maxFrameHeight,
  };
  const profile = av1ProfileName(seq.seqProfile);
  if (profile !== undefined) config.profile = profile;
  const level = av1LevelName(op0.seqLevelIdx);
  if (level !== undefined) config.level = level;
  const rate = seq.timingInfo ? frameRate(seq.timingInfo) : undefined;
  if (rate !== undefined) config.frameRate = rate;
  return { ok: true, config };
}
