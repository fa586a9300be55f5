import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ElementaryStreams, extractElementaryStreams } from './elementary-streams.js';
import { ffmpegArgs } from './ffmpeg-command.js';
import { parseDetectors } from './ffmpeg-output.js';
import { ivfFileHeader, ivfFrameHeader } from './ivf.js';
import { runFfmpeg } from './run-ffmpeg.js';
import type { ContentCheckJob } from './settings.js';

/** SPEC §13 result of one check; ratios are shares of the checked media time. */
export interface ContentResult {
  result: 'ok' | 'failed' | 'timeout';
  error?: string;
  /** wall time the check took, ms */
  duration_ms: number;
  black_ratio?: number;
  frozen_ratio?: number;
  silence_ratio?: number;
  loudness_lufs?: number;
  /** the JPEG of the last keyframe (bounded); structured-clone safe */
  thumbnail?: ArrayBuffer;
}

/** A thumbnail larger than this is not returned (a 320-px JPEG is a few tens of KiB). */
const MAX_THUMBNAIL_BYTES = 1024 * 1024;
const RATIO_DIGITS = 1000;
const MS_PER_S = 1000;
/** IVF header picture size: the decoders take the real size from the bitstream */
const IVF_PLACEHOLDER_SIZE = 0;

const HEVC_FOURCC = 'HEVC';
/** the lowest rate a raw input is read at (a keyframes-only sample has about one frame in seconds) */
const MIN_FRAMERATE = 0.01;

const ratio = (part: number, whole: number) => Math.round(Math.min(1, part / whole) * RATIO_DIGITS) / RATIO_DIGITS;

/**
 * One content check over a recorded FLV sample: elementary streams into temp files of a private temp
 * dir (ffmpeg can then probe them at leisure; no pipe deadlocks), one ffmpeg run, its stderr read back.
 */
export async function runContentCheck(flv: Uint8Array, job: ContentCheckJob): Promise<ContentResult> {
  const t0 = performance.now();
  const es = extractElementaryStreams(flv, job.decode);
  const took = () => Math.round(performance.now() - t0);
  if (!es.video && !es.audio)
    return { result: 'failed', error: 'no decodable media in the sample', duration_ms: took() };
  const dir = await mkdtemp(join(tmpdir(), 'video-exporter-content-'));
  try {
    const inputs = await writeInputs(dir, es);
    const thumbnailPath = es.video && job.thumbnailWidth > 0 ? join(dir, 'thumb.jpg') : null;
    const frames = es.video?.frames ?? [];
    let lastKeyIndex = frames.length - 1;
    while (lastKeyIndex > 0 && !frames[lastKeyIndex]!.key) lastKeyIndex--;
    const args = ffmpegArgs(job, { ...inputs, thumbnailPath, lastKeyIndex });
    const run = await runFfmpeg(job.ffmpeg, args, job.timeoutMs);
    if (run.outcome === 'timeout')
      return { result: 'timeout', error: `ffmpeg ran past ${job.timeoutMs} ms`, duration_ms: took() };
    if (run.outcome === 'spawn_error' || run.code !== 0) {
      const tail = run.stderr.trim().split('\n').slice(-1)[0] ?? '';
      const error = run.message ?? `ffmpeg exited with ${run.code}: ${tail.slice(0, 200)}`;
      return { result: 'failed', error, duration_ms: took() };
    }
    const videoS = (es.video?.spanMs ?? 0) / MS_PER_S;
    const audioS = (es.audio?.spanMs ?? 0) / MS_PER_S;
    const framesS = (es.video?.frames ?? []).map((f) => f.ptsMs / MS_PER_S).sort((a, b) => a - b);
    const d = parseDetectors(run.stderr, videoS, audioS, framesS);
    const out: ContentResult = { result: 'ok', duration_ms: 0 };
    if (es.video && videoS > 0) {
      out.black_ratio = ratio(d.blackS, videoS);
      out.frozen_ratio = ratio(d.frozenS, videoS);
    }
    if (es.audio && audioS > 0) {
      out.silence_ratio = ratio(d.silentS, audioS);
      if (d.loudnessLufs !== undefined) out.loudness_lufs = d.loudnessLufs;
    }
    if (es.audio && d.loudnessLufs === undefined)
      return { result: 'failed', error: 'ffmpeg printed no loudness summary', duration_ms: took() };
    if (thumbnailPath) {
      const jpeg = await readFile(thumbnailPath).catch(() => null);
      if (jpeg && jpeg.length > 0 && jpeg.length <= MAX_THUMBNAIL_BYTES) {
        out.thumbnail = jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.length);
      }
    }
    out.duration_ms = took();
    return out;
  } catch (e) {
    return { result: 'failed', error: (e as Error).message, duration_ms: took() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeInputs(dir: string, es: ElementaryStreams) {
  let video: { path: string; format: 'ivf' | 'hevc'; framerate: number } | null = null;
  let audio: { path: string; format: 'adts' | 'mp3' } | null = null;
  if (es.video) {
    const { frames, fourcc, spanMs } = es.video;
    const framerate = Math.max(MIN_FRAMERATE, (frames.length * MS_PER_S) / Math.max(1, spanMs));
    if (fourcc === HEVC_FOURCC) {
      video = { path: join(dir, 'video.hevc'), format: 'hevc', framerate };
      await writeFile(
        video.path,
        frames.map((f) => f.data),
      );
    } else {
      const parts: Uint8Array[] = [ivfFileHeader(fourcc, IVF_PLACEHOLDER_SIZE, IVF_PLACEHOLDER_SIZE, frames.length)];
      for (const f of frames) parts.push(ivfFrameHeader(f.data.length, f.ptsMs), f.data);
      video = { path: join(dir, 'video.ivf'), format: 'ivf', framerate };
      await writeFile(video.path, parts);
    }
  }
  if (es.audio) {
    audio = { path: join(dir, es.audio.format === 'adts' ? 'audio.aac' : 'audio.mp3'), format: es.audio.format };
    await writeFile(audio.path, es.audio.chunks);
  }
  return { video, audio };
}
