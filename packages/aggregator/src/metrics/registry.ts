import { FAILURE_REASONS } from '@video-exporter/probe-worker/common';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import type { DiscoverySourceStatus, StreamIdentity, StreamSnapshot } from '../state/types.js';
import { contentMetrics } from './content-metrics.js';
import { StreamFamilies } from './stream-families.js';

export interface MetricsOptions {
  registry: Registry;
  allowedTags: readonly string[];
  version: string;
  /** prom-client default process metrics (off in some unit tests) */
  defaultMetrics?: boolean;
  /** live figures read at scrape time */
  sources?: MetricSources;
}

export interface MetricSources {
  pool(): { threads: number; queue: number; utilization: number };
  /** worst schedule lag over the last interval, seconds */
  scheduleLag(): number;
  streams(): { configured: number; owned: number; up: number; down: number };
  /** peers in this pod's shard set, itself included (1 when sharding is off) */
  shardPeers?(): number;
  /** discovery sources' health (SPEC §11) */
  discovery?(): DiscoverySourceStatus[];
}

/** why found entries were not probed (video_exporter_discovery_skipped_entries_total) */
const DISCOVERY_SKIP_REASONS = ['invalid', 'duplicate', 'capped'] as const;

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Every metric of SPEC §6, declared in one place on an injected Registry. Exporter-level label sets
 * are pre-created so their series exist (at 0) before anything happens.
 */
export function createMetrics(o: MetricsOptions) {
  const registers = [o.registry];
  if (o.defaultMetrics !== false) collectDefaultMetrics({ register: o.registry });

  const labelsOf = (s: StreamIdentity): Record<string, string> => {
    const labels: Record<string, string> = { project: s.project, line: s.line, id: s.id };
    for (const tag of o.allowedTags) labels[tag] = s.tags[tag] ?? '';
    return labels;
  };
  // first, as the per-stream Gauges were: the exposition keeps its order
  const perStream = new StreamFamilies(o.registry, labelsOf);

  const buildInfo = new Gauge({
    name: 'video_exporter_build_info',
    help: 'Build information (value 1)',
    labelNames: ['version', 'nodejs'],
    registers,
  });
  buildInfo.set({ version: o.version, nodejs: process.version }, 1);
  const src = o.sources;
  const streams = new Gauge({
    name: 'video_exporter_streams',
    help:
      'Streams by state: configured, owned by this pod, up and down (owned streams whose last probe was or was' +
      ' not up)',
    labelNames: ['state'],
    registers,
    collect() {
      if (!src) return;
      for (const [state, n] of Object.entries(src.streams())) this.set({ state }, n);
    },
  });
  for (const state of ['configured', 'owned', 'up', 'down']) streams.set({ state }, 0);
  const probes = new Counter({
    name: 'video_exporter_probes_total',
    help: 'Finished probes by result',
    labelNames: ['result'],
    registers,
  });
  for (const result of ['success', 'failure']) probes.inc({ result }, 0);
  const probeErrors = new Counter({
    name: 'video_exporter_probe_errors_total',
    help: 'Failed probes by reason',
    labelNames: ['reason'],
    registers,
  });
  for (const reason of FAILURE_REASONS) probeErrors.inc({ reason }, 0);
  const retries = new Counter({
    name: 'video_exporter_probe_retries_total',
    help: 'Connection retries made by probes',
    registers,
  });
  const probeDuration = new Histogram({
    name: 'video_exporter_probe_duration_seconds',
    help: 'Wall time of a probe including retries',
    buckets: [0.5, 1, 2.5, 5, 10, 15, 20, 30, 60],
    registers,
  });
  const scheduleLag = new Gauge({
    name: 'video_exporter_schedule_lag_seconds',
    help: 'How late probes started versus their slot, worst over the last interval (the overload signal)',
    registers,
    collect() {
      if (src) this.set(src.scheduleLag());
    },
  });
  scheduleLag.set(0);
  const poolThreads = new Gauge({
    name: 'video_exporter_pool_threads',
    help: 'Worker threads in the probe pool',
    registers,
    collect() {
      if (src) this.set(src.pool().threads);
    },
  });
  const poolQueue = new Gauge({
    name: 'video_exporter_pool_queue_size',
    help: 'Probes waiting for a slot (scheduler queue + pool queue)',
    registers,
    collect() {
      if (src) this.set(src.pool().queue);
    },
  });
  const poolUtilization = new Gauge({
    name: 'video_exporter_pool_utilization',
    help: 'Probes in flight / pool capacity, 0..1',
    registers,
    collect() {
      if (src) this.set(src.pool().utilization);
    },
  });
  const reloadOk = new Gauge({
    name: 'video_exporter_config_last_reload_successful',
    help: '1 if the last config load or reload succeeded',
    registers,
  });
  const reloadAt = new Gauge({
    name: 'video_exporter_config_last_reload_timestamp_seconds',
    help: 'Unix time of the last successful config load',
    registers,
  });
  const httpRequests = new Counter({
    name: 'video_exporter_http_requests_total',
    help: 'HTTP requests served by route and status code',
    labelNames: ['path', 'code'],
    registers,
  });
  const httpDuration = new Histogram({
    name: 'video_exporter_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['path'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const shardPeers = new Gauge({
    name: 'video_exporter_shard_peers',
    help: 'Peers the streams are split among, this pod included (1 when sharding is off)',
    registers,
    collect() {
      this.set(src?.shardPeers?.() ?? 1);
    },
  });
  shardPeers.set(1);
  const shardChanges = new Counter({
    name: 'video_exporter_shard_changes_total',
    help: 'Changes of the shard peer set seen by this pod (each one re-splits the streams)',
    registers,
  });
  const unhandled = new Counter({
    name: 'video_exporter_unhandled_errors_total',
    help: 'Unhandled rejections and exceptions caught by the process handlers',
    labelNames: ['kind'],
    registers,
  });
  for (const kind of ['rejection', 'exception']) unhandled.inc({ kind }, 0);
  const discovery = discoveryMetrics(registers, src);
  const content = contentMetrics(registers);

  return {
    registry: o.registry,
    probes,
    probeErrors,
    retries,
    probeDuration,
    scheduleLag,
    poolThreads,
    poolQueue,
    poolUtilization,
    reloadOk,
    reloadAt,
    streams,
    shardPeers,
    shardChanges,
    unhandled,
    http: { requests: httpRequests, duration: httpDuration },
    discovery,
    content,

    /** Publishes a stream's latest snapshot: set what was measured, remove what was not. */
    publish(s: StreamSnapshot): void {
      perStream.publish(s);
    },

    /** Removes every series of a stream that left the config or this shard. */
    remove(s: StreamIdentity): void {
      perStream.remove(s);
    },
  };
}

/** SPEC §11: per-source health gauges read at scrape time, and the counters the discovery manager bumps. */
function discoveryMetrics(registers: Registry[], src: MetricSources | undefined) {
  const each = (read: (s: DiscoverySourceStatus) => number | undefined) =>
    function collect(this: Gauge) {
      this.reset();
      for (const s of src?.discovery?.() ?? []) {
        const v = read(s);
        if (v !== undefined) this.set({ source: s.name }, v);
      }
    };
  const labelNames = ['source'];
  new Gauge({
    name: 'video_exporter_discovery_up',
    help: '1 if the latest refresh of the discovery source worked',
    labelNames,
    registers,
    collect: each((s) => (s.up ? 1 : 0)),
  });
  new Gauge({
    name: 'video_exporter_discovery_streams',
    help: 'Streams of the discovery source being probed (all pods)',
    labelNames,
    registers,
    collect: each((s) => s.streams),
  });
  new Gauge({
    name: 'video_exporter_discovery_last_success_timestamp_seconds',
    help: 'Unix time of the latest successful refresh of the discovery source',
    labelNames,
    registers,
    collect: each((s) => s.last_success),
  });
  const failures = new Counter({
    name: 'video_exporter_discovery_failures_total',
    help: 'Failed refreshes of the discovery source (its last good list is kept)',
    labelNames,
    registers,
  });
  const conflicts = new Counter({
    name: 'video_exporter_discovery_conflicts_total',
    help: 'Discovered streams whose identity was already taken by a configured stream or an earlier source',
    labelNames,
    registers,
  });
  const skipped = new Counter({
    name: 'video_exporter_discovery_skipped_entries_total',
    help: 'Found entries not probed: invalid (bad name or URL), duplicate identity in one list, capped (max_streams)',
    labelNames: ['source', 'reason'],
    registers,
  });
  let known: string[] = [];
  return {
    failures,
    conflicts,
    skipped,
    /** the configured source names: their counters exist at 0, a removed source's series go */
    sources(names: readonly string[]): void {
      for (const source of known) {
        if (names.includes(source)) continue;
        failures.remove({ source });
        conflicts.remove({ source });
        for (const reason of DISCOVERY_SKIP_REASONS) skipped.remove({ source, reason });
      }
      for (const source of names) {
        failures.inc({ source }, 0);
        conflicts.inc({ source }, 0);
        for (const reason of DISCOVERY_SKIP_REASONS) skipped.inc({ source, reason }, 0);
      }
      known = [...names];
    },
  };
}
