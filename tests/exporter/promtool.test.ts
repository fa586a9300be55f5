/**
 * `promtool check metrics` on the exporter's own series (issue 4 item 5). prom-client's default
 * `nodejs_*` / `process_*` families are not ours (promtool flags e.g. nodejs_active_handles_total), so
 * they are filtered out before the check.
 *
 * SPEC §6 keeps the reference exporter's own names (its public contract, for drop-in dashboards) although
 * promtool's lint dislikes five of them (`_ms` units, a `_count` suffix on a gauge). Every new series uses
 * base units, so exactly those five (name, problem) pairs are tolerated; anything else promtool reports fails.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeText } from './support/http.js';
import { allProbed, type Scenario, startScenario } from './support/scenario.js';

const PROMTOOL = '/usr/bin/promtool';

/** The reference exporter's names SPEC §6 keeps with a unit abbreviation (ms) or a `_count` suffix: from the spec. */
const LEGACY_MS_NAMES = [
  'video_stream_response_ms',
  'video_stream_ttfb_ms',
  'video_stream_read_stall_max_ms',
  'video_stream_read_stall_total_ms',
];
const LEGACY_COUNT_NAMES = ['video_stream_read_stall_count'];
const TOLERATED = new Set([
  ...LEGACY_MS_NAMES.map((n) => `${n} metric names should not contain abbreviated units`),
  ...LEGACY_COUNT_NAMES.map((n) => `${n} non-histogram and non-summary metrics should not have "_count" suffix`),
]);

/** Drops whole families (HELP, TYPE and samples) whose name matches `drop`. */
function withoutFamilies(text: string, drop: (name: string) => boolean): string {
  return text
    .split('\n')
    .filter((line) => {
      const name = line.startsWith('#')
        ? /^#\s+(?:HELP|TYPE)\s+(\S+)/.exec(line)?.[1]
        : /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      return name === undefined || !drop(name);
    })
    .join('\n');
}

const notOurs = (name: string) => name.startsWith('nodejs_') || name.startsWith('process_');

function promtool(text: string): { code: number | null; lines: string[] } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return { code: r.status, lines };
}

describe('promtool check metrics on the exporter', () => {
  let sc: Scenario;
  let ours: string;

  beforeAll(async () => {
    sc = await startScenario('promtool');
    await allProbed(sc.url); // so every per-stream family has series, healthy and failed alike
    ours = withoutFamilies(await scrapeText(sc.url), notOurs);
  }, 60_000);

  afterAll(async () => {
    await sc?.close();
  });

  it('checks a real scrape (sanity: the filtered text still holds our families)', () => {
    expect(ours).toContain('# TYPE video_stream_up gauge');
    expect(ours).toContain('# TYPE video_exporter_probe_duration_seconds histogram');
    expect(ours).toMatch(/^video_stream_ttfb_ms\{/m);
    expect(ours).not.toMatch(/^(# (HELP|TYPE) )?(nodejs|process)_/m);
  });

  it('parses, and reports exactly the five legacy names SPEC §6 keeps', () => {
    const r = promtool(ours);
    // 0 = clean, 3 = lint problems only, 1 = the exposition could not be parsed
    expect(r.code, r.lines.join('\n')).toBe(3);
    expect(r.lines.filter((l) => /error/i.test(l))).toEqual([]);
    expect(r.lines.filter((l) => !TOLERATED.has(l))).toEqual([]);
    expect(new Set(r.lines)).toEqual(TOLERATED);
    expect(r.lines.filter((l) => l.startsWith('video_exporter_'))).toEqual([]);
  });

  it('exits 0 once the legacy names are left out', () => {
    const fixed = new Set([...LEGACY_MS_NAMES, ...LEGACY_COUNT_NAMES]);
    const rest = withoutFamilies(ours, (name) => fixed.has(name));
    expect(rest).toMatch(/^video_exporter_probes_total\{/m);
    const r = promtool(rest);
    expect(r).toEqual({ code: 0, lines: [] });
  });

  it('would catch a badly named family (the check is live)', () => {
    const r = promtool(
      `${ours}\n# HELP video_stream_bogus_total a gauge named like a counter\n# TYPE video_stream_bogus_total` +
        ` gauge\nvideo_stream_bogus_total 1\n`,
    );
    expect(r.code).toBe(3);
    expect(r.lines.some((l) => l.startsWith('video_stream_bogus_total ') && !TOLERATED.has(l))).toBe(true);
  });
});
