/**
 * SPEC §13 CLI: `probe FILE --content --thumbnail out.jpg --json` on media made by ffmpeg here; the
 * result is compared with what ffmpeg itself says about the JPEG.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/config-file.js';
import { CLI } from './support/exporter-process.js';

const TIMEOUT_MS = 60_000;
const dir = tempDir('probe-content');

describe('probe --content', () => {
  afterAll(() => dir.cleanup());

  it('prints content ratios in --json and writes the thumbnail', () => {
    const flv = dir.file('black.flv');
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
        '6',
        '-i',
        'color=c=black:s=320x240:r=25',
        '-f',
        'lavfi',
        '-t',
        '6',
        '-i',
        'anullsrc=r=48000',
        '-t',
        '6',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-c:a',
        'aac',
        '-f',
        'flv',
        '-y',
        flv,
      ],
      { timeout: TIMEOUT_MS, killSignal: 'SIGKILL' },
    );
    const jpeg = dir.file('t.jpg');
    const r = spawnSync(process.execPath, [CLI, 'probe', flv, '--content', '--thumbnail', jpeg, '--json'], {
      timeout: TIMEOUT_MS,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    });
    const out = JSON.parse(r.stdout) as { content: Record<string, number> };
    expect(Object.keys(out.content).sort()).toEqual([
      'black_ratio',
      'frozen_ratio',
      'loudness_lufs',
      'result',
      'silence_ratio',
    ]);
    expect(out.content.black_ratio).toBeGreaterThanOrEqual(0.9);
    expect(out.content.silence_ratio).toBeGreaterThanOrEqual(0.9);
    expect(out.content.loudness_lufs).toBe(-70);
    expect([...readFileSync(jpeg).subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const width = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width', '-of', 'csv=p=0', jpeg], {
      timeout: TIMEOUT_MS,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    });
    expect(Number(width.trim())).toBe(320);
  });

  it('--thumbnail without --content is a usage error', () => {
    const r = spawnSync(process.execPath, [CLI, 'probe', 'x.flv', '--thumbnail', 'x.jpg'], {
      timeout: TIMEOUT_MS,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--thumbnail needs --content');
  });
});
