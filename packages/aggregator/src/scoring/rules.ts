/** SPEC §5 scores: pure functions of a probe's figures and the stream's recent history. */

export interface ScoringThresholds {
  /** quality "good" needs at least this frame rate and bitrate */
  good_framerate: number;
  good_bitrate_bps: number;
  /** quality "fair" needs at least this frame rate and bitrate */
  fair_framerate: number;
  fair_bitrate_bps: number;
  /** coefficient of variation of bitrate below which a stream is stable / moderate */
  stable_cv: number;
  moderate_cv: number;
  /** a read-stall ratio above this forces overall to poor */
  max_stall_ratio: number;
  /** stability needs at least this many successful probes */
  min_history: number;
  /** SPEC §13: healthy needs the checked black / frozen ratio below these */
  max_black_ratio: number;
  max_frozen_ratio: number;
  /** silence counts for health only when set */
  max_silence_ratio?: number;
}

export const DEFAULT_THRESHOLDS: ScoringThresholds = {
  good_framerate: 25,
  good_bitrate_bps: 600_000,
  fair_framerate: 20,
  fair_bitrate_bps: 400_000,
  stable_cv: 0.15,
  moderate_cv: 0.3,
  max_stall_ratio: 0.5,
  min_history: 3,
  max_black_ratio: 0.9,
  max_frozen_ratio: 0.9,
};

export type Score = 0 | 1 | 2;

/** good (2) / fair (1) / poor (0); a failed or unplayable probe is poor. */
export function qualityScore(
  probe: { ok: boolean; playable: boolean; framerate?: number | undefined; bitrate_bps?: number | undefined },
  t: ScoringThresholds = DEFAULT_THRESHOLDS,
): Score {
  if (!probe.ok || !probe.playable) return 0;
  const fps = probe.framerate ?? 0;
  const bps = probe.bitrate_bps ?? 0;
  if (fps >= t.good_framerate && bps >= t.good_bitrate_bps) return 2;
  if (fps >= t.fair_framerate && bps >= t.fair_bitrate_bps) return 1;
  return 0;
}

/** Coefficient of variation (population standard deviation / mean). */
export function coefficientOfVariation(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (!(mean > 0)) return Infinity;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

/**
 * stable (2) / moderate (1) / unstable (0) from the bitrates of recent successful probes; unknown below min_history.
 */
export function stabilityScore(
  bitrates: readonly number[],
  t: ScoringThresholds = DEFAULT_THRESHOLDS,
): Score | undefined {
  if (bitrates.length < t.min_history) return undefined;
  const cv = coefficientOfVariation(bitrates);
  if (cv < t.stable_cv) return 2;
  if (cv < t.moderate_cv) return 1;
  return 0;
}

const OVERALL: Record<Score, Record<Score, Score>> = {
  2: { 2: 2, 1: 1, 0: 0 },
  1: { 2: 1, 1: 1, 0: 0 },
  0: { 2: 0, 1: 0, 0: 0 },
};

/** The reference's explicit (quality, stability) mapping with the hard stall override. */
export function overallScore(
  quality: Score,
  stability: Score | undefined,
  stallRatio: number | undefined,
  t: ScoringThresholds = DEFAULT_THRESHOLDS,
): Score {
  if (stallRatio !== undefined && stallRatio > t.max_stall_ratio) return 0;
  if (stability === undefined) return quality;
  return OVERALL[quality][stability];
}

/**
 * up: HTTP 200 (or a local file), a valid FLV header and at least one video frame; for RTMP (SPEC §14)
 * play started and at least one video frame.
 */
export function isUp(probe: {
  http_status?: number | undefined;
  play_started?: boolean | undefined;
  flv_header: boolean;
  video_frames: number;
  local?: boolean;
}): boolean {
  if (probe.play_started === true) return probe.video_frames >= 1;
  return (probe.local === true || probe.http_status === 200) && probe.flv_header && probe.video_frames >= 1;
}

/** playable: enough keyframes and more than 10 video frames. */
export function isPlayable(probe: { keyframes: number; video_frames: number }, minKeyframes: number): boolean {
  return probe.keyframes >= minKeyframes && probe.video_frames > 10;
}

export function isHealthy(up: boolean, playable: boolean, overall: Score): boolean {
  return up && playable && overall >= 1;
}

/** The ratios of the content check that counts (SPEC §13); absent ones were not measured. */
export interface ContentRatios {
  black_ratio?: number;
  frozen_ratio?: number;
  silence_ratio?: number;
}

/** SPEC §13: a checked picture must not be mostly black or frozen; silence only when a limit is set. */
export function contentHealthy(c: ContentRatios | undefined, t: ScoringThresholds = DEFAULT_THRESHOLDS): boolean {
  if (!c) return true;
  if (c.black_ratio !== undefined && c.black_ratio >= t.max_black_ratio) return false;
  if (c.frozen_ratio !== undefined && c.frozen_ratio >= t.max_frozen_ratio) return false;
  if (t.max_silence_ratio !== undefined && c.silence_ratio !== undefined && c.silence_ratio >= t.max_silence_ratio)
    return false;
  return true;
}

export function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}
