import { getEventListeners } from 'node:events';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpProbeOptions, httpProbe } from '../src/http/index.js';
import { closedPort, type RawServer, sleep, startRawServer, writeBytewise } from './helpers/raw-http-server.js';

const servers: RawServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(onRequest: (socket: net.Socket, head: string, srv: RawServer) => void): Promise<RawServer> {
  const s = await startRawServer(onRequest);
  servers.push(s);
  return s;
}

/** Runs a probe that copies the body (the chunk is only valid during onBody). */
async function probe(url: string, extra: Partial<HttpProbeOptions> = {}) {
  const parts: Buffer[] = [];
  const readTimes: number[] = [];
  const outcome = await httpProbe({
    url,
    signal: new AbortController().signal,
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    firstByteTimeoutMs: 2000,
    idleTimeoutMs: 2000,
    onBody: (bytes, start, end, now) => {
      parts.push(Buffer.from(bytes.subarray(start, end)));
      readTimes.push(now);
      return 'continue';
    },
    ...extra,
  });
  return { outcome, body: Buffer.concat(parts), readTimes };
}

const BODY = Buffer.from(`FLV\x01\x05\x00\x00\x00\x09${'abcdefghij'.repeat(30)}`, 'latin1');

describe('httpProbe: body framing', () => {
  it('reads a Content-Length body, reports status, content type and ordered timings', async () => {
    const srv = await server((s) => {
      s.end(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nContent-Length: ${BODY.length}\r\n\r\n`),
          BODY,
        ]),
      );
    });
    // "localhost" makes the probe do a DNS lookup
    const { outcome, body } = await probe(`http://localhost:${srv.port}/live/a.flv`);
    expect(outcome.endedBy).toBe('eof');
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe(200);
    expect(outcome.contentType).toBe('video/x-flv');
    expect(body.equals(BODY)).toBe(true);
    expect(outcome.bodyBytes).toBe(BODY.length);
    expect(outcome.redirects).toBe(0);
    const { dnsMs, connectMs, responseMs, ttfbMs } = outcome;
    expect(dnsMs).toBeGreaterThanOrEqual(0);
    expect(connectMs).toBeGreaterThanOrEqual(0);
    expect(outcome.tlsMs).toBeUndefined();
    expect(responseMs!).toBeGreaterThanOrEqual(dnsMs! + connectMs!);
    expect(ttfbMs!).toBeGreaterThanOrEqual(responseMs!);
    expect(outcome.firstByteAt).toBeCloseTo(outcome.t0 + ttfbMs!, 6);
    expect(outcome.endedAt).toBeGreaterThanOrEqual(outcome.firstByteAt!);
  });

  it('sends GET with Host, default User-Agent, Connection: close and per-stream headers', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    await probe(srv.url('/live/a.flv?k=v'), { headers: { Referer: 'https://example.com/' } });
    const lines = srv.requests[0]!.split('\r\n');
    expect(lines[0]).toBe('GET /live/a.flv?k=v HTTP/1.1');
    expect(lines).toContain(`Host: 127.0.0.1:${srv.port}`);
    expect(lines.find((l) => l.startsWith('User-Agent: '))).toMatch(/^User-Agent: video-exporter\/\d/);
    expect(lines).toContain('Connection: close');
    expect(lines).toContain('Referer: https://example.com/');
    await probe(srv.url(), { userAgent: 'custom/2' });
    expect(srv.requests[1]!.split('\r\n')).toContain('User-Agent: custom/2');
  });

  it('has no DNS phase for an IP-literal host', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    let looked = 0;
    const { outcome } = await probe(srv.url(), {
      lookup: async () => {
        looked++;
        return { address: '127.0.0.1', family: 4 };
      },
    });
    expect(outcome.endedBy).toBe('eof');
    expect(outcome.dnsMs).toBeUndefined();
    expect(outcome.connectMs).toBeGreaterThanOrEqual(0);
    expect(looked).toBe(0);
  });

  it('uses the custom lookup and measures it', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const { outcome } = await probe(`http://stream.test:${srv.port}/x`, {
      lookup: async (host) => {
        expect(host).toBe('stream.test');
        await sleep(30);
        return { address: '127.0.0.1', family: 4 };
      },
    });
    expect(outcome.endedBy).toBe('eof');
    expect(outcome.dnsMs).toBeGreaterThanOrEqual(25);
    expect(srv.requests[0]).toContain(`Host: stream.test:${srv.port}`);
  });

  it('decodes a chunked body written one byte per write', async () => {
    const wire = Buffer.from(`5\r\nFLV\x01\x05\r\n3;ext=1\r\nabc\r\n1a\r\n${'z'.repeat(26)}\r\n0\r\n\r\n`, 'latin1');
    const srv = await server((s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      void writeBytewise(s, wire).then(() => s.end());
    });
    const { outcome, body, readTimes } = await probe(srv.url());
    expect(outcome.endedBy).toBe('eof');
    expect(body.toString('latin1')).toBe(`FLV\x01\x05abc${'z'.repeat(26)}`);
    expect(readTimes.length).toBeGreaterThan(5); // it really arrived in pieces
  });

  it('reads the response head written one byte per write', async () => {
    const srv = await server((s) => {
      void writeBytewise(s, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nFLV\x01', 'latin1')).then(() =>
        s.end(),
      );
    });
    const { outcome, body } = await probe(srv.url());
    expect(outcome.error).toBeUndefined();
    expect(outcome.endedBy).toBe('eof');
    expect(body.toString('latin1')).toBe('FLV\x01');
  });

  it('reads a close-delimited body to EOF', async () => {
    const srv = await server((s) => {
      s.write('HTTP/1.0 200 OK\r\nContent-Type: video/x-flv\r\n\r\n');
      s.write(BODY.subarray(0, 100));
      setTimeout(() => s.end(BODY.subarray(100)), 20);
    });
    const { outcome, body } = await probe(srv.url());
    expect(outcome.endedBy).toBe('eof');
    expect(outcome.error).toBeUndefined();
    expect(body.equals(BODY)).toBe(true);
  });

  it('keeps concurrent bodies apart although all sockets share one read buffer', async () => {
    const size = 300_000;
    const bodyFor = (n: number): Buffer => {
      const b = Buffer.alloc(size);
      for (let i = 0; i < size; i++) b[i] = (i * 31 + n * 17 + (i >> 8)) & 0xff;
      return b;
    };
    const srv = await server((s, head) => {
      const n = Number(head.split(' ')[1]!.slice(1));
      const body = bodyFor(n);
      s.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n`);
      // uneven chunks, written over several ticks so reads of different sockets interleave
      let at = 0;
      const step = (): void => {
        if (at >= size) return void s.end('0\r\n\r\n');
        const len = Math.min(size - at, 7000 + ((n * 977 + at) % 9000));
        s.write(`${len.toString(16)}\r\n`);
        s.write(body.subarray(at, at + len));
        s.write('\r\n');
        at += len;
        setImmediate(step);
      };
      step();
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => probe(srv.url(`/${n}`))));
    results.forEach(({ outcome, body }, n) => {
      expect(outcome.endedBy, `stream ${n}`).toBe('eof');
      expect(body.equals(bodyFor(n)), `stream ${n}`).toBe(true);
    });
  });

  it('skips an interim 1xx response', async () => {
    const srv = await server((s) =>
      s.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'),
    );
    const { outcome, body } = await probe(srv.url());
    expect(outcome.status).toBe(200);
    expect(body.toString()).toBe('abc');
  });

  it('reports a Content-Length body cut short as truncated', async () => {
    const srv = await server((s) => s.end(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(400)}`));
    const { outcome } = await probe(srv.url());
    expect(outcome.endedBy).toBe('error');
    expect(outcome.error?.reason).toBe('truncated');
    expect(outcome.bodyBytes).toBe(400);
  });

  it('reports a chunked body without its last chunk as truncated', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'));
    const { outcome } = await probe(srv.url());
    expect(outcome.error?.reason).toBe('truncated');
    expect(outcome.bodyBytes).toBe(3);
  });

  it('reports broken chunked framing as parse_error', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnothex\r\n'));
    const { outcome } = await probe(srv.url());
    expect(outcome.error?.reason).toBe('parse_error');
  });

  it('stops when onBody says stop, and closes the connection', async () => {
    let serverSawClose: Promise<void> = Promise.resolve();
    const srv = await server((s) => {
      serverSawClose = new Promise((r) => s.on('close', () => r()));
      s.write('HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\n\r\n');
      const t = setInterval(() => s.write('x'.repeat(100)), 5);
      s.on('close', () => clearInterval(t));
    });
    let calls = 0;
    const outcome = await httpProbe({
      url: srv.url(),
      signal: new AbortController().signal,
      onBody: () => (++calls >= 3 ? 'stop' : 'continue'),
    });
    expect(outcome.endedBy).toBe('stopped');
    expect(outcome.error).toBeUndefined();
    expect(calls).toBe(3);
    await serverSawClose;
  });

  it('ends with stopped when the caller ends the sample through stopSignal', async () => {
    const srv = await server((s) => {
      s.write('HTTP/1.1 200 OK\r\n\r\n');
      const t = setInterval(() => s.write('y'), 10);
      s.on('close', () => clearInterval(t));
    });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const { outcome } = await probe(srv.url(), { stopSignal: stop.signal });
    expect(outcome.endedBy).toBe('stopped');
    expect(outcome.bodyBytes).toBeGreaterThan(0);
  });
});

describe('httpProbe: headers', () => {
  it('fails with parse_error on a head over 16 KiB', async () => {
    const srv = await server((s) => {
      s.write('HTTP/1.1 200 OK\r\n');
      for (let i = 0; i < 40; i++) s.write(`X-Filler-${i}: ${'f'.repeat(500)}\r\n`);
    });
    const started = performance.now();
    const { outcome } = await probe(srv.url());
    expect(outcome.error?.reason).toBe('parse_error');
    expect(outcome.error?.message).toMatch(/16384/);
    expect(performance.now() - started).toBeLessThan(1500); // not the headers timeout
  });

  it('fails with parse_error at once when the peer does not speak HTTP', async () => {
    const srv = await server((s) => s.write(Buffer.from('FLV\x01\x05\x00\x00\x00\x09', 'latin1')));
    const { outcome } = await probe(srv.url());
    expect(outcome.error?.reason).toBe('parse_error');
  });
});

describe('httpProbe: status codes', () => {
  const cases: [string, number, string][] = [
    ['404 Not Found', 404, 'http_4xx'],
    ['403 Forbidden', 403, 'http_4xx'],
    ['503 Service Unavailable', 503, 'http_5xx'],
    ['500 Internal Server Error', 500, 'http_5xx'],
    ['204 No Content', 204, 'not_flv'],
    ['206 Partial Content', 206, 'not_flv'],
  ];
  for (const [line, status, reason] of cases) {
    it(`maps HTTP ${line} to ${reason}`, async () => {
      const srv = await server((s) => s.end(`HTTP/1.1 ${line}\r\nContent-Length: 5\r\n\r\nerror`));
      const { outcome } = await probe(srv.url());
      expect(outcome.endedBy).toBe('error');
      expect(outcome.status).toBe(status);
      expect(outcome.error?.reason).toBe(reason);
      expect(outcome.error?.message).toContain(String(status));
      expect(outcome.bodyBytes).toBe(0);
      expect(outcome.responseMs).toBeGreaterThanOrEqual(0);
    });
  }
});

describe('httpProbe: redirects', () => {
  it('follows a chain with relative and absolute Locations', async () => {
    const srv = await server((s, head, self) => {
      const path = head.split(' ')[1];
      if (path === '/a') s.end('HTTP/1.1 302 Found\r\nLocation: b?hop=2\r\nContent-Length: 0\r\n\r\n');
      else if (path === '/b?hop=2')
        s.end(`HTTP/1.1 301 Moved\r\nLocation: http://localhost:${self.port}/c/d.flv\r\n\r\n`);
      else if (path === '/c/d.flv') s.end(`HTTP/1.1 307 Temporary\r\nLocation: ../e.flv\r\n\r\n`);
      else s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.toString('latin1')}`);
    });
    const { outcome, body } = await probe(srv.url('/a'));
    expect(outcome.endedBy).toBe('eof');
    expect(outcome.redirects).toBe(3);
    expect(outcome.finalUrl).toBe(`http://localhost:${srv.port}/e.flv`);
    expect(srv.requests.map((r) => r.split(' ')[1])).toEqual(['/a', '/b?hop=2', '/c/d.flv', '/e.flv']);
    expect(body.equals(BODY)).toBe(true);
    // the last hop was to "localhost": its DNS phase is the one reported
    expect(outcome.dnsMs).toBeGreaterThanOrEqual(0);
    // response time counts from the first request: it covers every hop's connect
    expect(outcome.responseMs!).toBeGreaterThanOrEqual(outcome.dnsMs! + outcome.connectMs!);
  });

  it('stops a redirect loop after 5 redirects with too_many_redirects', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 302 Found\r\nLocation: /loop\r\n\r\n'));
    const { outcome } = await probe(srv.url('/loop'));
    expect(outcome.error?.reason).toBe('too_many_redirects');
    expect(outcome.redirects).toBe(5);
    expect(srv.requests).toHaveLength(6);
  });

  it('describes the last hop when a redirect leads nowhere', async () => {
    const port = await closedPort();
    const srv = await server((s) => s.end(`HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${port}/gone\r\n\r\n`));
    const { outcome } = await probe(srv.url());
    expect(outcome.error?.reason).toBe('refused');
    expect(outcome.redirects).toBe(1);
    expect(outcome.finalUrl).toBe(`http://127.0.0.1:${port}/gone`);
    expect(outcome.status).toBeUndefined();
    expect(outcome.responseMs).toBeUndefined();
  });

  it('honours maxRedirects', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 303 See Other\r\nLocation: /x\r\n\r\n'));
    const { outcome } = await probe(srv.url('/loop'), { maxRedirects: 0 });
    expect(outcome.error?.reason).toBe('too_many_redirects');
    expect(srv.requests).toHaveLength(1);
  });

  it('refuses a redirect to a non-http scheme with not_flv', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 302 Found\r\nLocation: rtmp://origin/live/a\r\n\r\n'));
    const { outcome } = await probe(srv.url());
    expect(outcome.error?.reason).toBe('not_flv');
    expect(outcome.error?.message).toContain('rtmp:');
  });

  it('treats a redirect without Location as parse_error', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n'));
    const { outcome } = await probe(srv.url());
    expect(outcome.error?.reason).toBe('parse_error');
  });

  it('does not forward Authorization or a Host override to another origin, but keeps other headers', async () => {
    const target = await server((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const first = await server((s, head) =>
      s.end(
        head.startsWith('GET /x ')
          ? 'HTTP/1.1 302 Found\r\nLocation: /same\r\n\r\n'
          : `HTTP/1.1 302 Found\r\nLocation: ${target.url('/y')}\r\n\r\n`,
      ),
    );
    const headers = { Authorization: 'Bearer s3cret', Referer: 'https://r/', Host: 'live.example.com' };
    const { outcome } = await probe(first.url('/x'), { headers });
    expect(outcome.endedBy).toBe('eof');
    // same origin: everything is kept
    for (const req of first.requests) {
      expect(req).toContain('Authorization: Bearer s3cret');
      expect(req).toContain('Host: live.example.com');
    }
    expect(first.requests).toHaveLength(2);
    expect(target.requests[0]).not.toContain('s3cret');
    expect(target.requests[0]).toContain(`Host: 127.0.0.1:${target.port}`);
    expect(target.requests[0]).toContain('Referer: https://r/');
  });
});

describe('httpProbe: network failures', () => {
  it('maps a closed port to refused', async () => {
    const port = await closedPort();
    const { outcome } = await probe(`http://127.0.0.1:${port}/x`);
    expect(outcome.endedBy).toBe('error');
    expect(outcome.error?.reason).toBe('refused');
    expect(outcome.status).toBeUndefined();
    expect(outcome.connectMs).toBeUndefined();
  });

  it('maps an unresolvable .invalid host to dns', async () => {
    const { outcome } = await probe('http://no-such-host.invalid/live/a.flv');
    expect(outcome.error?.reason).toBe('dns');
    expect(outcome.error?.message).toContain('no-such-host.invalid');
    expect(outcome.dnsMs).toBeUndefined();
  });

  it('maps a failing custom lookup (EAI_AGAIN) to dns', async () => {
    const { outcome } = await probe('http://flaky.test/x', {
      lookup: () => Promise.reject(Object.assign(new Error('getaddrinfo EAI_AGAIN flaky.test'), { code: 'EAI_AGAIN' })),
    });
    expect(outcome.error?.reason).toBe('dns');
  });

  it('times out a DNS lookup that never answers within the connect timeout', async () => {
    const started = performance.now();
    const { outcome } = await probe('http://slow-dns.test/x', {
      connectTimeoutMs: 150,
      lookup: () => new Promise(() => {}),
    });
    const took = performance.now() - started;
    expect(outcome.error?.reason).toBe('timeout');
    expect(outcome.error?.message).toMatch(/DNS/);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1000);
  });

  it('times out when the response head never comes', async () => {
    const srv = await server(() => {
      /* accept the request, answer nothing */
    });
    const started = performance.now();
    const { outcome } = await probe(srv.url(), { headersTimeoutMs: 200 });
    const took = performance.now() - started;
    expect(outcome.error?.reason).toBe('timeout');
    expect(outcome.error?.message).toMatch(/response head/);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1000);
    expect(outcome.responseMs).toBeUndefined();
  });

  it('times out when the body never starts', async () => {
    const srv = await server((s) => s.write('HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\n\r\n'));
    const started = performance.now();
    const { outcome } = await probe(srv.url(), { firstByteTimeoutMs: 200 });
    expect(outcome.error?.reason).toBe('timeout');
    expect(outcome.error?.message).toMatch(/first body byte/);
    expect(outcome.status).toBe(200);
    expect(outcome.ttfbMs).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('times out a body that goes silent (read idle), after the bytes that came', async () => {
    const srv = await server((s) => {
      s.write('HTTP/1.1 200 OK\r\n\r\n');
      s.write('x'.repeat(50));
      setTimeout(() => s.write('y'.repeat(50)), 100);
    });
    const started = performance.now();
    const { outcome, readTimes } = await probe(srv.url(), { idleTimeoutMs: 250 });
    const took = performance.now() - started;
    expect(outcome.error?.reason).toBe('timeout');
    expect(outcome.error?.message).toMatch(/idle/);
    expect(outcome.bodyBytes).toBe(100);
    // the idle clock restarts at every read: the probe ends ~250 ms after the LAST read
    expect(outcome.endedAt - readTimes.at(-1)!).toBeGreaterThanOrEqual(240);
    expect(took).toBeLessThan(1500);
  });

  it('ends with timeout when the caller aborts mid-body', async () => {
    const srv = await server((s) => {
      s.write('HTTP/1.1 200 OK\r\n\r\n');
      const t = setInterval(() => s.write('z'), 10);
      s.on('close', () => clearInterval(t));
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('hard deadline')), 80);
    const { outcome } = await probe(srv.url(), { signal: ac.signal });
    expect(outcome.endedBy).toBe('error');
    expect(outcome.error?.reason).toBe('timeout');
    expect(outcome.error?.message).toContain('hard deadline');
    expect(outcome.bodyBytes).toBeGreaterThan(0);
  });

  it('does not connect at all when the signal is already aborted', async () => {
    const srv = await server((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const { outcome } = await probe(srv.url(), { signal: AbortSignal.abort() });
    expect(outcome.error?.reason).toBe('timeout');
    await sleep(50);
    expect(srv.requests).toHaveLength(0);
  });

  it('maps a reset in the middle of the body to reset', async () => {
    const srv = await server((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
      s.write('x'.repeat(1000));
      setTimeout(() => s.resetAndDestroy(), 50);
    });
    const { outcome } = await probe(srv.url());
    expect(outcome.endedBy).toBe('error');
    expect(outcome.error?.reason).toBe('reset');
    expect(outcome.bodyBytes).toBe(1000);
  });

  it('maps a server that hangs up without answering to reset', async () => {
    const srv = await server((s) => s.end());
    const { outcome } = await probe(srv.url());
    expect(outcome.error?.reason).toBe('reset');
    expect(outcome.error?.message).toMatch(/without a response/);
  });
});

describe('httpProbe: caller bugs and resources', () => {
  it('rejects a URL that is not absolute http(s)', async () => {
    const signal = new AbortController().signal;
    const onBody = () => 'continue' as const;
    await expect(httpProbe({ url: 'not a url', signal, onBody })).rejects.toThrow(TypeError);
    await expect(httpProbe({ url: 'rtmp://host/live/a', signal, onBody })).rejects.toThrow(/rtmp:/);
    await expect(httpProbe({ url: 'http://h/x', headers: { 'X-A': 'a\r\nB: c' }, signal, onBody })).rejects.toThrow(
      TypeError,
    );
  });

  it('rejects with the error of an onBody that throws, after closing the connection', async () => {
    let closed: Promise<void> = Promise.resolve();
    const srv = await server((s) => {
      closed = new Promise((r) => s.on('close', () => r()));
      s.write('HTTP/1.1 200 OK\r\n\r\nabc');
    });
    const err = new Error('consumer bug');
    await expect(
      httpProbe({
        url: srv.url(),
        signal: new AbortController().signal,
        onBody: () => {
          throw err;
        },
      }),
    ).rejects.toBe(err);
    await closed;
  });

  it('leaves no listeners, timers or sockets behind after many probes of every ending', async () => {
    const srv = await server((s, head) => {
      const path = head.split(' ')[1];
      if (path === '/ok') s.end('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
      else if (path === '/404') s.end('HTTP/1.1 404 Not Found\r\n\r\n');
      else if (path === '/redirect') s.end('HTTP/1.1 302 Found\r\nLocation: /ok\r\n\r\n');
      else if (path === '/stream') {
        s.write('HTTP/1.1 200 OK\r\n\r\n');
        const t = setInterval(() => s.write('s'), 5);
        s.on('close', () => clearInterval(t));
      }
      // '/silent': never answers
    });
    const refusedPort = await closedPort();
    await sleep(20);
    const count = (type: string) => process.getActiveResourcesInfo().filter((r) => r === type).length;
    const before = { timers: count('Timeout'), tcp: count('TCPSocketWrap') };

    const shared = new AbortController();
    const paths = ['/ok', '/404', '/redirect', '/stream', '/silent'];
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const kind = i % 6;
      const url = kind === 5 ? `http://127.0.0.1:${refusedPort}/x` : srv.url(paths[kind]!);
      let reads = 0;
      jobs.push(
        httpProbe({
          url,
          signal: shared.signal,
          // short only where the timeout is the point: 200 parallel probes can be slow on a busy machine
          headersTimeoutMs: kind === 4 ? 150 : 10_000,
          onBody: () => (++reads >= 3 ? 'stop' : 'continue'),
        }),
      );
    }
    const outcomes = (await Promise.all(jobs)) as Awaited<ReturnType<typeof httpProbe>>[];
    expect(outcomes.filter((o) => o.endedBy === 'eof')).toHaveLength(34 + 33); // /ok and /redirect
    expect(outcomes.filter((o) => o.endedBy === 'stopped')).toHaveLength(33); // /stream
    expect(outcomes.filter((o) => o.error?.reason === 'timeout')).toHaveLength(33); // /silent
    expect(outcomes.filter((o) => o.error?.reason === 'refused')).toHaveLength(33);
    expect(outcomes.filter((o) => o.error?.reason === 'http_4xx')).toHaveLength(34);

    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    await sleep(50);
    expect(count('Timeout')).toBeLessThanOrEqual(before.timers);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(before.tcp);
  }, 15000);
});
