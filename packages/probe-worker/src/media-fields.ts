import type { MediaSummary } from '@video-exporter/flv-parser';
import type { ProbeResult } from './result.js';

/** Copies the media part of a summary into a result (SPEC §7 field names). */
export function applyMediaSummary(result: ProbeResult, media: MediaSummary): void {
  result.packets = media.packets;
  result.video = media.video;
  result.audio = media.audio;
  result.timestamps = media.timestamps;
  if (media.bitrate_bps !== undefined) result.bitrate_bps = media.bitrate_bps;
  if (media.media_ms !== undefined) result.media_ms = media.media_ms;
  if (media.metadata !== undefined) result.metadata = media.metadata;
  if (Object.keys(media.anomalies).length > 0) result.anomalies = media.anomalies as Record<string, number>;
}

export function emptyResult(url: string): ProbeResult {
  return {
    url,
    ok: false,
    packets: { total: 0, video: 0, audio: 0 },
    video: { frames: 0, keyframes: 0 },
    audio: { frames: 0 },
    timestamps: { discontinuities: 0 },
  };
}
