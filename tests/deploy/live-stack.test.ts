/**
 * The dashboard, the README's PromQL and the status page against real software (issue 5 items 4, 5
 * and 7): one demo exporter (`video-exporter run`, no config) and one real Prometheus on loopback,
 * shared by all tests here.
 *
 * - every panel query of deploy/grafana/video-exporter.json, with the template variables resolved the
 *   way Grafana does (label_values through Prometheus, "All" = every value), parses and returns series;
 * - every PromQL example in README.md does too;
 * - the alert rules load into that Prometheus and evaluate without errors on the demo's series;
 * - headless Chromium renders the status page with one row per demo stream in its expected state.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../exporter/support/config-file.js';
import { until } from '../exporter/support/exporter-process.js';
import { apiStreams } from '../exporter/support/http.js';
import { ROOT, readText, repoPath } from './support/files.js';
import { type Proc, type Prometheus, startDemoExporter, startPrometheus } from './support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const JOB = 'video-exporter';
const SCREENSHOT = join(ROOT, 'test-results/status-page.png');

/** The embedded demo's streams (SPEC §8: healthy ones and deliberately faulty ones) and their expected state. */
const DEMO: Record<string, 'up' | 'down'> = {
  'DEMO/source/healthy': 'up',
  'DEMO/source/low-bitrate': 'up',
  'DEMO/cdn/healthy-cdn': 'up',
  'DEMO/cdn/stalling': 'up',
  'DEMO/cdn/slow-start': 'up',
  'DEMO/cdn/offline': 'down',
  // up and playable at a good bitrate; the content check finds the picture black / frozen
  'DEMO/cdn/black': 'up',
  'DEMO/cdn/frozen': 'up',
  // found by the demo's http_sd discovery source, not listed in its config
  'DEMO/cdn/discovered': 'up',
};

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  type: string;
  name: string;
  query: string | { query: string };
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  datasource?: { uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboard = JSON.parse(readText(repoPath('deploy/grafana/video-exporter.json'))) as Dashboard;
const allPanels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queryPanels = allPanels.filter((p) => p.type !== 'row');
const variables = dashboard.templating.list.filter((v) => v.type === 'query');
const queryOf = (v: Variable) => (typeof v.query === 'string' ? v.query : v.query.query);

/** Grafana's regex escaping of a multi-value variable's values inside a PromQL string. */
const escapeValue = (v: string) => v.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');

function interpolate(expr: string, values: Record<string, string[]>): string {
  let out = expr
    .replace(/\$__rate_interval\b/g, '1m')
    .replace(/\$__interval\b/g, '15s')
    .replace(/\$__range\b/g, '1h');
  for (const [name, vals] of Object.entries(values)) {
    const text = vals.length === 1 ? escapeValue(vals[0]!) : `(${vals.map(escapeValue).join('|')})`;
    out = out.replace(new RegExp(`\\$\\{${name}\\}|\\$${name}\\b`, 'g'), () => text);
  }
  return out;
}

/** The PromQL examples of README.md: every non-comment line of its ```promql blocks. */
function readmeQueries(): string[] {
  const blocks = [...readText(repoPath('README.md')).matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

describe('dashboard (static)', () => {
  it('has the overview, availability, quality, network, viewer, latency and exporter rows', () => {
    const rows = allPanels.filter((p) => p.type === 'row').map((p) => p.title.toLowerCase());
    expect(rows).toEqual(['overview', 'availability', 'quality', 'network', 'viewer', 'latency and drift', 'exporter']);
    const ids = allPanels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of allPanels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });

  it('chains the variables project -> line -> id, each multi-value with All', () => {
    const names = variables.map((v) => v.name);
    const [project, line, id] = ['project', 'line', 'id'].map((n) => variables.find((v) => v.name === n)!);
    expect(names.indexOf('project')).toBeLessThan(names.indexOf('line'));
    expect(names.indexOf('line')).toBeLessThan(names.indexOf('id'));
    expect(queryOf(project!)).toMatch(/^label_values\(.*,\s*project\)$/);
    expect(queryOf(line!)).toMatch(/^label_values\(.*project=~"\$project".*,\s*line\)$/);
    expect(queryOf(id!)).toMatch(/^label_values\(.*project=~"\$project".*line=~"\$line".*,\s*id\)$/);
    for (const v of variables) expect([v.multi, v.includeAll], v.name).toEqual([true, true]);
  });

  it('every panel queries the selected Prometheus datasource, and per-stream panels follow the variables', () => {
    const dsVar = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(dsVar).toBeDefined();
    expect(queryPanels.length).toBeGreaterThan(25);
    for (const p of queryPanels) {
      expect(p.datasource?.uid, p.title).toBe(`\${${dsVar!.name}}`);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) {
        if (/video_stream_/.test(t.expr))
          expect(t.expr, `${p.title}: filtered by the variables`).toMatch(
            /project=~"\$project".*line=~"\$line".*id=~"\$id"/,
          );
      }
    }
  });
});

describe('demo exporter + Prometheus', () => {
  const dir = tempDir('deploy-stack');
  let exporter: Proc & { url: string };
  let prom: Prometheus;
  let browser: Browser | undefined;

  beforeAll(async () => {
    exporter = await startDemoExporter();
    prom = await startPrometheus(dir, new URL(exporter.url).host, JOB, [
      repoPath('deploy/prometheus/alerts.yml'),
      repoPath('deploy/prometheus/sla.yml'),
    ]);
    // one full round of the demo's 15 s interval: every stream probed, in the state the demo designs
    await until(
      'every demo stream probed in its expected state',
      75_000,
      async () => {
        const streams = await apiStreams(exporter.url);
        const ok =
          streams.length === Object.keys(DEMO).length &&
          streams.every((s) => s.last_check !== undefined && DEMO[s.key] === s.state);
        return ok ? true : undefined;
      },
      500,
    );
    // ... and scraped after that
    await until(
      "Prometheus holds every stream's latest probe",
      20_000,
      async () => {
        const r = await prom.query('count(video_stream_last_check_timestamp_seconds)');
        return r[0]?.value[1] === String(Object.keys(DEMO).length) ? true : undefined;
      },
      500,
    );
  }, 130_000);

  afterAll(async () => {
    await browser?.close();
    await prom?.stop();
    await exporter?.stop();
    dir.cleanup();
  });

  /** Resolves the variables in order, each query seeing the earlier ones as "All" (every value). */
  async function resolveVariables(): Promise<Record<string, string[]>> {
    const values: Record<string, string[]> = {};
    for (const v of variables) {
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(queryOf(v).trim());
      expect(m, `${v.name}: label_values(selector, label)`).not.toBeNull();
      const selector = interpolate(m![1]!, values);
      const r = await fetch(`${prom.url}/api/v1/label/${m![2]}/values?match[]=${encodeURIComponent(selector)}`);
      const body = (await r.json()) as { status: string; data: string[]; error?: string };
      expect(body.status, `${v.name}: ${body.error ?? ''}`).toBe('success');
      values[v.name] = body.data;
    }
    return values;
  }

  it("the template variables resolve through Prometheus to the demo's job, project, lines and ids", async () => {
    const values = await resolveVariables();
    expect(values.job).toEqual([JOB]);
    expect(values.project).toEqual(['DEMO']);
    expect(values.line!.sort()).toEqual(['cdn', 'source']);
    expect(values.id!.sort()).toEqual(
      Object.keys(DEMO)
        .map((k) => k.split('/')[2])
        .sort(),
    );
  });

  it('every panel query parses and returns at least one series', async () => {
    const values = await resolveVariables();
    const failures: string[] = [];
    let count = 0;
    for (const p of queryPanels) {
      for (const t of p.targets ?? []) {
        const expr = interpolate(t.expr, values);
        // ($1 in label_replace is a regex group, not a variable)
        expect(expr, `${p.title}: every variable substituted`).not.toMatch(/\$(?:\{|[A-Za-z_])/);
        count++;
        try {
          const r = await prom.query(expr);
          if (r.length === 0) failures.push(`${p.title} [${t.refId}]: no series for ${expr}`);
        } catch (err) {
          failures.push(`${p.title} [${t.refId}]: ${(err as Error).message}`);
        }
      }
    }
    expect(count).toBeGreaterThan(30);
    expect(failures).toEqual([]);
  }, 60_000);

  it("a stream selection narrows the panels: one id gives that stream's series only", async () => {
    const values = { ...(await resolveVariables()), id: ['healthy'] };
    const fps = queryPanels.find((p) => p.title === 'Frame rate')!.targets![0]!;
    const r = await prom.query(interpolate(fps.expr, values));
    expect(r.map((s) => s.metric.id)).toEqual(['healthy']);
    expect(Number(r[0]!.value[1])).toBeGreaterThan(20); // the 25 fps demo fixture
  });

  it('every PromQL example of README.md parses and returns at least one series', async () => {
    const queries = readmeQueries();
    expect(queries.length).toBeGreaterThanOrEqual(7);
    const failures: string[] = [];
    for (const q of queries) {
      try {
        if ((await prom.query(q)).length === 0) failures.push(`no series: ${q}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    expect(failures).toEqual([]);
  }, 30_000);

  it("the alert rules evaluate without errors on the demo's series", async () => {
    const rules = await until(
      'every rule evaluated',
      20_000,
      async () => {
        const r = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as {
          data: { groups: { rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
        };
        const all = r.data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((x) => !x.lastEvaluation.startsWith('0001-')) ? all : undefined;
      },
      500,
    );
    expect(rules.map((r) => r.name).sort()).toContain('StreamDown');
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    // the offline demo stream is already pending for StreamDown (it fires after `for: 1m`)
    const alerts = (await (await fetch(`${prom.url}/api/v1/alerts`)).json()) as {
      data: { alerts: { labels: Record<string, string>; state: string }[] };
    };
    const down = alerts.data.alerts.filter((a) => a.labels.alertname === 'StreamDown').map((a) => a.labels.id);
    expect(down).toEqual(['offline']);
  });

  it('headless Chromium shows every demo stream on the status page in its state', async () => {
    await until('Chromium installed', 60_000, () => (existsSync(CHROMIUM) ? true : undefined), 1_000);
    browser = await chromium.launch({
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
    const page = await browser.newPage({ viewport: { width: 1600, height: 700 } });
    const response = await page.goto(`${exporter.url}/`, { waitUntil: 'load', timeout: 15_000 });
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('video-exporter');

    const rows = page.locator('tbody tr[data-key]');
    expect(await rows.count()).toBe(Object.keys(DEMO).length);
    for (const [key, state] of Object.entries(DEMO)) {
      const row = page.locator(`tbody tr[data-key="${key}"]`);
      expect(await row.count(), key).toBe(1);
      expect(await row.getAttribute('data-state'), key).toBe(state);
      const [project, line, id] = key.split('/');
      const cells = await row.locator('td').allInnerTexts();
      expect(cells.slice(0, 3), key).toEqual([project, line, id]);
      const badge = (await row.locator('.badge').innerText()).trim();
      expect(badge, key).toMatch(state === 'down' ? /^down$/ : /^up/);
    }
    // the badge tells "online but bad" from healthy: the low-bitrate stream is poor quality by design
    expect((await page.locator('tbody tr[data-key="DEMO/source/healthy"] .badge').innerText()).trim()).toBe('up');
    expect((await page.locator('tbody tr[data-key="DEMO/source/low-bitrate"] .badge').innerText()).trim()).toBe(
      'up, unhealthy',
    );
    // the healthy stream shows what was measured; the offline one says why it is down
    const healthy = await page.locator('tbody tr[data-key="DEMO/source/healthy"] td').allInnerTexts();
    expect(healthy).toContain('640x360');
    expect(healthy).toContain('H.264');
    expect(await page.locator('tbody tr[data-key="DEMO/cdn/offline"] .reason').innerText()).toBe('http_4xx');
    expect(await page.locator('header .counts').innerText()).toMatch(/^9 configured · 8 up · 1 down · 0 pending$/);
    // one line per discovery source: the demo's http_sd list, up, with its one stream
    const sourceLine = await page.locator('header .discovery[data-source="demo-sd"]').innerText();
    expect(sourceLine).toMatch(/^discovery demo-sd \(http_sd\) up · 1 streams · last answer /);

    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 90_000);
});
