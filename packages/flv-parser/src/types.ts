import type { AnomalyCode } from './anomalies.js';

// ---------------------------------------------------------------- values

/** An AMF0 value as decoded. Objects and ECMA arrays become plain records; dates keep their offset. */
export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | AmfDate
  | AmfValue[]
  | { [key: string]: AmfValue };

export interface AmfDate {
  readonly amfType: 'date';
  /** milliseconds since the Unix epoch, UTC */
  readonly epochMs: number;
  /** time-zone offset in minutes as written (reserved, usually 0) */
  readonly timezoneMinutes: number;
}

// ---------------------------------------------------------------- codec configuration

export type VideoCodec = 'H.264' | 'H.265' | 'AV1' | 'VP9' | 'VP8' | (string & {});
export type AudioCodec =
  | 'AAC'
  | 'MP3'
  | 'Opus'
  | 'FLAC'
  | 'AC-3'
  | 'E-AC-3'
  | 'Speex'
  | 'G.711 A-law'
  | 'G.711 mu-law'
  | 'Nellymoser'
  | 'PCM'
  | (string & {});

export type ChromaFormat = '4:0:0' | '4:2:0' | '4:2:2' | '4:4:4';

/** What a video sequence header tells. Fields a codec does not signal are left undefined. */
export interface VideoConfig {
  codec: VideoCodec;
  /** Human profile name: "Baseline", "Constrained Baseline", "Main", "High", "High 4:2:2", "Main 10", ... */
  profile?: string;
  /** profile_idc (H.264), general_profile_idc (H.265), seq_profile (AV1), profile (VP9) */
  profileIdc?: number;
  /** "3.1", "5.1", ... (H.265: general_level_idc / 30; AV1: seq_level_idx as "X.Y") */
  level?: string;
  levelIdc?: number;
  /** H.265 general_tier_flag */
  tier?: 'Main' | 'High';
  chromaFormat?: ChromaFormat;
  bitDepthLuma?: number;
  bitDepthChroma?: number;
  /** display size: coded size with cropping / conformance window applied */
  width?: number;
  height?: number;
  codedWidth?: number;
  codedHeight?: number;
  /** frames per second from VUI timing info, only when signalled (and fixed_frame_rate for H.264 is not required) */
  frameRate?: number;
  /** H.264 seq_scaling_matrix_present_flag / H.265 scaling_list_enabled_flag */
  scalingMatrix?: boolean;
  /** NAL unit length field size in bytes (lengthSizeMinusOne + 1) for AVC / HEVC */
  nalLengthSize?: number;
}

export interface AudioConfig {
  codec: AudioCodec;
  /** AAC: "AAC-LC", "HE-AAC", "HE-AACv2", ... */
  profile?: string;
  /** AAC audioObjectType */
  objectType?: number;
  sampleRate?: number;
  channels?: number;
  /** bits per sample from the legacy FLV SoundSize (8 / 16) */
  sampleSize?: number;
}

/** Damage found in a record that did not stop it from being read (e.g. a zero-length NAL unit beside the SPS). */
export interface ConfigWarning {
  code: AnomalyCode;
  message: string;
}

/**
 * Result of parsing a codec configuration record. Damage is data: never throws on bad bytes.
 * `warnings` (present only when non-empty) are reported as anomalies before the result itself.
 */
export type ConfigResult<T> =
  | { ok: true; config: T; warnings?: ConfigWarning[] }
  | { ok: false; code: AnomalyCode; message: string; warnings?: ConfigWarning[] };

// ---------------------------------------------------------------- parser events

export interface FlvHeaderEvent {
  type: 'header';
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
  headerSize: number;
}

export interface ScriptEvent {
  type: 'script';
  /** first AMF value (usually "onMetaData", or "@setDataFrame" unwrapped to the name it wraps) */
  name: string;
  /** the second AMF value (the metadata object for onMetaData) */
  value: AmfValue;
  timestamp: number;
  offset: number;
}

export interface VideoConfigEvent {
  type: 'video-config';
  timestamp: number;
  track: number;
  config: VideoConfig;
  offset: number;
}

export interface VideoFrameEvent {
  type: 'video-frame';
  track: number;
  codec: VideoCodec;
  /** decode timestamp in ms (the FLV tag timestamp) */
  dts: number;
  /** composition time offset in ms (signed), 0 where the packet carries none */
  cts: number;
  /** FLV frame type says key frame */
  keyframe: boolean;
  /** bytes of the tag body (payload incl. the video tag header) */
  size: number;
  offset: number;
}

export interface VideoSequenceEndEvent {
  type: 'video-end';
  timestamp: number;
  track: number;
  offset: number;
}

export interface AudioConfigEvent {
  type: 'audio-config';
  timestamp: number;
  track: number;
  config: AudioConfig;
  offset: number;
}

export interface AudioFrameEvent {
  type: 'audio-frame';
  track: number;
  codec: AudioCodec;
  dts: number;
  size: number;
  offset: number;
}

/** Enhanced-RTMP video command frames (frame type 5) and metadata packets: not frames. */
export interface VideoInfoEvent {
  type: 'video-info';
  kind: 'command' | 'metadata';
  timestamp: number;
  offset: number;
}

export interface AnomalyEvent {
  type: 'anomaly';
  code: AnomalyCode;
  message: string;
  /** byte offset in the stream where the damaged unit starts */
  offset: number;
  fatal: boolean;
}

export type FlvEvent =
  | FlvHeaderEvent
  | ScriptEvent
  | VideoConfigEvent
  | VideoFrameEvent
  | VideoSequenceEndEvent
  | AudioConfigEvent
  | AudioFrameEvent
  | VideoInfoEvent
  | AnomalyEvent;

export type FlvEventSink = (event: FlvEvent) => void;
