import type { ScoringThresholds } from '../scoring/rules.js';
import type { ContentChecksConfig } from './validate-content-checks.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What names a stream in its series: the labels project, line, id and its tags. */
export interface StreamLabels {
  /** level 1 of `streams`, label `project`, as written */
  project: string;
  /** level 2 of `streams`, label `line`, lower-cased ("SOURCE" -> "source") like the reference */
  line: string;
  id: string;
  /** only keys of `exporter.allowed_tags` */
  tags: Record<string, string>;
}

/** One probed stream, keyed by `${project}/${line}/${id}` (the label set that must be unique). */
export interface StreamConfig extends StreamLabels {
  key: string;
  /** after `${VAR}` expansion: may hold secrets, redact before printing */
  url: string;
  /** after `${VAR}` expansion: may hold secrets, never print values */
  headers: Record<string, string>;
  insecure_tls: boolean;
  /** `content_checks: false`: this stream is never decoded (SPEC §13) */
  content_checks?: false;
  /** the discovery source that found it; undefined for streams from `streams:` */
  source?: string;
  /** discovered, gone from its source's list, kept (not probed, up = 0) until gone_grace ends */
  gone?: boolean;
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
  /** Piscina threads; undefined = sized by load (one, up to one per core) */
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
  /** SPEC §13 */
  content_checks: ContentChecksConfig;
}

export type DiscoveryType = 'srs' | 'nms' | 'http_sd' | 'file';

/** The fields a srs/nms template or `match` may use. */
export type MediaField = 'vhost' | 'app' | 'stream';

/** One `discovery:` entry (SPEC §11), `${VAR}` already expanded: url, headers and password may hold secrets. */
export interface DiscoverySourceConfig {
  /** [a-z0-9_-]+, unique; label `source` */
  name: string;
  type: DiscoveryType;
  /** srs/nms: API base URL (no trailing slash); http_sd: the list URL */
  url?: string;
  /** file: glob of JSON / YAML files */
  path?: string;
  refresh_interval_s: number;
  /** srs/nms: template of the play URL ({vhost} {app} {stream}) */
  play_url?: string;
  /** templates (srs/nms) or literal defaults (http_sd/file) */
  project: string;
  line: string;
  /** srs/nms only */
  id: string;
  /** literal tags, already filtered by allowed_tags */
  tags: Record<string, string>;
  /** regex sources on vhost/app/stream (srs/nms); all must match */
  match: Partial<Record<MediaField, string>>;
  headers: Record<string, string>;
  username?: string;
  password?: string;
  max_streams: number;
  gone_grace_s: number;
  /** nms: follow /api/v1/events (SSE) to refresh as soon as a stream starts or stops */
  events: boolean;
}

export interface Config {
  exporter: ExporterConfig;
  streams: StreamConfig[];
  /** `discovery:` sources in file order (earlier wins an identity clash) */
  discovery: DiscoverySourceConfig[];
  /** non-fatal findings (e.g. dropped tag keys), for the log at load time */
  warnings: string[];
}
