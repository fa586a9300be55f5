/**
 * One discovery source's state: its last good list (kept while the source fails), streams that left the
 * list and are inside their gone_grace, and the health /status and the metrics show. No timers here:
 * the manager decides when to refresh.
 */
import { redactText } from '@video-exporter/probe-worker/common';
import { sameStream } from '../config/diff.js';
import type { DiscoverySourceConfig, StreamConfig } from '../config/types.js';
import type { Logger } from '../logging.js';
import { createDiscoverySource } from './create-source.js';
import { DiscoveryError } from './fetch-json.js';
import { Renderer, type SkipReason } from './render.js';
import type { DiscoverySource, FoundEntry } from './types.js';

/** A source's health, as /status and the CLI show it. */
export interface SourceStatus {
  name: string;
  type: DiscoverySourceConfig['type'];
  /** the latest refresh worked; false before the first one finished */
  up: boolean;
  /** streams of this source being probed (after match, max_streams and clashes) */
  streams: number;
  /** unix seconds of the latest successful refresh */
  last_success?: number;
  last_error?: string;
  failures: number;
  conflicts: number;
}

export interface RunnerHooks {
  logger: Logger;
  failed?(source: string): void;
  skipped?(source: string, reason: SkipReason, n: number): void;
  now?(): number;
}

export class SourceRunner {
  readonly source: DiscoverySource;
  private renderer: Renderer;
  /** last good list, rendered; undefined until the first success */
  private current: StreamConfig[] | undefined;
  /** key -> stream that left the list, and when its grace ends (ms) */
  private readonly gone = new Map<string, { stream: StreamConfig; until: number }>();
  private state: 'new' | 'up' | 'down' = 'new';
  private lastError: string | undefined;
  private lastSuccess: number | undefined;
  private failures = 0;
  private skipSignature = '';
  /** streams of this source that made it into the merged set (set by the manager) */
  kept = 0;
  conflicts = 0;

  constructor(
    readonly config: DiscoverySourceConfig,
    allowedTags: readonly string[],
    private readonly hooks: RunnerHooks,
    source?: DiscoverySource,
  ) {
    this.source = source ?? createDiscoverySource(config);
    this.renderer = new Renderer(config, allowedTags);
  }

  private now(): number {
    return this.hooks.now?.() ?? Date.now();
  }

  /** Takes over a predecessor's list after a reload that changed this source (no churn until it answers). */
  inherit(from: SourceRunner): void {
    if (from.current !== undefined) this.current = from.current.map((s) => ({ ...s, source: this.config.name }));
    for (const [k, v] of from.gone) this.gone.set(k, v);
  }

  /** Asks the source once; on failure the last good list stays. Resolves true when the list changed. */
  async refresh(signal: AbortSignal): Promise<boolean> {
    let entries: FoundEntry[];
    try {
      entries = await this.source.refresh(signal);
    } catch (err) {
      if (signal.aborted) return false;
      // DiscoveryError messages carry redacted URLs already; anything else is scrubbed here
      this.fail(
        err instanceof DiscoveryError ? err.message : redactText(`unexpected error: ${(err as Error).message}`),
      );
      return false;
    }
    return this.succeed(entries);
  }

  private fail(message: string): void {
    const error = message;
    this.failures++;
    this.hooks.failed?.(this.config.name);
    const kept = this.current?.length ?? 0;
    if (this.state !== 'down' || this.lastError !== error) {
      this.hooks.logger.warn(`discovery source ${this.config.name} failed, keeping its last list of ${kept} streams`, {
        source: this.config.name,
        error,
      });
    }
    this.state = 'down';
    this.lastError = error;
  }

  private succeed(entries: FoundEntry[]): boolean {
    const r = this.renderer.render(entries);
    const name = this.config.name;
    for (const [reason, n] of Object.entries(r.skipped) as [SkipReason, number][])
      if (n > 0) this.hooks.skipped?.(name, reason, n);
    const signature = JSON.stringify([r.skipped, r.examples, [...r.droppedTags]]);
    if (signature !== this.skipSignature) {
      this.skipSignature = signature;
      if (r.skipped.invalid > 0)
        this.hooks.logger.warn(`discovery source ${name}: skipped ${r.skipped.invalid} invalid entries`, {
          source: name,
          examples: r.examples,
        });
      if (r.skipped.capped > 0)
        this.hooks.logger.warn(
          `discovery source ${name}: more than max_streams (${this.config.max_streams}) found; ` +
            `kept the first, skipped ${r.skipped.capped}`,
          { source: name },
        );
      if (r.droppedTags.size > 0)
        this.hooks.logger.warn(
          `discovery source ${name}: dropped labels not in exporter.allowed_tags: ${[...r.droppedTags].join(', ')}`,
          { source: name },
        );
    }
    const now = this.now();
    const before = this.current ?? [];
    const nextKeys = new Set(r.streams.map((s) => s.key));
    const graceMs = this.config.gone_grace_s * 1000;
    for (const s of before)
      if (!nextKeys.has(s.key) && graceMs > 0) this.gone.set(s.key, { stream: s, until: now + graceMs });
    for (const key of nextKeys) this.gone.delete(key);
    this.expire(now);
    const changed = !sameList(before, r.streams) || this.current === undefined;
    if (this.state !== 'up') {
      const what = this.state === 'new' ? 'first list' : 'recovered';
      this.hooks.logger.info(`discovery source ${name}: ${what}, ${r.streams.length} streams`, {
        source: name,
        found: entries.length,
        unmatched: r.unmatched,
      });
    } else if (changed) {
      const beforeKeys = new Set(before.map((s) => s.key));
      const added = r.streams.filter((s) => !beforeKeys.has(s.key)).length;
      this.hooks.logger.info(
        `discovery source ${name}: ${r.streams.length} streams ` +
          `(+${added} -${before.length + added - r.streams.length})`,
        { source: name },
      );
    }
    this.current = r.streams;
    this.state = 'up';
    this.lastError = undefined;
    this.lastSuccess = now / 1000;
    return changed;
  }

  /** Drops gone streams whose grace ended; true when one did. */
  expire(now = this.now()): boolean {
    let any = false;
    for (const [k, g] of this.gone) {
      if (g.until <= now) {
        this.gone.delete(k);
        any = true;
      }
    }
    return any;
  }

  /** ms until the next gone stream's grace ends, undefined when none waits */
  nextExpiry(now = this.now()): number | undefined {
    let first: number | undefined;
    for (const g of this.gone.values()) first = first === undefined ? g.until : Math.min(first, g.until);
    return first === undefined ? undefined : Math.max(0, first - now);
  }

  /** The list to merge: current streams, then gone ones (flagged) still inside their grace. */
  streams(): StreamConfig[] {
    const out = [...(this.current ?? [])];
    for (const g of this.gone.values()) out.push({ ...g.stream, gone: true });
    return out;
  }

  status(): SourceStatus {
    return {
      name: this.config.name,
      type: this.config.type,
      up: this.state === 'up',
      streams: this.kept,
      ...(this.lastSuccess !== undefined ? { last_success: this.lastSuccess } : {}),
      ...(this.lastError !== undefined ? { last_error: this.lastError } : {}),
      failures: this.failures,
      conflicts: this.conflicts,
    };
  }
}

/** Same streams in the same order: the cheap "nothing changed" test of a refresh. */
function sameList(a: readonly StreamConfig[], b: readonly StreamConfig[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameStream(a[i]!, b[i]!)) return false;
  return true;
}
