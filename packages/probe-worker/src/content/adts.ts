/**
 * AAC raw access units (FLV's form) framed as ADTS, the form FFmpeg's raw `aac` demuxer reads.
 * Pure. The AudioSpecificConfig gives profile, sampling frequency index and channel configuration.
 */

export interface AdtsSetup {
  /** ADTS profile (audioObjectType − 1, 0..3) */
  profile: number;
  frequencyIndex: number;
  channelConfig: number;
  /** Hz, for the duration of the checked audio */
  sampleRate: number;
}

const ADTS_HEADER_BYTES = 7;
/** 13-bit frame length field */
const MAX_ADTS_FRAME = 0x1fff;
const AOT_LC = 2;
const AOT_SBR = 5;
const AOT_PS = 29;
const AOT_ESCAPE = 31;
const FREQ_EXPLICIT = 15;
const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** samples per AAC frame (AAC-LC core; HE-AAC doubles the output rate, the frame count is what matters) */
export const AAC_FRAME_SAMPLES = 1024;

/** Reads the first fields of an AudioSpecificConfig; null when ADTS cannot carry it. */
export function adtsSetup(asc: Uint8Array): AdtsSetup | null {
  if (asc.length < 2) return null;
  let aot = asc[0]! >> 3;
  const frequencyIndex = ((asc[0]! & 0x07) << 1) | (asc[1]! >> 7);
  const channelConfig = (asc[1]! >> 3) & 0x0f;
  if (aot === AOT_ESCAPE || frequencyIndex === FREQ_EXPLICIT || frequencyIndex >= SAMPLE_RATES.length) return null;
  // Explicit HE-AAC signalling: ADTS carries the AAC-LC core (the decoder finds SBR / PS implicitly).
  if (aot === AOT_SBR || aot === AOT_PS) aot = AOT_LC;
  if (aot < 1 || aot > 4) return null;
  return { profile: aot - 1, frequencyIndex, channelConfig, sampleRate: SAMPLE_RATES[frequencyIndex]! };
}

/** One ADTS frame (header without CRC + the raw access unit); null when too large for ADTS. */
export function adtsFrame(s: AdtsSetup, raw: Uint8Array): Uint8Array | null {
  const len = ADTS_HEADER_BYTES + raw.length;
  if (len > MAX_ADTS_FRAME) return null;
  const out = new Uint8Array(len);
  out[0] = 0xff;
  out[1] = 0xf1; // sync, MPEG-4, layer 0, no CRC
  out[2] = (s.profile << 6) | (s.frequencyIndex << 2) | (s.channelConfig >> 2);
  out[3] = ((s.channelConfig & 0x03) << 6) | (len >> 11);
  out[4] = (len >> 3) & 0xff;
  out[5] = ((len & 0x07) << 5) | 0x1f; // buffer fullness 0x7FF (VBR)
  out[6] = 0xfc; // rest of buffer fullness, one raw data block
  out.set(raw, ADTS_HEADER_BYTES);
  return out;
}
