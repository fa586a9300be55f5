/**
 * The embedded demo exporter (`video-exporter run` without a config) and a real Prometheus scraping it
 * on loopback, for the dashboard, README PromQL, alert rule and browser tests.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { CLI, spawnTracked, stopChild, until } from '../../exporter/support/exporter-process.js';
import { getJson } from '../../exporter/support/http.js';

export const PROMETHEUS = '/usr/bin/prometheus';

import { freePort } from '../../support/ports.js';

export { freePort };

export interface Proc {
  child: ChildProcess;
  /** stdout + stderr so far */
  output(): string;
  stop(): Promise<void>;
}

function collect(child: ChildProcess): () => string {
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  return () => out;
}

/** `run --listen 127.0.0.1:0` with no config: the demo. Resolves with its base URL once /readyz is 200. */
export async function startDemoExporter(): Promise<Proc & { url: string }> {
  const child = spawnTracked(process.execPath, [CLI, 'run', '--listen', '127.0.0.1:0'], { LOG_FORMAT: 'json' });
  const output = collect(child);
  const url = await until('the demo exporter to start', 20_000, () => {
    if (child.exitCode !== null) throw new Error(`exporter exited ${child.exitCode}:\n${output()}`);
    for (const line of output().split('\n')) {
      if (!line.startsWith('{')) continue;
      const l = JSON.parse(line) as { message?: string; listen?: string };
      if (l.message === 'exporter started' && l.listen) return l.listen;
    }
    return undefined;
  });
  await until('/readyz 200', 15_000, async () =>
    (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined,
  );
  return { child, url, output, stop: () => stopChild(child, 10_000) };
}

export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus extends Proc {
  url: string;
  /** instant query; throws with Prometheus' error when the expression does not parse or evaluate */
  query(expr: string): Promise<PromSeries[]>;
}

/** A Prometheus scraping `target` every second as job `job`, with `ruleFiles` loaded. */
export async function startPrometheus(
  dir: { file(name: string): string },
  target: string,
  job: string,
  ruleFiles: string[],
): Promise<Prometheus> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = dir.file('prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
      'scrape_configs:',
      `  - job_name: ${JSON.stringify(job)}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(target)}]`,
      '',
    ].join('\n'),
  );
  const child = spawnTracked(PROMETHEUS, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${dir.file('data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const output = collect(child);
  await until('Prometheus ready', 30_000, async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}:\n${output()}`);
    const r = await fetch(`${url}/-/ready`).catch(() => undefined);
    return r?.status === 200 ? true : undefined;
  });
  const query = async (expr: string): Promise<PromSeries[]> => {
    const r = await getJson<{
      status: string;
      error?: string;
      data: { resultType: string; result: PromSeries[] | [number, string] };
    }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    if (r.body.status !== 'success')
      throw new Error(`${expr}: HTTP ${r.status} ${r.body.error ?? JSON.stringify(r.body)}`);
    const { resultType, result } = r.body.data;
    // a scalar or string result is one value
    return resultType === 'scalar' || resultType === 'string'
      ? [{ metric: {}, value: result as [number, string] }]
      : (result as PromSeries[]);
  };
  return { child, url, output, query, stop: () => stopChild(child, 5_000) };
}
