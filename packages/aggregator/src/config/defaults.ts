import { DEFAULT_THRESHOLDS } from '../scoring/rules.js';
import type { ExporterConfig } from './types.js';
import { defaultContentChecks } from './validate-content-checks.js';

/** The reference's tag allow-list: tag keys outside it are dropped (they would become label names). */
export const DEFAULT_ALLOWED_TAGS: readonly string[] = ['table', 'desk', 'biz', 'isp', 'role'];

/**
 * SPEC §3 defaults (the reference's for its keys). The timeouts are clamped below check_interval when
 * not set explicitly, see validate-exporter.ts.
 */
export function defaultExporterConfig(): ExporterConfig {
  return {
    check_interval: 30,
    sample_duration: 10,
    min_keyframes: 2,
    max_concurrent: 1000,
    max_retries: 3,
    stall_threshold_ms: 200,
    listen_addr: { host: undefined, port: 8080, text: '8080' },
    log_level: 'info',
    allowed_tags: [...DEFAULT_ALLOWED_TAGS],
    workers: undefined,
    connect_timeout_ms: 5000,
    first_byte_timeout_ms: 10_000,
    idle_timeout_ms: 5000,
    user_agent: undefined,
    startup_buffer_ms: 1000,
    scoring: { ...DEFAULT_THRESHOLDS },
    sharding: { mode: 'none', resolve_interval_s: 15 },
    probe_endpoint: { enabled: false, allowed_hosts: [] },
    content_checks: defaultContentChecks(),
  };
}
