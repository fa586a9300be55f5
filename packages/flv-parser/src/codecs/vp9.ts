/**
 * VPCodecConfigurationRecord (VP Codec ISO Media File Format Binding 2.2, the payload of a 'vpcC'
 * box), the body of an Enhanced RTMP 'vp09' SequenceStart.
 *
 * Writers disagree on whether the box's FullBox header (version(8) = 1, flags(24) = 0) comes first:
 * the Enhanced RTMP spec names just the record, ffmpeg's flvenc writes the whole box payload, header
 * included. We take the first 4 bytes as that header when they read exactly 01 00 00 00 (and then
 * require the whole 8-byte record after them). A valid bare record cannot start that way: its third
 * byte holds bitDepth in the high nibble, which is 8, 10 or 12, never 0. Other FullBox versions (the
 * pre-standard version 0 layout) are not recognised and fail the bitDepth check.
 *
 * The record has no picture size (VP9 signals it in every key frame's uncompressed header).
 */
import type { ChromaFormat, ConfigResult, VideoConfig } from '../types.js';

export interface VpCodecConfigurationRecord {
  profile: number;
  level: number;
  bitDepth: number;
  chromaSubsampling: number;
  videoFullRangeFlag: boolean;
  colourPrimaries: number;
  transferCharacteristics: number;
  matrixCoefficients: number;
  codecInitializationDataSize: number;
  /** whether the 4-byte FullBox header (version 1, flags 0) preceded the record */
  fullBoxHeader: boolean;
}

const RECORD_SIZE = 8;

/**
 * chromaSubsampling: 0 = 4:2:0 with vertically co-sited chroma, 1 = 4:2:0 co-located with luma (0,0),
 * 2 = 4:2:2, 3 = 4:4:4; 4..7 reserved.
 */
const CHROMA_FORMATS: readonly ChromaFormat[] = ['4:2:0', '4:2:0', '4:2:2', '4:4:4'];

/** profile as ffprobe names it: "Profile 0" .. "Profile 3". */
export function vp9ProfileName(profile: number): string {
  return `Profile ${profile}`;
}

/** level is 10 x the level number (Annex A of the VP9 spec): 10 -> "1", 11 -> "1.1", 62 -> "6.2"; 0 = unspecified. */
export function vp9LevelName(level: number): string | undefined {
  if (level === 0) return undefined;
  const minor = level % 10;
  return minor === 0 ? String(level / 10) : `${Math.floor(level / 10)}.${minor}`;
}

function fail(message: string): { ok: false; code: 'bad_video_config'; message: string } {
  return { ok: false, code: 'bad_video_config', message: `VPCodecConfigurationRecord: ${message}` };
}

export function readVpCodecConfigurationRecord(bytes: Uint8Array): ConfigResult<VpCodecConfigurationRecord> {
  const startsLikeFullBox = bytes.length >= 4 && bytes[0] === 1 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0;
  if (startsLikeFullBox && bytes.length < 4 + RECORD_SIZE) {
    return fail(`FullBox header followed by ${bytes.length - 4} bytes, shorter than the ${RECORD_SIZE}-byte record`);
  }
  const fullBoxHeader = startsLikeFullBox;
  const b = fullBoxHeader ? bytes.subarray(4) : bytes;
  if (b.length < RECORD_SIZE) return fail(`${b.length} bytes, shorter than the ${RECORD_SIZE}-byte record`);
  const rec: VpCodecConfigurationRecord = {
    profile: b[0]!, // profile
    level: b[1]!, // level
    bitDepth: b[2]! >> 4, // bitDepth(4)
    chromaSubsampling: (b[2]! >> 1) & 0x07, // chromaSubsampling(3)
    videoFullRangeFlag: (b[2]! & 1) === 1, // videoFullRangeFlag(1)
    colourPrimaries: b[3]!, // colourPrimaries
    transferCharacteristics: b[4]!, // transferCharacteristics
    matrixCoefficients: b[5]!, // matrixCoefficients
    codecInitializationDataSize: (b[6]! << 8) | b[7]!, // codecInitializationDataSize (0 for VP8 / VP9)
    fullBoxHeader,
  };
  if (rec.codecInitializationDataSize > b.length - RECORD_SIZE) {
    return fail(
      `codecInitializationDataSize ${rec.codecInitializationDataSize} runs past the end (${b.length - RECORD_SIZE}` +
        ` left)`,
    );
  }
  return { ok: true, config: rec };
}

export function parseVp9CodecConfigurationRecord(record: Uint8Array): ConfigResult<VideoConfig> {
  const read = readVpCodecConfigurationRecord(record);
  if (!read.ok) return read;
  const rec = read.config;
  if (rec.profile > 3) return fail(`profile ${rec.profile} is not a VP9 profile (0..3)`);
  if (rec.bitDepth !== 8 && rec.bitDepth !== 10 && rec.bitDepth !== 12) {
    return fail(`bitDepth ${rec.bitDepth} is not 8, 10 or 12`);
  }
  const chromaFormat = CHROMA_FORMATS[rec.chromaSubsampling];
  if (chromaFormat === undefined) return fail(`chromaSubsampling ${rec.chromaSubsampling} is reserved`);
  const config: VideoConfig = {
    codec: 'VP9',
    profile: vp9ProfileName(rec.profile),
    profileIdc: rec.profile,
    levelIdc: rec.level,
    chromaFormat,
    bitDepthLuma: rec.bitDepth,
    bitDepthChroma: rec.bitDepth,
  };
  const level = vp9LevelName(rec.level);
  if (level !== undefined) config.level = level;
  return { ok: true, config };
}
