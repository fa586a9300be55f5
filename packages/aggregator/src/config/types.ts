import type { ScoringThresholds } from '../scoring/rules.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One probed stream, keyed by `${project}/${line}/${id}` (the label set that must be unique). */
export interface StreamConfig {
  key: string;
  /** level 1 of `streams`, label `project`, as written */
  project: string;
  /** level 2 of `streams`, label `line`, lower-cased ("SOURCE" -> "source") like the reference */
  line: string;
  id: string;
  /** after `${VAR}` expansion: may hold secrets, redact before printing */
  url: string;
  /** only keys of `exporter.allowed_tags` */
  tags: Record<string, string>;
  /** after `${VAR}` expansion: may hold secrets, never print values */
  headers: Record<string, string>;
  insecure_tls: boolean;
}

/** A parsed `listen_addr`; `host` undefined means all interfaces. */
export interface ListenAddr {
  host: string | undefined;
  port: number;
  /** as configured, for logs */
  text: string;
}

export type ShardingMode = 'none' | 'static' | 'dns';

export interface ShardingConfig {
  mode: ShardingMode;
  /** dns mode: the headless Service name whose A/AAAA records are the peer pods */
  service?: string;
  /** static mode: this pod's index (SHARD_INDEX in the environment overrides it) */
  index?: number;
  /** static mode: number of shards (SHARD_COUNT in the environment overrides it) */
  count?: number;
  /** dns mode: seconds between peer look-ups */
  resolve_interval_s: number;
  /** dns mode: query this server ("ip" or "ip:port") instead of resolv.conf's (tests; SHARD_DNS_SERVER overrides) */
  dns_server?: string;
}

export interface ProbeEndpointConfig {
  enabled: boolean;
  /** lower-cased host names or `*.suffix` wildcards that `/probe?target=` may fetch */
  allowed_hosts: string[];
}

export interface ExporterConfig {
  /** seconds between two probes of one stream */
  check_interval: number;
  /** seconds of stream read per probe, < check_interval */
  sample_duration: number;
  min_keyframes: number;
  max_concurrent: number;
  /** 0 disables retries */
  max_retries: number;
  stall_threshold_ms: number;
  listen_addr: ListenAddr;
  log_level: LogLevel;
  allowed_tags: string[];
  /** Piscina threads; undefined = one per core */
  workers: number | undefined;
  connect_timeout_ms: number;
  first_byte_timeout_ms: number;
  idle_timeout_ms: number;
  user_agent: string | undefined;
  /** viewer model: media buffered before (re)starting playback */
  startup_buffer_ms: number;
  scoring: ScoringThresholds;
  sharding: ShardingConfig;
  probe_endpoint: ProbeEndpointConfig;
}

export interface Config {
  exporter: ExporterConfig;
  streams: StreamConfig[];
  /** non-fatal findings (e.g. dropped tag keys), for the log at load time */
  warnings: string[];
}
