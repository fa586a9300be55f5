import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import type { Env } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import type { ShardingConfig } from '../config/types.js';
import type { PeerResolver } from './dns-lookup.js';
import { parseDnsServer } from './dns-server-address.js';
import { DnsPeerSource } from './dns-source.js';
import { NoPeerSource, type PeerSource, type ShardLogger } from './peer-source.js';
import { podIdentity } from './pod-identity.js';
import { NO_SEARCH, parseResolvConf } from './resolv-conf.js';
import { resolveStaticShard, StaticPeerSource } from './static-source.js';

export interface PeerSourceDeps {
  /** SHARD_INDEX, SHARD_COUNT, POD_IP, SHARD_DNS_SERVER */
  env: Env;
  logger: ShardLogger;
  /** dns mode: replaces node's Resolver (in-process tests) */
  resolver?: PeerResolver;
  /** dns mode: resolv.conf text for the search list; default /etc/resolv.conf */
  resolvConf?: string;
}

/**
 * The peer source the sharding config asks for. Problems only the environment can cause (missing
 * SHARD_INDEX, a bad POD_IP) are ConfigErrors thrown here, before the exporter starts anything.
 */
export function createPeerSource(cfg: ShardingConfig, deps: PeerSourceDeps): PeerSource {
  if (cfg.mode === 'none') return new NoPeerSource();
  if (cfg.mode === 'static') return new StaticPeerSource(resolveStaticShard(cfg, deps.env));

  const identity = podIdentity(deps.env);
  if (!identity.ok) throw new ConfigError([identity.error]);
  const intervalMs = cfg.resolve_interval_s * 1000;
  let resolver = deps.resolver;
  if (resolver === undefined) {
    // a look-up must end well before the next one is due; c-ares retries once on its own
    const r = new Resolver({ timeout: Math.round(Math.min(2000, Math.max(500, intervalMs / 2))), tries: 2 });
    const override = deps.env.SHARD_DNS_SERVER?.trim() || cfg.dns_server;
    if (override) {
      const parsed = parseDnsServer(override);
      if (!parsed.ok)
        throw new ConfigError([
          `${deps.env.SHARD_DNS_SERVER?.trim() ? 'SHARD_DNS_SERVER' : 'exporter.sharding.dns_server'}:` +
            ` ${parsed.reason}`,
        ]);
      r.setServers([parsed.server]);
    }
    resolver = r;
  }
  deps.logger.info('sharding over DNS peers', {
    service: cfg.service,
    self: identity.ip,
    self_from: identity.source,
    every_s: cfg.resolve_interval_s,
  });
  return new DnsPeerSource({
    service: cfg.service!,
    self: identity.ip,
    family: identity.family,
    intervalMs,
    resolver,
    search: deps.resolvConf !== undefined ? parseResolvConf(deps.resolvConf) : systemSearch(),
    logger: deps.logger,
  });
}

function systemSearch() {
  try {
    return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return NO_SEARCH;
  }
}
