/**
 * SPEC §13 without ffmpeg: `enabled: auto` logs one line, /status says so and probing goes on;
 * `enabled: true` stops the start with one clear message (exit 2).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/config-file.js';
import { ExporterProcess } from './support/exporter-process.js';
import { getJson } from './support/http.js';

const dir = tempDir('content-no-ffmpeg');
const MISSING = '/nonexistent/ffmpeg';

function config(enabled: string): string {
  const path = dir.file(`${enabled}.yml`);
  const yaml = [
    'exporter:',
    '  content_checks:',
    `    enabled: ${enabled}`,
    `    ffmpeg: ${MISSING}`,
    'streams:',
    '  P:',
    '    l:',
    '      - url: "http://127.0.0.1:9/live/a.flv"',
    '        id: a',
  ];
  writeFileSync(path, `${yaml.join('\n')}\n`);
  return path;
}

describe('content checks without ffmpeg', () => {
  afterAll(() => dir.cleanup());

  it('auto: one log line, /status says why, the exporter runs', async () => {
    const exporter = ExporterProcess.spawn(config('auto'));
    try {
      const base = await exporter.ready(30_000);
      const lines = exporter.logs.filter((l) => String(l.message).startsWith('content checks'));
      expect(lines.map((l) => l.message)).toEqual([`content checks off: ffmpeg not found or not working (${MISSING})`]);
      const status = await getJson<{ content_checks: { enabled: boolean; reason: string } }>(`${base}/status`);
      expect(status.body.content_checks).toMatchObject({
        enabled: false,
        reason: `ffmpeg not found or not working (${MISSING})`,
      });
      expect((await fetch(`${base}/api/streams/P/l/a/thumbnail.jpg`)).status).toBe(404);
    } finally {
      await exporter.stop();
    }
  }, 60_000);

  it('true: the start fails with one message, exit 2', async () => {
    const exporter = ExporterProcess.spawn(config('true'));
    const exit = await exporter.exited;
    expect(exit.code).toBe(2);
    expect(exporter.stderr + exporter.logs.map((l) => String(l.message)).join('\n')).toContain(
      `exporter.content_checks.enabled: true, but ffmpeg "${MISSING}" is not found or does not run`,
    );
  }, 60_000);
});
