/**
 * RTMP play client on raw `net` / `tls` sockets (SPEC §14): DNS, TCP (+ TLS for rtmps), the handshake,
 * then the chunk stream (chunk-reader.ts) and the play session (session.ts). Audio, video and data
 * message bodies go to the sink as tag bodies. Like the HTTP client it reads into the thread's one
 * buffer, keeps one timer per probe, and never rejects for network or server trouble.
 *
 * Timings (monotonic, from t0 = start): dns / connect / tls as for HTTP; handshake = C0+C1 sent → S2
 * received; response = until NetStream.Play.Start (or the first audio/video message, if earlier);
 * ttfb = the first audio/video message.
 *
 * Timeouts (reason `timeout`): connect (DNS + TCP + TLS), session (handshake written → play started:
 * the HTTP client's headers timeout), first media (play started → first audio/video message), idle
 * (between reads after it), and the caller's signal.
 *
 * Reasons: bytes that are not an RTMP handshake → `rtmp_handshake`; connect, createStream or play
 * refused → `rtmp_rejected` with the server's code and description; a broken chunk stream or a cap
 * exceeded (chunk size, message length, chunk stream ids) → `parse_error`; network errors as for HTTP.
 */
import dns from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { classifyNetworkError, describeError, type NetworkPhase } from '../failure.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FIRST_BYTE_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
} from '../http/client.js';
import { threadReadBuffer } from '../http/read-buffer.js';
import type { FailureReason } from '../result.js';
import type { SourceOptions, SourceOutcome } from '../source/types.js';
import { ChunkReader, type StreamingSink } from './chunk-reader.js';
import { clientHello, HandshakeReader } from './handshake.js';
import { MSG_AUDIO, MSG_VIDEO } from './messages.js';
import { RtmpSession } from './session.js';
import { parseRtmpUrl, type RtmpTarget } from './url.js';

type Phase = 'dns' | 'connect' | 'tls' | 'handshake' | 'session' | 'media';
type Wait = 'connect' | 'session' | 'first-media' | 'idle';

export function rtmpProbe(opts: SourceOptions): Promise<SourceOutcome> {
  // a Host header (an edge probed by IP, or /probe's pinned address) names the vhost in the tcUrl
  const host = Object.entries(opts.headers ?? {}).find(([name]) => name.toLowerCase() === 'host')?.[1];
  return new RtmpRun(opts, parseRtmpUrl(opts.url, host)).run();
}

class RtmpRun {
  private readonly t0 = performance.now();
  private resolve!: (outcome: SourceOutcome) => void;
  private reject!: (err: unknown) => void;
  private settled = false;
  private phase: Phase = 'dns';
  private socket: net.Socket | undefined;
  private peer = '';

  private readonly handshake = new HandshakeReader();
  private readonly reader = new ChunkReader();
  private readonly session: RtmpSession;
  private handshakeStart = 0;

  private dnsMs: number | undefined;
  private connectMs: number | undefined;
  private tlsMs: number | undefined;
  private handshakeMs: number | undefined;
  private responseMs: number | undefined;
  private ttfbMs: number | undefined;
  private firstByteAt: number | undefined;
  private bodyBytes = 0;
  /** time of the socket read being processed, and whether the sink heard of it */
  private readNow = 0;
  private readSignalled = false;

  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private deadlineAt = Infinity;
  private deadlineWait: Wait = 'connect';
  private deadlineMs = 0;

  constructor(
    private readonly opts: SourceOptions,
    private readonly target: RtmpTarget,
  ) {
    this.session = new RtmpSession(target, this.reader, {
      send: (bytes) => this.socket?.write(bytes),
      // the read the status arrived in: media in the same read must not look earlier than it (SPEC §14)
      playStarted: () => this.onPlayStarted(this.readNow),
      media: (type, timestamp, body) => this.onMedia(type, timestamp, body),
      rejected: (message) => this.fail('rtmp_rejected', message),
      failed: (message) => this.fail('parse_error', `RTMP: ${message}`),
      ended: () => this.finish('eof'),
    });
  }

  run(): Promise<SourceOutcome> {
    return new Promise<SourceOutcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      const { signal, stopSignal } = this.opts;
      if (signal.aborted) return this.onAbort();
      if (stopSignal?.aborted) return this.onStop();
      signal.addEventListener('abort', this.onAbort);
      stopSignal?.addEventListener('abort', this.onStop);
      this.resolveHost();
    });
  }

  private resolveHost(): void {
    const connectTimeout = this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.setDeadline(this.t0 + connectTimeout, 'connect', connectTimeout);
    const host = this.target.host;
    if (net.isIP(host) !== 0) return this.connect(host);
    const lookup = this.opts.lookup ?? ((name: string) => dns.promises.lookup(name));
    Promise.resolve()
      .then(() => lookup(host))
      .then(
        (addr) => {
          if (this.settled) return;
          this.dnsMs = performance.now() - this.t0;
          this.connect(addr.address);
        },
        (err: unknown) =>
          this.fail(classifyNetworkError(err, 'dns'), `DNS lookup of ${host} failed: ${describeError(err)}`),
      );
  }

  private connect(address: string): void {
    const { secure, port, host } = this.target;
    this.phase = 'connect';
    this.peer = net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
    const tcpStart = performance.now();
    let tcpAt = tcpStart;
    const onread = {
      buffer: threadReadBuffer(),
      callback: (n: number, buf: Uint8Array): boolean => {
        this.onRead(n, buf);
        return true;
      },
    };
    const s = secure
      ? tls.connect({
          host: address,
          port,
          ...(net.isIP(host) === 0 ? { servername: host } : {}),
          rejectUnauthorized: !(this.opts.insecureTls ?? false),
          onread,
        } as tls.ConnectionOptions)
      : net.connect({ host: address, port, onread, noDelay: true });
    this.socket = s;
    s.on('connect', () => {
      if (this.settled) return;
      tcpAt = performance.now();
      this.connectMs = tcpAt - tcpStart;
      if (secure) this.phase = 'tls';
      else this.startHandshake(tcpAt);
    });
    s.on('secureConnect', () => {
      if (this.settled) return;
      const now = performance.now();
      this.tlsMs = now - tcpAt;
      s.setNoDelay(true);
      this.startHandshake(now);
    });
    s.on('error', (err: Error) => this.onSocketError(err));
    s.on('end', () => this.onEof());
    s.on('close', () => this.onEof());
  }

  private startHandshake(now: number): void {
    this.phase = 'handshake';
    this.handshakeStart = now;
    this.socket!.write(clientHello());
    const timeout = this.opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.setDeadline(now + timeout, 'session', timeout);
  }

  // ---- reading -------------------------------------------------------------------------------------

  private onRead(n: number, buf: Uint8Array): void {
    if (this.settled) return;
    this.readNow = performance.now();
    this.readSignalled = false;
    try {
      this.consume(buf, n);
    } catch (err) {
      this.crash(err);
    }
  }

  private consume(buf: Uint8Array, n: number): void {
    let pos = 0;
    while (this.phase === 'handshake' && pos < n) {
      const step = this.handshake.push(buf, pos, n);
      if (step.kind === 'error')
        return this.fail('rtmp_handshake', `RTMP handshake with ${this.peer}: ${step.message}`);
      if (step.kind === 'more') return;
      pos = step.pos;
      if (step.kind === 's1') {
        this.socket!.write(Buffer.from(step.c2));
        continue;
      }
      this.handshakeMs = this.readNow - this.handshakeStart;
      this.phase = 'session';
      this.session.start();
    }
    if (pos >= n) return;
    this.session.countReceived(n - pos);
    // once media flows every read is stream data (a read may hold only the middle of a frame): the sink
    // hears of each one, as of each HTTP body read, so stalls and the viewer model see the same clock
    if (this.phase === 'media' && !this.readSignalled) {
      this.readSignalled = true;
      this.opts.sink.onRead(this.readNow);
    }
    const r = this.reader.push(buf, pos, n, this.session.onMessage, this.streamed);
    if (this.settled) return;
    if (r === 'error') return this.fail('parse_error', `RTMP: ${this.reader.error}`);
    if (r === 'stopped') return this.finish('stopped');
    if (this.phase === 'media') {
      const idle = this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
      this.setDeadline(this.readNow + idle, 'idle', idle);
    }
  }

  private onPlayStarted(now: number): void {
    if (this.responseMs !== undefined) return;
    this.responseMs = now - this.t0;
    if (this.firstByteAt === undefined) {
      const timeout = this.opts.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS;
      this.setDeadline(now + timeout, 'first-media', timeout);
    }
  }

  private onMedia(type: number, timestamp: number, body: Uint8Array): boolean {
    if (this.settled) return false;
    if (type === MSG_AUDIO || type === MSG_VIDEO) this.noteMedia();
    this.bodyBytes += body.length;
    return this.opts.sink.onTag(type, timestamp, body) !== 'stop' && !this.settled;
  }

  /** Audio and video messages of more than one chunk go to the sink piece by piece, not reassembled. */
  private readonly streamed: StreamingSink = {
    types: new Set([MSG_AUDIO, MSG_VIDEO]),
    begin: (type, _streamId, timestamp, length) => {
      if (this.settled) return false;
      this.noteMedia();
      this.bodyBytes += length;
      return this.opts.sink.onTagStart(type, timestamp, length) !== 'stop' && !this.settled;
    },
    data: (piece) => this.opts.sink.onTagData(piece) !== 'stop' && !this.settled,
  };

  /** An audio or video message arrived in the current read: the first one is ttfb; the sink hears of the read. */
  private noteMedia(): void {
    if (this.firstByteAt === undefined) {
      this.onPlayStarted(this.readNow);
      this.firstByteAt = this.readNow;
      this.ttfbMs = this.readNow - this.t0;
      this.phase = 'media';
    }
    if (!this.readSignalled) {
      this.readSignalled = true;
      this.opts.sink.onRead(this.readNow);
    }
  }

  // ---- ends ----------------------------------------------------------------------------------------

  private onSocketError(err: Error): void {
    const phase: NetworkPhase =
      this.phase === 'media'
        ? 'body'
        : this.phase === 'tls'
          ? 'tls'
          : this.phase === 'dns' || this.phase === 'connect'
            ? 'connect'
            : 'response';
    const where =
      phase === 'connect'
        ? `connect to ${this.peer}`
        : phase === 'tls'
          ? `TLS handshake with ${this.peer}`
          : `RTMP ${this.phase}`;
    this.fail(classifyNetworkError(err, phase), `${where} failed: ${describeError(err)}`);
  }

  private onEof(): void {
    if (this.settled) return;
    switch (this.phase) {
      case 'dns':
      case 'connect':
        return this.fail('reset', `connection to ${this.peer} closed before it was established`);
      case 'tls':
        return this.fail('reset', `connection to ${this.peer} closed during the TLS handshake`);
      case 'handshake':
        return this.fail(
          'reset',
          `the server closed the connection during the RTMP handshake (${this.handshake.received} bytes of 3073)`,
        );
      case 'session':
        if (this.responseMs !== undefined) return this.finish('eof');
        return this.fail('reset', 'the server closed the connection before play started');
      case 'media':
        return this.finish('eof');
    }
  }

  private readonly onAbort = (): void => {
    this.fail('timeout', `aborted: ${describeError(this.opts.signal.reason)}`);
  };

  private readonly onStop = (): void => {
    if (this.phase === 'media') this.finish('stopped');
    else this.fail('timeout', 'stopped before the first media message');
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

  private finish(endedBy: SourceOutcome['endedBy'], error?: SourceOutcome['error']): void {
    if (this.settled) return;
    this.settled = true;
    const endedAt = performance.now();
    this.cleanup();
    const out: SourceOutcome = {
      t0: this.t0,
      endedAt,
      redirects: 0,
      finalUrl: this.opts.url,
      bodyBytes: this.bodyBytes,
      endedBy,
    };
    if (this.dnsMs !== undefined) out.dnsMs = this.dnsMs;
    if (this.connectMs !== undefined) out.connectMs = this.connectMs;
    if (this.tlsMs !== undefined) out.tlsMs = this.tlsMs;
    if (this.handshakeMs !== undefined) out.handshakeMs = this.handshakeMs;
    if (this.responseMs !== undefined) {
      out.responseMs = this.responseMs;
      out.playStarted = true;
    }
    if (this.ttfbMs !== undefined) out.ttfbMs = this.ttfbMs;
    if (this.firstByteAt !== undefined) out.firstByteAt = this.firstByteAt;
    if (error !== undefined) out.error = error;
    this.resolve(out);
  }

  private cleanup(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.opts.signal.removeEventListener('abort', this.onAbort);
    this.opts.stopSignal?.removeEventListener('abort', this.onStop);
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
  }

  // ---- the one timer (moved along; re-armed only when a deadline comes earlier) ----------------------------

  private setDeadline(at: number, wait: Wait, ms: number): void {
    this.deadlineAt = at;
    this.deadlineWait = wait;
    this.deadlineMs = ms;
    if (at < this.timerAt) this.armTimer();
  }

  private armTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = this.deadlineAt;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(this.deadlineAt - performance.now())));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.settled) return;
    if (this.deadlineAt - performance.now() > 1) return this.armTimer();
    this.fail('timeout', this.timeoutMessage());
  };

  private unanswered(): string {
    return this.session.playing ? 'with media' : 'play';
  }

  private timeoutMessage(): string {
    const ms = this.deadlineMs;
    switch (this.deadlineWait) {
      case 'connect':
        if (this.phase === 'dns') return `DNS lookup of ${this.target.host} did not finish within ${ms} ms`;
        if (this.phase === 'tls') return `TLS handshake with ${this.peer} did not finish within ${ms} ms`;
        return `no TCP connection to ${this.peer} within ${ms} ms`;
      case 'session':
        return this.phase === 'handshake'
          ? `RTMP handshake with ${this.peer} did not finish within ${ms} ms`
          : `play did not start within ${ms} ms of the handshake (the server never answered ${this.unanswered()})`;
      case 'first-media':
        return `play started but no audio or video within ${ms} ms`;
      case 'idle':
        return `read idle: no data for ${ms} ms`;
    }
  }
}
