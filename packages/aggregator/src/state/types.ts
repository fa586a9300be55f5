import type { FailureReason, ProbeResult } from '@video-exporter/probe-worker/common';
import type { StreamLabels } from '../config/types.js';
import type { Score } from '../scoring/rules.js';

/** Identity and labels of one configured stream, as the rest of the aggregator sees it. */
export interface StreamIdentity extends StreamLabels {
  /** `${project}/${line}/${id}` */
  key: string;
  /** redacted URL: safe for logs, labels and API output */
  url: string;
  /** `config` for streams under `streams:`, else the discovery source's name */
  source: string;
}

export type StreamStateName = 'pending' | 'up' | 'down';

/** What the exporter knows about one stream after its latest probe (all values redacted). */
export interface StreamSnapshot {
  stream: StreamIdentity;
  state: StreamStateName;
  /** the latest probe's result, or undefined before the first probe finished */
  last?: ProbeResult;
  /** unix seconds of the latest finished probe */
  last_check?: number;
  up: boolean;
  playable: boolean;
  healthy: boolean;
  quality: Score;
  /** undefined while fewer than 3 successful probes */
  stability?: Score;
  overall: Score;
  avg_bitrate_bps?: number;
  consecutive_failures: number;
  /** the latest failure reason and its message */
  last_error?: { reason: FailureReason; message: string; at: number };
  probes: number;
  /** discovered stream gone from its source's list, kept as down until its gone_grace ends */
  gone?: boolean;
  /** the latest content check (SPEC §13); counts until the next one or until the stream goes down */
  content?: StreamContent;
}

/** A content check's figures as the snapshot keeps them (the thumbnail lives in the scheduler). */
export interface StreamContent {
  result: 'ok' | 'failed' | 'timeout';
  /** unix seconds */
  at: number;
  black_ratio?: number;
  frozen_ratio?: number;
  silence_ratio?: number;
  loudness_lufs?: number;
  has_thumbnail: boolean;
}

/** Process-level view for /status. */
export interface ExporterStatus {
  status: 'starting' | 'ready' | 'stopping';
  version: string;
  uptime_s: number;
  streams: { configured: number; owned: number; up: number; down: number; pending: number };
  pool: { threads: number; queue: number; in_flight: number; utilization: number; max_concurrent: number };
  memory: { rss_bytes: number; heap_used_bytes: number };
  cpu: { user_s: number; system_s: number };
  config: { path: string | null; last_reload_ok: boolean; last_reload_at: number };
  /** how the streams are split across pods (SPEC §9) */
  shard?: ShardStatus;
  /** discovery sources (SPEC §11), in config order; empty without `discovery:` */
  discovery?: DiscoverySourceStatus[];
  /** SPEC §13: whether content checks run, why not, and decoders running now */
  content_checks?: { enabled: boolean; reason?: string; running: number };
}

/** One discovery source in /status (the same shape the manager reports). */
export interface DiscoverySourceStatus {
  name: string;
  type: 'srs' | 'nms' | 'http_sd' | 'file';
  up: boolean;
  streams: number;
  last_success?: number;
  last_error?: string;
  failures: number;
  conflicts: number;
}

/** The shard view of /status: who this pod is, among whom, and what it owns. */
export interface ShardStatus {
  mode: 'none' | 'static' | 'dns';
  /** this pod's name in the peer set (index or IP); null when not sharding */
  self: string | null;
  /** the current peer set, sorted, this pod included; empty when not sharding */
  peers: string[];
  /** streams this pod probes */
  owned: number;
  /** peer-set changes since start */
  changes: number;
  /** dns mode: finished peer look-ups */
  lookups: number;
  /** dns mode: the latest look-up failed and the last known peer set is kept */
  lookup_failing: boolean;
  last_error?: string;
}

/** What the HTTP layer reads; the exporter implements it. */
export interface ExporterView {
  snapshots(): StreamSnapshot[];
  snapshot(key: string): StreamSnapshot | undefined;
  status(): ExporterStatus;
  ready(): boolean;
  /** the latest content-check thumbnail (JPEG) of a stream (SPEC §13) */
  thumbnail?(key: string): Buffer | undefined;
  /** changes whenever the config or the set of streams changes (a cached /metrics body is then stale) */
  generation?(): number;
  /** whether content checks look at this stream at all (off globally, or the stream opted out) */
  contentChecked?(key: string): boolean;
}
