import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip } from '../../src/http/accept-encoding.js';
import { type HttpServerHandle, startHttpServer } from '../../src/http/index.js';
import { metricsHandler } from '../../src/http/metrics-route.js';
import type { ExporterView } from '../../src/state/types.js';

describe('acceptsGzip (Accept-Encoding negotiation)', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['GZip', true],
    ['x-gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['gzip;q=0.001', true],
    ['*', true],
    ['br;q=1, *;q=0.1', true],
    ['identity', false],
    ['deflate, br', false],
    ['gzip;q=0', false],
    ['gzip;q=0.000', false],
    ['gzip;q=0, *', false],
    ['*;q=0', false],
    ['*;q=0, gzip;q=0.2', true],
    ['gzip;q=2', false],
    ['gzip;q=abc', false],
    ['', false],
    [' , ;q=1', false],
  ])('%j -> %s', (header, want) => {
    expect(acceptsGzip(header)).toBe(want);
  });

  it('no header means identity; repeated headers are one list', () => {
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip(['identity', 'gzip'])).toBe(true);
  });
});

/** GET with exact request headers (fetch would add its own Accept-Encoding and decompress). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const view: ExporterView = {
  ready: () => true,
  status: () => ({}) as never,
  snapshots: () => [],
  snapshot: () => undefined,
} as unknown as ExporterView;

describe('/metrics with Accept-Encoding: gzip', () => {
  const registry = new Registry();
  // enough text to be worth compressing: 2000 series
  const g = new Gauge({ name: 'test_series', help: 'a gauge', labelNames: ['i'], registers: [registry] });
  for (let i = 0; i < 2000; i++) g.set({ i: String(i) }, i);
  let srv: HttpServerHandle;

  beforeAll(async () => {
    srv = await startHttpServer({ host: '127.0.0.1', port: 0, registry, view });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('answers gzip with Content-Encoding and Vary, and the same text as identity', async () => {
    const plain = await rawGet(`${srv.url}/metrics`, {});
    const gz = await rawGet(`${srv.url}/metrics`, { 'Accept-Encoding': 'gzip' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(gz.headers['content-type']).toBe(plain.headers['content-type']);
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    // gzip magic, and the text inside is the exposition
    expect(gz.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const text = gunzipSync(gz.body).toString('utf8');
    expect(text).toBe(plain.body.toString('utf8'));
    expect(text).toContain('test_series{i="1999"} 1999');
    expect(gz.body.length).toBeLessThan(plain.body.length / 4);
  });

  it('honours q-values: gzip;q=0 gets identity', async () => {
    const r = await rawGet(`${srv.url}/metrics`, { 'Accept-Encoding': 'gzip;q=0, identity' });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.toString('utf8')).toContain('# TYPE test_series gauge');
  });

  it('what Prometheus sends (its scrape Accept-Encoding) gets gzip', async () => {
    const r = await rawGet(`${srv.url}/metrics`, {
      'Accept-Encoding': 'gzip',
      Accept:
        'application/openmetrics-text;version=1.0.0,application/openmetrics' +
        '-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    });
    expect(r.headers['content-encoding']).toBe('gzip');
  });
});

/** A registry with one gauge that counts the renders (`test_renders N`); `onRender` runs in each. */
function countingRegistry(onRender = () => {}) {
  const registry = new Registry();
  let count = 0;
  new Gauge({
    name: 'test_renders',
    help: 'renders so far',
    registers: [registry],
    collect() {
      this.set(++count);
      onRender();
    },
  });
  return { registry, renders: () => count };
}

describe('metricsHandler: concurrent scrapes render once and compress once', () => {
  it('shares one render and one compression among concurrent gzip scrapes', async () => {
    let clock = 0;
    let generation = 0;
    const { registry, renders } = countingRegistry(() => {
      clock += 100; // every render takes 100 clock ms
    });
    let compressions = 0;
    const handle = metricsHandler(registry, {
      compress: async (text) => {
        compressions++;
        return Buffer.from(`gz:${text}`);
      },
      now: () => clock,
      generation: () => generation,
    });
    const gzipReq = { query: new URLSearchParams(), params: [], headers: { 'accept-encoding': 'gzip' } };
    const plainReq = { query: new URLSearchParams(), params: [], headers: {} };
    const replies = await Promise.all([handle(gzipReq), handle(gzipReq), handle(plainReq), handle(gzipReq)]);
    expect(renders()).toBe(1);
    expect(compressions).toBe(1);
    expect(replies.filter((r) => r.headers?.['Content-Encoding'] === 'gzip')).toHaveLength(3);
    expect(String(replies[2]!.body)).toContain('test_renders 1');
    // a scrape within the render's own duration after it ends shares it (it waited for it)
    clock = 110;
    expect(String((await handle(plainReq)).body)).toContain('test_renders 1');
    // a config change ends that at once
    generation = 1;
    expect(String((await handle(plainReq)).body)).toContain('test_renders 2');
    // a later scrape renders (and compresses) afresh
    clock = 1_000;
    const later = await handle(gzipReq);
    expect(renders()).toBe(3);
    expect(compressions).toBe(2);
    expect(String(later.body)).toContain('test_renders 3');
  });
});

describe('metricsHandler: a finished render is let go once it can no longer be reused', () => {
  it('renders afresh after the reuse window has passed in real time, whatever the clock says', async () => {
    const { registry, renders } = countingRegistry();
    let clock = 0;
    // every render "takes" 100 clock ms; the clock then stands still, so by it the render stays fresh
    const handle = metricsHandler(registry, { now: () => (clock += 50) });
    const req = { query: new URLSearchParams(), params: [], headers: {} };
    await handle(req);
    expect(renders()).toBe(1);
    clock = 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    clock = 0;
    expect(String((await handle(req)).body)).toContain('test_renders 2');
  });
});
