/**
 * The exporter's own HTTP server under abuse (issue 8 item 4), the built CLI on loopback: clients that
 * trickle their request head or body do not delay /metrics for others and are cut off by the server's
 * timeouts, oversized heads get 431, and 50 concurrent scrapes are all served. Loads are small and
 * bounded in count and time (the machine is shared).
 */

import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configYaml, tempDir } from '../exporter/support/config-file.js';
import { ExporterProcess, sleep } from '../exporter/support/exporter-process.js';
import { httpGet, rawExchange } from './support/tls.js';

const dir = tempDir('abuse');
let ex: ExporterProcess;
let url: string;
let port: number;

beforeAll(async () => {
  const configPath = dir.file('config.yml');
  writeFileSync(
    configPath,
    configYaml({ check_interval: 30, sample_duration: 2, max_retries: 0 }, [
      { project: 'P', line: 'SOURCE', id: 'closed', url: 'http://127.0.0.1:9/live/x.flv' },
    ]),
  );
  ex = ExporterProcess.spawn(configPath);
  url = await ex.ready();
  port = Number(new URL(url).port);
}, 30_000);

afterAll(async () => {
  await ex?.stop();
  dir.cleanup();
});

/** One /metrics scrape on a fresh connection: its status and wall time. */
async function timedScrape(): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const r = await httpGet(`${url}/metrics`, {}, 10_000);
  return { status: r.status, ms: performance.now() - t0 };
}

interface SlowClient {
  socket: net.Socket;
  /** what the server sent back */
  received: string;
  /** ms after opening when the server closed it (undefined while open) */
  closedAfterMs?: number;
  stop(): void;
}

/** A client that sends `first` and then `drip` every `everyMs`, never finishing its request. */
function slowClient(first: string, drip: string, everyMs: number): SlowClient {
  const t0 = performance.now();
  const socket = net.connect({ host: '127.0.0.1', port });
  const c: SlowClient = { socket, received: '', stop: () => {} };
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (c.received += d));
  socket.on('error', () => {});
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(drip);
  }, everyMs);
  socket.on('close', () => {
    c.closedAfterMs = performance.now() - t0;
    clearInterval(timer);
  });
  socket.on('connect', () => socket.write(first));
  c.stop = () => {
    clearInterval(timer);
    socket.destroy();
  };
  return c;
}

describe('slow clients', () => {
  it('clients trickling their request head do not delay' +
    ' /metrics, and are cut off after the headers timeout', async () => {
    const slow = Array.from({ length: 20 }, (_, i) =>
      slowClient(`GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-${i}: `, 'a', 500),
    );
    try {
      await sleep(500);
      const scrapes: { status: number; ms: number }[] = [];
      for (let i = 0; i < 10; i++) {
        scrapes.push(await timedScrape());
        await sleep(200);
      }
      expect(scrapes.map((s) => s.status)).toEqual(Array(10).fill(200));
      // a normal scrape takes milliseconds; a server stuck behind slow clients would take seconds
      expect(Math.max(...scrapes.map((s) => s.ms))).toBeLessThan(1_500);

      // headersTimeout 10 s, checked every second: every slow client is gone well before node's
      // defaults (60 s headers timeout checked every 30 s) would have let it go
      const deadline = Date.now() + 20_000;
      while (slow.some((c) => c.closedAfterMs === undefined) && Date.now() < deadline) await sleep(250);
      for (const c of slow) {
        expect(c.closedAfterMs).toBeDefined();
        expect(c.closedAfterMs!).toBeGreaterThan(9_000);
        expect(c.closedAfterMs!).toBeLessThan(16_000);
        expect(c.received).toMatch(/^HTTP\/1\.1 408 /);
      }
    } finally {
      for (const c of slow) c.stop();
    }
  }, 40_000);

  it('clients trickling a request body do not delay /metrics for others', async () => {
    const slow = Array.from({ length: 10 }, () =>
      slowClient(
        'GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\n',
        'x',
        200,
      ),
    );
    try {
      await sleep(500);
      const scrapes: { status: number; ms: number }[] = [];
      for (let i = 0; i < 10; i++) {
        scrapes.push(await timedScrape());
        await sleep(100);
      }
      expect(scrapes.map((s) => s.status)).toEqual(Array(10).fill(200));
      expect(Math.max(...scrapes.map((s) => s.ms))).toBeLessThan(1_500);
      // answered; the body is theirs to waste
      expect(slow.every((c) => c.received.startsWith('HTTP/1.1 200'))).toBe(true);
    } finally {
      for (const c of slow) c.stop();
    }
  }, 30_000);
});

describe('oversized requests', () => {
  it('answers 431 to a request head over 16 KiB and keeps serving', async () => {
    const big = await rawExchange(
      port,
      `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    const many = Array.from({ length: 300 }, (_, i) => `X-H${i}: ${'b'.repeat(60)}\r\n`).join('');
    const manyAnswer = await rawExchange(port, `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n${many}\r\n`);
    expect(manyAnswer).toMatch(/^HTTP\/1\.1 431 /); // 300 × ~70 bytes: over 16 KiB in many small lines
    const tooManyButSmall = Array.from({ length: 500 }, (_, i) => `X${i}: 1\r\n`).join('');
    const small = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${tooManyButSmall}\r\n`,
    );
    expect(small).toMatch(/^HTTP\/1\.1 200 /); // header lines beyond the count are dropped, not fatal
    expect((await timedScrape()).status).toBe(200);
  });
});

describe('concurrency', () => {
  it('serves 50 concurrent scrapes, each a full exposition', async () => {
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: 50 }, () => httpGet(`${url}/metrics`, {}, 15_000)));
    const ms = performance.now() - t0;
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    for (const a of answers) {
      expect(a.body).toContain('video_exporter_build_info');
      // whole: it ends at a line end, and every line is a comment or a complete sample
      expect(a.body.endsWith('\n')).toBe(true);
      const partial = a.body
        .trimEnd()
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('# ') && !/^[a-zA-Z_:][\w:]*(\{.*\})? \S+$/.test(l));
      expect(partial).toEqual([]);
    }
    expect(ms).toBeLessThan(15_000);
    const counted = (await httpGet(`${url}/metrics`)).body.match(
      /video_exporter_http_requests_total\{path="\/metrics",code="200"\} (\d+)/,
    );
    expect(Number(counted?.[1])).toBeGreaterThanOrEqual(50);
  }, 30_000);
});
