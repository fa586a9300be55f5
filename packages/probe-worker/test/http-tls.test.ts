import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpProbeOptions, httpProbe } from '../src/http/index.js';
import { type RawServer, startRawServer } from './helpers/raw-http-server.js';

let dir = '';
let key: Buffer;
let cert: Buffer;
let server: tls.Server;
let port = 0;
/** SNI names the TLS server saw, in order */
const servernames: (string | false | undefined)[] = [];
const BODY = Buffer.alloc(1_000_000);
for (let i = 0; i < BODY.length; i++) BODY[i] = (i * 7 + (i >> 9)) & 0xff;
let plain: RawServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-tls-'));
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
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(join(dir, 'key.pem'));
  cert = readFileSync(join(dir, 'cert.pem'));
  server = tls.createServer({ key, cert }, (socket) => {
    servernames.push((socket as tls.TLSSocket & { servername?: string | false }).servername);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nContent-Length: ${BODY.length}\r\n\r\n`);
      socket.end(BODY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  plain = await startRawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

async function probe(url: string, extra: Partial<HttpProbeOptions> = {}) {
  const parts: Buffer[] = [];
  const outcome = await httpProbe({
    url,
    signal: new AbortController().signal,
    connectTimeoutMs: 3000,
    headersTimeoutMs: 3000,
    onBody: (bytes, start, end) => {
      parts.push(Buffer.from(bytes.subarray(start, end)));
      return 'continue';
    },
    ...extra,
  });
  return { outcome, body: Buffer.concat(parts) };
}

describe('httpProbe over TLS', () => {
  it('rejects a self-signed certificate with reason tls', async () => {
    const { outcome } = await probe(`https://localhost:${port}/live/a.flv`);
    expect(outcome.endedBy).toBe('error');
    expect(outcome.error?.reason).toBe('tls');
    expect(outcome.error?.message).toMatch(/self[- ]signed/i);
    expect(outcome.connectMs).toBeGreaterThanOrEqual(0);
    expect(outcome.tlsMs).toBeUndefined();
    expect(outcome.status).toBeUndefined();
  });

  it('accepts it with insecureTls, reads the whole body and times every phase in order', async () => {
    const { outcome, body } = await probe(`https://localhost:${port}/live/a.flv`, { insecureTls: true });
    expect(outcome.error).toBeUndefined();
    expect(outcome.endedBy).toBe('eof');
    expect(outcome.status).toBe(200);
    expect(body.equals(BODY)).toBe(true);
    const { dnsMs, connectMs, tlsMs, responseMs, ttfbMs } = outcome;
    expect(dnsMs).toBeGreaterThanOrEqual(0);
    expect(connectMs).toBeGreaterThanOrEqual(0);
    expect(tlsMs).toBeGreaterThan(0);
    expect(responseMs!).toBeGreaterThanOrEqual(dnsMs! + connectMs! + tlsMs!);
    expect(ttfbMs!).toBeGreaterThanOrEqual(responseMs!);
    expect(servernames.at(-1)).toBe('localhost');
  });

  it('connectAddress: no look-up, the socket goes to that address, SNI still names the host', async () => {
    const lookups: string[] = [];
    const { outcome } = await probe(`https://stream.example.invalid:${port}/live/a.flv`, {
      insecureTls: true,
      connectAddress: '127.0.0.1',
      lookup: async (name) => {
        lookups.push(name);
        throw new Error('no look-up expected');
      },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe(200);
    expect(outcome.endedBy).toBe('eof');
    expect(outcome.dnsMs).toBeUndefined();
    expect(lookups).toEqual([]);
    expect(servernames.at(-1)).toBe('stream.example.invalid');
  });

  it('sends no SNI for an IP-literal host', async () => {
    const { outcome } = await probe(`https://127.0.0.1:${port}/x`, { insecureTls: true });
    expect(outcome.endedBy).toBe('eof');
    expect(outcome.dnsMs).toBeUndefined();
    expect(servernames.at(-1)).toBeFalsy();
  });

  it('maps an https URL on a plain-HTTP port to tls', async () => {
    // a server that speaks first, in plain text, as a misconfigured port does
    const http = net.createServer((s) => {
      s.on('error', () => {});
      s.resume(); // read, or the client's close is never seen and close() waits forever
      s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const { outcome } = await probe(`https://127.0.0.1:${(http.address() as net.AddressInfo).port}/x`);
      expect(outcome.error?.reason).toBe('tls');
    } finally {
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });

  it('times out a TLS handshake that the server never answers', async () => {
    // the plain raw server waits for an HTTP request head, which a ClientHello never completes
    const started = performance.now();
    const { outcome } = await probe(`https://127.0.0.1:${plain.port}/x`, { connectTimeoutMs: 200 });
    expect(outcome.error?.reason).toBe('timeout');
    expect(outcome.error?.message).toMatch(/TLS handshake/);
    expect(outcome.connectMs).toBeGreaterThanOrEqual(0);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
