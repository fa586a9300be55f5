/**
 * Issue 8 item 3: worker isolation inside a whole exporter. A probe whose worker task throws, whose worker
 * thread dies, or whose task never answers gets `worker_crash` / `timeout` for that probe only; the pool
 * replaces the dead thread and every other stream keeps its figures.
 *
 * The worker test hooks cannot be enabled from the CLI (on purpose), so the exporter runs in this process
 * (the real Exporter class, its Piscina pool, scheduler, metrics and HTTP server) with a worker entry that
 * switches the hook on from a `test_hook=` query parameter (support/hook-worker.mjs). Process-level
 * handlers (unhandled rejections) are tested on the CLI in fault-suite.test.ts.
 *
 * A thread that dies takes every probe on it down (pool.test.ts shows it): that is the blast radius of a
 * native crash, not a probe-level fault. To test "that probe only" for a crash, the streams' phases are
 * chosen so the crash fires while no healthy probe is in flight; the throw fires while they are.
 */
import { fileURLToPath } from 'node:url';
import type { Logger } from '@video-exporter/aggregator';
import { Exporter, parseConfigText, phaseMs } from '@video-exporter/aggregator';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../exporter/support/exporter-process.js';
import { getJson, scrape } from '../exporter/support/http.js';
import { sampleValue } from '../exporter/support/prom-text.js';
import { type ApiStreamFull as ApiStream, apiStreamsFull as apiStreams } from './support/api.js';
import { configJson, type FaultStream, streamKey } from './support/config.js';

/** 720p25 H.264 + AAC, 2 s, GOP 1 s, ~220 kbit/s: cheap, and two keyframes in a 2 s sample. */
const SMALL_FIXTURE = fileURLToPath(new URL('../fixtures/h264/h264_720p25_high_aac.flv', import.meta.url));
const HOOK_WORKER = fileURLToPath(new URL('./support/hook-worker.mjs', import.meta.url));
const INTERVAL_S = 5;
const INTERVAL_MS = INTERVAL_S * 1000;
const EXPORTER = {
  check_interval: INTERVAL_S,
  sample_duration: 2,
  max_retries: 1,
  workers: 2,
  log_level: 'debug',
  connect_timeout_ms: 1000,
  first_byte_timeout_ms: 1500,
  idle_timeout_ms: 1500,
  // no content checks: a probe that carries one gets the decoder's time on top of its deadline from the guard
  content_checks: { enabled: false },
};

interface Line {
  level: string;
  message: string;
  [k: string]: unknown;
}

/** The Exporter logs through winston; this stand-in keeps the lines for the assertions. */
function memoryLogger(lines: Line[]): Logger {
  const at = (level: string) => (message: string, meta?: object) => {
    lines.push({ level, message, ...(meta ?? {}) });
  };
  const logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    log: (level: string, message: string, meta?: object) => at(level)(message, meta),
    isLevelEnabled: () => true,
    isDebugEnabled: () => true,
  };
  return logger as unknown as Logger;
}

/** Streams of `project`/`line` whose phase inside the interval lies in [from, to) ms. */
function idsInPhase(project: string, line: string, prefix: string, from: number, to: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n && i < 10_000; i++) {
    const id = `${prefix}-${i}`;
    const p = phaseMs(`${project}/${line.toLowerCase()}/${id}`, INTERVAL_MS);
    if (p >= from && p < to) out.push(id);
  }
  return out;
}

interface Running {
  exporter: Exporter;
  url: string;
  lines: Line[];
}

async function startExporter(streams: FaultStream[]): Promise<Running> {
  const lines: Line[] = [];
  const config = parseConfigText(configJson(EXPORTER, streams), { env: {} });
  const exporter = new Exporter({
    config,
    configPath: null,
    logger: memoryLogger(lines),
    listen: { host: '127.0.0.1', port: 0 },
    workerFile: HOOK_WORKER,
  });
  await exporter.start();
  return { exporter, url: exporter.url!, lines };
}

const probesOf = async (url: string, s: FaultStream) =>
  (await getJson<{ probes: number }>(`${url}/api/streams/${streamKey(s)}`)).body.probes;
const finished = (lines: Line[], s: FaultStream) =>
  lines.filter((l) => l.message === 'probe finished' && l.stream === streamKey(s));

let source: LiveSource;
beforeAll(async () => {
  source = await startLiveSource({ fixtures: { small: SMALL_FIXTURE } });
});
afterAll(async () => {
  await source?.close();
});

describe('a task that throws and a thread that dies', () => {
  let run: Running | undefined;
  let healthy: FaultStream[];
  let thrower: FaultStream;
  let crasher: FaultStream;
  let api: ApiStream[];

  beforeAll(async () => {
    const s = (name: string, query = '') => `${source.url}/live/small/${name}.flv${query}`;
    // healthy probes run [phase, phase + ~2.1 s): phases 200–1000 ms leave them all done by ~3.1 s
    healthy = idsInPhase('Iso', 'SOURCE', 'ok', 200, 1000, 4).map((id) => ({
      project: 'Iso',
      line: 'SOURCE',
      id,
      url: s(id),
    }));
    // the throw lands while the healthy probes are in flight on both threads
    const [throwId] = idsInPhase('Iso', 'HOOK', 'throw', 1200, 2000, 1);
    // the crash lands when no healthy probe is in flight, and well before the next interval's
    const [crashId] = idsInPhase('Iso', 'HOOK', 'crash', 3800, 4600, 1);
    thrower = { project: 'Iso', line: 'HOOK', id: throwId!, url: s('throw', '?test_hook=throw') };
    crasher = { project: 'Iso', line: 'HOOK', id: crashId!, url: s('crash', '?test_hook=crash') };
    run = await startExporter([...healthy, thrower, crasher]);
    const url = run.url;
    // three rounds: three crashes and three throws, each followed by healthy probes on the replaced thread
    // and a healthy probe finished after the last crash (the recovery the last test reads from the log order)
    const recoveredAfterLastCrash = (): boolean => {
      const all = run!.lines.filter((l) => l.message === 'probe finished');
      const lastCrash = all.map((l) => l.stream).lastIndexOf(streamKey(crasher));
      return lastCrash >= 0 && all.slice(lastCrash + 1).some((l) => healthy.some((h) => streamKey(h) === l.stream));
    };
    await until(
      '3 probes of every stream',
      4 * INTERVAL_MS + 8_000,
      async () => {
        const counts = await Promise.all([...healthy, thrower, crasher].map((x) => probesOf(url, x)));
        return counts.every((c) => c >= 3) && recoveredAfterLastCrash() ? true : undefined;
      },
      500,
    );
    api = await apiStreams(url);
  }, 60_000);

  afterAll(async () => {
    await run?.exporter.stop();
  });

  it('the throwing task: worker_crash, logged with the stream, not retried', () => {
    const a = api.find((x) => x.key === streamKey(thrower))!;
    expect(a.last_error?.reason).toBe('worker_crash');
    expect(a.last_error?.message).toContain('test hook: worker task threw');
    const lines = finished(run!.lines, thrower);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => l.reason === 'worker_crash' && l.level === 'warn')).toBe(true);
    // SPEC §4 retries connection failures only: a worker fault is not one
    expect(
      run!.lines.filter((l) => l.message === 'probe attempt failed, retrying' && l.stream === streamKey(thrower)),
    ).toEqual([]);
  });

  it('the dying thread: worker_crash for its probe, and the pool is back to 2 threads', async () => {
    const a = api.find((x) => x.key === streamKey(crasher))!;
    expect(a.last_error?.reason).toBe('worker_crash');
    expect(finished(run!.lines, crasher).every((l) => l.reason === 'worker_crash')).toBe(true);
    const m = await scrape(run!.url);
    expect(sampleValue(m, 'video_exporter_pool_threads')).toBe(2);
    // every crash and throw counted once per probe
    const crashes = finished(run!.lines, crasher).length + finished(run!.lines, thrower).length;
    expect(sampleValue(m, 'video_exporter_probe_errors_total', { reason: 'worker_crash' })).toBeGreaterThanOrEqual(
      crashes,
    );
  });

  it('healthy streams: every probe fine, before and after each crash', () => {
    const crashTimes = run!.lines.filter(
      (l) => l.message === 'probe finished' && l.stream === streamKey(crasher),
    ).length;
    expect(crashTimes).toBeGreaterThanOrEqual(3);
    for (const h of healthy) {
      const a = api.find((x) => x.key === streamKey(h))!;
      expect(a.last_error, h.id).toBeUndefined();
      expect(a.consecutive_failures).toBe(0);
      expect(a.up).toBe(true);
      const lines = finished(run!.lines, h);
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines.filter((l) => l.reason !== undefined || l.up !== true)).toEqual([]);
    }
    // the order proves recovery: a healthy probe finished after the last crash
    const all = run!.lines.filter((l) => l.message === 'probe finished');
    const lastCrash = all.map((l) => l.stream).lastIndexOf(streamKey(crasher));
    expect(all.slice(lastCrash + 1).some((l) => healthy.some((h) => streamKey(h) === l.stream) && l.up === true)).toBe(
      true,
    );
  });
});

describe('a task that never answers', () => {
  let run: Running | undefined;
  let healthy: FaultStream[];
  let hang: FaultStream;

  beforeAll(async () => {
    const s = (name: string, query = '') => `${source.url}/live/small/${name}.flv${query}`;
    healthy = ['a', 'b', 'c'].map((id) => ({ project: 'Iso', line: 'SOURCE', id, url: s(`hang-neighbour-${id}`) }));
    hang = { project: 'Iso', line: 'HOOK', id: 'hang', url: s('hang', '?test_hook=hang') };
    run = await startExporter([...healthy, hang]);
    const url = run.url;
    // the main thread's guard answers for the worker after the probe's deadline (interval − 0.5 s) + 2 s
    await until(
      'the hung probe answered by the guard, and healthy probes after it',
      3 * INTERVAL_MS + 8_000,
      async () => {
        const hung = finished(run!.lines, hang);
        if (hung.length === 0) return undefined;
        const after = run!.lines.slice(run!.lines.indexOf(hung[0]!));
        return healthy.every((h) => after.some((l) => l.message === 'probe finished' && l.stream === streamKey(h)))
          ? true
          : undefined;
      },
      500,
    );
    void url;
  }, 60_000);

  afterAll(async () => {
    await run?.exporter.stop();
  });

  it('timeout for that probe, from the main-thread guard', async () => {
    const [line] = finished(run!.lines, hang);
    expect(line?.reason).toBe('timeout');
    const a = (await apiStreams(run!.url)).find((x) => x.key === streamKey(hang))!;
    expect(a.last_error?.reason).toBe('timeout');
    expect(a.last_error?.message).toMatch(/no answer from the worker within \d+ ms/);
    expect(a.state).toBe('down');
  });

  it('neighbours on the same pool keep probing, all fine', async () => {
    const m = await scrape(run!.url);
    for (const h of healthy) {
      expect(
        finished(run!.lines, h).every((l) => l.reason === undefined && l.up === true),
        h.id,
      ).toBe(true);
      expect(finished(run!.lines, h).length).toBeGreaterThanOrEqual(2);
    }
    expect(sampleValue(m, 'video_exporter_pool_threads')).toBe(2);
    expect(sampleValue(m, 'video_exporter_probe_errors_total', { reason: 'timeout' })).toBe(
      finished(run!.lines, hang).length,
    );
  });
});
