/**
 * The abuse limits are set on the server whichever transport it runs (plain HTTP or HTTPS from
 * --web.config.file), and a TLS client that never finishes its handshake is dropped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_LIMITS, type HttpServerHandle, startHttpServer } from '../../src/http/index.js';
import type { ExporterStatus, ExporterView } from '../../src/state/types.js';

const view: ExporterView = {
  snapshots: () => [],
  snapshot: () => undefined,
  status: () => ({}) as ExporterStatus,
  ready: () => true,
};
let dir: string;
let plain: HttpServerHandle;
let tls: HttpServerHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 've-limits-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      'k.pem',
      '-out',
      'c.pem',
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  plain = await startHttpServer({ host: '127.0.0.1', port: 0, registry: new Registry(), view });
  tls = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    registry: new Registry(),
    view,
    tls: {
      cert: readFileSync(join(dir, 'c.pem')),
      key: readFileSync(join(dir, 'k.pem')),
      certFile: 'c.pem',
      keyFile: 'k.pem',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
    },
  });
});

afterAll(async () => {
  await Promise.all([plain?.close(), tls?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('limits', () => {
  it.each(['plain', 'tls'] as const)('%s server: timeouts, header and connection caps', (which) => {
    const s = (which === 'plain' ? plain : tls).server;
    expect(s.headersTimeout).toBe(10_000);
    expect(s.requestTimeout).toBe(30_000);
    expect(s.keepAliveTimeout).toBe(5_000);
    expect(s.maxHeadersCount).toBe(100);
    expect(s.maxConnections).toBe(512);
    // how often node sweeps for connections past those timeouts: read back from the server itself
    const checking = (s as unknown as { connectionsCheckingInterval?: number }).connectionsCheckingInterval;
    expect(checking).toBe(HTTP_LIMITS.connectionsCheckingIntervalMs);
    expect(checking).toBeLessThanOrEqual(1_000);
  });

  it('the TLS server answers https URLs and drops a client that stalls its handshake', async () => {
    expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(plain.url).toMatch(/^http:\/\//);
    // a TCP client that sends nothing: node's tls server must not keep it for its default 120 s
    const port = tls.port;
    const closedAfter = await new Promise<number>((resolve) => {
      const t0 = performance.now();
      const s = net.connect({ host: '127.0.0.1', port });
      s.on('error', () => {});
      s.on('close', () => resolve(performance.now() - t0));
      setTimeout(() => {
        s.destroy();
        resolve(Infinity);
      }, 20_000);
    });
    expect(closedAfter).toBeGreaterThan(9_000);
    expect(closedAfter).toBeLessThan(15_000);
  }, 25_000);
});
