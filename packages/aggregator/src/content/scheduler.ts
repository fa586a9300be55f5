import type { ContentCheckJob, ContentResult } from '@video-exporter/probe-worker/common';
import { DEFAULT_MAX_SAMPLE_BYTES } from '@video-exporter/probe-worker/common';
import type { StreamConfig } from '../config/index.js';
import type { ContentChecksConfig } from '../config/validate-content-checks.js';

const MS_PER_S = 1000;

/**
 * SPEC §13 scheduling: one check per stream per `interval`, riding on a normal probe, at most
 * `max_concurrent` decoders at once, each taking up to `batch_size` checks (the worker threads share
 * the decoders and gather the checks of their probes into batches). Keeps the latest thumbnail of each
 * stream. Time is passed in.
 */
export class ContentScheduler {
  private readonly lastStart = new Map<string, number>();
  private readonly thumbnails = new Map<string, Buffer>();
  private inFlight = 0;

  constructor(
    private config: ContentChecksConfig,
    /** false: disabled, or `auto` without ffmpeg */
    private isActive: boolean,
    /** worker threads: each runs its share of the decoders */
    private readonly threads = 1,
    /** where the checks write their files (the exporter removes it at shutdown); default: the OS temp dir */
    private readonly tempDir?: string,
  ) {}

  get active(): boolean {
    return this.isActive;
  }

  /** A reload's settings: checks in flight finish under the old ones, intervals and thumbnails stay. */
  reconfigure(config: ContentChecksConfig, active: boolean): void {
    this.config = config;
    this.isActive = active;
  }

  /** The check job when this stream's check is due and a decoder has room (taken by the call). */
  take(stream: StreamConfig, nowMs: number): ContentCheckJob | undefined {
    if (!this.isActive || stream.content_checks === false) return undefined;
    const last = this.lastStart.get(stream.key);
    if (last !== undefined && nowMs - last < this.config.interval * MS_PER_S) return undefined;
    if (this.inFlight >= this.config.max_concurrent * this.config.batch_size) return undefined;
    this.inFlight++;
    this.lastStart.set(stream.key, nowMs);
    const c = this.config;
    return {
      ffmpeg: c.ffmpeg,
      decode: c.decode,
      timeoutMs: c.timeout * MS_PER_S,
      blackPixelThreshold: c.black_pixel_threshold,
      freezeNoiseDb: c.freeze_noise_db,
      silenceDb: c.silence_db,
      minDurationS: c.min_duration,
      thumbnailWidth: c.thumbnail_width,
      maxSampleBytes: DEFAULT_MAX_SAMPLE_BYTES,
      batchSize: c.batch_size,
      batchWaitMs: c.batch_wait * MS_PER_S,
      // at least one per thread: with fewer decoders than threads, max_concurrent is a floor of one each
      decoders: Math.max(1, Math.floor(c.max_concurrent / this.threads)),
      ...(this.tempDir !== undefined ? { tempDir: this.tempDir } : {}),
    };
  }

  /** The probe that carried a taken job ended (with or without a content result). */
  release(key: string, content: ContentResult | undefined): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (content?.thumbnail) this.thumbnails.set(key, Buffer.from(content.thumbnail));
  }

  /** The probe carried no check after all (its stream has no video yet): try again on the next probe. */
  retryLater(key: string): void {
    this.lastStart.delete(key);
  }

  thumbnail(key: string): Buffer | undefined {
    return this.thumbnails.get(key);
  }

  forget(key: string): void {
    this.lastStart.delete(key);
    this.thumbnails.delete(key);
  }

  get running(): number {
    return this.inFlight;
  }
}
