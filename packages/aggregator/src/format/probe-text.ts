import type { ProbeResult } from '@video-exporter/probe-worker/common';

const kbps = (bps: number | undefined) => (bps === undefined ? '-' : `${(bps / 1000).toFixed(1)}kbps`);
const ms = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(1)}ms`);
const QUALITY = ['poor', 'fair', 'good'] as const;

/** A condensed version of the old exporter's console block, one probe. */
export function formatProbeSummary(r: ProbeResult): string {
  const lines: string[] = [];
  lines.push(`${r.ok ? 'OK' : 'FAILED'}  ${r.url}${r.reason ? `  reason=${r.reason}` : ''}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  if (r.http_status !== undefined || r.response_ms !== undefined) {
    lines.push(
      `  HTTP ${r.http_status ?? '-'} | response ${ms(r.response_ms)} | TTFB ${ms(r.ttfb_ms)} | first frame` +
        ` ${ms(r.first_frame_ms)} | throughput ${kbps(r.throughput_bps)}`,
    );
  }
  const v = r.video;
  lines.push(
    `  packets: ${r.packets.total} (video ${r.packets.video}, audio ${r.packets.audio}) | keyframes: ${v.keyframes}`,
  );
  lines.push(
    `  video: ${v.codec ?? '-'}${v.profile ? ` ${v.profile}` : ''}${v.level ? `@${v.level}` : ''} |` +
      ` ${v.width ?? '?'}x${v.height ?? '?'} | ${v.framerate?.toFixed(2) ?? '-'}fps | ${kbps(v.bitrate_bps)} | GOP` +
      ` ${v.gop_frames ?? '-'} frames / ${v.gop_seconds ?? '-'}s`,
  );
  const a = r.audio;
  lines.push(
    `  audio: ${a.codec ?? '-'} | ${a.sample_rate ?? '-'}Hz | ${a.channels ?? '-'}ch | ${kbps(a.bitrate_bps)}`,
  );
  lines.push(`  bitrate: ${kbps(r.bitrate_bps)}`);
  if (r.stalls)
    lines.push(
      `  stalls: ${r.stalls.count} (max ${ms(r.stalls.max_ms)}, total ${ms(r.stalls.total_ms)}, ratio` +
        ` ${r.stalls.ratio.toFixed(3)})`,
    );
  if (r.player)
    lines.push(
      `  player: start-up ${ms(r.player.startup_ms)} | rebuffers ${r.player.rebuffer_count}` +
        ` (${ms(r.player.rebuffer_ms)}, ratio ${r.player.rebuffer_ratio.toFixed(3)})`,
    );
  const t = r.timestamps;
  lines.push(
    `  timestamps: A/V offset ${ms(t.av_offset_ms)} | max frame gap ${ms(t.frame_gap_max_ms)} | discontinuities` +
      ` ${t.discontinuities}`,
  );
  const l = r.latency;
  if (l) {
    const rate = l.media_rate === undefined ? '-' : `${l.media_rate.toFixed(3)}x`;
    lines.push(
      `  latency: start lag ${ms(l.start_lag_ms)} | media rate ${rate} | max keyframe interval` +
        ` ${ms(l.keyframe_interval_max_ms)} | behind encoder clock ${ms(l.latency_ms)}`,
    );
  }
  if (r.anomalies)
    lines.push(
      `  anomalies: ${Object.entries(r.anomalies)
        .map(([k, n]) => `${k}=${n}`)
        .join(' ')}`,
    );
  if (r.scores) {
    const s = r.scores;
    lines.push(
      `  scores: up=${s.up ? 1 : 0} playable=${s.playable ? 1 : 0}` +
        ` quality=${QUALITY[s.quality as 0 | 1 | 2] ?? s.quality} overall=${s.overall}`,
    );
  }
  return lines.join('\n');
}
