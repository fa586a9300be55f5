/**
 * Issue 8 item 8, the CI variant of `pnpm soak`: scripts/soak.mjs for 3 minutes with 200 streams (the
 * fault mix, live source in its own process), trend fitted over the last 2 minutes. "No upward trend
 * beyond noise" is defined as:
 *
 * - open file descriptors (every thread: each probe socket): slope < 3 per min, and the window within
 *   ±20 % of its mean (~55 of the ~90 are probe sockets, their number at a sampling instant varies by a
 *   few; a leak of one socket per failed probe would add ~280 per minute);
 * - active handles of the main thread: flat, max − min ≤ 2, slope < 0.5 per min;
 * - main-thread heap after GC (lowest value of each 20 s period): slope < 8 MB/min (a leak of 6.7 KB per
 *   probe at 1200 probes/min). The lowest value of a period is only "after GC" when a major GC ran in it;
 *   with the per-probe latency figures and more series per stream, the main thread allocates enough that
 *   its first major GC can come 2–3 minutes in, and the sawtooth's rising edge alone read +6 MB/min in one
 *   of two runs on a quiet machine (+2.7 in the other). The 30-minute `pnpm soak` keeps the tight limit;
 * - RSS: slope < 40 MB/min. In minutes 1–3 the V8 young generations of the three isolates (main thread,
 *   two probe workers) are still growing to their working size while the JS heaps stay flat, ~20 MB/min
 *   of RSS that is no leak (measured, see docs/reliability.md); this limit catches gross native leaks
 *   (≥ 35 KB per probe), the 30-minute `pnpm soak` (limit 2 MB/min after a 10-minute warm-up) the rest;
 * - probes completed in the window: 90–105 % of 200 × 120 s / 10 s; no unhandled error counted.
 *
 * Takes 3 minutes and a few seconds (the issue asks for a 3-minute run); it runs one exporter, one live
 * source and ~40 probes in flight, a light load next to the other test files.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnTracked, stopChild } from '../exporter/support/exporter-process.js';

const SOAK = fileURLToPath(new URL('../../scripts/soak.mjs', import.meta.url));

interface Trend {
  slope: number;
  se: number;
  n: number;
  limit: number;
}

interface SoakResult {
  pass: boolean;
  trends: { rss: Trend; heap: Trend; handles: Trend; fds: Trend };
  probes: { inWindow: number; expected: number; ratio: number; windowMin: number };
  unhandled: number;
  checks: { name: string; ok: boolean; detail: string }[];
  samples: { min: number; rssMb: number; heapMb: number; handles: number; fds: number }[];
}

describe('soak, CI variant: 3 minutes, 200 streams with faults', () => {
  it('no upward trend beyond noise in memory, handles and descriptors; probes on schedule', {
    timeout: 240_000,
  }, async () => {
    const args = [
      SOAK,
      '--minutes',
      '3',
      '--streams',
      '200',
      '--interval',
      '10',
      '--sample',
      '3',
      '--poll',
      '5',
      '--every',
      '20',
      '--warmup',
      '1',
      '--json',
      '--max-rss-slope',
      '40',
      '--max-heap-slope',
      '8',
      '--max-handles-slope',
      '0.5',
      '--max-fds-slope',
      '3',
    ];
    const child = spawnTracked(process.execPath, args);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => void stopChild(child), 225_000);
      child.once('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    const printed = stdout.split('\n').filter((l) => l !== '' && !l.startsWith('SOAK_RESULT '));
    console.log(printed.join('\n'));
    const line = stdout.split('\n').find((l) => l.startsWith('SOAK_RESULT '));
    expect(line, `no result line; exit ${code}; stderr:\n${stderr.slice(-2000)}`).toBeDefined();
    const r = JSON.parse(line!.slice('SOAK_RESULT '.length)) as SoakResult;

    const window = r.samples.filter((s) => s.min >= 1);
    expect(window.length).toBeGreaterThanOrEqual(20); // a sample every 5 s for 2 min
    // descriptors: no trend, and the window within ±20 % of its mean
    const fds = window.map((s) => s.fds);
    const meanFds = fds.reduce((a, b) => a + b, 0) / fds.length;
    expect(r.trends.fds.slope).toBeLessThan(3);
    expect(Math.max(...fds) - meanFds).toBeLessThanOrEqual(0.2 * meanFds);
    expect(meanFds - Math.min(...fds)).toBeLessThanOrEqual(0.2 * meanFds);
    // handles: flat
    const handles = window.map((s) => s.handles);
    expect(Math.max(...handles) - Math.min(...handles)).toBeLessThanOrEqual(2);
    expect(Math.abs(r.trends.handles.slope)).toBeLessThan(0.5);
    // memory
    expect(r.trends.heap.slope).toBeLessThan(8);
    expect(r.trends.rss.slope).toBeLessThan(40);
    // cadence and health
    expect(r.probes.ratio).toBeGreaterThanOrEqual(0.9);
    expect(r.probes.ratio).toBeLessThanOrEqual(1.05);
    expect(r.unhandled).toBe(0);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.pass).toBe(true);
    expect(code).toBe(0);
  });
});
