import { parseAudioSpecificConfig } from './codecs/aac.js';
import { parseFlacConfig, parseOpusHead } from './codecs/audio.js';
import { parseAv1CodecConfigurationRecord } from './codecs/av1.js';
import { parseAvcDecoderConfigurationRecord } from './codecs/avc.js';
import { parseHevcDecoderConfigurationRecord } from './codecs/hevc.js';
import { parseVp9CodecConfigurationRecord } from './codecs/vp9.js';
import type { AudioConfig, ConfigResult, VideoConfig } from './types.js';

/** Dispatches a video sequence header's record to the parser of its codec. */
export function parseVideoConfigRecord(codec: string, record: Uint8Array): ConfigResult<VideoConfig> {
  switch (codec) {
    case 'H.264':
      return parseAvcDecoderConfigurationRecord(record);
    case 'H.265':
      return parseHevcDecoderConfigurationRecord(record);
    case 'AV1':
      return parseAv1CodecConfigurationRecord(record);
    case 'VP9':
      return parseVp9CodecConfigurationRecord(record);
    default:
      // VP8 and unknown codecs have no record we read: the codec name is all there is.
      return { ok: true, config: { codec } };
  }
}

/** Dispatches an audio sequence header's record to the parser of its codec. */
export function parseAudioConfigRecord(codec: string, record: Uint8Array): ConfigResult<AudioConfig> {
  switch (codec) {
    case 'AAC':
      return parseAudioSpecificConfig(record);
    case 'Opus':
      return record.length === 0 ? { ok: true, config: { codec } } : parseOpusHead(record);
    case 'FLAC':
      return record.length === 0 ? { ok: true, config: { codec } } : parseFlacConfig(record);
    default:
      return { ok: true, config: { codec } };
  }
}
