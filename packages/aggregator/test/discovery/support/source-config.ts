import type { DiscoverySourceConfig } from '../../../src/config/index.js';

/** A source config as the validator makes it, with the defaults of SPEC §11. */
export function sourceConfig(
  over: Partial<DiscoverySourceConfig> & Pick<DiscoverySourceConfig, 'name' | 'type'>,
): DiscoverySourceConfig {
  return {
    refresh_interval_s: 30,
    project: over.name,
    line: 'discovered',
    id: '{app}/{stream}',
    tags: {},
    match: {},
    headers: {},
    max_streams: 10_000,
    gone_grace_s: 0,
    events: false,
    ...over,
  };
}
