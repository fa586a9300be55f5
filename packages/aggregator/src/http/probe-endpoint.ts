/**
 * `GET /probe?target=URL[&duration=s]`: one probe on demand, blackbox-exporter style (SPEC §7), for
 * Prometheus multi-target setups (`params: {target: [...]}` + relabelling). The answer is the
 * exposition text of that one probe: its `video_stream_*` series without labels (Prometheus adds the
 * target's labels), `video_exporter_probe_success`, and on failure
 * `video_exporter_probe_failure_reason{reason}`. History series (average bitrate, stability,
 * consecutive failures, last check time) are left out: there is no history behind one probe.
 *
 * Off by default: it lets whoever reaches the port make the exporter fetch URLs. When
 * `exporter.probe_endpoint.enabled`, ssrf.ts decides which targets may be fetched. Answers:
 * - 404 JSON while disabled (the route exists, the feature does not: same as an unknown path, but saying why);
 * - 400 malformed request (no / several targets, bad URL, non-http(s) scheme, bad duration);
 * - 403 target refused by the allow-list or the address policy (the body says which rule);
 * - 429 more than `maxConcurrent` /probe requests in flight (Retry-After: 1);
 * - 503 while the exporter is not ready (starting, shutting down);
 * - 200 exposition text otherwise, also when the probe failed (probe_success 0), as blackbox does.
 *
 * Safety of the fetch itself:
 * - a host name is resolved here and every address checked; for http the probe then connects to the
 *   checked address (URL rewritten to the IP, original Host header kept), so DNS cannot answer
 *   differently between the check and the connection (rebinding). For https the URL keeps the name (SNI
 *   and the certificate check need it) and the job's `connectAddress` sends the socket to the checked
 *   address: no second look-up, no rebinding window either.
 * - redirects are not followed (maxRedirects 0): the worker cannot check the next hop against the
 *   allow-list, so a 30x ends the probe with `too_many_redirects`.
 * - the probe runs on the exporter's worker pool with the exporter's timeouts, never longer than the
 *   scrape timeout Prometheus announces (X-Prometheus-Scrape-Timeout-Seconds) minus 0.5 s.
 */
import dns from 'node:dns';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import {
  emptyResult,
  type ProbeJob,
  type ProbeResult,
  redactText,
  redactUrl,
} from '@video-exporter/probe-worker/common';
import { Gauge, Registry } from 'prom-client';
import type { ExporterConfig, StreamConfig } from '../config/index.js';
import { INFO_LABELS, infoLabels, STREAM_GAUGES } from '../metrics/stream-series.js';
import { buildJob } from '../probe-runner.js';
import { StreamState } from '../state/stream-state.js';
import type { Reply, Route, RouteRequest } from './routes.js';
import { jsonReply } from './routes.js';
import { type AllowList, checkResolved, checkTarget, compileAllowList } from './ssrf.js';

export const PROBE_PATH = '/probe';

export const PROBE_LIMITS = {
  /** /probe requests in flight at once; more are answered 429 */
  maxConcurrent: 10,
  /** largest `duration` accepted, seconds */
  maxDurationS: 60,
  /** kept free of the announced scrape timeout, as blackbox's timeout_offset */
  scrapeTimeoutOffsetMs: 500,
} as const;

export interface ProbeEndpointDeps {
  /** the running exporter section, read per request (a reload may change probe_endpoint) */
  settings(): ExporterConfig;
  /** runs one attempt on the exporter's pool; never rejects (ProbePool.run) */
  run(job: ProbeJob): Promise<ProbeResult>;
  /** every address of a name; default dns.promises.lookup(name, {all: true}) (tests inject) */
  lookupAll?: (name: string) => Promise<string[]>;
  /** default PROBE_LIMITS.maxConcurrent */
  maxConcurrent?: number;
}

/** Series that describe a stream's history, meaningless for one probe. */
const HISTORY_SERIES = new Set([
  'video_stream_avg_bitrate_bps',
  'video_stream_stability_score',
  'video_stream_consecutive_failures',
  'video_stream_last_check_timestamp_seconds',
]);

const defaultLookupAll = async (name: string): Promise<string[]> =>
  (await dns.promises.lookup(name, { all: true })).map((a) => a.address);

export function createProbeRoute(d: ProbeEndpointDeps, ready: () => boolean): Route {
  const max = d.maxConcurrent ?? PROBE_LIMITS.maxConcurrent;
  const lookupAll = d.lookupAll ?? defaultLookupAll;
  let inFlight = 0;
  let compiled: { source: readonly string[]; list: AllowList } | undefined;
  const allowList = (hosts: readonly string[]): AllowList => {
    if (compiled?.source !== hosts) compiled = { source: hosts, list: compileAllowList(hosts) };
    return compiled.list;
  };

  return {
    template: PROBE_PATH,
    async handle(req: RouteRequest): Promise<Reply> {
      const e = d.settings();
      if (!e.probe_endpoint.enabled) {
        return jsonReply(404, {
          error: '/probe is disabled',
          hint: 'enable it with exporter.probe_endpoint: {enabled: true, allowed_hosts: [...]}',
        });
      }
      if (!ready()) return jsonReply(503, { error: 'not ready' });
      const targets = req.query.getAll('target');
      if (targets.length !== 1 || targets[0] === '') return jsonReply(400, { error: 'give exactly one target=URL' });
      const target = targets[0]!;
      const duration = parseDuration(req.query.getAll('duration'));
      if (!duration.ok) return jsonReply(400, { error: duration.error });

      const verdict = checkTarget(target, allowList(e.probe_endpoint.allowed_hosts));
      if (!verdict.ok) return jsonReply(verdict.status, { error: redactText(verdict.error) });
      if (inFlight >= max)
        return jsonReply(429, { error: `too many /probe requests in flight (limit ${max})` }, { 'Retry-After': '1' });
      inFlight++;
      try {
        let url = verdict.url;
        let host: string | undefined;
        let connectAddress: string | undefined;
        if (verdict.kind === 'name') {
          let addresses: string[];
          try {
            addresses = await withTimeout(
              lookupAll(verdict.host),
              e.connect_timeout_ms,
              `DNS lookup of ${verdict.host} took longer than ${e.connect_timeout_ms} ms`,
            );
          } catch (err) {
            return await exposition(
              failedResult(target, 'dns', `DNS lookup of ${verdict.host} failed: ${(err as Error).message}`),
              e,
            );
          }
          const resolved = checkResolved(verdict.host, addresses);
          if (!resolved.ok) return jsonReply(403, { error: resolved.error });
          if (url.protocol === 'http:' || url.protocol === 'rtmp:') {
            // pin the connection to the address just checked; the server still sees the name it expects
            // (HTTP: the Host header; RTMP: the tcUrl, which the client builds from the same Host)
            host = url.host;
            url = new URL(url.href);
            url.hostname = net.isIPv6(addresses[0]!) ? `[${addresses[0]!}]` : addresses[0]!;
          } else if (url.protocol === 'https:') {
            // the name stays in the URL for SNI and the certificate check; the socket goes to the checked address
            connectAddress = addresses[0]!;
          }
        }
        const probe = probeJob(url.href, host, e, duration.seconds, scrapeTimeout(req.headers));
        const job = connectAddress === undefined ? probe : { ...probe, connectAddress };
        const result = await d.run(job);
        result.url = redactUrl(target);
        if (result.reason === 'too_many_redirects' && (result.redirects ?? 0) === 0) {
          result.error =
            `HTTP ${result.http_status ?? '3xx'} redirect not followed: /probe does not follow` +
            ` redirects (the next hop could leave allowed_hosts)`;
        }
        return await exposition(result, e);
      } finally {
        inFlight--;
      }
    },
  };
}

function parseDuration(values: string[]): { ok: true; seconds: number | undefined } | { ok: false; error: string } {
  if (values.length === 0) return { ok: true, seconds: undefined };
  const n = values.length === 1 && /^\d+(\.\d+)?$/.test(values[0]!) ? Number(values[0]) : NaN;
  if (!(n > 0 && n <= PROBE_LIMITS.maxDurationS))
    return { ok: false, error: `duration must be one number of seconds, > 0 and <= ${PROBE_LIMITS.maxDurationS}` };
  return { ok: true, seconds: n };
}

/** Prometheus' announced scrape timeout in ms, when present and sane. */
function scrapeTimeout(headers: IncomingHttpHeaders | undefined): number | undefined {
  const raw = headers?.['x-prometheus-scrape-timeout-seconds'];
  const n = typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(n) && n > 0 ? n * 1000 : undefined;
}

/**
 * The exporter's job for this target, with the endpoint's own sample and deadline: the sample may
 * extend to 2 × sample while keyframes are missing, and connecting and the first byte come first.
 * Under a scrape timeout the deadline shrinks to fit it, and the sample with it.
 */
export function probeJob(
  url: string,
  host: string | undefined,
  e: ExporterConfig,
  durationS: number | undefined,
  scrapeTimeoutMs: number | undefined,
): ProbeJob {
  const stream: StreamConfig = {
    key: 'probe',
    project: '',
    line: '',
    id: '',
    url,
    tags: {},
    headers: host ? { Host: host } : {},
    insecure_tls: false,
  };
  const job = buildJob(stream, e);
  let sampleMs = Math.round((durationS ?? e.sample_duration) * 1000);
  let deadlineMs = 2 * sampleMs + e.connect_timeout_ms + e.first_byte_timeout_ms;
  if (scrapeTimeoutMs !== undefined) {
    const budget = Math.max(1000, scrapeTimeoutMs - PROBE_LIMITS.scrapeTimeoutOffsetMs);
    if (deadlineMs > budget) {
      deadlineMs = budget;
      sampleMs = Math.min(sampleMs, Math.max(250, Math.floor((budget - 1000) / 2)));
    }
  }
  return { ...job, sampleMs, deadlineMs, maxRedirects: 0 };
}

function failedResult(target: string, reason: 'dns', message: string): ProbeResult {
  return { ...emptyResult(redactUrl(target)), reason, error: redactText(message) };
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const IDENTITY = { key: 'probe', project: '', line: '', id: '', url: '', tags: {}, source: 'probe' };

/** One probe as exposition text on a fresh registry (nothing of the exporter's own registry leaks in). */
export async function exposition(result: ProbeResult, e: ExporterConfig): Promise<Reply> {
  const registry = new Registry();
  const registers = [registry];
  const snap = new StreamState({ ...IDENTITY, url: result.url }).record(result, Date.now(), e.min_keyframes, e.scoring);
  for (const [name, help, value] of STREAM_GAUGES) {
    if (HISTORY_SERIES.has(name)) continue;
    const v = value(snap);
    if (v !== undefined && Number.isFinite(v)) new Gauge({ name, help, registers }).set(v);
  }
  const info = infoLabels(snap);
  if (info)
    new Gauge({
      name: 'video_stream_info',
      help: 'Codecs of the probe (value 1)',
      labelNames: INFO_LABELS,
      registers,
    }).set(info, 1);
  new Gauge({
    name: 'video_exporter_probe_success',
    help: '1 if the probe succeeded (SPEC §4: no failure reason)',
    registers,
  }).set(result.ok ? 1 : 0);
  if (!result.ok && result.reason) {
    new Gauge({
      name: 'video_exporter_probe_failure_reason',
      help: 'Why the probe failed (value 1)',
      labelNames: ['reason'],
      registers,
    }).set({ reason: result.reason }, 1);
  }
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
}
