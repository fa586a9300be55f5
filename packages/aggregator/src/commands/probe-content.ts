import { writeFile } from 'node:fs/promises';
import {
  type ContentCheckJob,
  type ContentResult,
  DEFAULT_CONTENT_CHECK,
  type ProbeResult,
  runContentCheck,
} from '@video-exporter/probe-worker';
import { defaultContentChecks } from '../config/validate-content-checks.js';
import { UsageError } from './usage.js';

/**
 * `probe --content`: the config file's content-check defaults (SPEC §13), but decoding every frame: one
 * check costs little, and a sample with a single keyframe (long GOP) gives keyframes mode nothing to
 * measure a run on.
 */
export function cliContentJob(): ContentCheckJob {
  const c = defaultContentChecks();
  return {
    ...DEFAULT_CONTENT_CHECK,
    ffmpeg: c.ffmpeg,
    decode: 'all',
    timeoutMs: c.timeout * 1000,
    thumbnailWidth: c.thumbnail_width,
  };
}

/** A file probe's content check: the same check a live probe carries, over the file's bytes. */
export async function checkFileContent(result: ProbeResult, bytes: Uint8Array): Promise<void> {
  if (result.video.frames > 0) result.content = await runContentCheck(bytes, cliContentJob());
}

/** The `content` of `--json` (SPEC §13) and the JPEG written to `--thumbnail`. */
export async function finishContent(
  result: ProbeResult,
  thumbnailPath: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  const c: ContentResult | undefined = result.content;
  if (!c) return undefined;
  if (thumbnailPath !== undefined) {
    if (!c.thumbnail)
      throw new UsageError(`no thumbnail to write to ${thumbnailPath}: ${c.error ?? 'the check made none'}`);
    await writeFile(thumbnailPath, new Uint8Array(c.thumbnail));
  }
  const out: Record<string, unknown> = {
    result: c.result,
    black_ratio: c.black_ratio,
    frozen_ratio: c.frozen_ratio,
    silence_ratio: c.silence_ratio,
    loudness_lufs: c.loudness_lufs,
  };
  if (c.error) out.error = c.error;
  return out;
}

/** One line for the text summary. */
export function contentLine(c: Record<string, unknown>): string {
  const pct = (v: unknown) => (typeof v === 'number' ? `${Math.round(v * 100)}%` : '—');
  const lufs = typeof c.loudness_lufs === 'number' ? `${c.loudness_lufs} LUFS` : '—';
  const head = c.result === 'ok' ? '' : ` (${String(c.result)}: ${String(c.error ?? '')})`;
  return (
    `content: black ${pct(c.black_ratio)}, frozen ${pct(c.frozen_ratio)}, silent ${pct(c.silence_ratio)},` +
    ` loudness ${lufs}${head}`
  );
}
