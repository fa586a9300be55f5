import type { ContentCheckJob } from './content/settings.js';

/** One probe attempt, as the aggregator hands it to a worker: plain data, structured-clone safe. */
export interface ProbeJob {
  url: string;
  headers?: Record<string, string>;
  userAgent?: string;
  insecureTls?: boolean;
  /** HTTP(S): connect the first hop to this checked IP, the URL still naming the server (see HttpProbeOptions) */
  connectAddress?: string;
  /** ms of stream to read after the first byte (SPEC sample_duration) */
  sampleMs: number;
  /** the sample extends up to 2 × sampleMs while fewer keyframes than this arrived */
  minKeyframes: number;
  stallThresholdMs: number;
  startupBufferMs?: number;
  maxRedirects?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  firstByteTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** hard deadline of this attempt, ms from its start */
  deadlineMs: number;
  /** a content check is due with this probe (SPEC §13): keep the sample's media and decode it */
  content?: ContentCheckJob;
}
