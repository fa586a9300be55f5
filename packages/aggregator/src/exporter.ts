import { Registry } from 'prom-client';
import { redactUrl, type ProbeResult } from '@video-exporter/probe-worker';
import { diffStreams, type Config, type StreamConfig } from './config/index.js';
import { startHttpServer } from './http/index.js';
import type { Logger } from './logging.js';
import { createMetrics, type Metrics } from './metrics/registry.js';
import { ProbePool } from './probe-pool.js';
import { buildJob, probeWithRetries } from './probe-runner.js';
import { Scheduler } from './scheduling/scheduler.js';
import { LagWindow } from './scheduling/lag-window.js';
import { StreamState } from './state/stream-state.js';
import type { ExporterStatus, ExporterView, StreamIdentity, StreamSnapshot } from './state/types.js';
import { VERSION } from './version.js';

export interface ExporterOptions {
  config: Config;
  configPath: string | null;
  logger: Logger;
  /** overrides listen_addr (tests, the demo) */
  listen?: { host?: string; port: number };
  /** worker entry override (tests) */
  workerFile?: string;
}

interface Tracked {
  config: StreamConfig;
  state: StreamState;
}

/** Wires config, scheduler, pool, per-stream state, metrics and the HTTP server; applies reloads. */
export class Exporter implements ExporterView {
  readonly registry = new Registry();
  private readonly metrics: Metrics;
  private config: Config;
  private readonly streams = new Map<string, Tracked>();
  private pool!: ProbePool;
  private scheduler!: Scheduler;
  private readonly lag = new LagWindow();
  private http?: Awaited<ReturnType<typeof startHttpServer>>;
  private phase: ExporterStatus['status'] = 'starting';
  private readonly startedAt = Date.now();
  private lastReload = { ok: true, at: Date.now() / 1000 };
  private readonly shutdown = new AbortController();
  private intervalStats = { probes: 0, ok: 0, failed: 0 };
  private summaryTimer?: NodeJS.Timeout;

  constructor(private readonly o: ExporterOptions) {
    this.config = o.config;
    this.metrics = createMetrics({
      registry: this.registry,
      allowedTags: o.config.exporter.allowed_tags,
      version: VERSION,
      sources: {
        pool: () => {
          const p = this.pool?.stats();
          return { threads: p?.threads ?? 0, queue: (p?.queue ?? 0) + (this.scheduler?.queued ?? 0), utilization: p?.utilization ?? 0 };
        },
        scheduleLag: () => this.lag.max(Date.now(), this.config.exporter.check_interval * 1000) / 1000,
        streams: () => this.counts(),
      },
    });
  }

  get url(): string | undefined {
    return this.http?.url;
  }

  async start(): Promise<void> {
    const e = this.config.exporter;
    this.pool = new ProbePool({ maxConcurrent: e.max_concurrent, ...(e.workers ? { threads: e.workers } : {}), ...(this.o.workerFile ? { workerFile: this.o.workerFile } : {}) });
    this.scheduler = this.createScheduler();
    for (const w of this.config.warnings) this.o.logger.warn(w);
    for (const s of this.config.streams) this.track(s);
    this.metrics.reloadOk.set(1);
    this.metrics.reloadAt.set(this.lastReload.at);
    const listen = this.o.listen ?? { ...(e.listen_addr.host ? { host: e.listen_addr.host } : {}), port: e.listen_addr.port };
    this.http = await startHttpServer({ ...listen, registry: this.registry, view: this, metrics: this.metrics.http, logger: this.o.logger });
    this.phase = 'ready';
    this.summaryTimer = setInterval(() => this.logSummary(), e.check_interval * 1000);
    this.summaryTimer.unref();
    this.o.logger.info('exporter started', {
      version: VERSION,
      listen: this.http.url,
      streams: this.streams.size,
      threads: this.pool.threads,
      check_interval_s: e.check_interval,
      sample_duration_s: e.sample_duration,
    });
  }

  /** Applies a new, already validated config: only the difference changes. */
  applyConfig(next: Config): void {
    const before = this.config.exporter;
    const after = next.exporter;
    for (const w of next.warnings) this.o.logger.warn(w);
    const restartOnly = ['listen_addr', 'allowed_tags', 'workers', 'max_concurrent'] as const;
    for (const key of restartOnly) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) this.o.logger.warn(`config reload: ${key} changes take effect after a restart; keeping the running value`);
    }
    const kept = { ...after, listen_addr: before.listen_addr, allowed_tags: before.allowed_tags, workers: before.workers, max_concurrent: before.max_concurrent };
    const timingChanged = before.check_interval !== after.check_interval;
    this.config = { ...next, exporter: kept };
    const diff = diffStreams([...this.streams.values()].map((t) => t.config), next.streams);
    for (const s of diff.removed) this.untrack(s.key);
    for (const s of diff.changed) {
      this.untrack(s.key);
      this.track(s);
    }
    for (const s of diff.added) this.track(s);
    for (const s of diff.unchanged) this.streams.get(s.key)!.config = s;
    if (timingChanged) {
      this.scheduler.stop();
      this.scheduler = this.createScheduler();
      for (const key of this.streams.keys()) this.scheduler.add(key);
    }
    this.lastReload = { ok: true, at: Date.now() / 1000 };
    this.metrics.reloadOk.set(1);
    this.metrics.reloadAt.set(this.lastReload.at);
    this.o.logger.info('config reloaded', { added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length, unchanged: diff.unchanged.length });
  }

  countUnhandled(kind: 'rejection' | 'exception'): void {
    this.metrics.unhandled.inc({ kind });
  }

  reloadFailed(message: string): void {
    this.lastReload = { ok: false, at: this.lastReload.at };
    this.metrics.reloadOk.set(0);
    this.o.logger.error(`config reload failed, keeping the running config: ${message}`);
  }

  /** SIGTERM/SIGINT: not ready, no new probes, in-flight probes aborted, pool destroyed. */
  async stop(): Promise<void> {
    if (this.phase === 'stopping') return;
    this.phase = 'stopping';
    this.o.logger.info('shutting down');
    clearInterval(this.summaryTimer);
    this.scheduler?.stop();
    this.shutdown.abort();
    await this.pool?.destroy().catch(() => {});
    await this.http?.close();
  }

  // ---------------------------------------------------------------- ExporterView

  ready(): boolean {
    return this.phase === 'ready';
  }

  snapshots(): StreamSnapshot[] {
    return [...this.streams.values()].map((t) => t.state.snapshot);
  }

  snapshot(key: string): StreamSnapshot | undefined {
    return this.streams.get(key)?.state.snapshot;
  }

  status(): ExporterStatus {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    const c = this.counts();
    const p = this.pool?.stats();
    return {
      status: this.phase,
      version: VERSION,
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      streams: { configured: c.configured, owned: c.owned, up: c.up, down: c.down, pending: c.owned - c.up - c.down },
      pool: { threads: p?.threads ?? 0, queue: (p?.queue ?? 0) + (this.scheduler?.queued ?? 0), in_flight: p?.in_flight ?? 0, utilization: p?.utilization ?? 0, max_concurrent: this.config.exporter.max_concurrent },
      memory: { rss_bytes: mem.rss, heap_used_bytes: mem.heapUsed },
      cpu: { user_s: cpu.user / 1e6, system_s: cpu.system / 1e6 },
      config: { path: this.o.configPath, last_reload_ok: this.lastReload.ok, last_reload_at: this.lastReload.at },
    };
  }

  // ---------------------------------------------------------------- internals

  private createScheduler(): Scheduler {
    const e = this.config.exporter;
    return new Scheduler({
      intervalMs: e.check_interval * 1000,
      maxConcurrent: e.max_concurrent,
      run: (key) => this.probe(key),
      onLag: (_key, lagMs) => this.lag.add(Date.now(), lagMs),
      onOverlap: (key) => this.o.logger.debug('probe still running at its next slot; skipped', { stream: key }),
    });
  }

  private identity(s: StreamConfig): StreamIdentity {
    return { key: s.key, project: s.project, line: s.line, id: s.id, url: redactUrl(s.url), tags: s.tags };
  }

  private track(s: StreamConfig): void {
    this.streams.set(s.key, { config: s, state: new StreamState(this.identity(s)) });
    this.scheduler.add(s.key);
  }

  private untrack(key: string): void {
    const t = this.streams.get(key);
    if (!t) return;
    this.scheduler.remove(key);
    this.streams.delete(key);
    this.metrics.remove(t.state.stream);
  }

  private async probe(key: string): Promise<void> {
    const tracked = this.streams.get(key);
    if (!tracked) return;
    const e = this.config.exporter;
    const started = performance.now();
    const job = buildJob(tracked.config, e);
    let result: ProbeResult;
    try {
      result = await probeWithRetries(
        job,
        e.max_retries,
        (j) => this.pool.run(j),
        (failed) => {
          this.metrics.retries.inc();
          this.o.logger.debug('probe attempt failed, retrying', { stream: key, reason: failed.reason });
        },
        this.shutdown.signal,
      );
    } catch (err) {
      if (this.shutdown.signal.aborted) return;
      throw err;
    }
    if (this.shutdown.signal.aborted || this.streams.get(key) !== tracked) return; // stopped or reloaded meanwhile
    this.metrics.probeDuration.observe((performance.now() - started) / 1000);
    const before = tracked.state.snapshot;
    const snap = tracked.state.record(result, Date.now(), e.min_keyframes, e.scoring);
    this.metrics.publish(snap);
    this.metrics.probes.inc({ result: result.ok ? 'success' : 'failure' });
    if (result.reason) this.metrics.probeErrors.inc({ reason: result.reason });
    this.intervalStats.probes++;
    if (result.ok) this.intervalStats.ok++;
    else this.intervalStats.failed++;
    this.logProbe(snap);
    if (before.state !== 'pending' && before.state !== snap.state) {
      const msg = `stream ${key} ${before.state} -> ${snap.state}`;
      if (snap.state === 'down') this.o.logger.warn(msg, { stream: key, reason: result.reason, error: result.error });
      else this.o.logger.info(msg, { stream: key });
    }
  }

  private logProbe(s: StreamSnapshot): void {
    const r = s.last!;
    const fields = {
      stream: s.stream.key,
      up: s.up,
      healthy: s.healthy,
      ...(r.reason ? { reason: r.reason, error: r.error } : {}),
      status: r.http_status,
      ttfb_ms: r.ttfb_ms,
      bitrate_kbps: r.bitrate_bps !== undefined ? Math.round(r.bitrate_bps / 1000) : undefined,
      fps: r.video.framerate,
      size: r.video.width ? `${r.video.width}x${r.video.height}` : undefined,
      codec: r.video.codec,
      keyframes: r.video.keyframes,
      stalls: r.stalls?.count,
      rebuffers: r.player?.rebuffer_count,
      quality: s.quality,
      overall: s.overall,
    };
    this.o.logger.log(r.ok ? 'info' : 'warn', 'probe finished', fields);
  }

  private logSummary(): void {
    const c = this.counts();
    this.o.logger.info('interval summary', {
      ...this.intervalStats,
      up: c.up,
      down: c.down,
      pending: c.owned - c.up - c.down,
      schedule_lag_s: this.lag.max(Date.now(), this.config.exporter.check_interval * 1000) / 1000,
    });
    this.intervalStats = { probes: 0, ok: 0, failed: 0 };
  }

  private counts(): { configured: number; owned: number; up: number; down: number } {
    let up = 0;
    let down = 0;
    for (const t of this.streams.values()) {
      const st = t.state.snapshot.state;
      if (st === 'up') up++;
      else if (st === 'down') down++;
    }
    return { configured: this.config.streams.length, owned: this.streams.size, up, down };
  }
}
