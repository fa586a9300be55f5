import { rm } from 'node:fs/promises';
import { DecoderBatcher } from './batcher.js';
import type { DecoderOutput } from './decode-batch.js';
import { parseDetectors } from './ffmpeg-output.js';
import { type PreparedCheck, prepareCheck } from './prepare-check.js';
import type { ContentCheckJob } from './settings.js';

/** SPEC §13 result of one check; ratios are shares of the checked media time. */
export interface ContentResult {
  result: 'ok' | 'failed' | 'timeout';
  error?: string;
  /** wall time the check took, ms (with the wait for a shared decoder) */
  duration_ms: number;
  black_ratio?: number;
  frozen_ratio?: number;
  silence_ratio?: number;
  loudness_lufs?: number;
  /** the JPEG of the last keyframe (bounded); structured-clone safe */
  thumbnail?: ArrayBuffer;
}

const RATIO_DIGITS = 1000;
const ratio = (part: number, whole: number) => Math.round(Math.min(1, part / whole) * RATIO_DIGITS) / RATIO_DIGITS;

/** one per worker thread: the checks of all its probes share its decoders */
const batcher = new DecoderBatcher();

/**
 * One content check over a recorded FLV sample: elementary streams into files of a private temp dir, a
 * place in a (shared) ffmpeg run, what the detectors set on the frames read back.
 */
export async function runContentCheck(flv: Uint8Array, job: ContentCheckJob): Promise<ContentResult> {
  const t0 = performance.now();
  const took = () => Math.round(performance.now() - t0);
  let check: PreparedCheck | string | undefined;
  try {
    check = await prepareCheck(flv, job);
    if (typeof check === 'string') return { result: 'failed', error: check, duration_ms: took() };
    const out = toResult(check, await batcher.submit(check, job));
    out.duration_ms = took();
    return out;
  } catch (e) {
    return { result: 'failed', error: (e as Error).message, duration_ms: took() };
  } finally {
    if (typeof check === 'object') await rm(check.dir, { recursive: true, force: true });
  }
}

/** The check's figures from what the decoder wrote; duration_ms is the caller's. */
function toResult(check: PreparedCheck, o: DecoderOutput): ContentResult {
  if (o.outcome !== 'ok') return { result: o.outcome, error: o.error, duration_ms: 0 };
  const { video, audio } = check;
  if ((video && o.videoMeta === null) || (audio && o.audioMeta === null))
    return { result: 'failed', error: 'ffmpeg wrote no detector output', duration_ms: 0 };
  const d = parseDetectors(o.videoMeta ?? '', o.audioMeta ?? '', video?.spanS ?? 0, audio?.spanS ?? 0, video?.framesS);
  if (audio && d.loudnessLufs === undefined)
    return { result: 'failed', error: 'ffmpeg measured no loudness', duration_ms: 0 };
  const out: ContentResult = { result: 'ok', duration_ms: 0 };
  if (video && video.spanS > 0) {
    out.black_ratio = ratio(d.blackS, video.spanS);
    out.frozen_ratio = ratio(d.frozenS, video.spanS);
  }
  if (audio && audio.spanS > 0) out.silence_ratio = ratio(d.silentS, audio.spanS);
  if (d.loudnessLufs !== undefined) out.loudness_lufs = d.loudnessLufs;
  if (o.thumbnail) out.thumbnail = o.thumbnail;
  return out;
}
