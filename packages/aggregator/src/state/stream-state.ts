import type { ContentResult, ProbeResult } from '@video-exporter/probe-worker/common';
import {
  contentHealthy,
  isHealthy,
  isPlayable,
  isUp,
  mean,
  overallScore,
  qualityScore,
  type ScoringThresholds,
  stabilityScore,
} from '../scoring/rules.js';
import type { StreamContent, StreamIdentity, StreamSnapshot } from './types.js';

/** SPEC §4: average and stability use the last 10 successful probes. */
export const HISTORY_LENGTH = 10;

/**
 * The per-stream history the scores need (bitrates of recent successful probes, failures in a row)
 * and the snapshot of the latest probe. Pure apart from the time passed in.
 */
export class StreamState {
  private readonly bitrates: number[] = [];
  private current: StreamSnapshot;

  constructor(readonly stream: StreamIdentity) {
    this.current = {
      stream,
      state: 'pending',
      up: false,
      playable: false,
      healthy: false,
      quality: 0,
      overall: 0,
      consecutive_failures: 0,
      probes: 0,
    };
  }

  get snapshot(): StreamSnapshot {
    return this.current;
  }

  /** The stream left its discovery source: down (up = 0) until its gone_grace ends; no more probes. */
  markGone(): StreamSnapshot {
    this.current = { ...this.current, state: 'down', up: false, playable: false, healthy: false, gone: true };
    return this.current;
  }

  /** It came back inside its grace: the last snapshot stands until the next probe. */
  revive(): void {
    const { gone: _gone, ...rest } = this.current;
    this.current = rest;
  }

  /** Folds one probe result in and returns the new snapshot. */
  record(result: ProbeResult, nowMs: number, minKeyframes: number, thresholds: ScoringThresholds): StreamSnapshot {
    // A video frame implies a valid FLV header; a probe can be up yet failed (e.g. no_keyframe).
    const up = isUp({
      http_status: result.http_status,
      play_started: result.play_started,
      flv_header: result.video.frames > 0,
      video_frames: result.video.frames,
    });
    const playable =
      up && isPlayable({ keyframes: result.video.keyframes, video_frames: result.video.frames }, minKeyframes);
    if (up && result.bitrate_bps !== undefined && result.bitrate_bps > 0) {
      this.bitrates.push(result.bitrate_bps);
      if (this.bitrates.length > HISTORY_LENGTH) this.bitrates.shift();
    }
    const quality = qualityScore(
      { ok: result.ok && up, playable, framerate: result.video.framerate, bitrate_bps: result.bitrate_bps },
      thresholds,
    );
    const stability = stabilityScore(this.bitrates, thresholds);
    const overall = overallScore(quality, stability, result.stalls?.ratio, thresholds);
    const previous = this.current;
    // SPEC §13: a check's figures count until the next check replaces them or the stream goes down
    const content = up ? previous.content : undefined;
    const snapshot: StreamSnapshot = {
      stream: this.stream,
      state: up ? 'up' : 'down',
      last: result,
      last_check: Math.floor(nowMs / 1000),
      up,
      playable,
      healthy:
        isHealthy(up, playable, overall) && contentHealthy(content?.result === 'ok' ? content : undefined, thresholds),
      quality,
      overall,
      consecutive_failures: up ? 0 : previous.consecutive_failures + 1,
      probes: previous.probes + 1,
    };
    if (stability !== undefined) snapshot.stability = stability;
    if (content) snapshot.content = content;
    const avg = mean(this.bitrates);
    if (avg !== undefined) snapshot.avg_bitrate_bps = Math.round(avg);
    if (!result.ok && result.reason)
      snapshot.last_error = { reason: result.reason, message: result.error ?? result.reason, at: nowMs / 1000 };
    else if (previous.last_error) snapshot.last_error = previous.last_error;
    this.current = snapshot;
    return snapshot;
  }

  /**
   * Folds in a content check that finished after its probe was recorded. A stream that went down
   * meanwhile takes none (undefined): its content figures went with it.
   */
  recordContent(c: ContentResult, nowMs: number, thresholds: ScoringThresholds): StreamSnapshot | undefined {
    const s = this.current;
    if (!s.up || s.gone) return undefined;
    const content = contentOf(c, nowMs);
    const healthy =
      isHealthy(s.up, s.playable, s.overall) &&
      contentHealthy(content.result === 'ok' ? content : undefined, thresholds);
    this.current = { ...s, content, healthy };
    return this.current;
  }
}

/** The snapshot's form of a check's result (the JPEG stays with the content scheduler). */
function contentOf(c: ContentResult, nowMs: number): StreamContent {
  const out: StreamContent = {
    result: c.result,
    at: Math.floor(nowMs / 1000),
    has_thumbnail: c.thumbnail !== undefined,
  };
  if (c.black_ratio !== undefined) out.black_ratio = c.black_ratio;
  if (c.frozen_ratio !== undefined) out.frozen_ratio = c.frozen_ratio;
  if (c.silence_ratio !== undefined) out.silence_ratio = c.silence_ratio;
  if (c.loudness_lufs !== undefined) out.loudness_lufs = c.loudness_lufs;
  return out;
}
