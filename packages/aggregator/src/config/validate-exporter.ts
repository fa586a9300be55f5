import { isIP } from 'node:net';
import { DEFAULT_THRESHOLDS, type ScoringThresholds } from '../scoring/rules.js';
import { parseDnsServer } from '../sharding/dns-server-address.js';
import { defaultExporterConfig } from './defaults.js';
import { HOSTNAME, parseListenAddr } from './listen-addr.js';
import {
  describe,
  indexPath,
  type KeyHandler,
  type Mapping,
  type Problems,
  readBoolean,
  readEnum,
  readMapping,
  readNonEmptyString,
  readNonNegativeInteger,
  readNonNegativeNumber,
  readPositiveInteger,
  readPositiveNumber,
  readStringList,
  walkMapping,
} from './problems.js';
import type { ExporterConfig, LogLevel, ProbeEndpointConfig, ShardingConfig, ShardingMode } from './types.js';
import { readContentChecks } from './validate-content-checks.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const SHARDING_MODES: readonly ShardingMode[] = ['none', 'static', 'dns'];

/** Prometheus label name, and not one the exporter sets itself or a reserved `__` name. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const OWN_LABELS = new Set(['project', 'line', 'id']);

/** Keys whose value, when not set, is clamped below check_interval (a probe must never outlive it). */
const TIMEOUT_KEYS = ['connect_timeout_ms', 'first_byte_timeout_ms', 'idle_timeout_ms'] as const;

/**
 * The `exporter` section: defaults, overridden by the keys present, each checked in document order,
 * then the rules that relate keys (sample_duration < check_interval, timeouts < check_interval).
 * A key that fails its check keeps its default so later cross-checks still run on sane values.
 */
export function validateExporter(raw: Mapping | undefined, problems: Problems): ExporterConfig {
  const c = defaultExporterConfig();
  const path = 'exporter';
  const set = <K extends keyof ExporterConfig>(key: K, value: ExporterConfig[K] | undefined): void => {
    if (value !== undefined) c[key] = value;
  };
  // cross-checks only compare keys that were valid, so one mistake gives one message
  const invalid = new Set<string>();
  const track =
    (key: string, fn: (value: unknown, p: string) => boolean): KeyHandler =>
    (value, p) => {
      if (!fn(value, p)) invalid.add(key);
    };
  const seconds = (key: 'check_interval' | 'sample_duration'): KeyHandler =>
    track(key, (v, p) => {
      const n = readPositiveNumber(v, p, problems, ' of seconds');
      set(key, n);
      return n !== undefined;
    });
  const positiveInt = (
    key:
      | 'min_keyframes'
      | 'max_concurrent'
      | 'stall_threshold_ms'
      | 'startup_buffer_ms'
      | (typeof TIMEOUT_KEYS)[number],
    unit = '',
  ): KeyHandler =>
    track(key, (v, p) => {
      const n = readPositiveInteger(v, p, problems, unit);
      set(key, n);
      return n !== undefined;
    });

  const seen =
    raw === undefined
      ? new Set<string>()
      : walkMapping(raw, path, problems, {
          check_interval: seconds('check_interval'),
          sample_duration: seconds('sample_duration'),
          min_keyframes: positiveInt('min_keyframes'),
          max_concurrent: positiveInt('max_concurrent'),
          max_retries: (v, p) => set('max_retries', readNonNegativeInteger(v, p, problems)),
          stall_threshold_ms: positiveInt('stall_threshold_ms', ' (milliseconds)'),
          listen_addr: (v, p) => {
            if (typeof v !== 'string' && typeof v !== 'number') {
              problems.add(p, `must be a string like "8080" or "0.0.0.0:8080", got ${describe(v)}`);
              return;
            }
            const parsed = parseListenAddr(v);
            if (parsed.ok) c.listen_addr = parsed.addr;
            else problems.add(p, `invalid listen address ${JSON.stringify(String(v))}: ${parsed.reason}`);
          },
          log_level: (v, p) => set('log_level', readEnum(v, p, problems, LOG_LEVELS)),
          allowed_tags: (v, p) => set('allowed_tags', readAllowedTags(v, p, problems)),
          workers: (v, p) => set('workers', readPositiveInteger(v, p, problems, ' (threads)')),
          connect_timeout_ms: positiveInt('connect_timeout_ms', ' (milliseconds)'),
          first_byte_timeout_ms: positiveInt('first_byte_timeout_ms', ' (milliseconds)'),
          idle_timeout_ms: positiveInt('idle_timeout_ms', ' (milliseconds)'),
          user_agent: (v, p) => {
            const s = readNonEmptyString(v, p, problems);
            if (s !== undefined && /[\r\n]/.test(s)) problems.add(p, 'must not contain a line break');
            else set('user_agent', s);
          },
          startup_buffer_ms: positiveInt('startup_buffer_ms', ' (milliseconds)'),
          scoring: (v, p) => {
            const m = readMapping(v, p, problems);
            if (m !== undefined) c.scoring = readScoring(m, p, problems);
          },
          sharding: (v, p) => {
            const m = readMapping(v, p, problems);
            if (m !== undefined) c.sharding = readSharding(m, p, problems);
          },
          probe_endpoint: (v, p) => {
            const m = readMapping(v, p, problems);
            if (m !== undefined) c.probe_endpoint = readProbeEndpoint(m, p, problems);
          },
          content_checks: (v, p) => {
            const m = readMapping(v, p, problems);
            if (m !== undefined) c.content_checks = readContentChecks(m, p, problems);
          },
        });

  const intervalValid = !invalid.has('check_interval');
  const intervalMs = c.check_interval * 1000;
  if (intervalValid && !invalid.has('sample_duration') && c.sample_duration >= c.check_interval) {
    problems.add(
      `${path}.sample_duration`,
      `must be less than check_interval (${c.sample_duration} >= ${c.check_interval}): a probe must end before the` +
        ` next one starts`,
    );
  }
  for (const key of TIMEOUT_KEYS) {
    if (!seen.has(key)) {
      // an unset timeout follows a short check_interval down instead of failing on a key nobody wrote
      c[key] = Math.max(1, Math.min(c[key], Math.floor(intervalMs / 2)));
    } else if (intervalValid && !invalid.has(key) && c[key] >= intervalMs) {
      problems.add(`${path}.${key}`, `must be less than check_interval in milliseconds (${c[key]} >= ${intervalMs})`);
    }
  }
  return c;
}

function readAllowedTags(value: unknown, path: string, problems: Problems): string[] | undefined {
  const list = readStringList(value, path, problems);
  if (list === undefined) return undefined;
  let ok = true;
  const seen = new Set<string>();
  list.forEach((name, i) => {
    const p = indexPath(path, i);
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      problems.add(p, `${JSON.stringify(name)} is not a valid Prometheus label name`);
      ok = false;
    } else if (OWN_LABELS.has(name)) {
      problems.add(p, `"${name}" is a label the exporter sets itself`);
      ok = false;
    } else if (seen.has(name)) {
      problems.add(p, `"${name}" is listed twice`);
      ok = false;
    }
    seen.add(name);
  });
  return ok ? list : undefined;
}

function readScoring(raw: Mapping, path: string, problems: Problems): ScoringThresholds {
  const t: ScoringThresholds = { ...DEFAULT_THRESHOLDS };
  const invalid = new Set<string>();
  const handlers: Record<string, KeyHandler> = {};
  const ratios = new Set(['max_stall_ratio', 'max_black_ratio', 'max_frozen_ratio', 'max_silence_ratio']);
  for (const key of [...Object.keys(DEFAULT_THRESHOLDS), 'max_silence_ratio'] as (keyof ScoringThresholds)[]) {
    handlers[key] = (v, p) => {
      let n: number | undefined;
      if (key === 'min_history') n = readPositiveInteger(v, p, problems);
      else if (key === 'stable_cv' || key === 'moderate_cv') n = readPositiveNumber(v, p, problems);
      else n = readNonNegativeNumber(v, p, problems);
      if (n !== undefined && ratios.has(key) && n > 1) {
        problems.add(p, `must be a ratio between 0 and 1, got ${n}`);
        n = undefined;
      }
      if (n === undefined) invalid.add(key);
      else t[key] = n;
    };
  }
  walkMapping(raw, path, problems, handlers);
  // "fair" must be reachable below "good", "moderate" above "stable"
  const order: [
    Exclude<keyof ScoringThresholds, 'max_silence_ratio'>,
    Exclude<keyof ScoringThresholds, 'max_silence_ratio'>,
  ][] = [
    ['fair_framerate', 'good_framerate'],
    ['fair_bitrate_bps', 'good_bitrate_bps'],
    ['stable_cv', 'moderate_cv'],
  ];
  for (const [low, high] of order) {
    if (!invalid.has(low) && !invalid.has(high) && t[low] > t[high]) {
      problems.add(`${path}.${low}`, `must not exceed ${high} (${t[low]} > ${t[high]})`);
    }
  }
  return t;
}

function readSharding(raw: Mapping, path: string, problems: Problems): ShardingConfig {
  const s: ShardingConfig = { mode: 'none', resolve_interval_s: 15 };
  let modeValid = true;
  const seen = walkMapping(raw, path, problems, {
    mode: (v, p) => {
      const mode = readEnum(v, p, problems, SHARDING_MODES);
      if (mode !== undefined) s.mode = mode;
      else modeValid = false;
    },
    service: (v, p) => {
      const name = readNonEmptyString(v, p, problems);
      if (name !== undefined && !HOSTNAME.test(name)) problems.add(p, `${JSON.stringify(name)} is not a DNS name`);
      else if (name !== undefined) s.service = name;
    },
    index: (v, p) => {
      const n = readNonNegativeInteger(v, p, problems);
      if (n !== undefined) s.index = n;
    },
    count: (v, p) => {
      const n = readPositiveInteger(v, p, problems);
      if (n !== undefined) s.count = n;
    },
    resolve_interval_s: (v, p) => {
      const n = readPositiveNumber(v, p, problems, ' of seconds');
      if (n !== undefined) s.resolve_interval_s = n;
    },
    dns_server: (v, p) => {
      const text = readNonEmptyString(v, p, problems);
      if (text === undefined) return;
      const parsed = parseDnsServer(text);
      if (parsed.ok) s.dns_server = parsed.server;
      else problems.add(p, parsed.reason);
    },
  });
  if (!modeValid) return s;
  // keys of another mode show a misunderstanding worth stopping for, not something to ignore
  const belongs: [string, ShardingMode][] = [
    ['service', 'dns'],
    ['index', 'static'],
    ['count', 'static'],
    ['resolve_interval_s', 'dns'],
    ['dns_server', 'dns'],
  ];
  for (const [key, mode] of belongs) {
    if (seen.has(key) && s.mode !== mode)
      problems.add(`${path}.${key}`, `only applies to mode ${mode} (mode is ${s.mode})`);
  }
  if (s.mode === 'dns' && !seen.has('service'))
    problems.add(path, 'mode dns needs "service" (the headless Service name)');
  if (s.index !== undefined && s.count !== undefined && s.index >= s.count) {
    problems.add(`${path}.index`, `must be less than count (${s.index} >= ${s.count})`);
  }
  return s;
}

/** Host names, `*.suffix` wildcards or IPv4 addresses; no scheme, port or path. IPv6 is checked by isIP. */
const ALLOWED_HOST = /^(\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

function readProbeEndpoint(raw: Mapping, path: string, problems: Problems): ProbeEndpointConfig {
  const e: ProbeEndpointConfig = { enabled: false, allowed_hosts: [] };
  let hostsValid = true;
  walkMapping(raw, path, problems, {
    enabled: (v, p) => {
      const b = readBoolean(v, p, problems);
      if (b !== undefined) e.enabled = b;
    },
    allowed_hosts: (v, p) => {
      const list = readStringList(v, p, problems);
      if (list === undefined) {
        hostsValid = false;
        return;
      }
      list.forEach((host, i) => {
        const lower = host.toLowerCase();
        const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
        if (ALLOWED_HOST.test(lower)) e.allowed_hosts.push(lower);
        else if (isIP(bare) === 6) e.allowed_hosts.push(bare);
        else {
          hostsValid = false;
          problems.add(
            indexPath(p, i),
            `${JSON.stringify(host)} is not a host name, "*.domain" or IP address (no scheme, port or path)`,
          );
        }
      });
    },
  });
  if (e.enabled && hostsValid && e.allowed_hosts.length === 0) {
    problems.add(
      `${path}.allowed_hosts`,
      'must list at least one host when enabled: without an allow-list anyone could make the exporter fetch any URL',
    );
  }
  return e;
}
