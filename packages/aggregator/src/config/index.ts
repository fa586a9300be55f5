export { summarizeConfig } from './check-config-report.js';
export { DEFAULT_ALLOWED_TAGS, defaultExporterConfig } from './defaults.js';
export { diffStreams, type StreamDiff, sameStream } from './diff.js';
export { type Env, expandEnv } from './env.js';
export { ConfigError } from './errors.js';
export { parseListenAddr } from './listen-addr.js';
export { type LoadOptions, loadConfigFile, parseConfigText } from './load.js';
export type {
  Config,
  DiscoverySourceConfig,
  DiscoveryType,
  ExporterConfig,
  ListenAddr,
  LogLevel,
  ProbeEndpointConfig,
  ShardingConfig,
  ShardingMode,
  StreamConfig,
  StreamLabels,
} from './types.js';
export { CONFIG_SOURCE, DISCOVERY_DEFAULTS, DISCOVERY_TYPES, urlProblem } from './validate-discovery.js';
