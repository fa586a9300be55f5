import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  type ContentResult,
  emptyResult,
  type ProbeJob,
  type ProbeResult,
  type ProbeTask,
  redactUrl,
} from '@video-exporter/probe-worker/common';
import { Piscina } from 'piscina';

const require = createRequire(import.meta.url);
/** an earlier batch on the same decoder, the check's own batch, and its run alone after a failed batch */
const DECODER_RUNS_WAITED = 3;
/** The built worker entry of @video-exporter/probe-worker. */
export const WORKER_FILE = require.resolve('@video-exporter/probe-worker/worker');

export interface ProbePoolOptions {
  /** worker threads, all started at once; default: sized by load, one to start with, up to one per core */
  threads?: number;
  /** probes in flight at once across the pool (SPEC max_concurrent) */
  maxConcurrent: number;
  workerFile?: string;
  /** sized by load: probes a thread takes before the next one starts (default PROBES_PER_THREAD) */
  probesPerThread?: number;
}

/**
 * Probes one worker thread takes before the pool starts another (only when `workers` is not set). Each
 * thread is an isolate of its own (about 11 MB before any probe) with its own JIT code and GC work, so
 * one busy thread beats two half-busy ones, up to a point: measured with `pnpm bench` (2.5 Mbit/s
 * streams, about 83 % of them in flight), one thread reads 1000 streams at 42–46 % of a core (two: 50 %,
 * and 25 MB more RSS); at 2000 streams on one thread it used 69 % of a core in one run and 87 % in the
 * next, too close to a full core for reads to be timed right, and gained nothing stable over two threads
 * (83 / 103 % CPU, 209 / 241 MB peak, against 86 % and 227 MB) (docs/benchmarks.md).
 */
export const PROBES_PER_THREAD = 1000;

/**
 * Piscina pool of probe workers, many concurrent probes per thread (timeouts live inside the worker, so
 * no Piscina abort). Without a configured thread count it starts with one thread and adds one (up to one
 * per core) when every thread holds PROBES_PER_THREAD probes. A crashed or throwing worker yields
 * `worker_crash` for its probes; Piscina replaces the thread and other probes carry on.
 */
export class ProbePool {
  /** the most threads the pool runs */
  readonly threads: number;
  readonly capacity: number;
  private readonly piscina: Piscina<ProbeTask, ProbeResult>;
  private inFlight = 0;

  constructor(o: ProbePoolOptions) {
    const fixed = o.threads !== undefined;
    this.threads = maxPoolThreads(o.threads);
    // fixed: the probes spread over every thread; by load: a thread fills up before the next one starts
    const perThread = Math.max(
      1,
      Math.ceil(o.maxConcurrent / this.threads),
      fixed ? 0 : Math.min(o.maxConcurrent, o.probesPerThread ?? PROBES_PER_THREAD),
    );
    this.capacity = perThread * this.threads;
    this.piscina = new Piscina<ProbeTask, ProbeResult>({
      filename: o.workerFile ?? WORKER_FILE,
      minThreads: fixed ? this.threads : 1,
      maxThreads: this.threads,
      concurrentTasksPerWorker: perThread,
      // a thread the load started and no probe has used for this long goes (never below minThreads); at most
      // 2^31 - 1: Node turns a larger timer into 1 ms, which would end an extra thread as soon as it idles
      idleTimeout: IDLE_THREAD_MS,
      // no per-task run/wait-time histograms: nothing reads them, and they cost on every probe
      recordTiming: false,
      // 'sync' (Piscina's default) blocks an idle thread in Atomics.wait between tasks, which would freeze
      // the content checks a thread keeps running after their probes returned (and their timers)
      atomics: 'disabled',
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    // A worker that dies emits 'error' on the pool: it is handled per task below, never fatal.
    this.piscina.on('error', () => {});
  }

  /**
   * Runs one attempt; never rejects. A main-thread guard turns a hung worker into `timeout`. A job with a
   * content check needs `onContent`: it is called once, later than the probe's result, with the check's
   * result or undefined when no check ran (no video, a lost worker).
   */
  async run(job: ProbeJob, onContent?: (c: ContentResult | undefined) => void): Promise<ProbeResult> {
    this.inFlight++;
    let guard: NodeJS.Timeout | undefined;
    const { content, ...plain } = job;
    const channel = content && onContent ? new MessageChannel() : undefined;
    const task: ProbeTask = channel ? { ...plain, content, contentPort: channel.port2 } : plain;
    if (channel && onContent) awaitContent(channel.port1, job, onContent);
    try {
      const waitMs = job.deadlineMs + GUARD_SLACK_MS;
      const hung = new Promise<ProbeResult>((resolve) => {
        guard = setTimeout(
          () => resolve(failed(job, 'timeout', `no answer from the worker within ${waitMs} ms`)),
          waitMs,
        );
      });
      const run = this.piscina.run(task, channel ? { transferList: [channel.port2] } : {});
      return await Promise.race([run, hung]);
    } catch (err) {
      channel?.port1.close();
      return failed(job, 'worker_crash', `probe worker failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(guard);
      this.inFlight--;
    }
  }

  stats(): { threads: number; queue: number; in_flight: number; utilization: number } {
    return {
      threads: this.piscina.threads.length,
      queue: this.piscina.queueSize,
      in_flight: this.inFlight,
      utilization: this.inFlight / this.capacity,
    };
  }

  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}

/**
 * Young generation of each worker thread, MB. A worker allocates steadily (a view per socket read, the
 * parser's per-tag objects), almost all of it dead within a read; V8 answers a high allocation rate by
 * growing the semi-spaces up to 16 MB each (32 MB of young generation per thread), which is RSS that
 * never shrinks back. Capped, scavenges come more often but stay cheap (few survivors). Measured with
 * `pnpm bench` at N = 400 (docs/benchmarks.md "Profiling"): peak RSS 198 → 145 MB, CPU unchanged.
 */
export const WORKER_YOUNG_GENERATION_MB = 4;

/** The most worker threads a pool runs: `workers` when configured, else one per core. */
export function maxPoolThreads(workers?: number): number {
  return Math.max(1, workers ?? availableParallelism());
}

/** A thread started for load that has had no probe for a minute ends. */
const IDLE_THREAD_MS = 60_000;

/** Extra time the main thread waits past a job's own deadline before declaring the worker hung. */
const GUARD_SLACK_MS = 2000;

function failed(job: ProbeJob, reason: 'timeout' | 'worker_crash', message: string): ProbeResult {
  return { ...emptyResult(redactUrl(job.url)), reason, error: message };
}

/**
 * A content check runs after the probe (SPEC §13): it may wait for company, then for a decoder that is
 * busy with an earlier batch, then for its own batch, and once more alone if that batch failed.
 */
function contentWaitMs(job: ProbeJob): number {
  const c = job.content;
  return c ? job.deadlineMs + c.batchWaitMs + DECODER_RUNS_WAITED * c.timeoutMs + GUARD_SLACK_MS : 0;
}

/**
 * The check's one message on its port: a result, null (no check ran), or nothing at all when the worker
 * thread went away (the port closes) or hangs past every wait the check may have (the guard).
 */
function awaitContent(port: MessagePort, job: ProbeJob, onContent: (c: ContentResult | undefined) => void): void {
  const waitMs = contentWaitMs(job);
  let done = false;
  const finish = (c: ContentResult | undefined) => {
    if (done) return;
    done = true;
    clearTimeout(guard);
    port.close();
    onContent(c);
  };
  const guard = setTimeout(
    () => finish({ result: 'timeout', error: `no answer from the worker within ${waitMs} ms`, duration_ms: waitMs }),
    waitMs,
  );
  guard.unref();
  port.once('message', (c: ContentResult | null) => finish(c ?? undefined));
  port.once('close', () => finish(undefined));
  // a check in flight does not hold the process open at shutdown
  port.unref();
}
