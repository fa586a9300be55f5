/**
 * A real Prometheus (the Debian package) scrapes the exporter: the series arrive with the labels SPEC §6
 * promises (project, line, id and the allowed tags; Prometheus itself drops labels whose value is empty).
 */

import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../deploy/support/stack.js';
import { configYaml, type StreamSpec, tempDir } from './support/config-file.js';
import { ExporterProcess, LIVE_FIXTURE, spawnTracked, stopChild, until } from './support/exporter-process.js';
import { getJson } from './support/http.js';

const PROMETHEUS = '/usr/bin/prometheus';
const JOB = 'video-exporter';

interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

describe('scraped by a real Prometheus', () => {
  const dir = tempDir('prometheus');
  let source: LiveSource;
  let exporter: ExporterProcess;
  let prometheus: ChildProcess | undefined;
  let promLog = '';
  let promUrl: string;
  let target: string;
  let streams: StreamSpec[];

  const query = async (q: string): Promise<PromSeries[]> => {
    const r = await getJson<{ status: string; data: { resultType: string; result: PromSeries[] } }>(
      `${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`,
    );
    if (r.status !== 200 || r.body.status !== 'success')
      throw new Error(`query ${q}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data.result;
  };

  beforeAll(async () => {
    source = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
    streams = [
      {
        project: 'G01',
        line: 'SOURCE',
        id: 'store-01',
        url: `${source.url}/live/hd/store-01.flv`,
        tags: { table: 'store-01', biz: 'electronics' },
      },
      {
        project: 'G01',
        line: 'CDN',
        id: 'store-01-cdn',
        url: `${source.url}/live/hd/store-01-cdn.flv`,
        tags: { table: 'store-01', biz: 'electronics', isp: 'ct', desk: 'd1', role: 'edge' },
      },
      { project: 'G02', line: 'CDN', id: 'gone', url: `${source.url}/live/none/gone.flv` },
    ];
    const configPath = dir.file('exporter.yml');
    writeFileSync(configPath, configYaml({ check_interval: 4, sample_duration: 2, max_retries: 0 }, streams));
    exporter = ExporterProcess.spawn(configPath);
    const exporterUrl = await exporter.ready();
    target = new URL(exporterUrl).host;

    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const promConfig = dir.file('prometheus.yml');
    writeFileSync(
      promConfig,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    static_configs:',
        `      - targets: ["${target}"]`,
        '',
      ].join('\n'),
    );
    prometheus = spawnTracked(PROMETHEUS, [
      `--config.file=${promConfig}`,
      `--storage.tsdb.path=${dir.file('data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    prometheus.stdout!.setEncoding('utf8').on('data', (c: string) => (promLog += c));
    prometheus.stderr!.setEncoding('utf8').on('data', (c: string) => (promLog += c));
    await until('Prometheus ready', 20_000, async () => {
      if (prometheus!.exitCode !== null) throw new Error(`prometheus exited ${prometheus!.exitCode}:\n${promLog}`);
      const r = await fetch(`${promUrl}/-/ready`).catch(() => undefined);
      return r?.status === 200 ? true : undefined;
    });
  }, 45_000);

  afterAll(async () => {
    if (prometheus) await stopChild(prometheus);
    await exporter?.stop();
    await source?.close();
    dir.cleanup();
  });

  it('has video_stream_up for every configured stream with project, line, id and the non-empty tags', async () => {
    const series = await until(
      'one video_stream_up per stream in Prometheus',
      25_000,
      async () => {
        const r = await query('video_stream_up');
        return r.length === streams.length ? r : undefined;
      },
      500,
    );
    for (const s of streams) {
      const found = series.filter((x) => x.metric.id === s.id);
      expect(found, s.id).toHaveLength(1);
      const expected: Record<string, string> = {
        __name__: 'video_stream_up',
        job: JOB,
        instance: target,
        project: s.project,
        line: s.line.toLowerCase(),
        id: s.id,
      };
      for (const [k, v] of Object.entries(s.tags ?? {})) if (v !== '') expected[k] = v;
      expect(found[0]!.metric).toEqual(expected);
    }
    const value = (id: string) => series.find((x) => x.metric.id === id)!.value[1];
    expect(value('store-01')).toBe('1');
    expect(value('store-01-cdn')).toBe('1');
    expect(value('gone')).toBe('0');
  }, 30_000);

  it('scrapes the target cleanly and stores the exporter and codec series', async () => {
    const up = await query(`up{job="${JOB}"}`);
    expect(up).toHaveLength(1);
    expect(up[0]!.value[1]).toBe('1');
    // the exposition was read as a whole (a parse error would fail the scrape: up 0, no samples)
    const scraped = await query(`scrape_samples_scraped{job="${JOB}"}`);
    expect(Number(scraped[0]!.value[1])).toBeGreaterThan(100);
    const info = await until(
      'video_stream_info in Prometheus',
      10_000,
      async () => {
        const r = await query('video_stream_info{id="store-01"}');
        return r.length === 1 ? r : undefined;
      },
      500,
    );
    expect(info[0]!.metric).toMatchObject({
      video_codec: 'H.264',
      profile: 'High',
      level: '3.1',
      audio_codec: 'AAC',
      table: 'store-01',
    });
    const probes = await query(`sum(video_exporter_probes_total{job="${JOB}"})`);
    expect(Number(probes[0]!.value[1])).toBeGreaterThanOrEqual(streams.length);
  }, 20_000);
});
