/**
 * deploy/prometheus (issue 5 item 3): promtool checks and unit-tests the alert rules; every alert has a
 * firing and a non-firing unit test; the reference exporter's six alerts keep their expressions; every
 * metric a rule reads is one the built exporter defines; the scrape configs agree with the exporter.
 */
import { spawnSync } from 'node:child_process';
import { defaultExporterConfig } from '@video-exporter/aggregator';
import { describe, expect, it } from 'vitest';
import { builtSources, parseYaml, readText, readYaml, repoPath } from './support/files.js';

const PROMTOOL = '/usr/bin/promtool';
const ALERTS = repoPath('deploy/prometheus/alerts.yml');
const ALERTS_TEST = repoPath('deploy/prometheus/alerts.test.yml');
const SLA = repoPath('deploy/prometheus/sla.yml');
const SLA_TEST = repoPath('deploy/prometheus/sla.test.yml');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: unknown[];
}

const groups = readYaml<{ groups: { name: string; rules: Rule[] }[] }>(ALERTS).groups;
const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);

function promtool(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** Metric names the built exporter declares (prom-client `name:` options and the stream gauge table). */
function exporterMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const text of builtSources().values())
    for (const m of text.matchAll(/['"`]((?:video_stream|video_exporter)_[a-z0-9_]+)['"`]/g)) names.add(m[1]!);
  return names;
}

describe('alert rules', () => {
  it('promtool check rules accepts deploy/prometheus/alerts.yml', () => {
    const r = promtool('check', 'rules', ALERTS);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`);
  });

  it('promtool test rules passes deploy/prometheus/alerts.test.yml', () => {
    const r = promtool('test', 'rules', ALERTS_TEST);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
  }, 30_000);

  it('every alert has a unit test where it fires and one where it stays silent', () => {
    const tests = readYaml<{ rule_files: string[]; tests: { alert_rule_test: AlertTest[] }[] }>(ALERTS_TEST);
    expect(tests.rule_files).toEqual(['alerts.yml', 'sla.yml']);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${a.alert} fires in a test`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${a.alert} stays silent in a test`,
      ).toBe(true);
    }
    // no test names an alert that does not exist (it would pass vacuously)
    const names = new Set(alerts.map((a) => a.alert));
    for (const c of cases) expect(names, c.alertname).toContain(c.alertname);
  });

  it("keeps the reference exporter's six alerts with their conditions and durations", () => {
    // from the old exporter's README (reference/seed-video-exporter.zh.md, 告警示例)
    const reference: [string, string, string][] = [
      ['StreamDown', 'video_stream_up == 0', '1m'],
      ['LowBitrate', 'video_stream_bitrate_bps < 500000', '2m'],
      ['HighReadStall', 'video_stream_read_stall_count > 5', '1m'],
      ['HighTTFB', 'video_stream_ttfb_ms > 1000', '2m'],
      ['HighStallRatio', 'video_stream_read_stall_ratio > 0.5', '1m'],
      ['SlowResponse', 'video_stream_response_ms > 2000', '1m'],
    ];
    for (const [name, condition, forDuration] of reference) {
      const rule = alerts.find((a) => a.alert === name);
      expect(rule, name).toBeDefined();
      // the per-stream value, deduplicated over replicas (a stream moving between pods stays one series)
      const expr = rule!.expr
        .replace(/\s+/g, ' ')
        .replace(/max without \(pod, instance\) \((video_stream_\w+)\)/g, '$1');
      expect(expr).toContain(condition);
      expect(rule!.for).toBe(forDuration);
    }
    // and the exporter's own
    for (const [name, metric] of [
      ['VideoExporterDown', 'up'],
      ['VideoExporterOverloaded', 'video_exporter_schedule_lag_seconds'],
      ['VideoExporterConfigReloadFailed', 'video_exporter_config_last_reload_successful'],
      ['VideoExporterHighProbeErrorRate', 'video_exporter_probe_errors_total'],
    ] as const)
      expect(alerts.find((a) => a.alert === name)?.expr, name).toContain(metric);
  });

  it('every alert has a severity, a summary and a description; every metric it reads exists in the exporter', () => {
    const known = exporterMetricNames();
    expect(known.size).toBeGreaterThan(40);
    for (const a of alerts) {
      expect(['critical', 'warning', 'info'], a.alert).toContain(a.labels?.severity);
      expect(a.annotations?.summary, a.alert).toBeTruthy();
      expect(a.annotations?.description, a.alert).toBeTruthy();
      for (const m of a.expr.matchAll(/\b(video_(?:stream|exporter)_[a-z0-9_]+)/g)) {
        const base = m[1]!.replace(/_(bucket|sum|count)$/, '');
        expect(known.has(m[1]!) || known.has(base), `${a.alert}: ${m[1]} is an exporter metric`).toBe(true);
      }
    }
  });
});

describe('SLA recording rules', () => {
  const sla = readYaml<{ groups: { name: string; interval?: string; rules: Rule[] }[] }>(SLA).groups;
  const records = sla.flatMap((g) => g.rules);

  it('promtool check rules accepts deploy/prometheus/sla.yml: recording rules only', () => {
    const r = promtool('check', 'rules', SLA);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`SUCCESS: ${records.length} rules found`);
    expect(records.every((x) => x.record !== undefined && x.alert === undefined)).toBe(true);
  });

  it('promtool test rules passes deploy/prometheus/sla.test.yml (30 days of samples)', () => {
    const r = promtool('test', 'rules', SLA_TEST);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
  }, 60_000);

  it('records availability of up and healthy, per stream and per project/line, over 1h, 1d and 30d', () => {
    const names = records.map((x) => x.record).sort();
    const want = ['stream', 'project_line'].flatMap((level) =>
      ['up', 'healthy'].flatMap((m) => ['1h', '1d', '30d'].map((w) => `${level}:video_stream_${m}:availability_${w}`)),
    );
    expect(names).toEqual(want.sort());
    // every test in the file names a recorded series, and each of the twelve is checked
    const tested = readText(SLA_TEST);
    for (const n of want)
      expect(tested.includes(n) || tested.includes(n.replace(/_(1h|1d|30d)$/, '_.*')), n).toBe(true);
  });
});

describe('scrape configs', () => {
  it('promtool check config accepts deploy/prometheus/prometheus.yml with its rule file', () => {
    const r = promtool('check', 'config', repoPath('deploy/prometheus/prometheus.yml'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/SUCCESS: 2 rule files found/);
  });

  it("prometheus.yml scrapes the exporter's default port on /metrics", () => {
    const cfg = readYaml<{
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    }>(repoPath('deploy/prometheus/prometheus.yml'));
    const job = cfg.scrape_configs.find((s) => s.job_name === 'video-exporter')!;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    const ports = job.static_configs.flatMap((c) => c.targets).map((t) => Number(t.split(':').at(-1)));
    expect(ports).toEqual([defaultExporterConfig().listen_addr.port]);
  });

  it('the annotation-based Kubernetes job reads the annotations deploy/k8s/deployment.yaml sets', () => {
    // Debian's promtool lacks kubernetes_sd_configs, so this one is checked structurally
    const cfg = readYaml<{
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        kubernetes_sd_configs: { role: string }[];
        relabel_configs: { source_labels?: string[]; regex?: string; action?: string }[];
      }[];
    }>(repoPath('deploy/prometheus/prometheus-kubernetes.yml'));
    expect(cfg.rule_files).toEqual(['alerts.yml', 'sla.yml']);
    const job = cfg.scrape_configs[0]!;
    // the job name the VideoExporterDown alert matches
    const down = alerts.find((a) => a.alert === 'VideoExporterDown')!;
    const jobRegex = new RegExp(`^(?:${/job=~"([^"]+)"/.exec(down.expr)![1]})$`);
    expect(jobRegex.test(job.job_name)).toBe(true);
    expect(jobRegex.test('video-exporter/video-exporter')).toBe(true); // the PodMonitor's job
    expect(jobRegex.test('node')).toBe(false);
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    const deployment = parseYaml<{ spec: { template: { metadata: { annotations: Record<string, string> } } } }>(
      readText(repoPath('deploy/k8s/deployment.yaml')),
    );
    const annotations = Object.keys(deployment.spec.template.metadata.annotations);
    const used = job.relabel_configs
      .flatMap((r) => r.source_labels ?? [])
      .filter((l) => l.startsWith('__meta_kubernetes_pod_annotation_'));
    expect(used.length).toBe(3);
    // Prometheus turns annotation names into label names: every non [a-zA-Z0-9_] character becomes _
    const asLabel = (a: string) => `__meta_kubernetes_pod_annotation_${a.replace(/[^a-zA-Z0-9_]/g, '_')}`;
    for (const l of used) expect(annotations.map(asLabel), l).toContain(l);
    for (const r of job.relabel_configs) if (r.regex) expect(() => new RegExp(r.regex!)).not.toThrow();
  });
});
