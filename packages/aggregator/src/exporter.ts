import { rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type ContentResult,
  type ProbeJob,
  type ProbeResult,
  processTempRoot,
  redactUrl,
  sweepContentTempDirs,
} from '@video-exporter/probe-worker/common';
import type { Registry } from 'prom-client';
import {
  CONFIG_SOURCE,
  type Config,
  ConfigError,
  diffStreams,
  type Env,
  type ExporterConfig,
  type StreamConfig,
  type StreamDiff,
} from './config/index.js';
import { ffmpegAvailable } from './content/ffmpeg-available.js';
import { ContentScheduler } from './content/scheduler.js';
import { DiscoveryManager } from './discovery/manager.js';
import { PROBE_LIMITS, startHttpServer, type WebSecurity } from './http/index.js';
import type { Logger } from './logging.js';
import { ExpositionRegistry } from './metrics/exposition-registry.js';
import { createMetrics, type Metrics } from './metrics/registry.js';
import { maxPoolThreads, ProbePool } from './probe-pool.js';
import { buildJob, probeWithRetries } from './probe-runner.js';
import { LagWindow } from './scheduling/lag-window.js';
import { Scheduler } from './scheduling/scheduler.js';
import { createPeerSource, Ownership, ownershipMoves, type PeerResolver, type PeerSource } from './sharding/index.js';
import { StreamState } from './state/stream-state.js';
import type { ExporterStatus, ExporterView, StreamIdentity, StreamSnapshot } from './state/types.js';
import { VERSION } from './version.js';

export interface ExporterOptions {
  config: Config;
  configPath: string | null;
  logger: Logger;
  /** --web.config.file: TLS and basic auth of the HTTP server */
  web?: WebSecurity;
  /** overrides listen_addr (tests, the demo) */
  listen?: { host?: string; port: number };
  /** worker entry override (tests) */
  workerFile?: string;
  /** sharding inputs (tests): environment (default process.env), DNS resolver, resolv.conf text */
  sharding?: { env?: Env; resolver?: PeerResolver; resolvConf?: string };
}

interface Tracked {
  config: StreamConfig;
  state: StreamState;
  /** left its discovery source: not probed, exported as down until gone_grace ends */
  gone: boolean;
}

/** numbers the exporters of this process: each has its own directory of content check files */
let exportersStarted = 0;
/** names a log line shows of a long list */
const LOGGED_EXAMPLES = 3;

/** Exporter keys a reload cannot change in a running process: they take effect after a restart. */
const RESTART_ONLY_KEYS = ['listen_addr', 'allowed_tags', 'workers', 'max_concurrent', 'sharding'] as const;

/** Wires config, scheduler, pool, per-stream state, metrics and the HTTP server; applies reloads. */
export class Exporter implements ExporterView {
  readonly registry: Registry = new ExpositionRegistry();
  private readonly metrics: Metrics;
  private config: Config;
  private readonly streams = new Map<string, Tracked>();
  /** both exist from start() on; before it (and in a failed start) there is nothing to probe with */
  private pool: ProbePool | undefined;
  private scheduler: Scheduler | undefined;
  private readonly lag = new LagWindow();
  private http?: Awaited<ReturnType<typeof startHttpServer>>;
  private phase: ExporterStatus['status'] = 'starting';
  private readonly startedAt = Date.now();
  private lastReload = { ok: true, at: Date.now() / 1000 };
  /** bumped by every reload (good or bad) and every change of the stream set: see generation() */
  private changes = 0;
  private readonly shutdown = new AbortController();
  private intervalStats = { probes: 0, ok: 0, failed: 0 };
  private summaryTimer?: NodeJS.Timeout;
  private peerSource?: PeerSource;
  /** which configured streams this pod probes; all of them until sharding has started */
  private ownership = new Ownership(null, []);
  private shardChanges = 0;
  private discovery?: DiscoveryManager;
  /** the discovered streams (configured ones won clashes already), gone ones flagged */
  private discovered: readonly StreamConfig[] = [];
  /** set while a reload applies: discovery changes wait for the reload's own reconcile */
  private applying = false;
  /** SPEC §13: which probe carries a content check; the latest thumbnails */
  private content!: ContentScheduler;
  /** this exporter's directory for content check files (several exporters may share a process in tests) */
  private readonly contentTempDir: string;
  /** why content checks are off, for /status; undefined while they run */
  private contentOff: string | undefined = 'not started';

  constructor(private readonly o: ExporterOptions) {
    this.config = o.config;
    // the decoders are shared by the threads the pool may run
    this.contentTempDir = join(processTempRoot(), `exporter-${++exportersStarted}`);
    this.content = new ContentScheduler(
      o.config.exporter.content_checks,
      false,
      maxPoolThreads(o.config.exporter.workers),
      this.contentTempDir,
    );
    this.metrics = createMetrics({
      registry: this.registry,
      allowedTags: o.config.exporter.allowed_tags,
      version: VERSION,
      sources: {
        pool: () => {
          const p = this.pool?.stats();
          return {
            threads: p?.threads ?? 0,
            queue: (p?.queue ?? 0) + (this.scheduler?.queued ?? 0),
            utilization: p?.utilization ?? 0,
          };
        },
        scheduleLag: () => this.lag.max(Date.now(), this.config.exporter.check_interval * 1000) / 1000,
        streams: () => this.counts(),
        shardPeers: () => (this.ownership.self === null ? 1 : this.ownership.peers.length),
        discovery: () => this.discovery?.status() ?? [],
      },
    });
  }

  get url(): string | undefined {
    return this.http?.url;
  }

  async start(): Promise<void> {
    const e = this.config.exporter;
    // before anything runs: `enabled: true` without a working ffmpeg stops the start (ConfigError)
    this.startContentChecks();
    // first, before anything runs: an environment that breaks sharding must stop the start (ConfigError)
    const sh = this.o.sharding;
    this.peerSource = createPeerSource(e.sharding, {
      env: sh?.env ?? process.env,
      logger: this.o.logger,
      ...(sh?.resolver ? { resolver: sh.resolver } : {}),
      ...(sh?.resolvConf !== undefined ? { resolvConf: sh.resolvConf } : {}),
    });
    this.ownership = new Ownership(this.peerSource.self, await this.peerSource.start((peers) => this.onPeers(peers)));
    // slots for /probe on top of the scheduler's cap: on-demand probes must never queue scheduled ones
    // behind them in Piscina (where the hang guard already runs and would report them as timeouts)
    const pool = new ProbePool({
      maxConcurrent: e.max_concurrent + PROBE_LIMITS.maxConcurrent,
      ...(e.workers ? { threads: e.workers } : {}),
      ...(this.o.workerFile ? { workerFile: this.o.workerFile } : {}),
    });
    this.pool = pool;
    this.scheduler = this.createScheduler();
    for (const w of this.config.warnings) this.o.logger.warn(w);
    for (const s of this.config.streams) if (this.ownership.owns(s.key)) this.track(s);
    this.startDiscovery();
    this.metrics.reloadOk.set(1);
    this.metrics.reloadAt.set(this.lastReload.at);
    const listen = this.o.listen ?? {
      ...(e.listen_addr.host ? { host: e.listen_addr.host } : {}),
      port: e.listen_addr.port,
    };
    this.http = await startHttpServer({
      ...listen,
      ...this.o.web,
      registry: this.registry,
      view: this,
      metrics: this.metrics.http,
      logger: this.o.logger,
      // /probe?target= (off unless exporter.probe_endpoint.enabled): one probe on this pool, read per request so
      // reloads apply
      probe: { settings: () => this.config.exporter, run: (job) => pool.run(job) },
    });
    this.phase = 'ready';
    this.summaryTimer = setInterval(() => this.logSummary(), e.check_interval * 1000);
    this.summaryTimer.unref();
    this.o.logger.info('exporter started', {
      version: VERSION,
      listen: this.http.url,
      streams: this.streams.size,
      ...(this.ownership.self === null
        ? {}
        : {
            shard: this.peerSource.mode,
            shard_self: this.ownership.self,
            shard_peers: this.ownership.peers.length,
            configured: this.config.streams.length,
          }),
      threads: pool.threads,
      check_interval_s: e.check_interval,
      sample_duration_s: e.sample_duration,
    });
  }

  /** Applies a new, already validated config: only the difference changes. */
  applyConfig(next: Config): void {
    const before = this.config.exporter;
    const after = next.exporter;
    for (const w of next.warnings) this.o.logger.warn(w);
    const kept: ExporterConfig = { ...after };
    for (const key of RESTART_ONLY_KEYS) {
      if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
      this.o.logger.warn(`config reload: ${key} changes take effect after a restart; keeping the running value`);
      Object.assign(kept, { [key]: before[key] });
    }
    const timingChanged = before.check_interval !== after.check_interval;
    const contentChanged = JSON.stringify(before.content_checks) !== JSON.stringify(after.content_checks);
    this.config = { ...next, exporter: kept };
    // discovery first (sources whose config is unchanged keep their lists), then one reconcile of both
    this.applying = true;
    try {
      this.discovery?.update(next.discovery, next.streams);
      this.metrics.discovery.sources(next.discovery.map((d) => d.name));
    } finally {
      this.applying = false;
    }
    const diff = this.reconcile();
    if (contentChanged) this.startContentChecks(true);
    if (timingChanged) {
      this.scheduler?.stop();
      const scheduler = this.createScheduler();
      this.scheduler = scheduler;
      for (const [key, t] of this.streams) if (!t.gone) scheduler.add(key);
    }
    this.lastReload = { ok: true, at: Date.now() / 1000 };
    this.changes++;
    this.metrics.reloadOk.set(1);
    this.metrics.reloadAt.set(this.lastReload.at);
    this.o.logger.info('config reloaded', {
      added: diff.added.length,
      removed: diff.removed.length,
      changed: diff.changed.length,
      unchanged: diff.unchanged.length,
    });
  }

  countUnhandled(kind: 'rejection' | 'exception'): void {
    this.metrics.unhandled.inc({ kind });
  }

  reloadFailed(message: string): void {
    this.lastReload = { ok: false, at: this.lastReload.at };
    this.changes++;
    this.metrics.reloadOk.set(0);
    this.o.logger.error(`config reload failed, keeping the running config: ${message}`);
  }

  /** SIGTERM/SIGINT: not ready, no new probes, in-flight probes aborted, pool destroyed. */
  async stop(): Promise<void> {
    if (this.phase === 'stopping') return;
    this.phase = 'stopping';
    this.o.logger.info('shutting down');
    clearInterval(this.summaryTimer);
    this.discovery?.stop();
    this.peerSource?.stop();
    this.scheduler?.stop();
    this.shutdown.abort();
    await this.pool?.destroy().catch(() => {});
    // the files of checks that the pool's end cut short
    await rm(this.contentTempDir, { recursive: true, force: true }).catch(() => {});
    // and the process's directory once empty (another exporter of this process may still use it)
    await rmdir(dirname(this.contentTempDir)).catch(() => {});
    await this.http?.close();
  }

  private startedPool(): ProbePool {
    if (this.pool === undefined) throw new Error('the probe pool is not started');
    return this.pool;
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
      pool: {
        threads: p?.threads ?? 0,
        queue: (p?.queue ?? 0) + (this.scheduler?.queued ?? 0),
        in_flight: p?.in_flight ?? 0,
        utilization: p?.utilization ?? 0,
        max_concurrent: this.config.exporter.max_concurrent,
      },
      memory: { rss_bytes: mem.rss, heap_used_bytes: mem.heapUsed },
      cpu: { user_s: cpu.user / 1e6, system_s: cpu.system / 1e6 },
      config: { path: this.o.configPath, last_reload_ok: this.lastReload.ok, last_reload_at: this.lastReload.at },
      shard: this.shardStatus(c.owned),
      discovery: this.discovery?.status() ?? [],
      content_checks: {
        enabled: this.contentOff === undefined,
        ...(this.contentOff ? { reason: this.contentOff } : {}),
        running: this.content.running,
      },
    };
  }

  // ---------------------------------------------------------------- internals

  private shardStatus(owned: number): NonNullable<ExporterStatus['shard']> {
    const health = this.peerSource?.health() ?? { lookups: 0, failing: false };
    return {
      mode: this.peerSource?.mode ?? this.config.exporter.sharding.mode,
      self: this.ownership.self,
      peers: [...(this.ownership.self === null ? [] : this.ownership.peers)],
      owned,
      changes: this.shardChanges,
      lookups: health.lookups,
      lookup_failing: health.failing,
      ...(health.last_error !== undefined ? { last_error: health.last_error } : {}),
    };
  }

  /**
   * A new peer set: streams now owned elsewhere stop here and lose every series (as when they leave the
   * config); streams now owned here start at their stable phase. Peers see the change within one
   * look-up of each other, so a moved stream is missing or doubled for at most about one interval.
   */
  private onPeers(peers: string[]): void {
    if (this.phase === 'stopping') return;
    const before = this.ownership;
    const after = new Ownership(before.self, peers);
    if (after.samePeers(before)) return;
    const all = this.allStreams().filter((s) => !s.gone);
    const moves = ownershipMoves(
      all.map((s) => s.key),
      before,
      after,
    );
    this.ownership = after;
    this.shardChanges++;
    this.metrics.shardChanges.inc();
    for (const key of moves.movedOut) this.untrack(key);
    const movedIn = new Set(moves.movedIn);
    for (const s of all) if (movedIn.has(s.key)) this.track(s);
    this.o.logger.info('shard peers changed', {
      peers_before: before.peers,
      peers_after: after.peers,
      moved_in: moves.movedIn.length,
      moved_out: moves.movedOut.length,
      owned: this.streams.size,
      // which look-up brought the change (dns mode): lets an operator see a change was not missed for long
      ...(this.peerSource?.mode === 'dns' ? { lookup: this.peerSource.health().lookups } : {}),
    });
    if (moves.movedIn.length + moves.movedOut.length > 0)
      this.o.logger.debug('shard streams moved', { moved_in: moves.movedIn, moved_out: moves.movedOut });
  }

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
    const source = s.source ?? CONFIG_SOURCE;
    return { key: s.key, project: s.project, line: s.line, id: s.id, url: redactUrl(s.url), tags: s.tags, source };
  }

  private track(s: StreamConfig): void {
    this.streams.set(s.key, { config: s, state: new StreamState(this.identity(s)), gone: false });
    this.scheduler?.add(s.key);
  }

  /** configured streams, then discovered ones (clashes already settled: configured first, then source order) */
  private allStreams(): StreamConfig[] {
    return [...this.config.streams, ...this.discovered];
  }

  private startDiscovery(): void {
    const m = this.metrics.discovery;
    this.discovery = new DiscoveryManager({
      logger: this.o.logger,
      allowedTags: this.config.exporter.allowed_tags,
      onChange: (streams) => {
        this.discovered = streams;
        if (!this.applying && this.phase !== 'stopping') this.reconcile();
      },
      failed: (source) => m.failures.inc({ source }),
      conflict: (source, n) => m.conflicts.inc({ source }, n),
      skipped: (source, reason, n) => m.skipped.inc({ source, reason }, n),
    });
    this.discovery.update(this.config.discovery, this.config.streams);
    m.sources(this.config.discovery.map((d) => d.name));
  }

  /**
   * Brings the probed streams in line with the owned part of configured + discovered: new ones start at
   * their stable phase, removed ones lose every series, changed ones restart, unchanged ones are left
   * alone (series and phase kept). A discovered stream that left its source goes down, unprobed, until
   * its gone_grace ends (it then arrives here as removed).
   */
  generation(): number {
    return this.changes;
  }

  private reconcile(): StreamDiff {
    this.changes++;
    const desired = this.allStreams().filter((s) => this.ownership.owns(s.key));
    const diff = diffStreams(
      [...this.streams.values()].map((t) => t.config),
      desired,
    );
    for (const s of diff.removed) this.untrack(s.key);
    for (const s of diff.changed) {
      this.untrack(s.key);
      if (!s.gone) this.track(s);
    }
    for (const s of diff.added) if (!s.gone) this.track(s);
    for (const s of diff.unchanged) {
      const t = this.streams.get(s.key)!;
      t.config = s;
      if (s.gone === true && !t.gone) {
        t.gone = true;
        this.scheduler?.remove(s.key);
        this.metrics.publish(t.state.markGone());
      } else if (s.gone !== true && t.gone) {
        t.gone = false;
        t.state.revive();
        this.scheduler?.add(s.key);
      }
    }
    return diff;
  }

  private untrack(key: string): void {
    const t = this.streams.get(key);
    if (!t) return;
    this.scheduler?.remove(key);
    this.streams.delete(key);
    this.metrics.remove(t.state.stream);
    this.content.forget(key);
  }

  /**
   * SPEC §13: `auto` without ffmpeg logs one line and /status says so; `true` without it is an error at
   * start (a reload that asks for it keeps running with checks off, and says why).
   */
  private startContentChecks(reload = false): void {
    const c = this.config.exporter.content_checks;
    let off: string | undefined;
    if (c.enabled === false) off = 'disabled in the config';
    else if (!ffmpegAvailable(c.ffmpeg)) {
      off = `ffmpeg not found or not working (${c.ffmpeg})`;
      if (c.enabled === true && !reload) {
        throw new ConfigError([
          `exporter.content_checks.enabled: true, but ffmpeg "${c.ffmpeg}" is not found or does not run`,
        ]);
      }
    }
    this.contentOff = off;
    this.content.reconfigure(c, off === undefined);
    if (off === undefined && !reload) void this.sweepContentFiles();
    if (off !== undefined && (reload || c.enabled !== false)) this.o.logger.info(`content checks off: ${off}`);
    else this.o.logger.info('content checks on', { ffmpeg: c.ffmpeg, interval: c.interval, decode: c.decode });
  }

  /** Files of content checks that earlier runs (killed, or a container restarted) left in the temp dir. */
  private async sweepContentFiles(): Promise<void> {
    const removed = await sweepContentTempDirs();
    if (removed.length > 0)
      this.o.logger.info('removed content check files of earlier runs', {
        dirs: removed.length,
        examples: removed.slice(0, LOGGED_EXAMPLES),
      });
  }

  /** The latest thumbnail JPEG of a stream (SPEC §13), if a check made one. */
  thumbnail(key: string): Buffer | undefined {
    return this.content.thumbnail(key);
  }

  contentChecked(key: string): boolean {
    return this.content.active && this.streams.get(key)?.config.content_checks !== false;
  }

  private async probe(key: string): Promise<void> {
    const tracked = this.streams.get(key);
    if (!tracked) return;
    const e = this.config.exporter;
    const started = performance.now();
    const job = buildJob(tracked.config, e);
    const contentJob = this.content.take(tracked.config, Date.now());
    if (contentJob) job.content = contentJob;
    // each attempt that reached the media may have started the check; at most one did (retries end there)
    const checks: Promise<ContentResult | undefined>[] = [];
    const attempt = (j: ProbeJob) => {
      if (!contentJob) return this.startedPool().run(j);
      let settle!: (c: ContentResult | undefined) => void;
      checks.push(new Promise((resolve) => (settle = resolve)));
      return this.startedPool().run(j, settle);
    };
    try {
      const result = await this.probeOnce(key, job, e, attempt);
      if (result) this.recordProbe(key, tracked, result, started);
    } finally {
      // the probe's figures are published already; the check's follow when its decoder is done
      if (contentJob) void this.finishContentOf(key, tracked, checks);
    }
  }

  /** at most one attempt ran the check: its result, or undefined when none did */
  private async finishContentOf(
    key: string,
    tracked: Tracked,
    checks: Promise<ContentResult | undefined>[],
  ): Promise<void> {
    const results = await Promise.all(checks);
    this.finishContent(
      key,
      tracked,
      results.find((c) => c !== undefined),
    );
  }

  private finishContent(key: string, tracked: Tracked, c: ContentResult | undefined): void {
    this.content.release(key, c);
    if (!c) return this.content.retryLater(key);
    this.metrics.content.checks.inc({ result: c.result });
    this.metrics.content.duration.observe(c.duration_ms / 1000);
    if (c.result !== 'ok')
      this.o.logger.warn('content check failed', { stream: key, result: c.result, error: c.error });
    // stopped, reloaded or gone meanwhile: the check counts for nothing
    if (this.shutdown.signal.aborted || this.streams.get(key) !== tracked || tracked.gone) return;
    const snap = tracked.state.recordContent(c, Date.now(), this.config.exporter.scoring);
    if (snap) this.metrics.publish(snap);
  }

  private async probeOnce(
    key: string,
    job: ProbeJob,
    e: Config['exporter'],
    attempt: (job: ProbeJob) => Promise<ProbeResult>,
  ): Promise<ProbeResult | undefined> {
    let result: ProbeResult;
    try {
      result = await probeWithRetries(
        job,
        e.max_retries,
        attempt,
        (failed) => {
          this.metrics.retries.inc();
          if (this.o.logger.isDebugEnabled())
            this.o.logger.debug('probe attempt failed, retrying', { stream: key, reason: failed.reason });
        },
        this.shutdown.signal,
      );
    } catch (err) {
      if (this.shutdown.signal.aborted) return undefined;
      throw err;
    }
    return result;
  }

  private recordProbe(key: string, tracked: Tracked, result: ProbeResult, started: number): void {
    const e = this.config.exporter;
    // stopped, reloaded or gone from its discovery source meanwhile
    if (this.shutdown.signal.aborted || this.streams.get(key) !== tracked || tracked.gone) return;
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
    const level = r.ok ? 'info' : 'warn';
    // winston runs its whole format chain before a transport drops a line: skip the work up front
    if (!this.o.logger.isLevelEnabled(level)) return;
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
    this.o.logger.log(level, 'probe finished', fields);
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
    // configured = every stream to probe across all pods: listed ones plus discovered ones still listed
    let discovered = 0;
    for (const s of this.discovered) if (!s.gone) discovered++;
    return { configured: this.config.streams.length + discovered, owned: this.streams.size, up, down };
  }
}
