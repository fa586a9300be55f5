import type { ProbeJob, ProbeResult } from '@video-exporter/probe-worker/common';
import pRetry from 'p-retry';
import type { ExporterConfig, StreamConfig } from './config/index.js';

/** What carries a failed attempt through p-retry to the retry decision. */
class AttemptFailed extends Error {
  constructor(readonly result: ProbeResult) {
    super(result.error ?? result.reason ?? 'probe failed');
  }
}

/**
 * SPEC §4: connection failures (DNS, refused, reset, timeout before the first byte, HTTP 5xx, 404) are
 * retried; 400/401/403, non-FLV bodies and everything after the body began are not.
 */
export function isRetryable(r: ProbeResult): boolean {
  switch (r.reason) {
    case 'dns':
    case 'refused':
    case 'reset':
    case 'http_5xx':
      return r.ttfb_ms === undefined || r.reason === 'http_5xx';
    case 'timeout':
      return r.ttfb_ms === undefined;
    case 'http_4xx':
      return r.http_status === 404;
    default:
      return false;
  }
}

export function buildJob(stream: StreamConfig, e: ExporterConfig): ProbeJob {
  const job: ProbeJob = {
    url: stream.url,
    sampleMs: e.sample_duration * 1000,
    minKeyframes: e.min_keyframes,
    stallThresholdMs: e.stall_threshold_ms,
    startupBufferMs: e.startup_buffer_ms,
    connectTimeoutMs: e.connect_timeout_ms,
    headersTimeoutMs: e.first_byte_timeout_ms,
    firstByteTimeoutMs: e.first_byte_timeout_ms,
    idleTimeoutMs: e.idle_timeout_ms,
    deadlineMs: budgetMs(e),
  };
  if (Object.keys(stream.headers).length > 0) job.headers = stream.headers;
  if (e.user_agent) job.userAgent = e.user_agent;
  if (stream.insecure_tls) job.insecureTls = true;
  return job;
}

/** A probe with its retries must end before the next slot of its stream. */
export function budgetMs(e: ExporterConfig): number {
  return Math.max(1000, e.check_interval * 1000 - 500);
}

/** Runs one probe with retries (p-retry, exponential backoff) inside the stream's time budget. */
export async function probeWithRetries(
  job: ProbeJob,
  maxRetries: number,
  attempt: (job: ProbeJob) => Promise<ProbeResult>,
  onRetry: (failed: ProbeResult) => void,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const end = Date.now() + job.deadlineMs;
  // an attempt needs at least the sample's time to be worth starting
  const minAttemptMs = Math.min(job.deadlineMs, job.sampleMs + 1000);
  try {
    return await pRetry(
      async () => {
        const result = await attempt({ ...job, deadlineMs: Math.max(500, end - Date.now()) });
        if (!result.ok && isRetryable(result)) throw new AttemptFailed(result);
        return result;
      },
      {
        retries: maxRetries,
        factor: 2,
        minTimeout: 250,
        maxTimeout: 4000,
        randomize: true,
        ...(signal ? { signal } : {}),
        shouldRetry: () => end - Date.now() > minAttemptMs,
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (retriesLeft > 0 && end - Date.now() > minAttemptMs && error instanceof AttemptFailed)
            onRetry(error.result);
        },
      },
    );
  } catch (err) {
    if (err instanceof AttemptFailed) return err.result;
    throw err;
  }
}
