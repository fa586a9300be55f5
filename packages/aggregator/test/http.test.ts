import type { ProbeResult } from '@video-exporter/probe-worker';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerHandle } from '../src/http/index.js';
import { startHttpServer } from '../src/http/index.js';
import { MAX_REUSE_MS } from '../src/http/metrics-route.js';
import { renderStatusPage } from '../src/http/status-page.js';
import type { ExporterStatus, ExporterView, StreamSnapshot } from '../src/state/types.js';

// ---- fixtures ----------------------------------------------------------------------------------------

const NOW = 1_750_000_000;
const HOSTILE_ID = '<script>alert(1)</script>';
const HOSTILE_TAG = '"&<>';
const HOSTILE_ERROR = 'bad body <img src=x onerror=alert(2)>';

function probe(over: Partial<ProbeResult>): ProbeResult {
  return {
    url: 'http://cdn.example/live/x.flv',
    ok: true,
    packets: { total: 0, video: 0, audio: 0 },
    video: { frames: 0, keyframes: 0 },
    audio: { frames: 0 },
    timestamps: { discontinuities: 0 },
    ...over,
  };
}

function identity(project: string, line: string, id: string, tags: Record<string, string> = {}) {
  return {
    key: `${project}/${line}/${id}`,
    project,
    line,
    id,
    url: `http://src.example/live/${id}.flv?token=REDACTED`,
    tags,
    source: 'config',
  };
}

const healthy: StreamSnapshot = {
  stream: identity('G01', 'source', 'store-01', { table: 'store-01', biz: 'electronics' }),
  state: 'up',
  last: probe({
    http_status: 200,
    ttfb_ms: 85.4,
    bitrate_bps: 1_203_400,
    packets: { total: 400, video: 250, audio: 150 },
    video: {
      codec: 'H.264',
      profile: 'High',
      level: '3.1',
      width: 1280,
      height: 720,
      framerate: 25,
      frames: 250,
      keyframes: 5,
    },
    audio: { codec: 'AAC', sample_rate: 44_100, channels: 2, frames: 150 },
    stalls: { count: 2, max_ms: 300, total_ms: 450, ratio: 0.045 },
    player: { startup_ms: 1200, rebuffer_count: 0, rebuffer_ms: 0, rebuffer_ratio: 0 },
  }),
  last_check: NOW - 12,
  up: true,
  playable: true,
  healthy: true,
  quality: 2,
  stability: 2,
  overall: 2,
  avg_bitrate_bps: 1_150_000,
  consecutive_failures: 0,
  probes: 7,
};

const poor: StreamSnapshot = {
  stream: identity('G01', 'cdn', 'store-01-cdn', { table: 'store-01', isp: 'ct' }),
  state: 'up',
  last: probe({
    http_status: 200,
    bitrate_bps: 300_000,
    video: { codec: 'H.265', width: 640, height: 360, framerate: 12.345, frames: 120, keyframes: 3 },
  }),
  last_check: NOW - 300,
  up: true,
  playable: true,
  healthy: false,
  quality: 0,
  overall: 0,
  consecutive_failures: 0,
  probes: 2,
};

const down: StreamSnapshot = {
  stream: identity('G02', 'source', 'room.7'),
  state: 'down',
  last: probe({ ok: false, reason: 'refused', error: 'connect ECONNREFUSED 10.0.0.1:80' }),
  last_check: NOW - 7200,
  up: false,
  playable: false,
  healthy: false,
  quality: 0,
  overall: 0,
  consecutive_failures: 4,
  last_error: { reason: 'refused', message: 'connect ECONNREFUSED 10.0.0.1:80', at: NOW - 7200 },
  probes: 4,
};

const pending: StreamSnapshot = {
  stream: identity('G02', 'source', 'room 8'),
  state: 'pending',
  up: false,
  playable: false,
  healthy: false,
  quality: 0,
  overall: 0,
  consecutive_failures: 0,
  probes: 0,
};

const hostile: StreamSnapshot = {
  stream: identity('G01', 'source', HOSTILE_ID, { biz: HOSTILE_TAG }),
  state: 'down',
  last: probe({ ok: false, reason: 'not_flv', error: HOSTILE_ERROR }),
  last_check: NOW - 3,
  up: false,
  playable: false,
  healthy: false,
  quality: 0,
  overall: 0,
  consecutive_failures: 1,
  last_error: { reason: 'not_flv', message: HOSTILE_ERROR, at: NOW - 3 },
  probes: 1,
};

// deliberately not in API order
const SNAPSHOTS = [down, healthy, hostile, pending, poor];
const API_ORDER = [
  'G01/cdn/store-01-cdn',
  `G01/source/${HOSTILE_ID}`,
  'G01/source/store-01',
  'G02/source/room 8',
  'G02/source/room.7',
];

const STATUS: ExporterStatus = {
  status: 'ready',
  version: '9.8.7',
  uptime_s: 3 * 3600 + 25 * 60 + 9,
  streams: { configured: 5, owned: 5, up: 2, down: 2, pending: 1 },
  pool: { threads: 2, queue: 0, in_flight: 1, utilization: 0.25, max_concurrent: 1000 },
  memory: { rss_bytes: 50_000_000, heap_used_bytes: 20_000_000 },
  cpu: { user_s: 1.5, system_s: 0.25 },
  config: { path: '/etc/video-exporter.yml', last_reload_ok: true, last_reload_at: NOW - 60 },
};

class FakeView implements ExporterView {
  isReady = false;
  statusThrows = false;
  snapshots(): StreamSnapshot[] {
    return [...SNAPSHOTS];
  }
  snapshot(key: string): StreamSnapshot | undefined {
    return SNAPSHOTS.find((s) => s.stream.key === key);
  }
  status(): ExporterStatus {
    if (this.statusThrows) throw new Error('status exploded');
    return STATUS;
  }
  ready(): boolean {
    return this.isReady;
  }
}

// ---- helpers -----------------------------------------------------------------------------------------

interface Got {
  status: number;
  type: string | null;
  headers: Headers;
  text: string;
}

let srv: HttpServerHandle;
let registry: Registry;
let requests: Counter<'path' | 'code'>;
let duration: Histogram<'path'>;
const view = new FakeView();
const warnings: { msg: string; meta?: object }[] = [];

async function req(path: string, method = 'GET', headers?: Record<string, string>): Promise<Got> {
  const res = await fetch(srv.url + path, { method, headers });
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, text: await res.text() };
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** data-key / data-state of every table row, entities decoded (what a browser's getAttribute returns) */
function rows(html: string): { key: string; state: string; html: string }[] {
  const decode = (s: string): string =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return [...html.matchAll(/<tr data-key="([^"]*)" data-state="([^"]*)">(.*?)<\/tr>/g)].map((m) => ({
    key: decode(m[1]!),
    state: decode(m[2]!),
    html: m[3]!,
  }));
}

beforeAll(async () => {
  registry = new Registry();
  const g = new Gauge({ name: 'test_probe_gauge', help: 'a gauge for the test', registers: [registry] });
  g.set(42);
  requests = new Counter({
    name: 'video_exporter_http_requests_total',
    help: 'requests',
    labelNames: ['path', 'code'] as const,
    registers: [registry],
  });
  duration = new Histogram({
    name: 'video_exporter_http_request_duration_seconds',
    help: 'duration',
    labelNames: ['path'] as const,
    registers: [registry],
  });
  srv = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    view,
    metrics: { requests, duration },
    logger: { warn: (msg, meta) => warnings.push({ msg, meta }) },
  });
});

afterAll(async () => {
  await srv.close();
});

// ---- routes ------------------------------------------------------------------------------------------

describe('probes and metrics routes', () => {
  it('serves the injected registry on /metrics with its content type', async () => {
    const r = await req('/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toBe(registry.contentType);
    expect(r.text).toContain('test_probe_gauge 42');
  });

  it('concurrent scrapes share one render; a scrape after the reuse window renders afresh', async () => {
    let collects = 0;
    // the first render is held open until the test lets it go: 1 s after the five requests were sent,
    // ample time for them to reach a loopback server even on a busy machine (no race on a 50 ms window)
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const counted = new Registry();
    new Gauge({
      name: 'test_collects',
      help: 'how often the registry was collected',
      registers: [counted],
      async collect() {
        collects++;
        if (collects === 1) await held;
        this.set(collects);
      },
    });
    const own = await startHttpServer({ host: '127.0.0.1', port: 0, registry: counted, view });
    try {
      const pending = Array.from({ length: 5 }, () => fetch(`${own.url}/metrics`).then((r) => r.text()));
      setTimeout(release, 1000);
      const bodies = await Promise.all(pending);
      expect(collects).toBe(1);
      for (const b of bodies) expect(b).toContain('test_collects 1');
      await new Promise((resolve) => setTimeout(resolve, MAX_REUSE_MS + 50));
      expect(await fetch(`${own.url}/metrics`).then((r) => r.text())).toContain('test_collects 2');
    } finally {
      await own.close();
    }
  });

  it('/healthz is always ok', async () => {
    const r = await req('/healthz');
    expect(r.status).toBe(200);
    expect(r.type).toBe(JSON_TYPE);
    expect(JSON.parse(r.text)).toEqual({ status: 'ok' });
  });

  it('/readyz follows view.ready()', async () => {
    view.isReady = false;
    const before = await req('/readyz');
    expect(before.status).toBe(503);
    expect(before.type).toBe(JSON_TYPE);
    expect(JSON.parse(before.text)).toEqual({ status: 'not ready' });
    view.isReady = true;
    const after = await req('/readyz');
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text)).toEqual({ status: 'ready' });
  });

  it('/status is view.status() as JSON', async () => {
    const r = await req('/status');
    expect(r.status).toBe(200);
    expect(r.type).toBe(JSON_TYPE);
    expect(JSON.parse(r.text)).toEqual(STATUS);
  });
});

describe('/api/streams', () => {
  it('lists a summary per stream, sorted by project, line, id', async () => {
    const r = await req('/api/streams');
    expect(r.status).toBe(200);
    expect(r.type).toBe(JSON_TYPE);
    const body = JSON.parse(r.text) as { streams: Record<string, unknown>[] };
    expect(body.streams.map((s) => s.key)).toEqual(API_ORDER);
    expect(body.streams.find((s) => s.key === 'G01/source/store-01')).toEqual({
      key: 'G01/source/store-01',
      project: 'G01',
      line: 'source',
      id: 'store-01',
      url: 'http://src.example/live/store-01.flv?token=REDACTED',
      tags: { table: 'store-01', biz: 'electronics' },
      source: 'config',
      state: 'up',
      up: true,
      healthy: true,
      playable: true,
      scores: { quality: 2, stability: 2, overall: 2 },
      bitrate_bps: 1_203_400,
      avg_bitrate_bps: 1_150_000,
      framerate: 25,
      width: 1280,
      height: 720,
      codec: 'H.264',
      last_check: NOW - 12,
      consecutive_failures: 0,
    });
  });

  it('leaves unmeasured fields absent and carries the last error', async () => {
    const body = JSON.parse((await req('/api/streams')).text) as { streams: Record<string, unknown>[] };
    const p = body.streams.find((s) => s.key === 'G02/source/room 8')!;
    expect(p.state).toBe('pending');
    for (const k of ['bitrate_bps', 'framerate', 'width', 'codec', 'last_check', 'last_error'])
      expect(p).not.toHaveProperty(k);
    expect(p.scores).toEqual({ quality: 0, overall: 0 });
    const d = body.streams.find((s) => s.key === 'G02/source/room.7')!;
    expect(d.last_error).toEqual({ reason: 'refused', message: 'connect ECONNREFUSED 10.0.0.1:80', at: NOW - 7200 });
    expect(d.consecutive_failures).toBe(4);
  });

  it.each([
    ['?project=G02', ['G02/source/room 8', 'G02/source/room.7']],
    ['?line=cdn', ['G01/cdn/store-01-cdn']],
    ['?state=down', [`G01/source/${HOSTILE_ID}`, 'G02/source/room.7']],
    ['?project=G01&state=up', ['G01/cdn/store-01-cdn', 'G01/source/store-01']],
    ['?state=up&state=pending', ['G01/cdn/store-01-cdn', 'G01/source/store-01', 'G02/source/room 8']],
    ['?project=', API_ORDER],
    ['?project=G03', []],
  ])('filters %s', async (query, keys) => {
    const r = await req(`/api/streams${query}`);
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as { streams: { key: string }[] }).streams.map((s) => s.key)).toEqual(keys);
  });

  it('rejects an unknown state filter', async () => {
    const r = await req('/api/streams?state=sideways');
    expect(r.status).toBe(400);
    expect(r.type).toBe(JSON_TYPE);
    expect(JSON.parse(r.text)).toMatchObject({ allowed: ['pending', 'up', 'down'] });
  });

  it('returns the full snapshot of one stream, including the last probe result', async () => {
    const r = await req('/api/streams/G01/source/store-01');
    expect(r.status).toBe(200);
    expect(r.type).toBe(JSON_TYPE);
    const body = JSON.parse(r.text) as StreamSnapshot;
    expect(body).toEqual(JSON.parse(JSON.stringify(healthy)));
    expect(body.last?.video.codec).toBe('H.264');
  });

  it.each([
    ['G02/source/room%208', 'G02/source/room 8'],
    ['G02/source/room.7', 'G02/source/room.7'],
    [`G01/source/${encodeURIComponent(HOSTILE_ID)}`, `G01/source/${HOSTILE_ID}`],
    ['G01/cdn/store%2D01%2Dcdn', 'G01/cdn/store-01-cdn'],
  ])('decodes path segments: %s', async (path, key) => {
    const r = await req(`/api/streams/${path}`);
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as StreamSnapshot).stream.key).toBe(key);
  });

  it('answers 404 JSON naming the key of an unknown stream', async () => {
    const r = await req('/api/streams/G01/source/no%20such');
    expect(r.status).toBe(404);
    expect(r.type).toBe(JSON_TYPE);
    expect(JSON.parse(r.text)).toEqual({ error: 'stream not found', key: 'G01/source/no such' });
  });

  it('answers 400 to malformed percent-encoding', async () => {
    const r = await req('/api/streams/G01/source/%E0%A4%A');
    expect(r.status).toBe(400);
    expect(r.type).toBe(JSON_TYPE);
  });
});

describe('unknown paths and methods', () => {
  it.each(['/nope', '/api/streams/G01/source', '/api/streams/G01/source/a/b', '/metrics/', '/api/streams//x/y'])(
    '404 JSON for %s',
    async (path) => {
      const r = await req(path);
      expect(r.status).toBe(404);
      expect(r.type).toBe(JSON_TYPE);
      expect(JSON.parse(r.text)).toEqual({ error: 'not found', path });
    },
  );

  it.each([
    ['POST', '/metrics'],
    ['PUT', '/healthz'],
    ['DELETE', '/api/streams/G01/source/store-01'],
    ['POST', '/'],
  ])('405 with Allow for %s %s', async (method, path) => {
    const r = await req(path, method);
    expect(r.status).toBe(405);
    expect(r.type).toBe(JSON_TYPE);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect(JSON.parse(r.text)).toEqual({ error: 'method not allowed' });
  });

  it('an unknown path is 404 whatever the method', async () => {
    expect((await req('/nope', 'POST')).status).toBe(404);
  });

  it.each(['/metrics', '/healthz', '/readyz', '/status', '/api/streams', '/api/streams/G01/source/store-01', '/'])(
    'HEAD %s: the GET head without a body',
    async (path) => {
      view.isReady = true;
      const get = await req(path);
      const head = await req(path, 'HEAD');
      expect(head.status).toBe(get.status);
      expect(head.type).toBe(get.type);
      expect(head.text).toBe('');
      expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    },
  );
});

// ---- status page -------------------------------------------------------------------------------------

describe('status page', () => {
  it('is HTML that refreshes itself every 10 s', async () => {
    const r = await req('/');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/html; charset=utf-8');
    expect(r.text).toMatch(/^<!doctype html>/i);
    expect(r.text).toContain('<meta http-equiv="refresh" content="10">');
    // no script, no external assets
    expect(r.text).not.toMatch(/<script|<link|<img|\ssrc="|href="(https?:)?\/\//i);
  });

  it('has a header with version, uptime and counts', async () => {
    const r = await req('/');
    expect(r.text).toContain('9.8.7');
    expect(r.text).toContain('3 h 25 min');
    expect(r.text).toContain('5 configured · 2 up · 2 down · 1 pending');
  });

  it('escapes every dynamic value', async () => {
    const { text } = await req('/');
    expect(text).not.toContain('<script>alert(1)');
    expect(text).not.toContain('<img src=x');
    expect(text).not.toContain(HOSTILE_TAG);
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('biz=&quot;&amp;&lt;&gt;');
    expect(text).toContain('bad body &lt;img src=x onerror=alert(2)&gt;');
  });

  it('marks each row with data-key and data-state, in API order', async () => {
    const found = rows((await req('/')).text);
    expect(found.map((r) => [r.key, r.state])).toEqual([
      ['G01/cdn/store-01-cdn', 'up'],
      [`G01/source/${HOSTILE_ID}`, 'down'],
      ['G01/source/store-01', 'up'],
      ['G02/source/room 8', 'pending'],
      ['G02/source/room.7', 'down'],
    ]);
  });

  it('shows badges, score words and figures', () => {
    const page = rows(renderStatusPage(STATUS, SNAPSHOTS, NOW));
    const by = (key: string) => page.find((r) => r.key === key)!.html;
    const cells = (key: string) => [...by(key).matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]!);

    const h = cells('G01/source/store-01');
    expect(h[4]).toBe('<span class="badge ok">up</span>');
    expect(h.slice(5, 8)).toEqual(['good', 'stable', 'good']);
    expect(h.slice(8, 16)).toEqual(['1203', '25', '1280x720', 'H.264', '85 ms', '2 (450 ms)', '1200 ms', '12 s ago']);
    expect(h[16]).toBe('');

    const p = cells('G01/cdn/store-01-cdn');
    expect(p[4]).toBe('<span class="badge warn">up, unhealthy</span>');
    expect(p.slice(5, 8)).toEqual(['poor', 'unknown', 'poor']);
    expect(p.slice(8, 16)).toEqual(['300', '12.35', '640x360', 'H.265', '—', '—', '—', '5 min ago']);

    const d = cells('G02/source/room.7');
    expect(d[4]).toBe('<span class="badge down">down</span>');
    expect(d[15]).toBe('2 h ago');
    expect(d[16]).toContain('refused');
    expect(d[16]).toContain('connect ECONNREFUSED 10.0.0.1:80');

    const n = cells('G02/source/room 8');
    expect(n[4]).toBe('<span class="badge pending">pending</span>');
    expect(n.slice(5, 8)).toEqual(['—', '—', '—']);
    expect(n[15]).toBe('never');
  });

  it('says so when there are no streams', () => {
    const html = renderStatusPage(
      { ...STATUS, streams: { configured: 0, owned: 0, up: 0, down: 0, pending: 0 } },
      [],
      NOW,
    );
    expect(rows(html)).toEqual([]);
    expect(html).toContain('No streams configured.');
  });
});

// ---- request metrics, failures, limits ---------------------------------------------------------------

describe('request metrics', () => {
  it('labels requests by route template, unknown paths as "other"', async () => {
    await req('/api/streams/G01/source/store-01');
    await req('/api/streams/G01/source/missing');
    await req('/definitely/not/here');
    await req('/healthz');
    const counted = (await requests.get()).values;
    const count = (path: string, code: string) =>
      counted.find((v) => v.labels.path === path && v.labels.code === code)?.value ?? 0;
    expect(count('/api/streams/{project}/{line}/{id}', '200')).toBeGreaterThanOrEqual(1);
    expect(count('/api/streams/{project}/{line}/{id}', '404')).toBeGreaterThanOrEqual(1);
    expect(count('other', '404')).toBeGreaterThanOrEqual(1);
    expect(count('/healthz', '200')).toBeGreaterThanOrEqual(1);
    const allowed = new Set([
      '/metrics',
      '/healthz',
      '/readyz',
      '/status',
      '/api/streams',
      '/api/streams/{project}/{line}/{id}',
      '/',
      'other',
    ]);
    for (const v of counted) expect(allowed).toContain(v.labels.path);

    const observed = (await duration.get()).values.filter(
      (v) => v.metricName === 'video_exporter_http_request_duration_seconds_count',
    );
    expect(observed.find((v) => v.labels.path === '/api/streams/{project}/{line}/{id}')?.value).toBeGreaterThanOrEqual(
      2,
    );
    for (const v of observed) expect(allowed).toContain(v.labels.path);
  });

  it('shows up on /metrics itself', async () => {
    await req('/nope');
    const { text } = await req('/metrics');
    expect(text).toMatch(/video_exporter_http_requests_total\{path="other",code="404"\} \d+/);
    expect(text).not.toContain('path="/nope"');
  });
});

describe('failures', () => {
  it('answers 500 JSON when a handler throws, logs it, and keeps serving', async () => {
    view.statusThrows = true;
    try {
      const before = warnings.length;
      const r = await req('/status');
      expect(r.status).toBe(500);
      expect(r.type).toBe(JSON_TYPE);
      expect(JSON.parse(r.text)).toEqual({ error: 'internal error' });
      expect(warnings.length).toBe(before + 1);
      expect(JSON.stringify(warnings.at(-1))).toContain('status exploded');
      expect((await req('/')).status).toBe(500);
      expect((await req('/healthz')).status).toBe(200);
      const counted = (await requests.get()).values;
      expect(counted.find((v) => v.labels.path === '/status' && v.labels.code === '500')?.value).toBeGreaterThanOrEqual(
        1,
      );
    } finally {
      view.statusThrows = false;
    }
    expect((await req('/status')).status).toBe(200);
  });

  it('answers 500 when the registry fails to collect', async () => {
    const broken = new Registry();
    new Gauge({
      name: 'broken_gauge',
      help: 'collect throws',
      registers: [broken],
      collect() {
        throw new Error('collect failed');
      },
    });
    const s = await startHttpServer({ host: '127.0.0.1', port: 0, registry: broken, view });
    try {
      const r = await fetch(`${s.url}/metrics`);
      expect(r.status).toBe(500);
      expect(await r.json()).toEqual({ error: 'internal error' });
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('server limits and listening', () => {
  it('sets the timeouts and limits', () => {
    expect(srv.server.headersTimeout).toBe(10_000);
    expect(srv.server.requestTimeout).toBe(30_000);
    expect(srv.server.keepAliveTimeout).toBe(5_000);
    expect(srv.server.maxRequestsPerSocket ?? 0).toBe(0);
  });

  it('refuses a request head over 16 KiB with 431', async () => {
    const r = await req('/healthz', 'GET', { 'x-padding': 'a'.repeat(17 * 1024) });
    expect(r.status).toBe(431);
    expect((await req('/healthz', 'GET', { 'x-padding': 'a'.repeat(12 * 1024) })).status).toBe(200);
  });

  it('listens on all interfaces when no host is given and reports the bound port', async () => {
    const s = await startHttpServer({ port: 0, registry, view });
    try {
      const addr = s.server.address();
      expect(typeof addr === 'object' && addr !== null && ['::', '0.0.0.0'].includes(addr.address)).toBe(true);
      expect(s.port).toBeGreaterThan(0);
      expect(s.url.endsWith(`:${s.port}`)).toBe(true);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    await s.close(); // idempotent
  });
});
