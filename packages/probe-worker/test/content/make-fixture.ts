import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every ffmpeg a test spawns is killed past this (and every lavfi source has an explicit duration). */
export const FFMPEG_TEST_TIMEOUT_MS = 60_000;
export const FIXTURE_SECONDS = 6;

/**
 * An FLV (H.264 / AAC, 1 s GOP) made by ffmpeg from lavfi sources of explicit duration. Constant QP: with
 * rate control every IDR of a still picture differs a little, which a real frozen encoder may not do.
 */
export function makeFlv(video: string, audio: string, seconds = FIXTURE_SECONDS): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 've-content-fixture-'));
  const out = join(dir, 'f.flv');
  try {
    execFileSync(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-f',
        'lavfi',
        '-t',
        String(seconds),
        '-i',
        video,
        '-f',
        'lavfi',
        '-t',
        String(seconds),
        '-i',
        audio,
        '-t',
        String(seconds),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-qp',
        '23',
        '-g',
        '25',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-b:a',
        '96k',
        '-f',
        'flv',
        out,
      ],
      { timeout: FFMPEG_TEST_TIMEOUT_MS, killSignal: 'SIGKILL' },
    );
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const SOURCES = {
  black: 'color=c=black:s=320x240:r=25',
  /** a still, non-black picture: one testsrc2 frame looped */
  frozen: 'testsrc2=s=320x240:r=25,trim=end_frame=1,loop=loop=-1:size=1,setpts=N/25/TB',
  moving: 'testsrc2=s=320x240:r=25',
  silence: 'anullsrc=r=48000:cl=stereo',
  tone: 'sine=frequency=440:sample_rate=48000',
} as const;
