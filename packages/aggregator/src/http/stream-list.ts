/** The /api/streams list: one flat summary per stream, the filters and the order. */
import type { FailureReason } from '@video-exporter/probe-worker/common';
import type { Score } from '../scoring/rules.js';
import type { StreamIdentity, StreamSnapshot, StreamStateName } from '../state/types.js';

/** The stream's identity (url redacted already by the exporter) plus its latest state and figures. */
export interface StreamSummary extends StreamIdentity {
  state: StreamStateName;
  up: boolean;
  healthy: boolean;
  playable: boolean;
  /** stability is absent while unknown (fewer than 3 successful probes) */
  scores: { quality: Score; stability?: Score; overall: Score };
  // figures of the latest probe: absent when not measured, never a fake 0
  bitrate_bps?: number;
  avg_bitrate_bps?: number;
  framerate?: number;
  width?: number;
  height?: number;
  codec?: string;
  /** unix seconds of the latest finished probe */
  last_check?: number;
  last_error?: { reason: FailureReason; message: string; at: number };
  consecutive_failures: number;
  /** discovered stream that left its source: down until its gone_grace ends */
  gone?: boolean;
}

export function summarizeStream(s: StreamSnapshot): StreamSummary {
  const { stream, last } = s;
  return {
    key: stream.key,
    project: stream.project,
    line: stream.line,
    id: stream.id,
    url: stream.url,
    tags: stream.tags,
    source: stream.source,
    state: s.state,
    up: s.up,
    healthy: s.healthy,
    playable: s.playable,
    scores: { quality: s.quality, stability: s.stability, overall: s.overall },
    bitrate_bps: last?.bitrate_bps,
    avg_bitrate_bps: s.avg_bitrate_bps,
    framerate: last?.video.framerate,
    width: last?.video.width,
    height: last?.video.height,
    codec: last?.video.codec,
    last_check: s.last_check,
    last_error: s.last_error,
    consecutive_failures: s.consecutive_failures,
    ...(s.gone ? { gone: true } : {}),
  };
}

/** project, then line, then id; code-unit order so the result does not depend on the host's locale */
export function compareStreams(a: StreamIdentity, b: StreamIdentity): number {
  return cmp(a.project, b.project) || cmp(a.line, b.line) || cmp(a.id, b.id);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const STREAM_STATES: readonly StreamStateName[] = ['pending', 'up', 'down'];

/** Each present filter is a set of accepted values (a repeated parameter means "any of"). */
export interface StreamFilter {
  project?: ReadonlySet<string>;
  line?: ReadonlySet<string>;
  state?: ReadonlySet<string>;
  /** `config` or a discovery source's name */
  source?: ReadonlySet<string>;
}

/**
 * ?project=&line=&state=&source= as exact matches; empty values are ignored (an empty form field means "any").
 * An unknown state is the caller's mistake and is reported rather than silently matching nothing.
 */
export function parseStreamFilter(
  query: URLSearchParams,
): { ok: true; filter: StreamFilter } | { ok: false; error: string; allowed: readonly string[] } {
  const filter: StreamFilter = {};
  for (const name of ['project', 'line', 'state', 'source'] as const) {
    const values = query.getAll(name).filter((v) => v !== '');
    if (values.length > 0) filter[name] = new Set(values);
  }
  const bad = [...(filter.state ?? [])].find((v) => !(STREAM_STATES as readonly string[]).includes(v));
  if (bad !== undefined) return { ok: false, error: `invalid state filter "${bad}"`, allowed: STREAM_STATES };
  return { ok: true, filter };
}

export function matchesFilter(s: StreamSnapshot, f: StreamFilter): boolean {
  return (
    (f.project === undefined || f.project.has(s.stream.project)) &&
    (f.line === undefined || f.line.has(s.stream.line)) &&
    (f.state === undefined || f.state.has(s.state)) &&
    (f.source === undefined || f.source.has(s.stream.source))
  );
}

/** the snapshots a filter accepts, in API order */
export function selectStreams(snapshots: readonly StreamSnapshot[], f: StreamFilter = {}): StreamSnapshot[] {
  return snapshots.filter((s) => matchesFilter(s, f)).sort((a, b) => compareStreams(a.stream, b.stream));
}
