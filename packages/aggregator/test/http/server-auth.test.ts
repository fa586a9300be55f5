/**
 * Basic auth in the HTTP server: which paths need credentials (all but /healthz and /readyz), the 401
 * challenge, and that refusals are counted under the route like any other answer.
 */

import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultExporterConfig } from '../../src/config/index.js';
import { BasicAuth, type HttpServerHandle, startHttpServer } from '../../src/http/index.js';
import type { ExporterStatus, ExporterView } from '../../src/state/types.js';

const view: ExporterView = {
  snapshots: () => [],
  snapshot: () => undefined,
  status: () => ({ status: 'ready' }) as ExporterStatus,
  ready: () => true,
};

let srv: HttpServerHandle;
let requests: Counter<'path' | 'code'>;
let bcryptRounds = 0;
const good = `Basic ${Buffer.from('prom:pw').toString('base64')}`;
const wrong = `Basic ${Buffer.from('prom:nope').toString('base64')}`;

beforeAll(async () => {
  const registry = new Registry();
  requests = new Counter({
    name: 'video_exporter_http_requests_total',
    help: 'r',
    labelNames: ['path', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'video_exporter_http_request_duration_seconds',
    help: 'd',
    labelNames: ['path'] as const,
    registers: [registry],
  });
  srv = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    view,
    metrics: { requests, duration },
    auth: new BasicAuth({
      users: new Map([['prom', 'H:pw']]),
      compare: async (password, hash) => {
        bcryptRounds++;
        return hash === `H:${password}`;
      },
    }),
    probe: { settings: () => defaultExporterConfig(), run: async () => Promise.reject(new Error('not used')) },
  });
});

afterAll(async () => {
  await srv.close();
});

const get = (path: string, authorization?: string, method = 'GET') =>
  fetch(srv.url + path, { method, headers: authorization ? { authorization } : {} });

describe('basic auth on the exporter server', () => {
  it.each([
    '/metrics',
    '/status',
    '/api/streams',
    '/api/streams/a/b/c',
    '/',
    '/probe?target=http://127.0.0.1/',
    '/no-such-path',
  ])('%s needs credentials', async (path) => {
    for (const authorization of [undefined, wrong, 'Bearer abc']) {
      const r = await get(path, authorization);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Basic realm="video-exporter"');
      expect(await r.json()).toEqual({ error: 'unauthorized' });
    }
    expect((await get(path, undefined, 'HEAD')).status).toBe(401);
    // past the door: whatever the route answers (the fake view is too thin for the status page)
    expect((await get(path, good)).status).not.toBe(401);
  });

  it.each(['/healthz', '/readyz'])('%s stays open for the kubelet', async (path) => {
    expect((await get(path)).status).toBe(200);
    expect((await get(path, wrong)).status).toBe(200);
  });

  it('pays bcrypt once for repeated scrapes with the same credentials', async () => {
    const before = bcryptRounds;
    for (let i = 0; i < 5; i++) expect((await get('/metrics', good)).status).toBe(200);
    expect(bcryptRounds - before).toBeLessThanOrEqual(1);
  });

  it('counts refusals under the route and code 401', async () => {
    await get('/metrics');
    const v = (await requests.get()).values.find((x) => x.labels.path === '/metrics' && x.labels.code === '401');
    expect(v?.value).toBeGreaterThanOrEqual(1);
  });
});
