import type { ProbeResult, ProbeScores } from '@video-exporter/probe-worker/common';
import { DEFAULT_THRESHOLDS, isPlayable, isUp, overallScore, qualityScore, type ScoringThresholds } from './rules.js';

/**
 * Scores of a single probe without history (stability unknown, so overall = quality unless stalls
 * force it to poor): what `video-exporter probe` prints.
 */
export function scoreSingleProbe(
  result: ProbeResult,
  options: { minKeyframes: number; local: boolean; flvHeader: boolean; thresholds?: ScoringThresholds },
): ProbeScores {
  const t = options.thresholds ?? DEFAULT_THRESHOLDS;
  const up = isUp({
    http_status: result.http_status,
    play_started: result.play_started,
    flv_header: options.flvHeader,
    video_frames: result.video.frames,
    local: options.local,
  });
  const playable = isPlayable(
    { keyframes: result.video.keyframes, video_frames: result.video.frames },
    options.minKeyframes,
  );
  const quality = qualityScore(
    { ok: result.ok && up, playable, framerate: result.video.framerate, bitrate_bps: result.bitrate_bps },
    t,
  );
  const overall = overallScore(quality, undefined, result.stalls?.ratio, t);
  return { up, playable, quality, overall };
}
