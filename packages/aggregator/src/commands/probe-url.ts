import {
  isRtmpUrl,
  PROBE_URL_SCHEMES,
  PROBE_URL_SCHEMES_TEXT,
  type ProbeResult,
  rtmpUrlProblem,
  runProbe,
} from '@video-exporter/probe-worker';
import { scoreSingleProbe } from '../scoring/single-probe.js';
import type { ProbeCommandOptions } from './probe.js';
import { cliContentJob } from './probe-content.js';
import { UsageError } from './usage.js';

/** Defaults of a one-off probe: the config file's defaults (SPEC §3). */
const DEFAULT_DURATION_S = 10;
const STALL_THRESHOLD_MS = 200;

/** One network probe through the worker's code, in this thread, with a progress line on a TTY. */
export async function probeUrlOnce(o: ProbeCommandOptions): Promise<ProbeResult> {
  let url: URL;
  try {
    url = new URL(o.target);
  } catch {
    throw new UsageError('malformed URL');
  }
  const scheme = url.protocol.slice(0, -1);
  if (!PROBE_URL_SCHEMES.includes(scheme)) {
    throw new UsageError(`unsupported URL scheme "${scheme}": only ${PROBE_URL_SCHEMES_TEXT}`);
  }
  const rtmpProblem = isRtmpUrl(o.target) ? rtmpUrlProblem(o.target) : undefined;
  if (rtmpProblem !== undefined) throw new UsageError(`${rtmpProblem} (expected rtmp://host[:port]/app/stream)`);
  const sampleMs = (o.durationS ?? DEFAULT_DURATION_S) * 1000;
  const tty = process.stderr.isTTY && !o.json;
  const started = Date.now();
  const progress = tty
    ? setInterval(
        () => process.stderr.write(`\rprobing… ${((Date.now() - started) / 1000).toFixed(0)} s / ${sampleMs / 1000} s`),
        250,
      )
    : undefined;
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    const result = await runProbe(
      {
        url: o.target,
        sampleMs,
        minKeyframes: o.minKeyframes,
        stallThresholdMs: STALL_THRESHOLD_MS,
        deadlineMs: 2 * sampleMs + 15_000,
        ...(o.content ? { content: cliContentJob() } : {}),
      },
      abort.signal,
    );
    result.scores = scoreSingleProbe(result, {
      minKeyframes: o.minKeyframes,
      local: false,
      flvHeader: result.video.frames > 0,
    });
    return result;
  } finally {
    if (progress) {
      clearInterval(progress);
      process.stderr.write('\r\x1b[K');
    }
    process.off('SIGINT', onSignal);
  }
}
