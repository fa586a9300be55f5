/**
 * Per-request fault injection, read from the query string of a stream URL. Unknown parameters are ignored
 * (real stream URLs carry auth tokens); a known parameter with a bad value is a 400 so a typo in a test
 * does not silently test the healthy path.
 */

export interface PauseFault {
  /** length of each pause */
  ms: number;
  /** a pause starts every `everyMs` of wall time since the body started (first one at everyMs) */
  everyMs: number;
  /**
   * true (default): the media timeline keeps running during the pause, like a server whose buffer fills
   * while the network stalls, so a burst catches up afterwards. false (`pause_catch_up=0`): the timeline
   * freezes too, like a publisher that stalled: the stream falls behind wall time for good.
   */
  catchUp: boolean;
}

export interface Faults {
  /** answer with this status and a short text body (no FLV); with failFirst, only the first K requests */
  status?: number;
  /** the first K requests for this path answer `status` (503 when not given), later ones are normal */
  failFirst?: number;
  delayHeadersMs: number;
  /** headers at once, first body byte after this; the stream's start point is taken then */
  delayBodyMs: number;
  /** read the request, never answer */
  neverHeaders: boolean;
  /** media time per wall time (2 = twice real time) */
  pace: number;
  pause?: PauseFault;
  /** TCP RST this long after the request arrived */
  closeAfterMs?: number;
  /** 200 with an HTML page */
  html: boolean;
  /** FLV header + half of the first tag, then silence with the connection open */
  halfTag: boolean;
  /** drop video tags; the FLV header says audio only */
  audioOnly: boolean;
  /** after the first keyframe sent, drop every keyframe tag (inter frames still flow) */
  noKeyframesAfterFirstGop: boolean;
  /** 302 chain: redirect=N answers 302 to the same URL with redirect=N-1 (the param removed at 0) */
  redirect?: number;
  /** 302 loop between redirect_loop=1 and redirect_loop=2 forever */
  redirectLoop?: 1 | 2;
  /** at most this many bits per second, whatever the timeline says */
  trickleBps?: number;
  /** TCP RST right after the response headers */
  rst: boolean;
  /** 200 + FLV header, then nothing (connection kept open) */
  empty: boolean;
  /** GOP-cache burst at connect; undefined = the server's default */
  gopCache?: boolean;
  /** rebase timestamps so the connection's first keyframe is at 0 (default: the shared global timeline) */
  zeroTs: boolean;
  /** where this stream's timeline stands relative to the fixture's; default derived from the path */
  phaseMs?: number;
  /** onFI wall clock on every keyframe, this many ms behind the keyframe's due time */
  onFiOffsetMs?: number;
}

export type FaultsResult = { ok: true; faults: Faults } | { ok: false; message: string };

const MAX_MS = 3_600_000;

class BadParam extends Error {}

export function parseFaults(query: URLSearchParams): FaultsResult {
  try {
    return { ok: true, faults: read(query) };
  } catch (err) {
    if (err instanceof BadParam) return { ok: false, message: err.message };
    throw err;
  }
}

function read(q: URLSearchParams): Faults {
  const pauseMs = int(q, 'pause_ms', 1, MAX_MS);
  const pauseEveryMs = int(q, 'pause_every_ms', 1, MAX_MS);
  if ((pauseMs === undefined) !== (pauseEveryMs === undefined)) {
    throw new BadParam('pause_ms and pause_every_ms go together');
  }
  let pause: PauseFault | undefined;
  if (pauseMs !== undefined && pauseEveryMs !== undefined) {
    if (pauseMs >= pauseEveryMs) throw new BadParam('pause_ms must be smaller than pause_every_ms');
    pause = { ms: pauseMs, everyMs: pauseEveryMs, catchUp: flag(q, 'pause_catch_up') ?? true };
  }
  const pace = num(q, 'pace', 0.001, 1000) ?? 1;
  const redirectLoop = int(q, 'redirect_loop', 0, 2);
  return {
    status: int(q, 'status', 200, 599),
    failFirst: int(q, 'fail_first', 0, 1_000_000),
    delayHeadersMs: int(q, 'delay_headers_ms', 0, MAX_MS) ?? 0,
    delayBodyMs: int(q, 'delay_body_ms', 0, MAX_MS) ?? 0,
    neverHeaders: flag(q, 'never_headers') ?? false,
    pace,
    pause,
    closeAfterMs: int(q, 'close_after_ms', 0, MAX_MS),
    html: flag(q, 'html') ?? false,
    halfTag: flag(q, 'half_tag') ?? false,
    audioOnly: flag(q, 'audio_only') ?? false,
    noKeyframesAfterFirstGop: flag(q, 'no_keyframes_after_first_gop') ?? false,
    redirect: int(q, 'redirect', 0, 100) || undefined,
    redirectLoop: redirectLoop === 1 || redirectLoop === 2 ? redirectLoop : undefined,
    trickleBps: int(q, 'trickle_bps', 8, 10_000_000_000),
    rst: flag(q, 'rst') ?? false,
    empty: flag(q, 'empty') ?? false,
    gopCache: flag(q, 'gop_cache'),
    zeroTs: flag(q, 'zero_ts') ?? false,
    phaseMs: int(q, 'phase_ms', 0, MAX_MS),
    onFiOffsetMs: int(q, 'onfi_offset_ms', 0, MAX_MS),
  };
}

function raw(q: URLSearchParams, key: string): string | undefined {
  const all = q.getAll(key);
  if (all.length > 1) throw new BadParam(`${key} given ${all.length} times`);
  return all[0];
}

function int(q: URLSearchParams, key: string, min: number, max: number): number | undefined {
  const v = raw(q, key);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new BadParam(`${key}=${v}: expected an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new BadParam(`${key}=${v}: expected ${min}..${max}`);
  return n;
}

function num(q: URLSearchParams, key: string, min: number, max: number): number | undefined {
  const v = raw(q, key);
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw new BadParam(`${key}=${v}: expected a number`);
  const n = Number(v);
  if (n < min || n > max) throw new BadParam(`${key}=${v}: expected ${min}..${max}`);
  return n;
}

function flag(q: URLSearchParams, key: string): boolean | undefined {
  const v = raw(q, key);
  if (v === undefined) return undefined;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new BadParam(`${key}=${v}: expected 0 or 1`);
}
