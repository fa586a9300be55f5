/**
 * Memory stays bounded under hostile FLV: 1,000 probes through the real probe function (runProbe, the
 * code a worker runs) against a loopback HTTP server that serves the hostile cases of
 * packages/flv-parser/test/hostile/cases.ts in turn — 16 MB claims, endless script data, AMF bombs,
 * out-of-range SPS, HEVC records with 255 arrays, zero-length NAL units, garbage AV1 OBUs, made-up FourCCs.
 *
 * Every probe must end with `ok` or one reason from SPEC §4's closed set, and its result must carry
 * exactly the anomaly counts the parser tests expect for its case. The heap is measured after forced
 * garbage collection before and after the 1,000 probes (after 100 warm-up probes, so JIT code and lazy
 * module state are already there) and its growth must stay below HEAP_GROWTH_LIMIT. "Heap" is heapUsed
 * plus arrayBuffers: the backing stores of Uint8Arrays (records, read buffers) live outside heapUsed, and
 * a parser leaking its records would show only there.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { FAILURE_REASONS, type ProbeJob, type ProbeResult, runProbe } from '@video-exporter/probe-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostileCase, hostileCases } from '../../packages/flv-parser/test/hostile/cases.js';

/** The stated bound: growth of heapUsed + arrayBuffers across 1,000 hostile probes, after forced GC. */
const HEAP_GROWTH_LIMIT = 8 * 1024 * 1024;
const PROBES = 1000;
const WARMUP = 100;
const CONCURRENCY = 25;
/** hard deadline of one probe; the heap is measured once the last deadline timer has fired */
const DEADLINE_MS = 3000;

// vitest workers do not get --expose-gc: turn the flag on at run time and fetch gc() from a fresh context.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): { heap: number; arrayBuffers: number; total: number } {
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers, total: m.heapUsed + m.arrayBuffers };
}

const cases = hostileCases();
const bodies = cases.map((c) => Buffer.from(c.bytes));
let server: http.Server;
let base: string;

beforeAll(async () => {
  // /case/<i>          the case's bytes, then the response ends (the probe sees EOF: `truncated`)
  // /case/<i>?hold=1   the bytes, then the connection stays open (the sample ends on its timer: `ok`)
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = bodies[Number(url.pathname.split('/')[2])];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'video/x-flv' });
    if (url.searchParams.has('hold')) {
      res.write(body);
      const t = setTimeout(() => res.end(), 10_000); // bounded even if a client never closes
      res.on('close', () => clearTimeout(t));
    } else {
      res.end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const held = (i: number) => i % 2 === 0;

function job(i: number): ProbeJob {
  const hold = held(i);
  return {
    url: `${base}/case/${i % cases.length}${hold ? '?hold=1' : ''}`,
    sampleMs: 150,
    minKeyframes: 2,
    stallThresholdMs: 1000,
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    firstByteTimeoutMs: 2000,
    idleTimeoutMs: 2000,
    deadlineMs: DEADLINE_MS,
  };
}

function expectedCounts(c: HostileCase): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of c.codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

const reasons = new Set<string>(FAILURE_REASONS);

/** Runs probes [from, to) with at most CONCURRENCY in flight; checks each result and keeps only tallies. */
async function probeRange(from: number, to: number, tally: Map<string, number>, problems: string[]): Promise<void> {
  let next = from;
  const lane = async () => {
    while (next < to) {
      const i = next++;
      const c = cases[i % cases.length]!;
      const r: ProbeResult = await runProbe(job(i));
      const outcome = `${held(i) ? 'held' : 'closed'}:${r.ok ? 'ok' : (r.reason ?? 'none')}`;
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      if (r.ok !== (r.reason === undefined) || (!r.ok && !reasons.has(r.reason!)))
        problems.push(`${c.name}: ok ${r.ok}, reason ${r.reason}`);
      const want = expectedCounts(c);
      if (JSON.stringify(r.anomalies ?? {}) !== JSON.stringify(want)) {
        problems.push(`${c.name}: anomalies ${JSON.stringify(r.anomalies)}, expected ${JSON.stringify(want)}`);
      }
      if (r.video.frames < 3) problems.push(`${c.name}: only ${r.video.frames} video frames (the valid tail has 3)`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

describe('heap across 1,000 hostile probes', () => {
  it(`grows by less than ${HEAP_GROWTH_LIMIT / 2 ** 20} MB, and` +
    ` every probe ends ok or with a reason and its anomaly codes`, async () => {
    const started = performance.now();
    const warmTally = new Map<string, number>();
    const problems: string[] = [];
    await probeRange(0, WARMUP, warmTally, problems);
    await sleep(DEADLINE_MS + 200); // let the warm-up's deadline timers fire too
    const before = heapAfterGc();

    const tally = new Map<string, number>();
    const t0 = performance.now();
    await probeRange(WARMUP, WARMUP + PROBES, tally, problems);
    const probeSeconds = (performance.now() - t0) / 1000;
    const rightAfter = heapAfterGc();
    // Each probe's AbortSignal.timeout(deadline) keeps its listeners until it fires: wait those out,
    // so what is left is what 1,000 probes leave behind for good.
    await sleep(DEADLINE_MS + 200);
    const after = heapAfterGc();
    const growth = after.total - before.total;
    const mb = (n: number) => (n / 2 ** 20).toFixed(2);
    console.log(
      `hostile-heap: ${PROBES} probes over ${cases.length} hostile cases in ${probeSeconds.toFixed(1)} s ` +
        `(concurrency ${CONCURRENCY}); after GC heapUsed ${mb(before.heap)} -> ${mb(after.heap)} MB, ` +
        `arrayBuffers ${mb(before.arrayBuffers)} -> ${mb(after.arrayBuffers)} MB; ` +
        `growth ${mb(growth)} MB (limit ${mb(HEAP_GROWTH_LIMIT)} MB;` +
        ` ${mb(rightAfter.total - before.total)} MB before the deadline timers fired); ` +
        `outcomes ${JSON.stringify(Object.fromEntries(tally))}`,
    );

    expect(problems.slice(0, 10)).toEqual([]);
    expect([...tally.values()].reduce((a, b) => a + b, 0)).toBe(PROBES);
    // Held connections end on the sample timer with the valid tail's two keyframes read: ok. Closed ones
    // end on EOF before the sample ended: truncated (or ok, if a loaded machine let the 150 ms sample
    // timer fire before the EOF was handled).
    expect(tally.get('held:ok')).toBe(PROBES / 2);
    expect((tally.get('closed:truncated') ?? 0) + (tally.get('closed:ok') ?? 0)).toBe(PROBES / 2);
    expect(growth).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect((performance.now() - started) / 1000).toBeLessThan(60);
  }, 90_000);
});
