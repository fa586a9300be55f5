import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ContentCheckJob, DEFAULT_CONTENT_CHECK, runContentCheck } from '../../src/index.js';
import { FFMPEG_TEST_TIMEOUT_MS, makeFlv, SOURCES } from './make-fixture.js';

const CORPUS = join(__dirname, '../../../../tests/fixtures/corpus');
const job: ContentCheckJob = { ...DEFAULT_CONTENT_CHECK, decode: 'all', timeoutMs: 30_000, thumbnailWidth: 160 };
const JPEG_SOI = [0xff, 0xd8];

/** FFmpeg's own integrated loudness of a media file, from its ebur128 summary. */
function ffmpegLoudness(flv: Uint8Array): number {
  const dir = mkdtempSync(join(tmpdir(), 've-loud-'));
  writeFileSync(join(dir, 'a.flv'), flv);
  const r = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-t',
      '30',
      '-i',
      join(dir, 'a.flv'),
      '-map',
      '0:a',
      '-af',
      'ebur128',
      '-f',
      'null',
      '-',
    ],
    {
      timeout: FFMPEG_TEST_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    },
  );
  const m = /Summary:[\s\S]*?I:\s*(-?[\d.]+) LUFS/.exec(r.stderr);
  if (!m) throw new Error(`no ebur128 summary: ${r.stderr.slice(-300)}`);
  return Number(m[1]);
}

/** JPEG width and mean luma via ffmpeg itself (not the code under test). */
function jpegFacts(jpeg: ArrayBuffer): { width: number; yavg: number } {
  const dir = mkdtempSync(join(tmpdir(), 've-jpeg-'));
  const path = join(dir, 't.jpg');
  writeFileSync(path, new Uint8Array(jpeg));
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-show_entries',
      'stream=width:frame_tags=lavfi.signalstats.YAVG',
      '-of',
      'default=nw=1',
      `movie=${path},signalstats`,
    ],
    { timeout: FFMPEG_TEST_TIMEOUT_MS, killSignal: 'SIGKILL', encoding: 'utf8' },
  );
  return { width: Number(/width=(\d+)/.exec(out)?.[1]), yavg: Number(/YAVG=([\d.]+)/.exec(out)?.[1]) };
}

function fakeFfmpeg(body: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 've-fake-ffmpeg-')), 'ffmpeg');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('content check: loudness, thumbnails, Enhanced FLV, broken decoders', () => {
  const tone = makeFlv(SOURCES.moving, SOURCES.tone);
  const black = makeFlv(SOURCES.black, SOURCES.silence);

  it('integrated loudness is within 1.5 LU of ffmpeg ebur128 on the same media', async () => {
    const r = await runContentCheck(tone, job);
    expect(r.result, r.error).toBe('ok');
    expect(Math.abs(r.loudness_lufs! - ffmpegLoudness(tone))).toBeLessThanOrEqual(1.5);
  });

  it('the thumbnail is a JPEG of the configured width, dark for a black picture, bright otherwise', async () => {
    const dark = await runContentCheck(black, job);
    const bright = await runContentCheck(tone, job);
    expect([...new Uint8Array(dark.thumbnail!).subarray(0, 2)]).toEqual(JPEG_SOI);
    const d = jpegFacts(dark.thumbnail!);
    expect(d.width).toBe(160);
    expect(d.yavg).toBeLessThan(30);
    expect(jpegFacts(bright.thumbnail!).yavg).toBeGreaterThan(50);
  });

  for (const file of ['hevc_aac.flv', 'av1_aac.flv']) {
    it(`${file}: FFmpeg 5.1's FLV reader fails on it, our check decodes it`, async () => {
      const path = join(CORPUS, file);
      const own = spawnSync(
        'ffmpeg',
        ['-hide_banner', '-nostdin', '-t', '5', '-i', path, '-map', '0:v', '-f', 'null', '-'],
        {
          timeout: FFMPEG_TEST_TIMEOUT_MS,
          killSignal: 'SIGKILL',
          encoding: 'utf8',
        },
      );
      expect(own.status).not.toBe(0);
      const r = await runContentCheck(readFileSync(path), job);
      expect(r.result, r.error).toBe('ok');
      expect(r.black_ratio).toBeDefined();
      expect(r.thumbnail).toBeInstanceOf(ArrayBuffer);
    });
  }

  it('a decoder that crashes, hangs or prints garbage fails that one check', async () => {
    const crash = await runContentCheck(tone, { ...job, ffmpeg: fakeFfmpeg('kill -SEGV $$') });
    expect(crash.result).toBe('failed');
    const hang = await runContentCheck(tone, { ...job, ffmpeg: fakeFfmpeg('exec sleep 30'), timeoutMs: 500 });
    expect(hang.result).toBe('timeout');
    const garbage = await runContentCheck(tone, {
      ...job,
      ffmpeg: fakeFfmpeg('echo "black_start:x freeze_end: nan \\xff" >&2; exit 0'),
    });
    expect(garbage.result).toBe('failed');
    const missing = await runContentCheck(tone, { ...job, ffmpeg: '/nonexistent/ffmpeg' });
    expect(missing.result).toBe('failed');
    const good = await runContentCheck(tone, job);
    expect(good.result).toBe('ok');
  });
});
