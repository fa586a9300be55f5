import type { ConfigResult, VideoConfig } from '../types.js';
import { h264LevelName, h264ProfileName, parseH264Sps } from './h264-sps.js';
import { emptyNalWarning, withWarnings } from './record-warnings.js';

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) as stored, parameter sets as raw NAL units. */
export interface AvcDecoderConfigurationRecord {
  configurationVersion: number;
  AVCProfileIndication: number;
  profile_compatibility: number;
  AVCLevelIndication: number;
  lengthSizeMinusOne: number;
  /** sequenceParameterSetNALUnit[], each with its NAL header and emulation prevention bytes */
  sequenceParameterSets: Uint8Array[];
  pictureParameterSets: Uint8Array[];
  /** the high-profile extension (chroma_format etc.): present or not, it is not read */
  trailingBytes: number;
  /** parameter set entries of length 0 (kept in the lists above as empty views) */
  emptyNalUnits: number;
}

function bad(message: string): { ok: false; code: 'bad_video_config'; message: string } {
  return { ok: false, code: 'bad_video_config', message: `AVCDecoderConfigurationRecord: ${message}` };
}

/** Reads the record structure only; the SPS is not parsed. Never throws on bad bytes. */
export function readAvcDecoderConfigurationRecord(record: Uint8Array): ConfigResult<AvcDecoderConfigurationRecord> {
  if (record.length < 6) return bad(`${record.length} bytes, need at least 6`);
  const configurationVersion = record[0]!;
  // a different version is a different, incompatible layout (14496-15 5.3.3.1.2)
  if (configurationVersion !== 1) return bad(`configurationVersion ${configurationVersion}, expected 1`);
  const AVCProfileIndication = record[1]!;
  const profile_compatibility = record[2]!;
  const AVCLevelIndication = record[3]!;
  // reserved '111111'b is not checked: muxers that write zeros still produce playable streams
  const lengthSizeMinusOne = record[4]! & 0x03;
  const numOfSequenceParameterSets = record[5]! & 0x1f;

  let pos = 6;
  let emptyNalUnits = 0;
  const readSets = (count: number, what: string): Uint8Array[] | string => {
    const sets: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      if (pos + 2 > record.length) return `truncated before the length of ${what} ${i} of ${count}`;
      const length = (record[pos]! << 8) | record[pos + 1]!;
      pos += 2;
      if (pos + length > record.length) {
        return `${what} ${i} of ${count} is ${length} bytes, only ${record.length - pos} left`;
      }
      if (length === 0) emptyNalUnits++;
      sets.push(record.subarray(pos, pos + length));
      pos += length;
    }
    return sets;
  };

  const sequenceParameterSets = readSets(numOfSequenceParameterSets, 'SPS');
  if (typeof sequenceParameterSets === 'string') return bad(sequenceParameterSets);
  if (pos >= record.length) return bad('truncated before numOfPictureParameterSets');
  const numOfPictureParameterSets = record[pos++]!;
  const pictureParameterSets = readSets(numOfPictureParameterSets, 'PPS');
  if (typeof pictureParameterSets === 'string') return bad(pictureParameterSets);

  return {
    ok: true,
    config: {
      configurationVersion,
      AVCProfileIndication,
      profile_compatibility,
      AVCLevelIndication,
      lengthSizeMinusOne,
      sequenceParameterSets,
      pictureParameterSets,
      trailingBytes: record.length - pos,
      emptyNalUnits,
    },
  };
}

/**
 * Parses the body of an AVC sequence header (the AVCDecoderConfigurationRecord) and its first SPS.
 * Record damage gives code `bad_video_config`, SPS damage `bad_sps`. Never throws on bad bytes.
 */
export function parseAvcDecoderConfigurationRecord(record: Uint8Array): ConfigResult<VideoConfig> {
  const parsed = readAvcDecoderConfigurationRecord(record);
  if (!parsed.ok) return parsed;
  const avcC = parsed.config;
  const warnings = emptyNalWarning('AVCDecoderConfigurationRecord', avcC.emptyNalUnits);
  // A zero-length entry carries nothing: the first SPS with content is the one a decoder would use.
  const first = avcC.sequenceParameterSets.find((nal) => nal.length > 0);
  // without an SPS nothing about the picture is known, and a decoder could not start either
  if (!first) {
    const count = avcC.sequenceParameterSets.length;
    return withWarnings(
      bad(count === 0 ? 'numOfSequenceParameterSets is 0' : `all ${count} SPS entries are empty`),
      warnings,
    );
  }

  const result = parseH264Sps(first);
  if (!result.ok) return withWarnings(result, warnings);
  const sps = result.config;

  const config: VideoConfig = {
    codec: 'H.264',
    // the SPS, not AVCProfileIndication / AVCLevelIndication, is what the decoder obeys
    profile: h264ProfileName(sps),
    profileIdc: sps.profile_idc,
    level: h264LevelName(sps),
    levelIdc: sps.level_idc,
    chromaFormat: sps.chromaFormat,
    bitDepthLuma: sps.bitDepthLuma,
    bitDepthChroma: sps.bitDepthChroma,
    width: sps.width,
    height: sps.height,
    codedWidth: sps.codedWidth,
    codedHeight: sps.codedHeight,
    scalingMatrix: sps.seq_scaling_matrix_present_flag,
    nalLengthSize: avcC.lengthSizeMinusOne + 1,
  };
  if (sps.frameRate !== undefined) config.frameRate = sps.frameRate;
  return withWarnings({ ok: true, config }, warnings);
}
