/**
 * Audio tag headers and codec naming: the legacy FLV AUDIODATA header byte (FLV spec E.4.2.1), the
 * Enhanced RTMP v2 audio FourCCs, and the small Opus / FLAC configurations an Enhanced audio SequenceStart
 * may carry. (Video codec naming is in video-codec-names.ts.)
 */
import { BitReader, BitReaderUnderrunError } from '../bit-reader.js';
import type { AudioCodec, AudioConfig, ConfigResult } from '../types.js';

/** SoundFormat 9: the byte is an Enhanced RTMP ExAudioTagHeader, not a legacy header. */
export const SOUND_FORMAT_EX_HEADER = 9;

export interface LegacyAudioHeader {
  /** 'ExHeader' for SoundFormat 9; `sound format ${n}` for reserved values (12, 13) */
  codec: AudioCodec;
  soundFormat: number;
  /** Hz; undefined where the header does not tell the real rate (AAC, ExHeader) */
  sampleRate?: number;
  /** bits per sample (SoundSize 8 / 16); 0 for ExHeader, whose low nibble is a packet type */
  sampleSize: number;
  /** SoundType 1 / 2; 0 for ExHeader */
  channels: number;
}

const SOUND_FORMAT_NAMES: Readonly<Record<number, AudioCodec>> = {
  0: 'PCM', // platform endian
  1: 'ADPCM',
  2: 'MP3',
  3: 'PCM', // little endian
  4: 'Nellymoser', // 16 kHz mono
  5: 'Nellymoser', // 8 kHz mono
  6: 'Nellymoser',
  7: 'G.711 A-law',
  8: 'G.711 mu-law',
  9: 'ExHeader',
  10: 'AAC',
  11: 'Speex',
  14: 'MP3', // MP3 8 kHz
  15: 'Device-specific',
};

/** SoundRate (2 bits) */
const SOUND_RATES = [5512, 11025, 22050, 44100];

/** SoundFormats whose rate and channel count are fixed whatever SoundRate / SoundType say. */
const FIXED_FORMATS: Readonly<Record<number, { sampleRate: number; channels: number }>> = {
  4: { sampleRate: 16000, channels: 1 }, // Nellymoser 16 kHz mono
  5: { sampleRate: 8000, channels: 1 }, // Nellymoser 8 kHz mono
  11: { sampleRate: 16000, channels: 1 }, // Speex: the spec fixes 16 kHz mono
};

/**
 * Decodes the first byte of a legacy FLV audio tag: SoundFormat (4 bits), SoundRate (2), SoundSize (1),
 * SoundType (1).
 *
 * - AAC (10): the header always says 44 kHz stereo; the real rate and channels are in the
 *   AudioSpecificConfig of the sequence header, so sampleRate is left undefined and channels must be
 *   taken from parseAudioSpecificConfig.
 * - ExHeader (9): the low nibble is an AudioPacketType and a FourCC follows; the caller parses the
 *   Enhanced header (codec 'ExHeader', sampleSize and channels 0 here).
 * - G.711 (7, 8) and MP3 8 kHz (14) are 8 kHz by definition (FFmpeg's FLV reader agrees), Nellymoser
 *   16k / 8k and Speex have fixed rates and are mono.
 */
export function parseLegacyAudioHeader(byte0: number): LegacyAudioHeader {
  const soundFormat = (byte0 >> 4) & 0x0f;
  const codec = SOUND_FORMAT_NAMES[soundFormat] ?? `sound format ${soundFormat}`;
  if (soundFormat === SOUND_FORMAT_EX_HEADER) return { codec, soundFormat, sampleSize: 0, channels: 0 };
  const soundRate = (byte0 >> 2) & 0x03;
  const sampleSize = (byte0 & 0x02) !== 0 ? 16 : 8;
  let channels = (byte0 & 0x01) !== 0 ? 2 : 1;
  let sampleRate: number | undefined = SOUND_RATES[soundRate]!;
  const fixed = FIXED_FORMATS[soundFormat];
  if (fixed) {
    sampleRate = fixed.sampleRate;
    channels = fixed.channels;
  } else if (soundFormat === 7 || soundFormat === 8 || soundFormat === 14) {
    sampleRate = 8000;
  } else if (soundFormat === 10) {
    sampleRate = undefined; // in the AudioSpecificConfig
  }
  const header: LegacyAudioHeader = { codec, soundFormat, sampleSize, channels };
  if (sampleRate !== undefined) header.sampleRate = sampleRate;
  return header;
}

const AUDIO_FOURCCS: Readonly<Record<string, AudioCodec>> = {
  mp4a: 'AAC',
  Opus: 'Opus',
  fLaC: 'FLAC',
  'ac-3': 'AC-3',
  'ec-3': 'E-AC-3',
  '.mp3': 'MP3',
};

/** Enhanced RTMP audio FourCC (case-sensitive, as written) to codec name; unknown FourCCs name themselves. */
export function audioFourCcToCodec(fourcc: string): AudioCodec {
  return Object.hasOwn(AUDIO_FOURCCS, fourcc) ? AUDIO_FOURCCS[fourcc]! : fourcc;
}

/** Opus always decodes at 48 kHz (RFC 6716 / RFC 7845 5.1: the input rate is informational). */
const OPUS_DECODE_RATE = 48000;

/**
 * Opus ID header ('OpusHead', RFC 7845 5.1) from an Enhanced RTMP 'Opus' SequenceStart. Lenient: an
 * empty SequenceStart (Enhanced RTMP allows it) gives { codec: 'Opus', sampleRate: 48000 } without channels.
 * sampleRate is the Input Sample Rate when the encoder wrote one, else 48000.
 */
export function parseOpusHead(bytes: Uint8Array): ConfigResult<AudioConfig> {
  if (bytes.length === 0) return { ok: true, config: { codec: 'Opus', sampleRate: OPUS_DECODE_RATE } };
  const magic = 'OpusHead';
  for (let i = 0; i < magic.length; i++) {
    if (bytes[i] !== magic.charCodeAt(i)) {
      return { ok: false, code: 'bad_audio_config', message: 'Opus SequenceStart does not start with "OpusHead"' };
    }
  }
  // Magic Signature (8), Version (1), Output Channel Count (1), Pre-skip (2), Input Sample Rate (4),
  // Output Gain (2), Channel Mapping Family (1) = 19 bytes; the mapping table that may follow is not read.
  if (bytes.length < 19) {
    return { ok: false, code: 'bad_audio_config', message: `OpusHead truncated: ${bytes.length} of 19 bytes` };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8]!;
  // Only the major version (upper 4 bits) breaks compatibility (RFC 7845 5.1 item 2).
  if (version >> 4 !== 0) {
    return {
      ok: false,
      code: 'bad_audio_config',
      message: `OpusHead version ${version} is not decodable (major version ${version >> 4})`,
    };
  }
  const channels = bytes[9]!;
  if (channels === 0) return { ok: false, code: 'bad_audio_config', message: 'OpusHead channel count is 0' };
  const inputSampleRate = view.getUint32(12, true); // little endian, unlike the rest of FLV
  return {
    ok: true,
    config: { codec: 'Opus', channels, sampleRate: inputSampleRate > 0 ? inputSampleRate : OPUS_DECODE_RATE },
  };
}

const FLAC_STREAMINFO_TYPE = 0;
const FLAC_STREAMINFO_LENGTH = 34;

/**
 * FLAC configuration from an Enhanced RTMP 'fLaC' SequenceStart: the 'fLaC' marker (optional) and a
 * METADATA_BLOCK_HEADER (optional without the marker) followed by STREAMINFO. Reads sample rate
 * (20 bits), channels (3 bits + 1) and bits per sample (5 bits + 1, reported as sampleSize).
 * Lenient like Opus: an empty SequenceStart gives { codec: 'FLAC' }.
 */
export function parseFlacConfig(bytes: Uint8Array): ConfigResult<AudioConfig> {
  if (bytes.length === 0) return { ok: true, config: { codec: 'FLAC' } };
  let pos = 0;
  const hasMarker = bytes[0] === 0x66 && bytes[1] === 0x4c && bytes[2] === 0x61 && bytes[3] === 0x43; // "fLaC"
  if (hasMarker) pos = 4;
  // METADATA_BLOCK_HEADER: last-block flag (1), BLOCK_TYPE (7), length (24). After the marker it must be
  // there; without it, a bare STREAMINFO (FFmpeg extradata) starts with a non-zero minimum block size,
  // so a type-0, length-34 header is told apart by its zero type byte and length.
  const blockHeader =
    bytes.length >= pos + 4 &&
    (bytes[pos]! & 0x7f) === FLAC_STREAMINFO_TYPE &&
    bytes[pos + 1] === 0 &&
    bytes[pos + 2] === 0 &&
    bytes[pos + 3] === FLAC_STREAMINFO_LENGTH;
  if (blockHeader) pos += 4;
  else if (hasMarker) {
    return {
      ok: false,
      code: 'bad_audio_config',
      message: 'FLAC config: the first metadata block after "fLaC" is not STREAMINFO',
    };
  }
  const r = new BitReader(bytes.subarray(pos));
  try {
    r.skip(16 + 16); // minimum / maximum block size
    r.skip(24 + 24); // minimum / maximum frame size
    const sampleRate = r.bits(20);
    const channels = r.bits(3) + 1;
    const bitsPerSample = r.bits(5) + 1;
    if (sampleRate === 0) return { ok: false, code: 'bad_audio_config', message: 'FLAC STREAMINFO sample rate is 0' };
    return { ok: true, config: { codec: 'FLAC', sampleRate, channels, sampleSize: bitsPerSample } };
  } catch (err) {
    if (err instanceof BitReaderUnderrunError) {
      return { ok: false, code: 'bad_audio_config', message: `FLAC STREAMINFO truncated: ${bytes.length - pos} bytes` };
    }
    throw err;
  }
}
