/**
 * A small HTTP/1.1 GET client for probing live streams, on raw `net` / `tls` sockets.
 *
 * Why not fetch / http.get: at 1000 streams × 2.7 Mbit/s, read-and-discard costs fetch 115 % of a core,
 * http.get 73 %, a net.Socket with `onread` into one reused buffer 31 % (issue 3). This client reads
 * into the thread's single buffer (read-buffer.ts) and hands body bytes to a synchronous consumer.
 *
 * One probe:
 * - a fresh connection per hop (no agent, no keep-alive), `Connection: close`;
 * - DNS by `dns.promises.lookup` (no DNS phase for an IP-literal host), then TCP to the address, then
 *   TLS with SNI = host name and certificate verification unless `insecureTls`;
 * - redirects 301/302/303/307/308 up to `maxRedirects` (5), http/https only, relative Location
 *   resolved against the current URL; on a cross-origin redirect an Authorization header is not
 *   forwarded (as fetch does);
 * - only status 200 is a stream; its body (Content-Length, chunked or close-delimited) goes to onBody.
 *
 * Timings (monotonic, `performance.now()`): dns/connect/tls are those of the last hop; response_ms and
 * ttfb_ms are measured from the FIRST request's t0, because a viewer waits for every hop.
 *
 * Timeouts, each ending the probe with reason `timeout`: connect (per hop: DNS + TCP + TLS), headers
 * (request written → head complete), first byte (head → first body byte), idle (between reads after the
 * first body byte), and the caller's `signal` (hard deadline, shutdown). A single timer per probe is
 * moved along, so an idle deadline costs no timer call per read.
 *
 * Failure reasons (closed set, result.ts), where the choice is not obvious:
 * - malformed HTTP (no "HTTP/" status line, head > 16 KiB, bad chunked framing, bad Content-Length,
 *   redirect without or with an unparsable Location) → `parse_error`: the peer broke the protocol;
 * - the server answered properly but not with a stream: status other than 200 / 3xx / 4xx / 5xx
 *   (204, 206, 304, ...) or a redirect to a non-http(s) scheme (rtmp://) → `not_flv`;
 * - the connection closed (FIN) before the response head was complete → `reset`;
 * - the connection closed (FIN) inside a Content-Length or chunked body → `truncated`
 *   (a close-delimited body simply ends: `endedBy: 'eof'`);
 * - ECONNRESET / EPIPE at any time → `reset`; the caller's abort → `timeout`.
 *
 * Never rejects for network or server problems: they come back as `endedBy: 'error'`. It rejects only on
 * caller bugs: an initial URL that is not absolute http(s), invalid header names/values, or an onBody
 * that throws (the socket is closed first).
 */
import dns from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { classifyNetworkError, describeError, type NetworkPhase } from '../failure.js';
import { redactUrl } from '../redact.js';
import type { FailureReason } from '../result.js';
import { BodyReader, framingOf } from './body-reader.js';
import type { DataSink } from './chunked.js';
import { threadReadBuffer } from './read-buffer.js';
import { buildRequest, DEFAULT_USER_AGENT, validateHeaders } from './request.js';
import { headerValue, type ResponseHead, ResponseHeadParser } from './response-head.js';
import type { HttpProbeOptions, HttpProbeOutcome, LookupFn } from './types.js';

export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 5000;
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 5000;
export const DEFAULT_IDLE_TIMEOUT_MS = 5000;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * Per-stream headers not forwarded to another origin on redirect: credentials (as fetch does), and a
 * Host override, which names the original origin, not the one redirected to.
 */
const ORIGIN_BOUND_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);

const defaultLookup: LookupFn = (hostname) => dns.promises.lookup(hostname);

/** Parses the probe URL; throws TypeError for anything but an absolute http(s) URL (a caller bug). */
function parseProbeUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`invalid URL ${JSON.stringify(redactUrl(raw))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`unsupported URL scheme ${url.protocol} (http/https only)`);
  }
  return url;
}

/** URL.hostname keeps the brackets of an IPv6 literal; sockets and isIP want them off. */
function bareHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Probes `opts.url`; see the module comment. */
export async function httpProbe(opts: HttpProbeOptions): Promise<HttpProbeOutcome> {
  const url = parseProbeUrl(opts.url);
  validateHeaders(opts.headers);
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!(maxRedirects >= 0)) throw new RangeError(`maxRedirects must be >= 0, got ${maxRedirects}`);
  return new ProbeRun(opts, url, maxRedirects).run();
}

type Phase = 'dns' | 'connect' | 'tls' | 'head' | 'body';
/** What the current deadline waits for. */
type Wait = 'connect' | 'head' | 'first-byte' | 'idle';

class ProbeRun {
  private readonly t0 = performance.now();
  private resolve!: (outcome: HttpProbeOutcome) => void;
  private reject!: (err: unknown) => void;
  private settled = false;

  private url: URL;
  private headers: Record<string, string> | undefined;
  private redirects = 0;
  /** counts hops; async results of an earlier hop compare against it and are dropped */
  private hop = 0;
  private phase: Phase = 'dns';
  private socket: net.Socket | undefined;
  private peer = '';

  private dnsMs: number | undefined;
  private connectMs: number | undefined;
  private tlsMs: number | undefined;
  private responseMs: number | undefined;
  private ttfbMs: number | undefined;
  private firstByteAt: number | undefined;
  private status: number | undefined;
  private contentType: string | undefined;
  private bodyBytes = 0;

  private headParser: ResponseHeadParser | undefined;
  private body: BodyReader | undefined;
  /** time of the socket read being processed */
  private readNow = 0;

  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private deadlineAt = Infinity;
  private deadlineWait: Wait = 'connect';
  private deadlineMs = 0;

  constructor(
    private readonly opts: HttpProbeOptions,
    url: URL,
    private readonly maxRedirects: number,
  ) {
    this.url = url;
    this.headers = opts.headers;
  }

  run(): Promise<HttpProbeOutcome> {
    return new Promise<HttpProbeOutcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      const { signal, stopSignal } = this.opts;
      if (signal.aborted) return this.onAbort();
      if (stopSignal?.aborted) return this.onStop();
      signal.addEventListener('abort', this.onAbort);
      stopSignal?.addEventListener('abort', this.onStop);
      this.startHop();
    });
  }

  // ---- hops ----------------------------------------------------------------------------------------

  private startHop(): void {
    const hop = ++this.hop;
    this.phase = 'dns';
    // every field describes the last hop: a redirect's 302 is not the answer of a hop that failed
    this.dnsMs = this.connectMs = this.tlsMs = this.responseMs = this.status = undefined;
    this.headParser = undefined;
    this.body = undefined;
    const hopStart = performance.now();
    const connectTimeout = this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.setDeadline(hopStart + connectTimeout, 'connect', connectTimeout);

    const host = bareHost(this.url);
    // hops count from 1; a redirect's next hop is resolved (and /probe follows none)
    const pinned = hop === 1 ? this.opts.connectAddress : undefined;
    if (pinned !== undefined || net.isIP(host) !== 0) {
      this.connect(pinned ?? host, hop);
      return;
    }
    const lookup = this.opts.lookup ?? defaultLookup;
    let pending: Promise<{ address: string; family: number }>;
    try {
      pending = lookup(host);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (addr) => {
        if (hop !== this.hop || this.settled) return;
        this.dnsMs = performance.now() - hopStart;
        this.connect(addr.address, hop);
      },
      (err: unknown) => {
        if (hop !== this.hop || this.settled) return;
        this.fail(classifyNetworkError(err, 'dns'), `DNS lookup of ${host} failed: ${describeError(err)}`);
      },
    );
  }

  private connect(address: string, hop: number): void {
    const https = this.url.protocol === 'https:';
    const port = this.url.port !== '' ? Number(this.url.port) : https ? 443 : 80;
    const host = bareHost(this.url);
    this.phase = 'connect';
    this.peer = net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
    const tcpStart = performance.now();
    let tcpAt = tcpStart;
    // `s` is assigned before any callback can run (they all run on later ticks)
    let s: net.Socket;
    const onread = {
      buffer: threadReadBuffer(),
      callback: (n: number, buf: Uint8Array): boolean => {
        this.onRead(s, n, buf);
        return true;
      },
    };
    if (https) {
      const options: tls.ConnectionOptions & { onread: typeof onread } = {
        host: address,
        port,
        // SNI must be a name, never an IP literal (RFC 6066 §3); certificates of an IP-literal URL
        // are checked against the IP
        ...(net.isIP(host) === 0 ? { servername: host } : {}),
        rejectUnauthorized: !(this.opts.insecureTls ?? false),
        ALPNProtocols: ['http/1.1'],
        onread,
      };
      s = tls.connect(options);
    } else {
      s = net.connect({ host: address, port, onread, noDelay: true });
    }
    this.socket = s;
    s.on('connect', () => {
      if (s !== this.socket || hop !== this.hop) return;
      tcpAt = performance.now();
      this.connectMs = tcpAt - tcpStart;
      if (https) this.phase = 'tls';
      else this.sendRequest(tcpAt);
    });
    if (https) {
      s.on('secureConnect', () => {
        if (s !== this.socket || hop !== this.hop) return;
        const now = performance.now();
        this.tlsMs = now - tcpAt;
        this.sendRequest(now);
      });
    }
    // an error listener stays on every socket, stale or not: an unhandled 'error' would crash the thread
    s.on('error', (err: Error) => {
      if (s === this.socket) this.onSocketError(err);
    });
    s.on('end', () => {
      if (s === this.socket) this.onEof();
    });
    s.on('close', () => {
      if (s === this.socket) this.onEof();
    });
  }

  private sendRequest(now: number): void {
    const s = this.socket!;
    if (this.url.protocol === 'https:') s.setNoDelay(true);
    this.phase = 'head';
    this.headParser = new ResponseHeadParser();
    s.write(Buffer.from(buildRequest(this.url, this.opts.userAgent ?? DEFAULT_USER_AGENT, this.headers), 'utf8'));
    const headersTimeout = this.opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.setDeadline(now + headersTimeout, 'head', headersTimeout);
  }

  // ---- reading -------------------------------------------------------------------------------------

  private onRead(s: net.Socket, n: number, buf: Uint8Array): void {
    if (s !== this.socket || this.settled) return;
    const now = performance.now();
    this.readNow = now;
    try {
      this.consume(buf, 0, n, now);
    } catch (err) {
      // onBody threw: a caller bug; close everything, then let the caller see its error
      this.crash(err);
    }
  }

  private consume(buf: Uint8Array, start: number, end: number, now: number): void {
    if (this.phase === 'head') {
      for (;;) {
        const r = this.headParser!.push(buf, start, end);
        if (r.kind === 'more') return;
        if (r.kind === 'error') return this.fail('parse_error', r.message);
        start = r.bodyStart;
        const status = r.head.status;
        if (status >= 100 && status < 200 && status !== 101) {
          // interim response (RFC 9110 §15.2): the real one follows
          this.headParser = new ResponseHeadParser();
          if (start >= end) return;
          continue;
        }
        if (!this.onHead(r.head, now)) return;
        break;
      }
    }
    if (this.phase !== 'body' || start >= end) return;
    const r = this.body!.push(buf, start, end, this.sink);
    if (this.settled) return;
    switch (r.kind) {
      case 'more':
        if (this.firstByteAt !== undefined) {
          const idle = this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
          this.setDeadline(now + idle, 'idle', idle);
        }
        return;
      case 'done':
        return this.finish('eof');
      case 'stopped':
        return this.finish('stopped');
      case 'error':
        return this.fail('parse_error', r.message);
    }
  }

  /** Body slices → the caller's consumer. */
  private readonly sink: DataSink = (chunk, start, end) => {
    if (this.settled) return false;
    if (end <= start) return true;
    if (this.firstByteAt === undefined) {
      this.firstByteAt = this.readNow;
      this.ttfbMs = this.readNow - this.t0;
    }
    this.bodyBytes += end - start;
    const verdict = this.opts.onBody(chunk, start, end, this.readNow);
    // the consumer may have stopped us from inside (e.g. by aborting stopSignal)
    return verdict !== 'stop' && !this.settled;
  };

  /** A final response head arrived; returns true when its body is to be read. */
  private onHead(head: ResponseHead, now: number): boolean {
    const status = head.status;
    this.status = status;
    this.responseMs = now - this.t0;
    if (REDIRECT_STATUSES.has(status)) {
      this.redirect(head);
      return false;
    }
    if (status === 200) {
      const framing = framingOf(head);
      if (framing.kind === 'error') {
        this.fail('parse_error', framing.message);
        return false;
      }
      this.contentType = headerValue(head, 'content-type');
      this.body = new BodyReader(framing);
      this.phase = 'body';
      if (this.body.complete) {
        this.finish('eof');
        return false;
      }
      const firstByte = this.opts.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS;
      this.setDeadline(now + firstByte, 'first-byte', firstByte);
      return true;
    }
    const what = `HTTP ${status}${head.reason ? ` ${head.reason}` : ''}`;
    if (status >= 400 && status < 500) this.fail('http_4xx', what);
    else if (status >= 500 && status < 600) this.fail('http_5xx', what);
    else this.fail('not_flv', `${what}: not a stream response`);
    return false;
  }

  private redirect(head: ResponseHead): void {
    const location = head.headers.get('location')?.[0];
    if (location === undefined || location === '') {
      return this.fail('parse_error', `HTTP ${head.status} redirect without Location`);
    }
    if (this.redirects >= this.maxRedirects) {
      return this.fail('too_many_redirects', `more than ${this.maxRedirects} redirects`);
    }
    let next: URL;
    try {
      next = new URL(location, this.url);
    } catch {
      return this.fail('parse_error', `invalid redirect Location ${JSON.stringify(redactUrl(location))}`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      return this.fail('not_flv', `redirect to unsupported scheme ${next.protocol} (http/https only)`);
    }
    if (next.origin !== this.url.origin && this.headers) {
      this.headers = Object.fromEntries(
        Object.entries(this.headers).filter(([name]) => !ORIGIN_BOUND_HEADERS.has(name.toLowerCase())),
      );
    }
    this.redirects++;
    this.url = next;
    this.dropSocket();
    this.startHop();
  }

  // ---- ends ----------------------------------------------------------------------------------------

  private onSocketError(err: Error): void {
    const phase: NetworkPhase =
      this.phase === 'head' ? 'response' : this.phase === 'body' ? 'body' : this.phase === 'tls' ? 'tls' : 'connect';
    const where =
      phase === 'connect'
        ? `connect to ${this.peer}`
        : phase === 'tls'
          ? `TLS handshake with ${this.peer}`
          : phase === 'response'
            ? 'reading the response head'
            : 'reading the body';
    this.fail(classifyNetworkError(err, phase), `${where} failed: ${describeError(err)}`);
  }

  /** The peer closed the connection (FIN, or a close without an error event). */
  private onEof(): void {
    if (this.settled) return;
    switch (this.phase) {
      case 'dns':
      case 'connect':
        return this.fail('reset', `connection to ${this.peer} closed before it was established`);
      case 'tls':
        return this.fail('reset', `connection to ${this.peer} closed during the TLS handshake`);
      case 'head':
        return this.fail(
          'reset',
          this.headParser!.bytes === 0
            ? 'server closed the connection without a response'
            : 'server closed the connection inside the response head',
        );
      case 'body': {
        const r = this.body!.onEof();
        if (r.kind === 'done') return this.finish('eof');
        return this.fail('truncated', r.message);
      }
    }
  }

  private readonly onAbort = (): void => {
    this.fail('timeout', `aborted: ${describeError(this.opts.signal.reason)}`);
  };

  private readonly onStop = (): void => {
    if (this.phase === 'body') this.finish('stopped');
    else this.fail('timeout', 'stopped before the response body began');
  };

  private fail(reason: FailureReason, message: string): void {
    this.finish('error', { reason, message });
  }

  private crash(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    this.reject(err);
  }

  private finish(endedBy: HttpProbeOutcome['endedBy'], error?: HttpProbeOutcome['error']): void {
    if (this.settled) return;
    this.settled = true;
    const endedAt = performance.now();
    this.cleanup();
    const out: HttpProbeOutcome = {
      t0: this.t0,
      endedAt,
      redirects: this.redirects,
      finalUrl: this.url.href,
      bodyBytes: this.bodyBytes,
      endedBy,
    };
    if (this.status !== undefined) out.status = this.status;
    if (this.dnsMs !== undefined) out.dnsMs = this.dnsMs;
    if (this.connectMs !== undefined) out.connectMs = this.connectMs;
    if (this.tlsMs !== undefined) out.tlsMs = this.tlsMs;
    if (this.responseMs !== undefined) out.responseMs = this.responseMs;
    if (this.ttfbMs !== undefined) out.ttfbMs = this.ttfbMs;
    if (this.firstByteAt !== undefined) out.firstByteAt = this.firstByteAt;
    if (this.contentType !== undefined) out.contentType = this.contentType;
    if (error !== undefined) out.error = error;
    this.resolve(out);
  }

  private cleanup(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.opts.signal.removeEventListener('abort', this.onAbort);
    this.opts.stopSignal?.removeEventListener('abort', this.onStop);
    this.dropSocket();
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
  }

  // ---- the one timer -------------------------------------------------------------------------------

  /** Moves the probe's deadline; the timer is re-armed only when the deadline comes earlier. */
  private setDeadline(at: number, wait: Wait, ms: number): void {
    this.deadlineAt = at;
    this.deadlineWait = wait;
    this.deadlineMs = ms;
    if (at < this.timerAt) this.armTimer(at);
  }

  private armTimer(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(at - performance.now())));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.settled) return;
    // the timer may fire a little early against performance.now() (the event loop caches its clock)
    if (this.deadlineAt - performance.now() > 1) return this.armTimer(this.deadlineAt);
    this.fail('timeout', this.timeoutMessage());
  };

  private timeoutMessage(): string {
    const ms = this.deadlineMs;
    switch (this.deadlineWait) {
      case 'connect':
        if (this.phase === 'dns') return `DNS lookup of ${bareHost(this.url)} did not finish within ${ms} ms`;
        if (this.phase === 'tls') return `TLS handshake with ${this.peer} did not finish within ${ms} ms`;
        return `no TCP connection to ${this.peer} within ${ms} ms`;
      case 'head':
        return `no complete response head within ${ms} ms of the request`;
      case 'first-byte':
        return `no first body byte within ${ms} ms of the response head`;
      case 'idle':
        return `read idle: no data for ${ms} ms`;
    }
  }
}
