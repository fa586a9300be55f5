/**
 * Video codec naming: Enhanced RTMP v2 video FourCCs and legacy FLV video CodecIDs (FLV spec E.4.3.1)
 * to the codec names the result reports.
 */
import type { VideoCodec } from '../types.js';

const VIDEO_FOURCCS: Readonly<Record<string, VideoCodec>> = {
  avc1: 'H.264',
  hvc1: 'H.265',
  av01: 'AV1',
  vp09: 'VP9',
  vp08: 'VP8',
};

/** Enhanced RTMP video FourCC to codec name; unknown FourCCs name themselves. */
export function videoFourCcToCodec(fourcc: string): VideoCodec {
  return Object.hasOwn(VIDEO_FOURCCS, fourcc) ? VIDEO_FOURCCS[fourcc]! : fourcc;
}

const LEGACY_VIDEO_CODECS: Readonly<Record<number, VideoCodec>> = {
  2: 'Sorenson H.263',
  3: 'Screen video',
  4: 'VP6',
  5: 'VP6 alpha',
  6: 'Screen video v2',
  7: 'H.264',
  12: 'H.265', // not in the FLV spec: the convention of Chinese CDNs and older SRS / FFmpeg forks
  13: 'AV1', // not in the FLV spec: used by some Chinese CDNs
};

/** Legacy FLV video CodecID to codec name; unknown ids become `codec id ${n}`. */
export function legacyVideoCodecName(codecId: number): VideoCodec {
  return LEGACY_VIDEO_CODECS[codecId] ?? `codec id ${codecId}`;
}
