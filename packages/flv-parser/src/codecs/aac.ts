/**
 * AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), the body of an FLV AAC sequence header after the two
 * header bytes (0xAF 0x00), and of an Enhanced RTMP 'mp4a' SequenceStart.
 *
 * Only the leading fields are read: object type, sample rate, channels and the explicit SBR/PS
 * signalling of HE-AAC / HE-AACv2. GASpecificConfig and the backward-compatible (implicit) SBR
 * extension at the end are not parsed; an implicitly signalled HE-AAC stream reports its core profile.
 */
import { BitReader, BitReaderUnderrunError } from '../bit-reader.js';
import type { AudioConfig, ConfigResult } from '../types.js';

/** samplingFrequencyIndex 0..12 (Table 1.18); 13, 14 reserved; 15 = explicit 24-bit frequency follows */
const SAMPLING_FREQUENCIES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/**
 * channelConfiguration (Table 1.19 as amended): 0 = defined by a program_config_element (not read, so
 * unknown), 7 = 7.1 front, 11 = 6.1, 12 = 7.1 back, 13 = 22.2, 14 = 7.1 top. 8..10 and 15 are reserved.
 */
const CHANNELS_BY_CONFIGURATION: Readonly<Record<number, number>> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  6: 6,
  7: 8,
  11: 7,
  12: 8,
  13: 24,
  14: 8,
};

const PROFILE_NAMES: Readonly<Record<number, string>> = {
  1: 'AAC Main',
  2: 'AAC-LC',
  3: 'AAC SSR',
  4: 'AAC LTP',
  5: 'HE-AAC',
  23: 'AAC-LD',
  29: 'HE-AACv2',
  39: 'AAC-ELD',
};

export function aacProfileName(objectType: number): string {
  return PROFILE_NAMES[objectType] ?? `AAC object type ${objectType}`;
}

class ReservedIndex {
  constructor(readonly message: string) {}
}

/** GetAudioObjectType(): 5 bits, 31 escapes to 32 + audioObjectTypeExt (6 bits). */
function audioObjectType(r: BitReader): number {
  const aot = r.bits(5);
  return aot === 31 ? 32 + r.bits(6) : aot;
}

/** samplingFrequencyIndex (4 bits), with samplingFrequency (24 bits) when the index is 0xf. */
function samplingFrequency(r: BitReader, what: string): number {
  const index = r.bits(4);
  if (index === 0xf) {
    const explicit = r.bits(24);
    if (explicit === 0) throw new ReservedIndex(`${what} is an explicit 0 Hz`);
    return explicit;
  }
  const rate = SAMPLING_FREQUENCIES[index];
  if (rate === undefined) throw new ReservedIndex(`${what} index ${index} is reserved`);
  return rate;
}

export function parseAudioSpecificConfig(bytes: Uint8Array): ConfigResult<AudioConfig> {
  const r = new BitReader(bytes);
  try {
    const objectType = audioObjectType(r);
    let sampleRate = samplingFrequency(r, 'samplingFrequency');
    const channelConfiguration = r.bits(4);
    let channels = CHANNELS_BY_CONFIGURATION[channelConfiguration];
    if (objectType === 5 || objectType === 29) {
      // Explicit hierarchical signalling: the SBR (and for 29, PS) extension is named first, then the
      // extensionSamplingFrequency — the output rate, twice the core rate — then the core object type.
      sampleRate = samplingFrequency(r, 'extensionSamplingFrequency');
      const coreObjectType = audioObjectType(r);
      // Only ER BSAC (22) carries extensionChannelConfiguration (4 bits) here; nothing we report.
      if (coreObjectType === 22) r.bits(4);
      // Parametric stereo decodes a mono core (channelConfiguration 1) to stereo output.
      if (objectType === 29 && channelConfiguration === 1) channels = 2;
    } else if (objectType === 0) {
      return { ok: false, code: 'bad_audio_config', message: 'AudioSpecificConfig: audioObjectType 0 (null object)' };
    }
    // The profile names the stream by what was signalled first, so 5 / 29 stay HE-AAC / HE-AACv2.
    const config: AudioConfig = { codec: 'AAC', profile: aacProfileName(objectType), objectType, sampleRate };
    if (channels !== undefined) config.channels = channels;
    return { ok: true, config };
  } catch (err) {
    if (err instanceof ReservedIndex) {
      return { ok: false, code: 'bad_audio_config', message: `AudioSpecificConfig: ${err.message}` };
    }
    if (err instanceof BitReaderUnderrunError) {
      return {
        ok: false,
        code: 'bad_audio_config',
        message:
          `AudioSpecificConfig truncated: ${bytes.length} bytes, ended ${err.bitsWanted - err.bitsLeft} bits` +
          ` short`,
      };
    }
    throw err;
  }
}
