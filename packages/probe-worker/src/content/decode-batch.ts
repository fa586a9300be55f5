import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { batchFiles, ffmpegArgs } from './ffmpeg-command.js';
import type { PreparedCheck } from './prepare-check.js';
import { runFfmpeg } from './run-ffmpeg.js';
import type { ContentCheckJob } from './settings.js';
import { makeContentTempDir } from './temp-dirs.js';

/** What the decoder left for one check of a batch. */
export type DecoderOutput =
  | { outcome: 'ok'; videoMeta: string | null; audioMeta: string | null; thumbnail: ArrayBuffer | null }
  | { outcome: 'failed' | 'timeout'; error: string };

/** A detector file larger than this is garbage (a 10 s sample's is a few tens of KiB). */
const MAX_META_BYTES = 4 * 1024 * 1024;
/** A thumbnail larger than this is not returned (a 320-px JPEG is a few tens of KiB). */
const MAX_THUMBNAIL_BYTES = 1024 * 1024;
const ERROR_TAIL_CHARS = 200;

/**
 * One ffmpeg process over a batch of checks. When it fails as a whole (a crash, a hang, an input it
 * cannot open), each check is decoded again on its own, so a bad stream costs its own check and nothing
 * else; a single check's failure is final.
 */
export async function decodeBatch(checks: readonly PreparedCheck[], job: ContentCheckJob): Promise<DecoderOutput[]> {
  const whole = await decodeOnce(checks, job);
  if (Array.isArray(whole)) return whole;
  if (checks.length === 1) return [whole];
  return Promise.all(checks.map((c) => decodeOnce([c], job).then((o) => (Array.isArray(o) ? o[0]! : o))));
}

/** The outputs of every check, or the one failure of the whole process. */
async function decodeOnce(
  checks: readonly PreparedCheck[],
  job: ContentCheckJob,
): Promise<DecoderOutput[] | DecoderOutput> {
  const cwd = await makeContentTempDir(job.tempDir, 'decoder');
  try {
    const run = await runFfmpeg(job.ffmpeg, ffmpegArgs(job, checks), job.timeoutMs, cwd);
    if (run.outcome === 'timeout') return { outcome: 'timeout', error: `ffmpeg ran past ${job.timeoutMs} ms` };
    if (run.outcome === 'spawn_error' || run.code !== 0) {
      const tail = run.stderr.trim().split('\n').slice(-1)[0] ?? '';
      return {
        outcome: 'failed',
        error: run.message ?? `ffmpeg exited with ${run.code}: ${tail.slice(0, ERROR_TAIL_CHARS)}`,
      };
    }
    return await Promise.all(
      checks.map(async (c, i): Promise<DecoderOutput> => {
        const files = batchFiles(i);
        const thumbnail = c.thumbnail ? await readBounded(join(cwd, files.thumbnail), MAX_THUMBNAIL_BYTES) : null;
        return {
          outcome: 'ok',
          videoMeta: c.video ? await readText(join(cwd, files.video)) : null,
          audioMeta: c.audio ? await readText(join(cwd, files.audio)) : null,
          thumbnail: thumbnail && thumbnail.byteLength > 0 ? thumbnail : null,
        };
      }),
    );
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

async function readText(path: string): Promise<string | null> {
  const b = await readBounded(path, MAX_META_BYTES);
  return b === null ? null : Buffer.from(b).toString('latin1');
}

/** The file's bytes, or null when it is missing or larger than `max`. */
async function readBounded(path: string, max: number): Promise<ArrayBuffer | null> {
  const f = await open(path, 'r').catch(() => null);
  if (f === null) return null;
  try {
    const { size } = await f.stat();
    if (size > max) return null;
    const buf = Buffer.alloc(size);
    await f.read(buf, 0, size, 0);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + size);
  } finally {
    await f.close();
  }
}
