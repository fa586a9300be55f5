/**
 * SPEC §13 end-to-end: the exporter (child process) probes a black-and-silent stream and a normal one
 * from the project's live source (child process); content checks ride on the probes. Fixtures are made
 * by ffmpeg here, from lavfi sources of explicit duration.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveSourceProcess, startLiveSourceProcess } from '../support/live-source-process.js';
import { tempDir } from './support/config-file.js';
import { ExporterProcess, ROOT, until } from './support/exporter-process.js';
import { getJson, scrape } from './support/http.js';
import { sampleValue as metricValue } from './support/prom-text.js';

const FFMPEG_TIMEOUT_MS = 60_000;
const FIXTURE_SECONDS = 12;
const THUMBNAIL_WIDTH = 160;
const dir = tempDir('content');
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'test-results/wall.png');

function makeFlv(path: string, video: string, audio: string): void {
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
      String(FIXTURE_SECONDS),
      '-i',
      video,
      '-f',
      'lavfi',
      '-t',
      String(FIXTURE_SECONDS),
      '-i',
      audio,
      '-t',
      String(FIXTURE_SECONDS),
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
      '-f',
      'flv',
      '-y',
      path,
    ],
    { timeout: FFMPEG_TIMEOUT_MS, killSignal: 'SIGKILL' },
  );
}

/** the pid of a process that has ended */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('content checks through the exporter', () => {
  const tmp = dir.file('tmp');
  let source: LiveSourceProcess;
  let exporter: ExporterProcess;
  let base: string;

  beforeAll(async () => {
    makeFlv(dir.file('black.flv'), 'color=c=black:s=320x240:r=25', 'anullsrc=r=48000:cl=stereo');
    makeFlv(dir.file('normal.flv'), 'testsrc2=s=320x240:r=25', 'sine=frequency=440:sample_rate=48000');
    source = await startLiveSourceProcess({
      fixtures: { black: dir.file('black.flv'), normal: dir.file('normal.flv') },
    });
    const yaml = [
      'exporter:',
      '  check_interval: 8',
      '  sample_duration: 4',
      '  content_checks:',
      '    enabled: true',
      '    interval: 60',
      '    decode: all',
      `    thumbnail_width: ${THUMBNAIL_WIDTH}`,
      'streams:',
      '  P:',
      '    noc:',
      `      - url: "${source.url}/live/black/s.flv"`,
      '        id: black',
      `      - url: "${source.url}/live/normal/s.flv"`,
      '        id: normal',
      `      - url: "${source.url}/live/normal/o.flv"`,
      '        id: optout',
      '        content_checks: false',
    ].join('\n');
    writeFileSync(dir.file('c.yml'), `${yaml}\n`);
    // its own temp dir, with what a killed earlier run left there (a pid that no longer runs)
    mkdirSync(join(tmp, `video-exporter-${deadPid()}-1764900000000`, 'exporter-1', 'content-x'), { recursive: true });
    exporter = ExporterProcess.spawn(dir.file('c.yml'), { env: { TMPDIR: tmp } });
    base = await exporter.ready(30_000);
  }, 120_000);

  afterAll(async () => {
    await exporter?.stop();
    await source?.close();
    dir.cleanup();
  });

  it('black and silent reads as such, unhealthy; normal' +
    ' stays healthy; thumbnails served; opt-out untouched', async () => {
    const m = await until('both content checks', 60_000, async () => {
      const e = await scrape(base);
      const done = ['black', 'normal'].every(
        (id) => metricValue(e, 'video_stream_content_check_timestamp_seconds', { id }) !== undefined,
      );
      return done ? e : undefined;
    });
    expect(metricValue(m, 'video_stream_black_ratio', { id: 'black' })).toBeGreaterThanOrEqual(0.9);
    expect(metricValue(m, 'video_stream_silence_ratio', { id: 'black' })).toBeGreaterThanOrEqual(0.9);
    expect(metricValue(m, 'video_stream_loudness_lufs', { id: 'black' })).toBe(-70);
    expect(metricValue(m, 'video_stream_healthy', { id: 'black' })).toBe(0);
    expect(metricValue(m, 'video_stream_up', { id: 'black' })).toBe(1);
    expect(metricValue(m, 'video_stream_black_ratio', { id: 'normal' })).toBeLessThanOrEqual(0.1);
    expect(metricValue(m, 'video_stream_frozen_ratio', { id: 'normal' })).toBeLessThanOrEqual(0.1);
    expect(metricValue(m, 'video_stream_black_ratio', { id: 'optout' })).toBeUndefined();
    expect(metricValue(m, 'video_exporter_content_checks_total', { result: 'ok' })).toBeGreaterThanOrEqual(2);

    const jpeg = await fetch(`${base}/api/streams/P/noc/black/thumbnail.jpg`);
    expect(jpeg.status).toBe(200);
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    const bytes = new Uint8Array(await jpeg.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    expect((await fetch(`${base}/api/streams/P/noc/optout/thumbnail.jpg`)).status).toBe(404);

    const status = await getJson<{ content_checks: { enabled: boolean } }>(`${base}/status`);
    expect(status.body.content_checks.enabled).toBe(true);
    const wall = await (await fetch(`${base}/wall`)).text();
    expect(wall).toContain('api/streams/P/noc/black/thumbnail.jpg');
    expect(wall).toMatch(/black 100%|black 9\d%/);
  }, 90_000);

  it('/wall in headless Chromium: a tile per stream with' +
    ' its picture at the configured width and its state', async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
      timeout: 30_000,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const response = await page.goto(`${base}/wall`, { waitUntil: 'load', timeout: 15_000 });
      expect(response?.status()).toBe(200);
      expect(await page.locator('figure.tile').count()).toBe(3);
      const black = page.locator('figure[data-key="P/noc/black"]');
      expect(await black.getAttribute('class')).toContain('warn');
      expect((await black.locator('b').innerText()).toLowerCase()).toMatch(/^black (100|9\d)%$/);
      const width = await black
        .locator('img')
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
      expect(width).toBe(THUMBNAIL_WIDTH);
      const optout = page.locator('figure[data-key="P/noc/optout"] .none');
      expect(await optout.count()).toBe(1);
      expect(await optout.textContent()).toBe('no content checks');
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await browser.close();
    }
  }, 90_000);
  it('check files in its own directory: earlier runs swept at start, its own removed at shutdown', async () => {
    const own = new RegExp(`^video-exporter-${exporter.pid}-\\d+$`);
    // the checks of the tests above made its directory; the earlier run's is gone
    const names = readdirSync(tmp);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(own);
    await exporter.stop();
    expect(readdirSync(tmp)).toEqual([]);
  });
});
