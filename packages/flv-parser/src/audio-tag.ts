import { audioFourCcToCodec, parseLegacyAudioHeader, SOUND_FORMAT_EX_HEADER } from './codecs/audio.js';
import type { AudioConfig } from './types.js';
import { fourCcAt } from './video-tag.js';

export const SOUND_FORMAT_AAC = 10;

/** Enhanced RTMP AudioPacketType. */
export const enum AudioPacketType {
  SequenceStart = 0,
  CodedFrames = 1,
  SequenceEnd = 2,
  MultichannelConfig = 4,
  Multitrack = 5,
  ModEx = 7,
}

/** Read-only: the answers for AAC, nearly every tag of nearly every stream, are shared frozen objects. */
export type AudioTagHeader =
  /** a sequence header whose record follows from headerLen (AAC AudioSpecificConfig, Enhanced SequenceStart) */
  | { readonly kind: 'config'; readonly codec: string; readonly fourcc: string | null; readonly headerLen: number }
  /** a coded frame; `legacy` carries what a legacy header says about the format */
  | { readonly kind: 'frame'; readonly codec: string; readonly legacy: Readonly<AudioConfig> | null }
  | { readonly kind: 'info' }
  | { readonly kind: 'complex' }
  | { readonly kind: 'short'; readonly message: string };

/** 1 + FourCC */
export const AUDIO_PREFIX_BYTES = 5;

const KNOWN_AUDIO_FOURCCS = new Set(['mp4a', 'Opus', 'fLaC', 'ac-3', 'ec-3', '.mp3']);

export function isKnownAudioFourCc(fourcc: string): boolean {
  return KNOWN_AUDIO_FOURCCS.has(fourcc);
}

// AAC, nearly every stream's audio, reads the same two answers every tag: shared, not built per tag
const AAC_CONFIG: AudioTagHeader = Object.freeze({ kind: 'config', codec: 'AAC', fourcc: null, headerLen: 2 });
const AAC_FRAME: AudioTagHeader = Object.freeze({ kind: 'frame', codec: 'AAC', legacy: null });

export function readAudioTagHeader(prefix: Uint8Array, dataSize: number): AudioTagHeader {
  const b0 = prefix[0]!;
  const soundFormat = b0 >> 4;
  if (soundFormat === SOUND_FORMAT_EX_HEADER) {
    const packetType = b0 & 0x0f;
    if (packetType === AudioPacketType.ModEx || packetType === AudioPacketType.Multitrack) return { kind: 'complex' };
    if (dataSize < 5) return { kind: 'short', message: `enhanced audio tag of ${dataSize} bytes has no FourCC` };
    const fourcc = fourCcAt(prefix, 1);
    const codec = audioFourCcToCodec(fourcc);
    if (packetType === AudioPacketType.SequenceStart) return { kind: 'config', codec, fourcc, headerLen: 5 };
    if (packetType === AudioPacketType.CodedFrames) return { kind: 'frame', codec, legacy: null };
    return { kind: 'info' };
  }
  if (soundFormat === SOUND_FORMAT_AAC) {
    if (dataSize < 2) return { kind: 'short', message: `AAC audio tag of ${dataSize} bytes has no AACPacketType` };
    if (prefix[1] === 0) return AAC_CONFIG;
    return AAC_FRAME;
  }
  const header = parseLegacyAudioHeader(b0);
  const legacy: AudioConfig = { codec: header.codec, sampleSize: header.sampleSize, channels: header.channels };
  if (header.sampleRate !== undefined) legacy.sampleRate = header.sampleRate;
  return { kind: 'frame', codec: header.codec, legacy };
}
