import {
  FlvDemuxer,
  type MediaSummary,
  MediaSummaryBuilder,
  STREAM_CLOCK_SCRIPT_NAME,
  streamClockMs,
} from '@video-exporter/flv-parser';
import { type ContentResult, runContentCheck } from './content/content-check.js';
import { SampleRecorder } from './content/sample-recorder.js';
import type { ProbeJob } from './job.js';
import { LatencyTracker } from './latency.js';
import { applyMediaSummary, emptyResult } from './media-fields.js';
import { PlayerModel } from './player-model.js';
import { redactText, redactUrl, requestSecrets } from './redact.js';
import type { FailureReason, LatencySummary, ProbeResult } from './result.js';
import { readSource, type SourceOutcome } from './source/index.js';
import { StallTracker } from './stalls.js';

const round1 = (v: number) => Math.round(v * 10) / 10;
/** media_rate to 3 decimals */
const RATE_DIGITS = 1000;

/**
 * Reason given when the sample is complete. One shared value: `abort()` without a reason builds a
 * DOMException (with a captured stack) on every probe, which showed in the worker profile.
 */
const SAMPLE_COMPLETE = Object.freeze({ name: 'SampleComplete', message: 'sample complete' });

/**
 * One network probe: fetch the stream over a fresh connection, parse FLV as bytes arrive, measure the
 * network phases, stalls and the viewer model, and return one plain result (no media bytes).
 * Never rejects on stream or network trouble: every failure is a reason from SPEC §4's closed set.
 */
export async function runProbe(
  job: ProbeJob,
  externalSignal?: AbortSignal,
  /** given: the content check is handed over running and the probe's result does not wait for it */
  checkStarted?: (check: Promise<ContentResult>) => void,
): Promise<ProbeResult> {
  // The hard deadline: a plain timer cleared when the probe ends. AbortSignal.timeout() would leave its
  // timer and signal alive until the deadline passes, past every probe that ends on time (all of them),
  // and AbortSignal.any() registers in a FinalizationRegistry per call.
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(
    () => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    job.deadlineMs,
  );
  const signal = externalSignal ? AbortSignal.any([deadline.signal, externalSignal]) : deadline.signal;
  const stop = new AbortController();
  const t0 = performance.now();
  // the worker's wall clock, for the wall clock a stream carries (onFI): wall = monotonic + offset
  const wallOffsetMs = Date.now() - t0;
  const media = new MediaSummaryBuilder();
  const stalls = new StallTracker(job.stallThresholdMs);
  const player = new PlayerModel({
    t0Ms: t0,
    ...(job.startupBufferMs !== undefined ? { startupBufferMs: job.startupBufferMs } : {}),
  });
  let now = t0;
  let firstKeyframeAt: number | undefined;
  let keyframes = 0;
  let sampleStart: number | undefined;
  let sampleTimer: NodeJS.Timeout | undefined;

  const latency = new LatencyTracker();
  // only a probe whose content check is due keeps its media
  const recorder = job.content ? new SampleRecorder(job.content.maxSampleBytes) : undefined;
  const demuxer = new FlvDemuxer((event) => {
    media.add(event);
    if (event.type === 'video-frame') {
      player.onFrame(now, event.dts);
      latency.onFrame(now, event.dts, event.keyframe);
      if (event.keyframe) {
        keyframes++;
        firstKeyframeAt ??= now;
      }
    } else if (event.type === 'script' && event.name === STREAM_CLOCK_SCRIPT_NAME) {
      const streamWall = streamClockMs(event.value);
      if (streamWall !== undefined) latency.onStreamClock(now + wallOffsetMs, streamWall);
    }
  });

  // The sample lasts sampleMs from the first byte, extended up to 2 × sampleMs while keyframes are missing.
  const armSampleTimer = () => {
    sampleTimer = setTimeout(() => {
      if (keyframes >= job.minKeyframes) return stop.abort(SAMPLE_COMPLETE);
      sampleTimer = setTimeout(() => stop.abort(SAMPLE_COMPLETE), job.sampleMs);
    }, job.sampleMs);
  };

  // Media arrives as FLV bytes (HTTP-FLV) or as tag bodies (RTMP): the source decides, the parse is the same.
  let tags = 0;
  const afterMedia = (): 'continue' | 'stop' => {
    if (demuxer.failed) return 'stop';
    if (sampleStart === undefined) return 'continue';
    const elapsed = now - sampleStart;
    if (elapsed >= 2 * job.sampleMs || (elapsed >= job.sampleMs && keyframes >= job.minKeyframes)) return 'stop';
    return 'continue';
  };
  let outcome: SourceOutcome;
  try {
    outcome = await readSource({
      url: job.url,
      signal,
      stopSignal: stop.signal,
      ...(job.headers ? { headers: job.headers } : {}),
      ...(job.userAgent ? { userAgent: job.userAgent } : {}),
      ...(job.insecureTls ? { insecureTls: true } : {}),
      ...(job.connectAddress ? { connectAddress: job.connectAddress } : {}),
      ...(job.maxRedirects !== undefined ? { maxRedirects: job.maxRedirects } : {}),
      ...(job.connectTimeoutMs ? { connectTimeoutMs: job.connectTimeoutMs } : {}),
      ...(job.headersTimeoutMs ? { headersTimeoutMs: job.headersTimeoutMs } : {}),
      ...(job.firstByteTimeoutMs ? { firstByteTimeoutMs: job.firstByteTimeoutMs } : {}),
      ...(job.idleTimeoutMs ? { idleTimeoutMs: job.idleTimeoutMs } : {}),
      sink: {
        onRead(at) {
          now = at;
          if (sampleStart === undefined) {
            sampleStart = at;
            armSampleTimer();
          }
          stalls.onRead(at);
        },
        onBytes(bytes, start, end) {
          recorder?.bytes(bytes.subarray(start, end));
          demuxer.push(bytes, start, end);
          return afterMedia();
        },
        onTag(tagType, timestamp, body) {
          tags++;
          recorder?.tag(tagType, timestamp, body);
          demuxer.pushTag(tagType, timestamp, body);
          return afterMedia();
        },
        onTagStart(tagType, timestamp, size) {
          tags++;
          recorder?.startTag(tagType, timestamp, size);
          demuxer.startTag(tagType, timestamp, size);
          return afterMedia();
        },
        onTagData(piece) {
          recorder?.tagData(piece);
          demuxer.push(piece);
          return afterMedia();
        },
      },
    });
  } finally {
    clearTimeout(sampleTimer);
    clearTimeout(deadlineTimer);
  }

  const summary = media.summary();
  const result = emptyResult(redactUrl(job.url));
  applyMediaSummary(result, summary);
  // what the request carried: a server may echo any of it back into the error message
  const secrets = requestSecrets(job.url, job.headers);
  if (outcome.status !== undefined) result.http_status = outcome.status;
  if (outcome.playStarted) result.play_started = true;
  if (outcome.handshakeMs !== undefined) result.handshake_ms = round1(outcome.handshakeMs);
  if (outcome.redirects > 0) result.redirects = outcome.redirects;
  if (outcome.dnsMs !== undefined) result.dns_ms = round1(outcome.dnsMs);
  if (outcome.connectMs !== undefined) result.connect_ms = round1(outcome.connectMs);
  if (outcome.tlsMs !== undefined) result.tls_ms = round1(outcome.tlsMs);
  if (outcome.responseMs !== undefined) result.response_ms = round1(outcome.responseMs);
  if (outcome.ttfbMs !== undefined) result.ttfb_ms = round1(outcome.ttfbMs);
  if (firstKeyframeAt !== undefined) result.first_frame_ms = round1(firstKeyframeAt - t0);
  result.bytes = outcome.bodyBytes;

  if (outcome.firstByteAt !== undefined) {
    const end = outcome.endedAt;
    const sampleMs = end - outcome.firstByteAt;
    result.sample_ms = round1(sampleMs);
    if (sampleMs > 0) result.throughput_bps = Math.round((outcome.bodyBytes * 8 * 1000) / sampleMs);
    const s = stalls.finish(end, outcome.firstByteAt);
    if (s)
      result.stalls = {
        count: s.count,
        max_ms: round1(s.max_ms),
        total_ms: round1(s.total_ms),
        ratio: Math.round(s.ratio * 1000) / 1000,
      };
    const p = player.finish(end);
    if (p) {
      result.player = {
        rebuffer_count: p.rebuffer_count,
        rebuffer_ms: round1(p.rebuffer_ms),
        rebuffer_ratio: Math.round(p.rebuffer_ratio * 1000) / 1000,
      };
      if (p.startup_ms !== undefined) result.player.startup_ms = round1(p.startup_ms);
    }
    const l = roundLatency(latency.finish());
    if (Object.keys(l).length > 0) result.latency = l;
  }

  const failure = classify(outcome, summary, demuxer.insideUnit, keyframes, job.minKeyframes, tags > 0);
  if (failure) {
    result.reason = failure.reason;
    result.error = redactText(failure.message, secrets);
  }
  result.ok = failure === undefined;
  // a check needs pictures: a probe that failed before any video frame has nothing to decode
  if (recorder && job.content && summary.video.frames > 0) {
    const check = runContentCheck(recorder.finish(), job.content);
    if (checkStarted) checkStarted(check);
    else result.content = await check;
  }
  return result;
}

function roundLatency(l: LatencySummary): LatencySummary {
  const out: LatencySummary = {};
  if (l.start_lag_ms !== undefined) out.start_lag_ms = round1(l.start_lag_ms);
  if (l.media_rate !== undefined) out.media_rate = Math.round(l.media_rate * RATE_DIGITS) / RATE_DIGITS;
  if (l.keyframe_interval_max_ms !== undefined) out.keyframe_interval_max_ms = round1(l.keyframe_interval_max_ms);
  if (l.latency_ms !== undefined) out.latency_ms = round1(l.latency_ms);
  return out;
}

/** The one reason a probe failed, or undefined when the sample is good. */
function classify(
  outcome: SourceOutcome,
  media: MediaSummary,
  insideUnit: boolean,
  keyframes: number,
  minKeyframes: number,
  /** media came as tag bodies (RTMP): there is no FLV file header to wait for */
  framedTags: boolean,
): { reason: FailureReason; message: string } | undefined {
  if (media.fatal) {
    return media.fatal.code === 'bad_signature'
      ? {
          reason: 'not_flv',
          message: `${media.fatal.message}${outcome.contentType ? ` (Content-Type ${outcome.contentType})` : ''}`,
        }
      : { reason: 'parse_error', message: media.fatal.message };
  }
  const gotBody = outcome.firstByteAt !== undefined;
  if (outcome.error) {
    // Silence after the body began says more about the stream than the timer that noticed it.
    if (gotBody && outcome.error.reason === 'timeout' && media.video.frames === 0) {
      return insideUnit
        ? {
            reason: 'truncated',
            message: `the stream stopped inside a tag after ${outcome.bodyBytes} bytes (${outcome.error.message})`,
          }
        : { reason: 'no_video', message: `no video frames before the stream went silent (${outcome.error.message})` };
    }
    return outcome.error;
  }
  if (!media.flv_header && !framedTags && outcome.playStarted !== true) {
    const message = `the body ended after ${outcome.bodyBytes} bytes, before a whole FLV header`;
    return { reason: 'truncated', message };
  }
  if (outcome.endedBy === 'eof') {
    if (insideUnit || media.video.frames === 0) {
      return media.video.frames === 0 && !insideUnit
        ? { reason: 'no_video', message: 'the server closed the stream before any video frame' }
        : {
            reason: 'truncated',
            message: `the server closed the stream inside a tag after ${outcome.bodyBytes} bytes`,
          };
    }
    return {
      reason: 'truncated',
      message: `the server closed the stream after ${outcome.bodyBytes} bytes, before the sample ended`,
    };
  }
  if (media.video.frames === 0) {
    return {
      reason: 'no_video',
      message:
        media.audio.frames > 0
          ? `audio only: ${media.audio.frames} audio frames, no video`
          : 'no video frames in the sample',
    };
  }
  if (keyframes < minKeyframes)
    return { reason: 'no_keyframe', message: `${keyframes} keyframe(s) in the sample, ${minKeyframes} needed` };
  return undefined;
}
