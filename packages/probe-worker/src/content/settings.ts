import type { DecodeMode } from './elementary-streams.js';

/** What the worker needs to run one content check (SPEC §13), as the aggregator hands it over. */
export interface ContentCheckJob {
  /** ffmpeg path or name on PATH */
  ffmpeg: string;
  decode: DecodeMode;
  /** ms the decoder may run before it is killed */
  timeoutMs: number;
  /** blackdetect pix_th: a pixel darker than this (0..1) is black */
  blackPixelThreshold: number;
  /** freezedetect noise tolerance, dB */
  freezeNoiseDb: number;
  /** silencedetect noise level, dB */
  silenceDb: number;
  /** seconds a black / frozen / silent run must last to count */
  minDurationS: number;
  /** thumbnail width in pixels; 0: no thumbnail */
  thumbnailWidth: number;
  /** the most sample bytes kept for the check */
  maxSampleBytes: number;
  /**
   * checks one decoder takes at once: starting ffmpeg (linking its libraries) costs more CPU than
   * decoding a keyframes-only sample, so checks that are due together share one process
   */
  batchSize: number;
  /** where the check's files go (a directory of the exporter's, removed at its shutdown); default: the OS temp dir */
  tempDir?: string;
  /** ms a check waits for others to share its decoder; 0: it starts as soon as a decoder is free */
  batchWaitMs: number;
  /** decoders this worker thread runs at once (the exporter's max_concurrent shared by its threads) */
  decoders: number;
}

/** SPEC §13: the sample kept for a check is bounded. */
export const DEFAULT_MAX_SAMPLE_BYTES = 16 * 1024 * 1024;

export const DEFAULT_CONTENT_CHECK: ContentCheckJob = {
  ffmpeg: 'ffmpeg',
  decode: 'keyframes',
  timeoutMs: 10_000,
  blackPixelThreshold: 0.1,
  freezeNoiseDb: -60,
  silenceDb: -50,
  minDurationS: 2,
  thumbnailWidth: 320,
  maxSampleBytes: DEFAULT_MAX_SAMPLE_BYTES,
  batchSize: 8,
  batchWaitMs: 0,
  decoders: 1,
};
