/**
 * The Piscina probe pool under load and under worker failure (issue 3 item 5, "done when": 200 probes at
 * once, a tenth faulty, all on time with the right reasons).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ProbePool } from '@video-exporter/aggregator';
import {
  type ContentResult,
  DEFAULT_CONTENT_CHECK,
  type FailureReason,
  type ProbeJob,
  type ProbeResult,
} from '@video-exporter/probe-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveSourceProcess, startLiveSourceProcess } from '../support/live-source-process.js';
import { job, LIVE_FIXTURE } from './helpers.js';

/** the real worker wrapped with test faults (throw / crash by a `test_hook=` query parameter) */
const HOOK_WORKER = fileURLToPath(new URL('../faults/support/hook-worker.mjs', import.meta.url));

// the source in its own process: its pacing must not pause while this process runs 200 probes' results
let src: LiveSourceProcess;

beforeAll(async () => {
  src = await startLiveSourceProcess({ fixtures: { hd: LIVE_FIXTURE } });
});
afterAll(async () => {
  await src?.close();
});

interface Case {
  job: ProbeJob;
  /** undefined: a healthy stream, expected ok */
  reason?: FailureReason;
  /** when the probe must have ended by its own rules (sample, timeout), ms from submission */
  dueMs: number;
}

/** Extra time a probe may take past its due time when 200 share two cores with the source (upper bound: room). */
const SLACK_MS = 3000;

describe('ProbePool', () => {
  it('200 probes at once, a tenth faulty: all end on time with the right verdict', { timeout: 40_000 }, async () => {
    const sampleMs = 3000;
    const timeouts = { headersTimeoutMs: 1500, firstByteTimeoutMs: 1500, idleTimeoutMs: 1500 };
    // the hard deadline of every probe; the due times below are tighter, per kind
    const deadlineMs = 2 * sampleMs + 3000;
    const base = (name: string, query = ''): ProbeJob =>
      job(`${src.url}/live/hd/${name}.flv${query}`, { sampleMs, deadlineMs, ...timeouts });

    const faulty: Case[] = [];
    for (let i = 0; i < 4; i++) {
      // no retries here: a 5xx is one attempt, answered at once
      faulty.push({ job: base(`f500-${i}`, '?status=500'), reason: 'http_5xx', dueMs: 0 });
      faulty.push({ job: base(`fhtml-${i}`, '?html=1'), reason: 'not_flv', dueMs: 0 });
      // no keyframe ever: the sample is extended to 2 × sampleMs, then judged
      faulty.push({ job: base(`faudio-${i}`, '?audio_only=1'), reason: 'no_video', dueMs: 2 * sampleMs });
      faulty.push({ job: base(`fhalf-${i}`, '?half_tag=1'), reason: 'truncated', dueMs: timeouts.idleTimeoutMs });
      faulty.push({
        job: base(`fsilent-${i}`, '?never_headers=1'),
        reason: 'timeout',
        dueMs: timeouts.headersTimeoutMs,
      });
    }
    const healthy: Case[] = Array.from({ length: 200 - faulty.length }, (_, i) => ({
      job: base(`room${i}`),
      dueMs: sampleMs,
    }));
    // interleave the faulty among the healthy, so both threads get some of each
    const cases: Case[] = [...healthy];
    faulty.forEach((c, i) => {
      cases.splice(i * 10 + 5, 0, c);
    });
    expect(cases.length).toBe(200);
    expect(cases.filter((c) => c.reason !== undefined).length).toBe(20);

    const pool = new ProbePool({ threads: 2, maxConcurrent: 200 });
    try {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const done = await Promise.all(
        cases.map(async (c) => {
          const result = await pool.run(c.job);
          return { c, result, ms: performance.now() - t0 };
        }),
      );
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      // for the record: the whole process (test thread, live source, both probe threads)
      console.log(
        `pool: 200 probes (20 faulty), sample ${sampleMs} ms, 2 threads: wall ${Math.round(wallMs)} ms, ` +
          `process CPU user ${Math.round(cpu.user / 1000)} ms + system ${Math.round(cpu.system / 1000)} ms ` +
          `(${Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100)} % of one core); ` +
          `slowest probe past its due time: ${Math.round(Math.max(...done.map((d) => d.ms - d.c.dueMs)))} ms`,
      );

      // every probe within its hard deadline, and within its own due time + slack
      const late = done.filter((d) => d.ms > d.c.job.deadlineMs || d.ms > d.c.dueMs + SLACK_MS);
      expect(late.map((d) => `${d.c.job.url} ended after ${Math.round(d.ms)} ms (due ${d.c.dueMs})`)).toEqual([]);
      // and not before: a probe that ends early did not measure what it says
      const early = done.filter((d) => d.ms < d.c.dueMs);
      expect(early.map((d) => `${d.c.job.url} ended after ${Math.round(d.ms)} ms (due ${d.c.dueMs})`)).toEqual([]);

      const wrong = (d: { c: Case; result: ProbeResult }): string | undefined => {
        const r = d.result;
        if (d.c.reason !== undefined)
          return r.ok || r.reason !== d.c.reason ? `${r.url}: ${r.reason} (${r.error}), want ${d.c.reason}` : undefined;
        if (!r.ok) return `${r.url}: ${r.reason} (${r.error})`;
        // tolerance: 25 ± 0.5 fps
        const fps = r.video.framerate;
        if (fps === undefined || fps < 24.5 || fps > 25.5) return `${r.url}: ${fps} fps`;
        if (r.stalls?.count !== 0) return `${r.url}: ${r.stalls?.count} stalls`;
        return undefined;
      };
      expect(done.map(wrong).filter((m) => m !== undefined)).toEqual([]);
    } finally {
      await pool.destroy();
    }
  });

  it('a task that throws: worker_crash for that probe only, its neighbours on the thread succeed', async () => {
    const pool = new ProbePool({ threads: 1, maxConcurrent: 10, workerFile: HOOK_WORKER });
    try {
      const neighbours = Array.from({ length: 5 }, (_, i) =>
        pool.run(job(`${src.url}/live/hd/n${i}.flv`, { sampleMs: 2000 })),
      );
      // thrown while the neighbours are in flight on the same (only) thread
      await new Promise((resolve) => setTimeout(resolve, 200));
      const thrown = await pool.run(job(`${src.url}/live/hd/throw.flv?test_hook=throw`));
      expect(thrown.ok).toBe(false);
      expect(thrown.reason).toBe('worker_crash');
      const results = await Promise.all(neighbours);
      expect(results.map((r) => [r.ok, r.reason])).toEqual(results.map(() => [true, undefined]));
    } finally {
      await pool.destroy();
    }
  });

  it('a thread that dies: worker_crash, and a probe started afterwards succeeds on its replacement', async () => {
    // its own pool: a crash takes every probe on its thread down, so nothing else may share it
    const pool = new ProbePool({ threads: 1, maxConcurrent: 4, workerFile: HOOK_WORKER });
    try {
      const crashed = await pool.run(job(`${src.url}/live/hd/crash.flv?test_hook=crash`));
      expect(crashed.ok).toBe(false);
      expect(crashed.reason).toBe('worker_crash');
      const after = await pool.run(job(`${src.url}/live/hd/after-crash.flv`, { sampleMs: 2000 }));
      expect(after.reason, after.error).toBeUndefined();
      expect(after.ok).toBe(true);
      expect(pool.stats().threads).toBe(1);
    } finally {
      await pool.destroy();
    }
  });

  it('sized by load: one thread until it holds its share of probes, then one more', async () => {
    const cores = availableParallelism();
    const pool = new ProbePool({ maxConcurrent: 6, probesPerThread: 3 });
    try {
      const probe = (name: string) => pool.run(job(`${src.url}/live/hd/${name}.flv`, { sampleMs: 1500 }));
      const first = ['l1', 'l2', 'l3'].map(probe);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pool.stats().threads).toBe(1);
      const more = ['l4', 'l5', 'l6'].map(probe);
      const results = await Promise.all([...first, ...more]);
      expect(results.map((r) => r.reason)).toEqual(results.map(() => undefined));
      expect(pool.stats().threads).toBe(Math.min(2, cores));
    } finally {
      await pool.destroy();
    }
  });
  describe('a probe that carries a content check (SPEC §13)', () => {
    /** the check waits this long for company before its decoder starts: the probe's result must not */
    const BATCH_WAIT_MS = 2500;
    const withCheck = (name: string, query = '') =>
      ({
        ...job(`${src.url}/live/hd/${name}.flv${query}`, { sampleMs: 1500 }),
        content: { ...DEFAULT_CONTENT_CHECK, batchWaitMs: BATCH_WAIT_MS },
      }) satisfies ProbeJob;
    /** resolves with what onContent got, and when */
    const contentOf = () => {
      let settle!: (v: { c: ContentResult | undefined; at: number }) => void;
      const got = new Promise<{ c: ContentResult | undefined; at: number }>((resolve) => (settle = resolve));
      return { got, onContent: (c: ContentResult | undefined) => settle({ c, at: performance.now() }) };
    };

    it('the result comes when the sample ends; the check follows with its own figures and thumbnail', async () => {
      const pool = new ProbePool({ threads: 1, maxConcurrent: 2 });
      try {
        const { got, onContent } = contentOf();
        const result = await pool.run(withCheck('checked'), onContent);
        const resultAt = performance.now();
        expect(result.reason, result.error).toBeUndefined();
        expect(result.content).toBeUndefined();
        const { c, at } = await got;
        expect(c?.result, c?.error).toBe('ok');
        expect(c?.black_ratio).toBeTypeOf('number');
        expect(c?.thumbnail?.byteLength).toBeGreaterThan(0);
        // the decoder started only after its batch wait: the result did not wait for it (lower bound only)
        expect(at - resultAt).toBeGreaterThanOrEqual(BATCH_WAIT_MS - 500);
      } finally {
        await pool.destroy();
      }
    });

    it('no video, no check: onContent gets undefined once', async () => {
      const pool = new ProbePool({ threads: 1, maxConcurrent: 2 });
      try {
        const calls: (ContentResult | undefined)[] = [];
        const { got, onContent } = contentOf();
        const result = await pool.run(withCheck('html', '?html=1'), (c) => {
          calls.push(c);
          onContent(c);
        });
        expect(result.reason).toBe('not_flv');
        expect((await got).c).toBeUndefined();
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(calls).toEqual([undefined]);
      } finally {
        await pool.destroy();
      }
    });

    it('a thread that dies with the probe: onContent gets undefined (the port closed), not a hang', async () => {
      const pool = new ProbePool({ threads: 1, maxConcurrent: 2, workerFile: HOOK_WORKER });
      try {
        const { got, onContent } = contentOf();
        const crashed = await pool.run(withCheck('crash-check', '?test_hook=crash'), onContent);
        expect(crashed.reason).toBe('worker_crash');
        expect((await got).c).toBeUndefined();
      } finally {
        await pool.destroy();
      }
    });
  });
});
