/**
 * `promtool check metrics` on the exporter's own series (issue 4 item 5). prom-client's default
 * `nodejs_*` / `process_*` families are not ours (promtool flags e.g. nodejs_active_handles_total), so
 * they are filtered out before the check.
 *
 * SPEC §6 fixes some names that promtool's lint dislikes: the reference exporter's public contract
 * (video_stream_response_ms, video_stream_read_stall_count, ...) and new series the spec names the same
 * way (video_stream_first_frame_ms, video_stream_rebuffer_count, ...). Renaming them would break existing
 * dashboards, so exactly those (name, problem) pairs are tolerated; anything else promtool reports fails.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeText } from './support/http.js';
import { allProbed, startScenario, type Scenario } from './support/scenario.js';

const PROMTOOL = '/usr/bin/promtool';

/** Names SPEC §6 spells with a unit abbreviation (ms) or a `_count` suffix: copied from the spec text. */
const SPEC_MS_NAMES = [
  // kept from the reference exporter
  'video_stream_response_ms', 'video_stream_ttfb_ms', 'video_stream_read_stall_max_ms', 'video_stream_read_stall_total_ms',
  // new in SPEC §6
  'video_stream_first_frame_ms', 'video_stream_dns_ms', 'video_stream_connect_ms', 'video_stream_tls_ms',
  'video_stream_startup_ms', 'video_stream_rebuffer_ms', 'video_stream_av_offset_ms', 'video_stream_frame_gap_max_ms',
];
const SPEC_COUNT_NAMES = ['video_stream_read_stall_count', 'video_stream_rebuffer_count'];
const TOLERATED = new Set([
  ...SPEC_MS_NAMES.map((n) => `${n} metric names should not contain abbreviated units`),
  ...SPEC_COUNT_NAMES.map((n) => `${n} non-histogram and non-summary metrics should not have "_count" suffix`),
]);

/** Drops whole families (HELP, TYPE and samples) whose name matches `drop`. */
function withoutFamilies(text: string, drop: (name: string) => boolean): string {
  return text
    .split('\n')
    .filter((line) => {
      const name = line.startsWith('#') ? /^#\s+(?:HELP|TYPE)\s+(\S+)/.exec(line)?.[1] : /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      return name === undefined || !drop(name);
    })
    .join('\n');
}

const notOurs = (name: string) => name.startsWith('nodejs_') || name.startsWith('process_');

function promtool(text: string): { code: number | null; lines: string[] } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
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

  it('parses, and reports nothing beyond the names SPEC §6 fixes', () => {
    const r = promtool(ours);
    // 0 = clean, 3 = lint problems only, 1 = the exposition could not be parsed
    expect(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.lines.join('\n')}`).toBe(true);
    expect(r.lines.filter((l) => /error/i.test(l))).toEqual([]);
    expect(r.lines.filter((l) => !TOLERATED.has(l))).toEqual([]);
    expect(r.lines.filter((l) => l.startsWith('video_exporter_'))).toEqual([]);
  });

  it('exits 0 once the SPEC-fixed names are left out', () => {
    const fixed = new Set([...SPEC_MS_NAMES, ...SPEC_COUNT_NAMES]);
    const rest = withoutFamilies(ours, (name) => fixed.has(name));
    expect(rest).toMatch(/^video_exporter_probes_total\{/m);
    const r = promtool(rest);
    expect(r).toEqual({ code: 0, lines: [] });
  });

  it('would catch a badly named family (the check is live)', () => {
    const r = promtool(`${ours}\n# HELP video_stream_bogus_total a gauge named like a counter\n# TYPE video_stream_bogus_total gauge\nvideo_stream_bogus_total 1\n`);
    expect(r.code).toBe(3);
    expect(r.lines.some((l) => l.startsWith('video_stream_bogus_total ') && !TOLERATED.has(l))).toBe(true);
  });
});
