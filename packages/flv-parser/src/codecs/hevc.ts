/**
 * HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): the body of a legacy FLV HEVC sequence
 * header (CodecID 12, after the 5-byte AVCVIDEOPACKET header) and of an Enhanced RTMP 'hvc1'
 * SequenceStart. The record's own profile / level bytes are a summary written by the muxer; what we
 * report comes from the SPS it carries (as ffprobe does), with the record only as a fallback.
 */
import type { ChromaFormat, ConfigResult, VideoConfig } from '../types.js';
import { H265_NAL_SPS, parseH265Sps } from './h265-sps.js';
import { emptyNalWarning, withWarnings } from './record-warnings.js';

export interface HevcNalArray {
  arrayCompleteness: boolean;
  nalUnitType: number;
  /** each NAL unit including its 2-byte header, as a view into the record */
  nalus: Uint8Array[];
}

export interface HevcDecoderConfigurationRecord {
  configurationVersion: number;
  generalProfileSpace: number;
  generalTierFlag: boolean;
  generalProfileIdc: number;
  generalProfileCompatibilityFlags: number;
  /** 48 bits */
  generalConstraintIndicatorFlags: number;
  generalLevelIdc: number;
  minSpatialSegmentationIdc: number;
  parallelismType: number;
  chromaFormat: number;
  bitDepthLumaMinus8: number;
  bitDepthChromaMinus8: number;
  /** frames per 256 s, 0 = unspecified */
  avgFrameRate: number;
  constantFrameRate: number;
  numTemporalLayers: number;
  temporalIdNested: boolean;
  lengthSizeMinusOne: number;
  arrays: HevcNalArray[];
  /** NAL units of length 0 across all arrays (kept in the arrays as empty views) */
  emptyNalUnits: number;
}

/** Bytes before the first NAL unit array. */
const FIXED_PART = 23;

/**
 * Profile names as ffprobe prints them (libavcodec profiles.c: 1-4, plus "Multiview Main" and "SCC" in
 * newer releases); the others, which ffmpeg does not name, after Annex A / G / H / I of H.265.
 */
const PROFILE_NAMES: Readonly<Record<number, string>> = {
  1: 'Main',
  2: 'Main 10',
  3: 'Main Still Picture',
  4: 'Rext',
  5: 'High Throughput',
  6: 'Multiview Main',
  7: 'Scalable Main',
  8: '3D Main',
  9: 'SCC',
  10: 'Scalable Rext',
  11: 'High Throughput SCC',
};

export function hevcProfileName(profileIdc: number): string | undefined {
  if (profileIdc === 0) return undefined;
  return PROFILE_NAMES[profileIdc] ?? `Profile ${profileIdc}`;
}

/**
 * The profile a stream conforms to: general_profile_idc, or when an encoder left that 0, the first
 * profile j > 0 whose general_profile_compatibility_flag[j] is set (as ffmpeg infers it).
 */
export function hevcEffectiveProfileIdc(profileIdc: number, compatibilityFlags: number): number {
  if (profileIdc !== 0) return profileIdc;
  for (let j = 1; j < 32; j++) if ((compatibilityFlags >>> (31 - j)) & 1) return j;
  return 0;
}

/** general_level_idc is 30 x the level number: 153 -> "5.1", 120 -> "4", 186 -> "6.2". */
export function hevcLevelName(levelIdc: number): string | undefined {
  if (levelIdc === 0) return undefined;
  return String(Math.round((levelIdc / 30) * 10) / 10);
}

const CHROMA_FORMATS: readonly ChromaFormat[] = ['4:0:0', '4:2:0', '4:2:2', '4:4:4'];

function fail(message: string): { ok: false; code: 'bad_video_config'; message: string } {
  return { ok: false, code: 'bad_video_config', message: `HEVCDecoderConfigurationRecord: ${message}` };
}

/** Reads the record's fields and NAL unit arrays without interpreting the parameter sets. */
export function readHevcDecoderConfigurationRecord(record: Uint8Array): ConfigResult<HevcDecoderConfigurationRecord> {
  if (
    record.length >= 3 &&
    record[0] === 0 &&
    record[1] === 0 &&
    (record[2] === 1 || (record[2] === 0 && record[3] === 1))
  ) {
    return fail('starts with an Annex B start code, not a configuration record');
  }
  if (record.length < FIXED_PART) return fail(`${record.length} bytes, shorter than the ${FIXED_PART}-byte fixed part`);
  const b = record;
  const u16 = (at: number): number => (b[at]! << 8) | b[at + 1]!;
  const u32 = (at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  const fields: HevcDecoderConfigurationRecord = {
    configurationVersion: b[0]!,
    generalProfileSpace: b[1]! >> 6,
    generalTierFlag: ((b[1]! >> 5) & 1) === 1,
    generalProfileIdc: b[1]! & 0x1f,
    generalProfileCompatibilityFlags: u32(2),
    generalConstraintIndicatorFlags: u32(6) * 0x10000 + u16(10),
    generalLevelIdc: b[12]!,
    minSpatialSegmentationIdc: u16(13) & 0x0fff, // after reserved '1111'b
    parallelismType: b[15]! & 0x03, // after reserved '111111'b
    chromaFormat: b[16]! & 0x03, // chroma_format_idc
    bitDepthLumaMinus8: b[17]! & 0x07,
    bitDepthChromaMinus8: b[18]! & 0x07,
    avgFrameRate: u16(19),
    constantFrameRate: b[21]! >> 6,
    numTemporalLayers: (b[21]! >> 3) & 0x07,
    temporalIdNested: ((b[21]! >> 2) & 1) === 1,
    lengthSizeMinusOne: b[21]! & 0x03,
    arrays: [],
    emptyNalUnits: 0,
  };
  // numOfArrays is at most 255 and numNalus at most 65535, but every step below consumes at least
  // 2 bytes of the record or stops, so the walk is bounded by the record length whatever they say.
  const numOfArrays = b[22]!;
  let pos = FIXED_PART;
  for (let i = 0; i < numOfArrays; i++) {
    if (pos + 3 > b.length)
      return fail(`array ${i} of ${numOfArrays} starts past the end (byte ${pos} of ${b.length})`);
    const array: HevcNalArray = {
      arrayCompleteness: (b[pos]! & 0x80) !== 0,
      nalUnitType: b[pos]! & 0x3f, // after array_completeness and a reserved bit
      nalus: [],
    };
    const numNalus = u16(pos + 1);
    pos += 3;
    for (let j = 0; j < numNalus; j++) {
      if (pos + 2 > b.length) return fail(`array ${i}: NAL unit ${j} of ${numNalus} starts past the end`);
      const nalUnitLength = u16(pos);
      pos += 2;
      if (pos + nalUnitLength > b.length) {
        return fail(`array ${i}: NAL unit ${j} of ${nalUnitLength} bytes runs past the end (${b.length - pos} left)`);
      }
      if (nalUnitLength === 0) fields.emptyNalUnits++;
      array.nalus.push(b.subarray(pos, pos + nalUnitLength));
      pos += nalUnitLength;
    }
    fields.arrays.push(array);
  }
  return { ok: true, config: fields };
}

function nalUnitType(nal: Uint8Array): number {
  return nal.length >= 2 ? (nal[0]! >> 1) & 0x3f : -1;
}

function nuhLayerId(nal: Uint8Array): number {
  return ((nal[0]! & 1) << 5) | (nal[1]! >> 3);
}

export function parseHevcDecoderConfigurationRecord(record: Uint8Array): ConfigResult<VideoConfig> {
  const read = readHevcDecoderConfigurationRecord(record);
  if (!read.ok) return read;
  const rec = read.config;
  const warnings = emptyNalWarning('HEVCDecoderConfigurationRecord', rec.emptyNalUnits);
  // The NAL header, not the array's NAL_unit_type, decides what a unit is: muxers have been seen
  // to mislabel arrays. Only a base-layer SPS describes the stream as a plain decoder sees it.
  const spsNal = rec.arrays
    .flatMap((a) => a.nalus)
    .find((nal) => nalUnitType(nal) === H265_NAL_SPS && nuhLayerId(nal) === 0);
  if (!spsNal) {
    const types = rec.arrays.map((a) => a.nalUnitType).join(', ');
    return withWarnings(
      fail(`no SPS (NAL unit type 33) among ${rec.arrays.length} arrays (types: ${types || 'none'})`),
      warnings,
    );
  }
  const parsed = parseH265Sps(spsNal);
  if (!parsed.ok) return withWarnings(parsed, warnings);
  const sps = parsed.config;
  const ptl = sps.profileTierLevel;

  const profileIdc =
    hevcEffectiveProfileIdc(ptl.generalProfileIdc, ptl.generalProfileCompatibilityFlags) ||
    hevcEffectiveProfileIdc(rec.generalProfileIdc, rec.generalProfileCompatibilityFlags);
  const levelIdc = ptl.generalLevelIdc || rec.generalLevelIdc;

  const config: VideoConfig = {
    codec: 'H.265',
    profileIdc,
    levelIdc,
    tier: ptl.generalTierFlag ? 'High' : 'Main',
    chromaFormat: CHROMA_FORMATS[sps.chromaFormatIdc]!,
    bitDepthLuma: sps.bitDepthLuma,
    bitDepthChroma: sps.bitDepthChroma,
    width: sps.width,
    height: sps.height,
    codedWidth: sps.picWidthInLumaSamples,
    codedHeight: sps.picHeightInLumaSamples,
    scalingMatrix: sps.scalingListEnabledFlag,
    nalLengthSize: rec.lengthSizeMinusOne + 1,
  };
  const profile = hevcProfileName(profileIdc);
  if (profile !== undefined) config.profile = profile;
  const level = hevcLevelName(levelIdc);
  if (level !== undefined) config.level = level;
  if (sps.frameRate !== undefined) config.frameRate = sps.frameRate;
  return withWarnings({ ok: true, config }, warnings);
}
