/**
 * /probe?target= through the real HTTP server with a fake pool and a fake resolver: what is refused
 * (and that nothing is fetched then), what job the pool gets (pinned address, Host header, no
 * redirects, sample and deadline), the exposition text, the concurrency cap, reload-awareness.
 */

import type { ProbeJob, ProbeResult } from '@video-exporter/probe-worker';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultExporterConfig, type ExporterConfig } from '../../src/config/index.js';
import { type HttpServerHandle, startHttpServer } from '../../src/http/index.js';
import type { ExporterStatus, ExporterView } from '../../src/state/types.js';

function result(over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    url: 'ignored',
    ok: true,
    http_status: 200,
    response_ms: 12.5,
    ttfb_ms: 20,
    bitrate_bps: 2_500_000,
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
    timestamps: { discontinuities: 0 },
    ...over,
  };
}

class View implements ExporterView {
  isReady = true;
  snapshots() {
    return [];
  }
  snapshot() {
    return undefined;
  }
  status(): ExporterStatus {
    throw new Error('not used');
  }
  ready() {
    return this.isReady;
  }
}

let srv: HttpServerHandle;
let settings: ExporterConfig;
const view = new View();
const jobs: ProbeJob[] = [];
let nextResult: ProbeResult = result();
let hold: Promise<void> | undefined;
const lookups: string[] = [];
const dnsTable: Record<string, string[] | Error> = {};

function enable(allowed: string[]): void {
  // a reload replaces the whole exporter section, as Exporter.applyConfig does
  settings = { ...settings, probe_endpoint: { enabled: true, allowed_hosts: allowed } };
}

async function probe(query: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${srv.url}/probe?${query}`, { headers });
  return { status: r.status, type: r.headers.get('content-type') ?? '', headers: r.headers, text: await r.text() };
}

/** `name value` lines of the exposition (no comments), as a map keyed by the series text */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

beforeAll(async () => {
  settings = defaultExporterConfig();
  const registry = new Registry();
  new Gauge({ name: 'exporter_own_series', help: 'must not leak into /probe', registers: [registry] }).set(1);
  srv = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    view,
    probe: {
      settings: () => settings,
      run: async (job) => {
        jobs.push(job);
        if (hold) await hold;
        return structuredClone(nextResult);
      },
      lookupAll: async (name) => {
        lookups.push(name);
        const a = dnsTable[name];
        if (a === undefined) throw new Error(`getaddrinfo ENOTFOUND ${name}`);
        if (a instanceof Error) throw a;
        return a;
      },
    },
  });
});

afterAll(async () => {
  await srv.close();
});

beforeEach(() => {
  settings = defaultExporterConfig();
  jobs.length = 0;
  lookups.length = 0;
  nextResult = result();
  hold = undefined;
  view.isReady = true;
  for (const k of Object.keys(dnsTable)) delete dnsTable[k];
});

describe('off by default', () => {
  it('answers 404 with an explanation and fetches nothing', async () => {
    const r = await probe(q({ target: 'http://127.0.0.1:1/live/a.flv' }));
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).error).toBe('/probe is disabled');
    expect(jobs).toEqual([]);
  });

  it('follows a reload of probe_endpoint without a restart', async () => {
    enable(['127.0.0.1']);
    expect((await probe(q({ target: 'http://127.0.0.1:1/a.flv' }))).status).toBe(200);
    settings = { ...settings, probe_endpoint: { enabled: true, allowed_hosts: ['10.0.0.1'] } };
    expect((await probe(q({ target: 'http://127.0.0.1:1/a.flv' }))).status).toBe(403);
    settings = { ...settings, probe_endpoint: { enabled: false, allowed_hosts: ['127.0.0.1'] } };
    expect((await probe(q({ target: 'http://127.0.0.1:1/a.flv' }))).status).toBe(404);
    expect(jobs.length).toBe(1);
  });
});

describe('refusals fetch nothing', () => {
  beforeEach(() => enable(['127.0.0.1', 'cdn.example.com', '*.edge.example.net', 'localhost']));

  it.each([
    ['no target', '', 400],
    ['empty target', q({ target: '' }), 400],
    ['two targets', 'target=http://127.0.0.1/a.flv&target=http://127.0.0.1/b.flv', 400],
    ['ftp', q({ target: 'ftp://cdn.example.com/a.flv' }), 400],
    ['file', q({ target: 'file:///etc/passwd' }), 400],
    ['relative', q({ target: '/live/a.flv' }), 400],
    ['duration 0', q({ target: 'http://127.0.0.1/a.flv', duration: '0' }), 400],
    ['duration negative', q({ target: 'http://127.0.0.1/a.flv', duration: '-1' }), 400],
    ['duration above 60', q({ target: 'http://127.0.0.1/a.flv', duration: '61' }), 400],
    ['duration not a number', q({ target: 'http://127.0.0.1/a.flv', duration: '5s' }), 400],
    ['unlisted IP', q({ target: 'http://127.0.0.2/a.flv' }), 403],
    ['loopback IPv6', q({ target: 'http://[::1]/a.flv' }), 403],
    ['metadata IP', q({ target: 'http://169.254.169.254/latest/meta-data/' }), 403],
    ['metadata name', q({ target: 'http://metadata.google.internal/computeMetadata/v1/' }), 403],
    ['unlisted name', q({ target: 'http://evil.example.org/a.flv' }), 403],
  ])('%s', async (_what, query, status) => {
    const r = await probe(query);
    expect(r.status).toBe(status);
    expect(typeof JSON.parse(r.text).error).toBe('string');
    expect(jobs).toEqual([]);
    expect(lookups).toEqual([]); // refused before any DNS query
  });

  it('refuses a listed name that resolves to loopback', async () => {
    dnsTable.localhost = ['127.0.0.1'];
    const r = await probe(q({ target: 'http://localhost:8080/a.flv' }));
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).error).toMatch(/localhost resolves to 127\.0\.0\.1 \(loopback\)/);
    expect(jobs).toEqual([]);
  });

  it(
    'refuses a name when any one of its addresses is' + ' special (DNS answering public and metadata at once)',
    async () => {
      dnsTable['rebind.edge.example.net'] = ['93.184.216.34', '169.254.169.254'];
      const r = await probe(q({ target: 'http://rebind.edge.example.net/a.flv' }));
      expect(r.status).toBe(403);
      expect(JSON.parse(r.text).error).toMatch(/169\.254\.169\.254 \(metadata\)/);
      expect(jobs).toEqual([]);
    },
  );
});

describe('the job the pool gets', () => {
  beforeEach(() => enable(['127.0.0.1', 'cdn.example.com', '*.edge.example.net']));

  it('an IP target as given, no redirects, the exporter sample and timeouts', async () => {
    settings = {
      ...settings,
      sample_duration: 4,
      connect_timeout_ms: 1500,
      first_byte_timeout_ms: 2500,
      user_agent: 'ops-probe/1',
    };
    expect((await probe(q({ target: 'http://127.0.0.1:8080/live/a.flv?token=abc' }))).status).toBe(200);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.url).toBe('http://127.0.0.1:8080/live/a.flv?token=abc');
    expect(job.headers).toBeUndefined();
    expect(job.maxRedirects).toBe(0);
    expect(job.sampleMs).toBe(4000);
    expect(job.deadlineMs).toBe(2 * 4000 + 1500 + 2500);
    expect(job.userAgent).toBe('ops-probe/1');
    expect(job.insecureTls).toBeUndefined();
    expect(lookups).toEqual([]);
  });

  it('an http name is pinned to the address that was checked, the server still sees its name', async () => {
    dnsTable['cdn.example.com'] = ['203.0.113.7', '203.0.113.8'];
    expect((await probe(q({ target: 'http://cdn.example.com:8080/live/a.flv' }))).status).toBe(200);
    expect(lookups).toEqual(['cdn.example.com']);
    expect(jobs[0]!.url).toBe('http://203.0.113.7:8080/live/a.flv');
    expect(jobs[0]!.headers).toEqual({ Host: 'cdn.example.com:8080' });
  });

  it('pins IPv6 addresses in brackets and keeps user info', async () => {
    dnsTable['a.edge.example.net'] = ['2001:db8::7'];
    expect((await probe(q({ target: 'http://u:p@a.edge.example.net/live/a.flv' }))).status).toBe(200);
    expect(jobs[0]!.url).toBe('http://u:p@[2001:db8::7]/live/a.flv');
    expect(jobs[0]!.headers).toEqual({ Host: 'a.edge.example.net' });
  });

  it('https keeps the name (certificate and SNI need it) and connects to the checked address', async () => {
    dnsTable['cdn.example.com'] = ['203.0.113.7'];
    expect((await probe(q({ target: 'https://cdn.example.com/live/a.flv' }))).status).toBe(200);
    expect(lookups).toEqual(['cdn.example.com']);
    expect(jobs[0]!.url).toBe('https://cdn.example.com/live/a.flv');
    expect(jobs[0]!.headers).toBeUndefined();
    expect(jobs[0]!.connectAddress).toBe('203.0.113.7');
  });

  it('duration sets the sample', async () => {
    await probe(q({ target: 'http://127.0.0.1/a.flv', duration: '2.5' }));
    expect(jobs[0]!.sampleMs).toBe(2500);
  });

  it('fits the deadline, and the sample, into the scrape timeout Prometheus announces', async () => {
    settings = { ...settings, sample_duration: 10 };
    await probe(q({ target: 'http://127.0.0.1/a.flv' }), { 'X-Prometheus-Scrape-Timeout-Seconds': '5' });
    expect(jobs[0]!.deadlineMs).toBe(4500);
    expect(2 * jobs[0]!.sampleMs).toBeLessThan(4500);
    // a long scrape timeout leaves the job as it was
    await probe(q({ target: 'http://127.0.0.1/a.flv', duration: '1' }), {
      'X-Prometheus-Scrape-Timeout-Seconds': '120',
    });
    expect(jobs[1]!.sampleMs).toBe(1000);
    expect(jobs[1]!.deadlineMs).toBe(2000 + settings.connect_timeout_ms + settings.first_byte_timeout_ms);
  });
});

describe('the answer', () => {
  beforeEach(() => enable(['127.0.0.1', 'cdn.example.com']));

  it('is exposition text of that probe only: label-less video_stream_* and probe_success', async () => {
    const r = await probe(q({ target: 'http://127.0.0.1/a.flv' }));
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = series(r.text);
    expect(s.get('video_exporter_probe_success')).toBe(1);
    expect(s.get('video_stream_up')).toBe(1);
    expect(s.get('video_stream_width')).toBe(1280);
    expect(s.get('video_stream_height')).toBe(720);
    expect(s.get('video_stream_bitrate_bps')).toBe(2_500_000);
    expect(s.get('video_stream_response_ms')).toBe(12.5);
    expect(
      s.get('video_stream_info{video_codec="H.264",profile="High",level="3.1",audio_codec="AAC",encoder=""}'),
    ).toBe(1);
    // no history behind one probe, nothing from the exporter's registry, no unmeasured series
    for (const name of [
      'video_stream_avg_bitrate_bps',
      'video_stream_stability_score',
      'video_stream_consecutive_failures',
      'video_stream_last_check_timestamp_seconds',
      'exporter_own_series',
      'video_stream_tls_seconds',
      'video_exporter_probe_failure_reason',
    ]) {
      expect([...s.keys()].some((k) => k.startsWith(name))).toBe(false);
    }
    expect(
      [...s.keys()]
        .filter((k) => k.startsWith('video_stream_') && !k.startsWith('video_stream_info'))
        .every((k) => !k.includes('{')),
    ).toBe(true);
  });

  it('a failed probe is still 200, with probe_success 0 and the reason', async () => {
    nextResult = result({
      ok: false,
      reason: 'http_5xx',
      http_status: 503,
      video: { frames: 0, keyframes: 0 },
      packets: { total: 0, video: 0, audio: 0 },
      audio: { frames: 0 },
    });
    const s = series((await probe(q({ target: 'http://127.0.0.1/a.flv' }))).text);
    expect(s.get('video_exporter_probe_success')).toBe(0);
    expect(s.get('video_exporter_probe_failure_reason{reason="http_5xx"}')).toBe(1);
    expect(s.get('video_stream_up')).toBe(0);
    expect(s.get('video_stream_http_status')).toBe(503);
  });

  it('a name that does not resolve is a dns failure, without running a probe', async () => {
    const r = await probe(q({ target: 'http://cdn.example.com/a.flv' }));
    expect(r.status).toBe(200);
    const s = series(r.text);
    expect(s.get('video_exporter_probe_success')).toBe(0);
    expect(s.get('video_exporter_probe_failure_reason{reason="dns"}')).toBe(1);
    expect(jobs).toEqual([]);
  });

  it('a redirect is not followed: too_many_redirects', async () => {
    nextResult = result({
      ok: false,
      reason: 'too_many_redirects',
      http_status: 302,
      video: { frames: 0, keyframes: 0 },
    });
    const s = series((await probe(q({ target: 'http://127.0.0.1/a.flv' }))).text);
    expect(s.get('video_exporter_probe_failure_reason{reason="too_many_redirects"}')).toBe(1);
    expect(jobs[0]!.maxRedirects).toBe(0);
  });

  it('503 while the exporter is not ready', async () => {
    view.isReady = false;
    expect((await probe(q({ target: 'http://127.0.0.1/a.flv' }))).status).toBe(503);
    expect(jobs).toEqual([]);
  });
});

describe('concurrency cap', () => {
  it('answers 429 beyond 10 probes in flight, and serves again once they finish', async () => {
    enable(['127.0.0.1']);
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    const first = Array.from({ length: 10 }, (_, i) => probe(q({ target: `http://127.0.0.1/${i}.flv` })));
    const deadline = Date.now() + 5000;
    while (jobs.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(jobs.length).toBe(10);
    const over = await probe(q({ target: 'http://127.0.0.1/11.flv' }));
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('1');
    // refusals that need no slot are still answered as such
    expect((await probe(q({ target: 'http://127.0.0.2/a.flv' }))).status).toBe(403);
    // other routes are not affected
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    release();
    expect((await Promise.all(first)).map((r) => r.status)).toEqual(Array(10).fill(200));
    hold = undefined;
    expect((await probe(q({ target: 'http://127.0.0.1/12.flv' }))).status).toBe(200);
    expect(jobs.length).toBe(11);
  });
});
