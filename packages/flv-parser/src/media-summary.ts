import type { AnomalyCode } from './anomalies.js';
import type { AmfValue, AudioConfig, FlvEvent, VideoConfig } from './types.js';

/** Shapes shared with the probe result (SPEC §7 JSON, snake_case; absent = not measured). */
export interface PacketCounts {
  /** media packets: video + audio frames (as the reference counted them) */
  total: number;
  /** video frames (not sequence headers, not command frames) */
  video: number;
  /** audio frames (not sequence headers) */
  audio: number;
}

export interface VideoSummary {
  codec?: string;
  profile?: string;
  level?: string;
  width?: number;
  height?: number;
  framerate?: number;
  frames: number;
  keyframes: number;
  bitrate_bps?: number;
  gop_frames?: number;
  gop_seconds?: number;
}

export interface AudioSummary {
  codec?: string;
  sample_rate?: number;
  channels?: number;
  frames: number;
  bitrate_bps?: number;
}

export interface TimestampSummary {
  /** last video DTS minus last audio DTS, ms */
  av_offset_ms?: number;
  /** largest DTS step between consecutive video frames, ms */
  frame_gap_max_ms?: number;
  /** DTS going back or jumping forward by more than 1 s, any track */
  discontinuities: number;
}

export interface MediaSummary {
  packets: PacketCounts;
  video: VideoSummary;
  audio: AudioSummary;
  /** video + audio bitrate */
  bitrate_bps?: number;
  /** media time covered by the frames read, ms */
  media_ms?: number;
  timestamps: TimestampSummary;
  metadata?: Record<string, unknown>;
  anomalies: Partial<Record<AnomalyCode, number>>;
  /** the first fatal anomaly, if the stream could not be parsed */
  fatal?: { code: AnomalyCode; message: string };
  /** the most recent anomaly, for a human-readable "last error" */
  last_anomaly?: { code: AnomalyCode; message: string };
  /** the FLV header was read */
  flv_header: boolean;
  video_config?: VideoConfig;
  audio_config?: AudioConfig;
}

/**
 * A DTS step outside [0, this] ms is a discontinuity (SPEC §4: backwards, or forward > 1 s): the clock
 * leaves it out of the media time, so one encoder restart or a spliced hour does not turn 25 fps into 0.1.
 */
export const CONTINUOUS_STEP_MS = 1000;

/** Per-track DTS accumulator: frames, bytes and span give rate and bitrate without keeping frames. */
class TrackClock {
  frames = 0;
  bytes = 0;
  firstDts = 0;
  lastDts = 0;
  maxGap = 0;
  /** frame-to-frame steps that count as media time, and the ms they add up to */
  private steps = 0;
  private stepMs = 0;

  add(dts: number, size: number): void {
    if (this.frames === 0) this.firstDts = dts;
    else {
      const step = dts - this.lastDts;
      if (step > this.maxGap) this.maxGap = step;
      if (step >= 0 && step <= CONTINUOUS_STEP_MS) {
        this.steps++;
        this.stepMs += step;
      }
    }
    this.lastDts = dts;
    this.frames++;
    this.bytes += size;
  }

  /** (frames - 1) / span over the continuous steps: the rate of the intervals, not frames/span which overstates. */
  rate(): number | undefined {
    const c = this.continuous();
    return c !== undefined ? (c.steps * 1000) / c.ms : undefined;
  }

  /** Media time the frames cover: each frame lasts the mean step (n frames of one run: span × n / (n − 1)). */
  coveredMs(): number | undefined {
    const c = this.continuous();
    return c !== undefined ? (c.ms * this.frames) / c.steps : undefined;
  }

  /**
   * The continuous steps; when every step is over the threshold (a camera sending a frame every 2 s,
   * sparse audio) the whole first-to-last span, as one run, rather than no figure at all.
   */
  private continuous(): { steps: number; ms: number } | undefined {
    if (this.stepMs > 0) return { steps: this.steps, ms: this.stepMs };
    const span = this.lastDts - this.firstDts;
    return this.frames >= 2 && span > 0 ? { steps: this.frames - 1, ms: span } : undefined;
  }

  bitrate(): number | undefined {
    const covered = this.coveredMs();
    return covered !== undefined ? (this.bytes * 8 * 1000) / covered : undefined;
  }
}

/** Turns the demuxer's events into SPEC §4's media figures. Pure: time comes only from timestamps. */
export class MediaSummaryBuilder {
  private readonly video = new TrackClock();
  private readonly audio = new TrackClock();
  private keyframes = 0;
  private lastKeyDts = -1;
  private framesSinceKey = 0;
  private gopCount = 0;
  private gopFramesSum = 0;
  private gopMsSum = 0;
  private discontinuities = 0;
  private readonly anomalies: Partial<Record<AnomalyCode, number>> = {};
  private fatal: { code: AnomalyCode; message: string } | undefined;
  private lastAnomaly: { code: AnomalyCode; message: string } | undefined;
  private flvHeader = false;
  private videoConfig: VideoConfig | undefined;
  private audioConfig: AudioConfig | undefined;
  private videoCodecSeen: string | undefined;
  private audioCodecSeen: string | undefined;
  private metadata: Record<string, unknown> | undefined;

  add(event: FlvEvent): void {
    switch (event.type) {
      case 'header':
        this.flvHeader = true;
        return;
      case 'video-frame':
        this.video.add(event.dts, event.size);
        this.videoCodecSeen = event.codec;
        this.framesSinceKey++;
        if (event.keyframe) this.onKeyframe(event.dts);
        return;
      case 'audio-frame':
        this.audio.add(event.dts, event.size);
        this.audioCodecSeen = event.codec;
        return;
      case 'video-config':
        this.videoConfig = event.config;
        return;
      case 'audio-config':
        this.audioConfig = mergeAudio(this.audioConfig, event.config);
        return;
      case 'script':
        if (event.name === 'onMetaData') this.metadata = toJson(event.value) as Record<string, unknown>;
        return;
      case 'video-end':
      case 'video-info':
        return;
      case 'anomaly':
        this.anomalies[event.code] = (this.anomalies[event.code] ?? 0) + 1;
        this.lastAnomaly = { code: event.code, message: event.message };
        if (event.fatal && !this.fatal) this.fatal = { code: event.code, message: event.message };
        if (event.code === 'timestamp_backwards' || event.code === 'timestamp_jump') this.discontinuities++;
        return;
    }
  }

  private onKeyframe(dts: number): void {
    this.keyframes++;
    if (this.lastKeyDts >= 0) {
      // A complete GOP runs from the previous keyframe up to (not including) this one.
      this.gopCount++;
      this.gopFramesSum += this.framesSinceKey - 1;
      this.gopMsSum += Math.max(0, dts - this.lastKeyDts);
    }
    this.lastKeyDts = dts;
    this.framesSinceKey = 1;
  }

  get keyframeCount(): number {
    return this.keyframes;
  }

  get videoFrameCount(): number {
    return this.video.frames;
  }

  summary(): MediaSummary {
    const vc = this.videoConfig;
    const meta = this.metadata;
    const video: VideoSummary = { frames: this.video.frames, keyframes: this.keyframes };
    setIf(video, 'codec', vc?.codec ?? this.videoCodecSeen);
    setIf(video, 'profile', vc?.profile);
    setIf(video, 'level', vc?.level);
    // Sizes from the sequence header; onMetaData only as a fallback, and only when video really came.
    const metaFallback = this.video.frames > 0 ? meta : undefined;
    setIf(video, 'width', vc?.width ?? metaNumber(metaFallback, 'width'));
    setIf(video, 'height', vc?.height ?? metaNumber(metaFallback, 'height'));
    setIf(video, 'framerate', round(this.video.rate(), 3));
    setIf(video, 'bitrate_bps', round(this.video.bitrate(), 0));
    if (this.gopCount > 0) {
      video.gop_frames = round(this.gopFramesSum / this.gopCount, 2)!;
      video.gop_seconds = round(this.gopMsSum / this.gopCount / 1000, 3)!;
    }

    const ac = this.audioConfig;
    const audio: AudioSummary = { frames: this.audio.frames };
    setIf(audio, 'codec', ac?.codec ?? this.audioCodecSeen);
    setIf(audio, 'sample_rate', ac?.sampleRate);
    setIf(audio, 'channels', ac?.channels);
    setIf(audio, 'bitrate_bps', round(this.audio.bitrate(), 0));

    const timestamps: TimestampSummary = { discontinuities: this.discontinuities };
    if (this.video.frames > 0 && this.audio.frames > 0)
      timestamps.av_offset_ms = this.video.lastDts - this.audio.lastDts;
    if (this.video.frames >= 2) timestamps.frame_gap_max_ms = this.video.maxGap;

    const summary: MediaSummary = {
      packets: { total: this.video.frames + this.audio.frames, video: this.video.frames, audio: this.audio.frames },
      video,
      audio,
      timestamps,
      anomalies: { ...this.anomalies },
      flv_header: this.flvHeader,
    };
    if (video.bitrate_bps !== undefined || audio.bitrate_bps !== undefined) {
      summary.bitrate_bps = (video.bitrate_bps ?? 0) + (audio.bitrate_bps ?? 0);
    }
    const covered = Math.max(this.video.coveredMs() ?? 0, this.audio.coveredMs() ?? 0);
    if (covered > 0) summary.media_ms = round(covered, 1)!;
    if (meta) summary.metadata = meta;
    if (this.fatal) summary.fatal = this.fatal;
    if (this.lastAnomaly) summary.last_anomaly = this.lastAnomaly;
    if (vc) summary.video_config = vc;
    if (ac) summary.audio_config = ac;
    return summary;
  }
}

function mergeAudio(previous: AudioConfig | undefined, next: AudioConfig): AudioConfig {
  // An AAC AudioSpecificConfig is the truth; a legacy header (always "44 kHz" for AAC) must not override it.
  if (previous && previous.codec === next.codec && previous.objectType !== undefined && next.objectType === undefined)
    return previous;
  return next;
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined && !(typeof value === 'number' && !Number.isFinite(value))) target[key] = value;
}

function round(value: number | undefined, digits: number): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function metaNumber(meta: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = meta?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** AMF values as plain JSON: dates become ISO strings, undefined and non-finite numbers are dropped. */
export function toJson(value: AmfValue): unknown {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.map((v) => toJson(v) ?? null);
  if ((value as { amfType?: string }).amfType === 'date') {
    const ms = (value as { epochMs: number }).epochMs;
    return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : null;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const j = toJson(v);
    if (j !== undefined)
      Object.defineProperty(out, k, { value: j, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
