export type { Config, DiscoverySourceConfig, DiscoveryType, ExporterConfig, ListenAddr, LogLevel, ProbeEndpointConfig, ShardingConfig, ShardingMode, StreamConfig, StreamLabels } from './types.js';
export { ConfigError } from './errors.js';
export { DEFAULT_ALLOWED_TAGS, defaultExporterConfig } from './defaults.js';
export { type Env, expandEnv } from './env.js';
export { parseListenAddr } from './listen-addr.js';
export { type LoadOptions, loadConfigFile, parseConfigText } from './load.js';
export { type StreamDiff, diffStreams, sameStream } from './diff.js';
export { summarizeConfig } from './check-config-report.js';
export { CONFIG_SOURCE, DISCOVERY_DEFAULTS, DISCOVERY_TYPES, urlProblem } from './validate-discovery.js';
