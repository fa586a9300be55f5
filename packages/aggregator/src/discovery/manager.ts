/**
 * Runs the discovery sources (SPEC §11): refreshes each on its interval and whenever it signals a change,
 * merges their lists with the configured streams and hands the discovered set to the exporter, which
 * diffs it against what it probes (an unchanged refresh changes nothing). Reloads replace only the
 * sources whose config changed.
 */
import type { DiscoverySourceConfig, StreamConfig } from '../config/types.js';
import type { Logger } from '../logging.js';
import { mergeDiscovered } from './merge.js';
import type { SkipReason } from './render.js';
import { SourceRunner, type SourceStatus } from './source-runner.js';
import type { DiscoverySource } from './types.js';

/** a burst of events (NMS publish/unpublish, file writes) makes one refresh */
const TRIGGER_DEBOUNCE_MS = 250;

export interface ManagerOptions {
  logger: Logger;
  allowedTags: readonly string[];
  /** the discovered streams (gone ones flagged) after every change */
  onChange(streams: StreamConfig[]): void;
  failed?(source: string): void;
  conflict?(source: string, n: number): void;
  skipped?(source: string, reason: SkipReason, n: number): void;
  /** follow push notifications (NMS events, file changes); off for one-shot use (the CLI) */
  watch?: boolean;
  /** tests: a source object instead of a real client */
  createSource?(c: DiscoverySourceConfig): DiscoverySource | undefined;
}

interface Running {
  runner: SourceRunner;
  timer?: NodeJS.Timeout;
  expiryTimer?: NodeJS.Timeout;
  triggerTimer?: NodeJS.Timeout;
  inFlight?: Promise<void>;
  again: boolean;
  /** the push channel's last problem: logged once, not on every reconnect */
  watchError?: string;
  abort: AbortController;
  stopWatch(): void;
}

export class DiscoveryManager {
  private running: Running[] = [];
  private configured: readonly StreamConfig[] = [];
  /** identities already reported as clashing, per source: each clash is logged and counted once */
  private readonly reported = new Map<string, Set<string>>();
  private stopped = false;
  private merged: StreamConfig[] = [];

  constructor(private readonly o: ManagerOptions) {}

  /** Starts (or, on reload, reconciles) the sources; every new or changed source refreshes at once. */
  update(sources: readonly DiscoverySourceConfig[], configured: readonly StreamConfig[]): void {
    this.configured = configured;
    const old = new Map(this.running.map((r) => [r.runner.config.name, r]));
    const next: Running[] = [];
    for (const c of sources) {
      const prev = old.get(c.name);
      if (prev && JSON.stringify(prev.runner.config) === JSON.stringify(c)) {
        old.delete(c.name);
        next.push(prev);
        continue;
      }
      const runner = new SourceRunner(
        c,
        this.o.allowedTags,
        { logger: this.o.logger, failed: this.o.failed, skipped: this.o.skipped },
        this.o.createSource?.(c),
      );
      if (prev && prev.runner.config.type === c.type) runner.inherit(prev.runner);
      next.push(this.launch(runner));
    }
    for (const [name, r] of old) {
      this.halt(r);
      this.reported.delete(name);
    }
    this.running = next;
    this.publish();
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.running) this.halt(r);
    this.running = [];
  }

  status(): SourceStatus[] {
    return this.running.map((r) => r.runner.status());
  }

  /** the current discovered set (as last handed to onChange) */
  streams(): readonly StreamConfig[] {
    return this.merged;
  }

  /** Waits for the refresh under way of every source, or starts one (the CLI, tests). */
  async refreshAll(): Promise<void> {
    await Promise.all(this.running.map((r) => r.inFlight ?? this.run(r)));
  }

  private launch(runner: SourceRunner): Running {
    const r: Running = { runner, again: false, abort: new AbortController(), stopWatch: () => {} };
    if (this.stopped) return r;
    if (this.o.watch === false) {
      void this.run(r);
      return r;
    }
    r.stopWatch =
      runner.source.watch?.(
        () => {
          r.watchError = undefined;
          this.trigger(r);
        },
        (message) => {
          if (message === r.watchError) return;
          r.watchError = message;
          this.o.logger.warn(`discovery source ${runner.config.name}: ${message}`, { source: runner.config.name });
        },
      ) ?? (() => {});
    void this.run(r);
    return r;
  }

  private halt(r: Running): void {
    r.abort.abort();
    r.stopWatch();
    clearTimeout(r.timer);
    clearTimeout(r.expiryTimer);
    clearTimeout(r.triggerTimer);
  }

  private trigger(r: Running): void {
    clearTimeout(r.triggerTimer);
    r.triggerTimer = setTimeout(() => void this.run(r), TRIGGER_DEBOUNCE_MS);
    r.triggerTimer.unref();
  }

  /** One refresh of a source, never two at once: a trigger during one runs another right after. */
  private run(r: Running): Promise<void> {
    if (r.inFlight) {
      r.again = true;
      return r.inFlight;
    }
    clearTimeout(r.timer);
    r.inFlight = (async () => {
      do {
        r.again = false;
        const wasUp = r.runner.status().up;
        const changed = await r.runner.refresh(r.abort.signal);
        if (r.abort.signal.aborted || !this.running.includes(r)) return;
        // an unchanged list changes nothing downstream: no merge, no diff
        if (changed || (!wasUp && r.runner.status().up)) this.publish();
        this.armExpiry(r);
      } while (r.again && !r.abort.signal.aborted);
    })().finally(() => {
      r.inFlight = undefined;
      if (r.abort.signal.aborted || this.stopped) return;
      r.timer = setTimeout(() => void this.run(r), r.runner.config.refresh_interval_s * 1000);
      r.timer.unref();
    });
    return r.inFlight;
  }

  /** gone_grace ends between refreshes: wake up then to drop the series */
  private armExpiry(r: Running): void {
    clearTimeout(r.expiryTimer);
    const ms = r.runner.nextExpiry();
    if (ms === undefined) return;
    r.expiryTimer = setTimeout(() => {
      if (r.runner.expire()) this.publish();
      this.armExpiry(r);
    }, ms);
    r.expiryTimer.unref();
  }

  private publish(): void {
    const merged = mergeDiscovered(
      this.configured,
      this.running.map((r) => ({ name: r.runner.config.name, streams: r.runner.streams() })),
    );
    const kept = new Map<string, number>();
    for (const s of merged.streams) if (!s.gone) kept.set(s.source!, (kept.get(s.source!) ?? 0) + 1);
    for (const r of this.running) {
      const name = r.runner.config.name;
      r.runner.kept = kept.get(name) ?? 0;
      const lost = merged.conflicts.get(name) ?? [];
      const seen = this.reported.get(name) ?? new Set<string>();
      const fresh = lost.filter((k) => !seen.has(k));
      if (fresh.length === 0) continue;
      for (const k of fresh) seen.add(k);
      this.reported.set(name, seen);
      r.runner.conflicts += fresh.length;
      this.o.conflict?.(name, fresh.length);
      this.o.logger.warn(
        `discovery source ${name}: ${fresh.length} streams clash with configured streams or an earlier source; ` +
          'keeping those',
        {
          source: name,
          streams: fresh.slice(0, 5),
        },
      );
    }
    this.merged = merged.streams;
    this.o.onChange(merged.streams);
  }
}
