/**
 * The probe result: one plain, structured-clone-safe object per probe, shaped as SPEC §7's
 * `probe --json` output (snake_case; a field that was not measured is absent, never a fake 0).
 */
import type { AudioSummary, PacketCounts, TimestampSummary, VideoSummary } from '@video-exporter/flv-parser';
import type { ContentResult } from './content/content-check.js';

/** SPEC §4: the closed set of failure reasons. */
export const FAILURE_REASONS = [
  'dns',
  'refused',
  'reset',
  'timeout',
  'http_4xx',
  'http_5xx',
  'not_flv',
  'no_video',
  'no_keyframe',
  'truncated',
  'parse_error',
  'too_many_redirects',
  'tls',
  'worker_crash',
  // SPEC §14: the peer's answer was not an RTMP handshake; connect or play refused
  'rtmp_handshake',
  'rtmp_rejected',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export type { AudioSummary, PacketCounts, TimestampSummary, VideoSummary };

export interface StallSummary {
  count: number;
  max_ms: number;
  total_ms: number;
  ratio: number;
}

export interface PlayerSummary {
  startup_ms?: number;
  rebuffer_count: number;
  rebuffer_ms: number;
  rebuffer_ratio: number;
}

/** SPEC §12, defined in latency.ts; each field absent when not measured. */
export interface LatencySummary {
  start_lag_ms?: number;
  media_rate?: number;
  keyframe_interval_max_ms?: number;
  latency_ms?: number;
}

export interface ProbeScores {
  up: boolean;
  playable: boolean;
  quality: number;
  overall: number;
}

export interface ProbeResult {
  /** redacted URL */
  url: string;
  ok: boolean;
  reason?: FailureReason;
  /** human-readable detail of the failure (redacted) */
  error?: string;
  http_status?: number;
  /** RTMP: play started (NetStream.Play.Start or the first media message); absent for HTTP */
  play_started?: boolean;
  /** RTMP: C0+C1 sent → S2 received, ms; absent for HTTP */
  handshake_ms?: number;
  /** redirects followed */
  redirects?: number;
  dns_ms?: number;
  connect_ms?: number;
  tls_ms?: number;
  response_ms?: number;
  ttfb_ms?: number;
  first_frame_ms?: number;
  throughput_bps?: number;
  /** body bytes read */
  bytes?: number;
  /** wall-clock length of the sample (first byte to sample end), ms */
  sample_ms?: number;
  /** media duration covered, ms */
  media_ms?: number;
  packets: PacketCounts;
  /** total bitrate of audio + video tag payloads (SPEC §4 bitrate_bps) */
  bitrate_bps?: number;
  video: VideoSummary;
  audio: AudioSummary;
  stalls?: StallSummary;
  player?: PlayerSummary;
  timestamps: TimestampSummary;
  latency?: LatencySummary;
  metadata?: Record<string, unknown>;
  /** anomaly code -> count */
  anomalies?: Record<string, number>;
  scores?: ProbeScores;
  /** the content check that rode on this probe (SPEC §13) */
  content?: ContentResult;
}
