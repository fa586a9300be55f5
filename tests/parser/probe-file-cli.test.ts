import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['packages/aggregator/dist/cli.js', ...args], { cwd: root, encoding: 'utf8' });

describe('video-exporter probe FILE', () => {
  it('prints SPEC §7 JSON for an Enhanced HEVC file and exits 0', () => {
    const r = cli('probe', 'tests/fixtures/corpus/hevc_aac.flv', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      url: 'tests/fixtures/corpus/hevc_aac.flv',
      ok: true,
      packets: { total: 215, video: 120, audio: 95 },
      video: { codec: 'H.265', profile: 'Main', width: 3840, height: 2160, frames: 120, keyframes: 1 },
      audio: { codec: 'AAC', sample_rate: 48000, channels: 2, frames: 95 },
      timestamps: { discontinuities: 0 },
      scores: { up: true, playable: false },
    });
    expect(out.video.framerate).toBeCloseTo(60, 0);
    // local files have no network or player figures: absent, not zero
    for (const k of ['http_status', 'response_ms', 'ttfb_ms', 'first_frame_ms', 'stalls', 'player'])
      expect(out).not.toHaveProperty(k);
  });

  it('gives a file only the media part of SPEC §12: the longest keyframe interval', () => {
    const r = cli('probe', 'tests/fixtures/live/live_720p25.flv', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    // the fixture's GOP is 2 s (its gop_seconds, read by the media summary)
    expect(out.video.gop_seconds).toBe(2);
    expect(out.latency).toEqual({ keyframe_interval_max_ms: 2000 });
  });

  it('prints a human summary', () => {
    const r = cli('probe', 'tests/fixtures/h264/h264_1080p25_high_aac.flv');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('H.264 High@4');
    expect(r.stdout).toContain('1920x1080');
  });

  it('exits 1 for a file that is not FLV, 2 for usage errors', () => {
    const notFlv = cli('probe', 'README.md', '--json');
    expect(notFlv.status).toBe(1);
    expect(JSON.parse(notFlv.stdout)).toMatchObject({ ok: false, reason: 'not_flv' });
    expect(cli('probe').status).toBe(2);
    expect(cli('probe', 'no-such-file.flv').status).toBe(2);
    expect(cli('probe', 'x.flv', '--bogus').status).toBe(2);
    expect(cli('frobnicate').status).toBe(2);
  });
});
