import { legacyVideoCodecName, videoFourCcToCodec } from './codecs/video-codec-names.js';

/** FLV VideoTagHeader FrameType values (E.4.3.1) used here. */
export const FRAME_TYPE_KEY = 1;
export const FRAME_TYPE_COMMAND = 5;

/** Enhanced RTMP VideoPacketType. */
export const enum VideoPacketType {
  SequenceStart = 0,
  CodedFrames = 1,
  SequenceEnd = 2,
  CodedFramesX = 3,
  Metadata = 4,
  Mpeg2TsSequenceStart = 5,
  Multitrack = 6,
  ModEx = 7,
}

/** Which NAL unit syntax a payload uses, for the keyframe cross-check. */
export type NalSyntax = 'avc' | 'hevc' | null;

/**
 * What the first bytes of a video tag body say about the rest of it. Decided from at most
 * PREFIX_BYTES so that media bodies never need buffering.
 */
export type VideoTagHeader =
  | { kind: 'config'; codec: string; fourcc: string | null; headerLen: number }
  | { kind: 'frame'; codec: string; frameType: number; cts: number; headerLen: number; nal: NalSyntax; known: boolean }
  | { kind: 'end'; codec: string }
  | { kind: 'command' }
  | { kind: 'metadata'; headerLen: number }
  /** Multitrack and ModEx packets: the body must be read whole (capped) by parseComplexVideoBody */
  | { kind: 'complex' }
  | { kind: 'short'; message: string };

/** Longest prefix any simple (non-multitrack, non-ModEx) video tag header needs: 1 + FourCC 4 + SI24 3. */
export const VIDEO_PREFIX_BYTES = 8;

const KNOWN_FOURCCS = new Set(['avc1', 'hvc1', 'av01', 'vp09', 'vp08']);

export function fourCcAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

export function si24At(bytes: Uint8Array, at: number): number {
  const v = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
  return v & 0x800000 ? v - 0x1000000 : v;
}

export function nalSyntaxOf(codec: string): NalSyntax {
  return codec === 'H.264' ? 'avc' : codec === 'H.265' ? 'hevc' : null;
}

/** `prefix` holds the first min(dataSize, VIDEO_PREFIX_BYTES) bytes of the body. */
export function readVideoTagHeader(prefix: Uint8Array, dataSize: number): VideoTagHeader {
  const b0 = prefix[0]!;
  const isExHeader = (b0 & 0x80) !== 0;
  const frameType = (b0 >> 4) & 0x07;
  if (!isExHeader) return readLegacy(prefix, dataSize, b0);

  const packetType = b0 & 0x0f;
  if (packetType === VideoPacketType.ModEx || packetType === VideoPacketType.Multitrack) return { kind: 'complex' };
  if (frameType === FRAME_TYPE_COMMAND && packetType !== VideoPacketType.Metadata) return { kind: 'command' };
  if (dataSize < 5) return { kind: 'short', message: `enhanced video tag of ${dataSize} bytes has no FourCC` };
  const fourcc = fourCcAt(prefix, 1);
  const codec = videoFourCcToCodec(fourcc);
  switch (packetType) {
    case VideoPacketType.SequenceStart:
    case VideoPacketType.Mpeg2TsSequenceStart:
      return { kind: 'config', codec, fourcc, headerLen: 5 };
    case VideoPacketType.SequenceEnd:
      return { kind: 'end', codec };
    case VideoPacketType.Metadata:
      return { kind: 'metadata', headerLen: 5 };
    case VideoPacketType.CodedFrames: {
      // Only AVC and HEVC carry a CompositionTime in CodedFrames.
      const hasCts = fourcc === 'avc1' || fourcc === 'hvc1';
      if (hasCts && dataSize < 8)
        return { kind: 'short', message: `CodedFrames tag of ${dataSize} bytes has no composition time` };
      const cts = hasCts ? si24At(prefix, 5) : 0;
      return {
        kind: 'frame',
        codec,
        frameType,
        cts,
        headerLen: hasCts ? 8 : 5,
        nal: nalSyntaxOf(codec),
        known: KNOWN_FOURCCS.has(fourcc),
      };
    }
    case VideoPacketType.CodedFramesX:
      return {
        kind: 'frame',
        codec,
        frameType,
        cts: 0,
        headerLen: 5,
        nal: nalSyntaxOf(codec),
        known: KNOWN_FOURCCS.has(fourcc),
      };
    default:
      return { kind: 'short', message: `reserved enhanced VideoPacketType ${packetType}` };
  }
}

function readLegacy(prefix: Uint8Array, dataSize: number, b0: number): VideoTagHeader {
  const frameType = (b0 >> 4) & 0x0f;
  const codecId = b0 & 0x0f;
  const codec = legacyVideoCodecName(codecId);
  if (frameType === FRAME_TYPE_COMMAND) return { kind: 'command' };
  // CodecID 7 (AVC) and 12 (HEVC, the Chinese CDN convention) share the AVCVIDEOPACKET layout.
  if (codecId === 7 || codecId === 12) {
    if (dataSize < 5)
      return { kind: 'short', message: `${codec} video tag of ${dataSize} bytes, need 5 for the AVC packet header` };
    const avcPacketType = prefix[1]!;
    if (avcPacketType === 0) return { kind: 'config', codec, fourcc: null, headerLen: 5 };
    if (avcPacketType === 2) return { kind: 'end', codec };
    return {
      kind: 'frame',
      codec,
      frameType,
      cts: si24At(prefix, 2),
      headerLen: 5,
      nal: nalSyntaxOf(codec),
      known: true,
    };
  }
  const known = codecId >= 2 && codecId <= 6;
  return { kind: 'frame', codec, frameType, cts: 0, headerLen: 1, nal: null, known };
}
