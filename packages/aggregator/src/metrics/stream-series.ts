import type { StreamSnapshot } from '../state/types.js';
import { encoderLabel } from './encoder-label.js';

type Value = (s: StreamSnapshot) => number | undefined;

const bool = (b: boolean) => (b ? 1 : 0);
const MS_PER_SECOND = 1000;
/** Probe results keep SPEC §7's milliseconds (JSON for people); new series use base units (SPEC §6). */
const sec = (ms: number | undefined) => (ms === undefined ? undefined : ms / MS_PER_SECOND);
/** On a failed probe bitrate and frame rate are a true 0 (nothing played), not absent. */
const zeroIfFailed = (s: StreamSnapshot, v: number | undefined) => (s.last && !s.last.ok ? (v ?? 0) : v);

/**
 * SPEC §6 per-stream gauges: name, help and how the value is read from the latest snapshot.
 * `undefined` means "not measured": the series is removed rather than set to a fake 0.
 */
export const STREAM_GAUGES: ReadonlyArray<readonly [name: string, help: string, value: Value]> = [
  // names kept from the reference exporter (the public contract)
  [
    'video_stream_up',
    '1 if the last probe got HTTP 200 (RTMP: play started), FLV and at least one video frame',
    (s) => bool(s.up),
  ],
  ['video_stream_healthy', '1 if up, playable and overall score >= 1', (s) => bool(s.healthy)],
  [
    'video_stream_playable',
    '1 if the last probe saw >= min_keyframes keyframes and > 10 video frames',
    (s) => bool(s.playable),
  ],
  ['video_stream_total_packets', 'Audio + video packets read in the last sample', (s) => s.last?.packets.total],
  ['video_stream_video_packets', 'Video frames read in the last sample', (s) => s.last?.packets.video],
  ['video_stream_audio_packets', 'Audio frames read in the last sample', (s) => s.last?.packets.audio],
  ['video_stream_keyframes', 'Video keyframes read in the last sample', (s) => s.last?.video.keyframes],
  [
    'video_stream_bitrate_bps',
    'Audio + video bitrate of the last sample (bits per second of media time)',
    (s) => zeroIfFailed(s, s.last?.bitrate_bps),
  ],
  ['video_stream_avg_bitrate_bps', 'Mean bitrate over the last 10 successful probes', (s) => s.avg_bitrate_bps],
  [
    'video_stream_framerate',
    'Video frame rate of the last sample, (frames - 1) / DTS span',
    (s) => zeroIfFailed(s, s.last?.video.framerate),
  ],
  ['video_stream_response_ms', 'Request start to response headers, ms', (s) => s.last?.response_ms],
  ['video_stream_gop_size', 'Mean video frames per complete GOP', (s) => s.last?.video.gop_frames],
  ['video_stream_quality_score', 'Quality: 2 good, 1 fair, 0 poor', (s) => s.quality],
  [
    'video_stream_stability_score',
    'Bitrate stability: 2 stable, 1 moderate, 0 unstable (absent below 3 probes)',
    (s) => s.stability,
  ],
  ['video_stream_overall_score', 'Overall: quality x stability with the stall override', (s) => s.overall],
  ['video_stream_ttfb_ms', 'Request start to the first body byte, ms', (s) => s.last?.ttfb_ms],
  ['video_stream_read_throughput_bps', 'Body bytes x 8 / (sample end - first byte)', (s) => s.last?.throughput_bps],
  ['video_stream_read_stall_count', 'Gaps between reads longer than stall_threshold_ms', (s) => s.last?.stalls?.count],
  ['video_stream_read_stall_max_ms', 'Longest read stall, ms', (s) => s.last?.stalls?.max_ms],
  ['video_stream_read_stall_total_ms', 'Sum of read stalls, ms', (s) => s.last?.stalls?.total_ms],
  ['video_stream_read_stall_ratio', 'Stall time / sample wall time, 0..1', (s) => s.last?.stalls?.ratio],
  // new series: Prometheus base units (seconds, no `_count` on a gauge), SPEC §6
  ['video_stream_width', 'Display width from the sequence header, pixels', (s) => s.last?.video.width],
  ['video_stream_height', 'Display height from the sequence header, pixels', (s) => s.last?.video.height],
  [
    'video_stream_video_bitrate_bps',
    'Video bitrate of the last sample',
    (s) => zeroIfFailed(s, s.last?.video.bitrate_bps),
  ],
  ['video_stream_audio_bitrate_bps', 'Audio bitrate of the last sample', (s) => s.last?.audio.bitrate_bps],
  ['video_stream_audio_sample_rate', 'Audio sample rate, Hz', (s) => s.last?.audio.sample_rate],
  ['video_stream_gop_seconds', 'Mean GOP duration from DTS, seconds', (s) => s.last?.video.gop_seconds],
  [
    'video_stream_first_frame_seconds',
    'Request start to the first complete keyframe (player start-up floor), seconds',
    (s) => sec(s.last?.first_frame_ms),
  ],
  ['video_stream_dns_seconds', 'DNS lookup time, seconds', (s) => sec(s.last?.dns_ms)],
  ['video_stream_connect_seconds', 'TCP connect time, seconds', (s) => sec(s.last?.connect_ms)],
  ['video_stream_tls_seconds', 'TLS handshake time, seconds', (s) => sec(s.last?.tls_ms)],
  [
    'video_stream_handshake_seconds',
    'RTMP: C0+C1 sent to S2 received, seconds (absent for HTTP)',
    (s) => sec(s.last?.handshake_ms),
  ],
  ['video_stream_http_status', 'HTTP status code of the last probe (final hop)', (s) => s.last?.http_status],
  [
    'video_stream_startup_seconds',
    'Viewer model: request start to playback start, seconds',
    (s) => sec(s.last?.player?.startup_ms),
  ],
  [
    'video_stream_rebuffers',
    'Viewer model: rebuffering events in the last sample',
    (s) => s.last?.player?.rebuffer_count,
  ],
  [
    'video_stream_rebuffer_seconds',
    'Viewer model: time spent rebuffering, seconds',
    (s) => sec(s.last?.player?.rebuffer_ms),
  ],
  [
    'video_stream_rebuffer_ratio',
    'Viewer model: rebuffer time / time since playback start',
    (s) => s.last?.player?.rebuffer_ratio,
  ],
  [
    'video_stream_av_offset_seconds',
    'Last video DTS - last audio DTS at sample end, seconds',
    (s) => sec(s.last?.timestamps.av_offset_ms),
  ],
  [
    'video_stream_frame_gap_max_seconds',
    'Largest DTS step between consecutive video frames, seconds',
    (s) => sec(s.last?.timestamps.frame_gap_max_ms),
  ],
  [
    'video_stream_timestamp_discontinuities',
    'DTS going backwards or jumping > 1 s',
    (s) => s.last?.timestamps.discontinuities,
  ],
  ['video_stream_consecutive_failures', 'Probes in a row that were not up', (s) => s.consecutive_failures],
  ['video_stream_last_check_timestamp_seconds', 'Unix time of the last finished probe', (s) => s.last_check],
  // SPEC §12 latency and drift (definitions in probe-worker/src/latency.ts)
  [
    'video_stream_start_lag_seconds',
    'Largest excess of media received over wall time since the first frame: how far behind live a new viewer starts',
    (s) => sec(s.last?.latency?.start_lag_ms),
  ],
  [
    'video_stream_media_rate',
    'Media time per wall time after the start burst (1 = real time, below 1 viewers rebuffer)',
    (s) => s.last?.latency?.media_rate,
  ],
  [
    'video_stream_keyframe_interval_max_seconds',
    'Longest media time between two keyframes in the last sample, seconds',
    (s) => sec(s.last?.latency?.keyframe_interval_max_ms),
  ],
  // SPEC §13 content checks: absent until a check ran, the sound ones absent without audio
  ['video_stream_black_ratio', 'Share of the checked media time with a black picture', (s) => s.content?.black_ratio],
  [
    'video_stream_frozen_ratio',
    'Share of the checked media time with a frozen picture',
    (s) => s.content?.frozen_ratio,
  ],
  ['video_stream_silence_ratio', 'Share of the checked media time with silent sound', (s) => s.content?.silence_ratio],
  [
    'video_stream_loudness_lufs',
    'Integrated loudness of the checked sound (EBU R128), LUFS',
    (s) => s.content?.loudness_lufs,
  ],
  ['video_stream_content_check_timestamp_seconds', 'Unix time of the latest content check', (s) => s.content?.at],
  [
    'video_stream_latency_seconds',
    'Probe wall clock minus the encoder wall clock the stream carries (onFI), seconds',
    (s) => sec(s.last?.latency?.latency_ms),
  ],
];

export const INFO_LABELS = ['video_codec', 'profile', 'level', 'audio_codec', 'encoder'] as const;

/** Labels of video_stream_info, or undefined when the last probe saw no codec. */
export function infoLabels(s: StreamSnapshot): Record<(typeof INFO_LABELS)[number], string> | undefined {
  const v = s.last?.video;
  const a = s.last?.audio;
  if (!v?.codec && !a?.codec) return undefined;
  return {
    video_codec: v?.codec ?? '',
    profile: v?.profile ?? '',
    level: v?.level ?? '',
    audio_codec: a?.codec ?? '',
    encoder: encoderLabel(s.last?.metadata),
  };
}
