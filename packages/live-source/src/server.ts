/**
 * The live HTTP-FLV source: GET /live/<fixture>/<name>.flv?<faults> serves an endless real-time stream
 * made from a fixture file (see fixture-timeline.ts), or the fault the query asks for (see faults.ts).
 *
 * HTTP: node's http server parses requests (robust, cheap next to the streaming). A stream response is
 * close-delimited: `useChunkedEncodingByDefault = false` keeps Transfer-Encoding out of the head, the
 * head is flushed, and the FLV body is written straight to the socket, bypassing the OutgoingMessage
 * write path (per-write bookkeeping and chunk framing) that would run thousands of times a second.
 */

import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import type { Socket } from 'node:net';
import { after } from './after.js';
import type { Faults } from './faults.js';
import { parseFaults } from './faults.js';
import { FixtureTimeline } from './fixture-timeline.js';
import type { ByteCounter, StreamSocket } from './live-stream.js';
import { LiveStream } from './live-stream.js';
import { Pacer } from './pacer.js';
import { sendHtml, sendRedirect, sendStatus, sendText, withParam } from './responses.js';
import { startRtmpListener } from './rtmp/listener.js';

export interface LiveSourceOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** 0 (default) = ephemeral */
  port?: number;
  /** fixture name -> FLV file path or bytes */
  fixtures: Record<string, string | Uint8Array>;
  /** pacing period of the shared timer, default 20 ms */
  tickMs?: number;
  /** GOP-cache burst for requests that do not say gop_cache=0|1; default false */
  gopCache?: boolean;
  /** how far a slow consumer may fall behind before it is moved to the latest keyframe; default 10 000 ms */
  maxBacklogMs?: number;
  /** also serve RTMP on this port (0 = ephemeral): rtmp://host:port/live/<fixture>/<name>?<faults> */
  rtmpPort?: number;
  /** told when a stream body starts: its path and the GOP-cache burst it got (media ms already due) */
  onStreamStart?: (start: StreamStart) => void;
}

export interface StreamStart {
  path: string;
  burstMs: number;
}

export interface LiveSourceStats {
  /** TCP connections open now (streams and fault responses alike) */
  connections: number;
  /** FLV body bytes handed to sockets since start */
  bytesSent: number;
}

export interface LiveSource {
  /** http://host:port */
  url: string;
  port: number;
  /** rtmp://host:port when `rtmpPort` was given */
  rtmpUrl?: string;
  close(): Promise<void>;
  stats(): LiveSourceStats;
}

const STREAM_PATH = /^\/live\/([^/]+)\/.+\.flv$/;
const clock = (): number => performance.now();
const RST_AFTER_HEAD_MS = 10;

export async function startLiveSource(options: LiveSourceOptions): Promise<LiveSource> {
  const host = options.host ?? '127.0.0.1';
  const epoch = clock();
  const timelines = new Map<string, FixtureTimeline>();
  for (const [name, source] of Object.entries(options.fixtures)) {
    const bytes = typeof source === 'string' ? await readFile(source) : source;
    timelines.set(name, new FixtureTimeline(name, bytes, epoch));
  }
  const handler = new LiveSourceHandler(timelines, new Pacer(options.tickMs ?? 20, clock), {
    gopCache: options.gopCache ?? false,
    maxBacklogMs: options.maxBacklogMs ?? 10_000,
    onStreamStart: options.onStreamStart,
  });
  const server = http.createServer((req, res) => handler.handle(req, res));
  server.on('connection', (socket) => handler.track(socket));
  // a client that vanished mid-request: nothing to answer
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // a benchmark opens thousands of connections at once: a deep accept queue avoids SYN retries
    server.listen({ port: options.port ?? 0, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('live source: no TCP address');
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const rtmp = options.rtmpPort === undefined ? undefined : await startRtmpListener(host, options.rtmpPort, handler);
  const rtmpAddress = rtmp?.address();
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    ...(rtmpAddress && typeof rtmpAddress === 'object' ? { rtmpUrl: `rtmp://${urlHost}:${rtmpAddress.port}` } : {}),
    stats: () => handler.stats(),
    close: async () => {
      const listeners = [server, ...(rtmp ? [rtmp] : [])];
      const closed = listeners.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      await handler.shutdown();
      await Promise.all(closed);
    },
  };
}

class LiveSourceHandler {
  private readonly sockets = new Set<Socket>();
  private readonly counter: ByteCounter = { bytesSent: 0 };
  /** fail_first: requests seen per path */
  private readonly requestsByPath = new Map<string, number>();

  constructor(
    private readonly timelines: ReadonlyMap<string, FixtureTimeline>,
    private readonly pacer: Pacer,
    private readonly defaults: {
      gopCache: boolean;
      maxBacklogMs: number;
      onStreamStart: ((s: StreamStart) => void) | undefined;
    },
  ) {}

  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  stats(): LiveSourceStats {
    return { connections: this.sockets.size, bytesSent: this.counter.bytesSent };
  }

  /** Stops pacing and destroys every connection; resolves once all of them have closed. */
  async shutdown(): Promise<void> {
    this.pacer.stop();
    const sockets = [...this.sockets];
    const closed = sockets.map(
      (s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))),
    );
    for (const socket of sockets) socket.destroy();
    await Promise.all(closed);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = STREAM_PATH.exec(url.pathname);
    const timeline = match ? this.timelines.get(decode(match[1]!)) : undefined;
    if (!timeline) return sendText(res, 404, `no such stream: ${url.pathname}`);
    const parsed = parseFaults(url.searchParams);
    if (!parsed.ok) return sendText(res, 400, parsed.message);
    const faults = parsed.faults;
    const socket = req.socket;
    if (faults.closeAfterMs !== undefined) after(socket, faults.closeAfterMs, () => socket.resetAndDestroy());
    if (faults.neverHeaders) return;
    after(socket, faults.delayHeadersMs, () => this.respond(req, res, url, timeline, faults));
  }

  private respond(req: IncomingMessage, res: ServerResponse, url: URL, timeline: FixtureTimeline, f: Faults): void {
    const base = `http://${req.headers.host ?? 'localhost'}`;
    if (f.redirectLoop !== undefined) {
      return sendRedirect(
        res,
        withParam(base, url.pathname, url.searchParams, 'redirect_loop', f.redirectLoop === 1 ? '2' : '1'),
      );
    }
    if (f.redirect !== undefined) {
      const next = f.redirect - 1;
      return sendRedirect(
        res,
        withParam(base, url.pathname, url.searchParams, 'redirect', next > 0 ? String(next) : undefined),
      );
    }
    const refused = this.refusal(url.pathname, f);
    if (refused !== undefined) return sendStatus(res, refused);
    if (f.html) return sendHtml(res);

    const socket = req.socket;
    res.useChunkedEncodingByDefault = false;
    res.writeHead(200, { 'Content-Type': 'video/x-flv', 'Cache-Control': 'no-cache', Connection: 'close' });
    if (req.method === 'HEAD') return void res.end();
    socket.cork();
    res.flushHeaders();
    if (f.rst) {
      socket.uncork();
      // Not in the same turn: a RST that lands in the client's kernel together with the unread head can
      // surface there as a plain EOF (seen on Linux loopback); a few ms let the client read the head first.
      return after(socket, RST_AFTER_HEAD_MS, () => socket.resetAndDestroy());
    }
    if (f.empty) {
      this.writeRaw(socket, f.audioOnly ? timeline.audioOnlyFlvHeader : timeline.flvHeader);
      return void socket.uncork();
    }
    if (f.halfTag) {
      this.writeRaw(socket, timeline.flvHeader);
      const first = timeline.prelude[0];
      const tag = first
        ? Buffer.concat([first.header, first.rest])
        : Buffer.concat([timeline.headersFor(0)[0]!, timeline.bodies[0]!]);
      this.writeRaw(socket, tag.subarray(0, tag.length >> 1));
      return void socket.uncork();
    }
    if (f.delayBodyMs > 0) {
      socket.uncork();
      return after(socket, f.delayBodyMs, () => this.startStream(socket, url.pathname, timeline, f));
    }
    this.startStream(socket, url.pathname, timeline, f);
    socket.uncork();
  }

  /** Starts pacing `timeline` to a viewer; `out` is where the FLV goes (the socket, or an RTMP adapter). */
  startStream(socket: Socket, path: string, timeline: FixtureTimeline, f: Faults, out: StreamSocket = socket): void {
    if (socket.destroyed) return;
    const now = clock();
    const stream = new LiveStream(
      out,
      timeline,
      {
        pace: f.pace,
        gopCache: f.gopCache ?? this.defaults.gopCache,
        audioOnly: f.audioOnly,
        noKeyframesAfterFirstGop: f.noKeyframesAfterFirstGop,
        zeroTs: f.zeroTs,
        trickleBps: f.trickleBps,
        pause: f.pause,
        maxBacklogMs: this.defaults.maxBacklogMs,
        phaseMs: f.phaseMs ?? pathPhase(path, timeline.loopDurationMs),
        onFiOffsetMs: f.onFiOffsetMs,
      },
      this.counter,
      now,
    );
    this.pacer.add(stream);
    socket.once('close', () => this.pacer.delete(stream));
    this.defaults.onStreamStart?.({ path, burstMs: stream.leadMs });
    // the prelude, the start keyframe and any GOP-cache burst go out now, not a tick later
    try {
      stream.tick(now);
    } catch {
      this.pacer.delete(stream);
      socket.destroy();
    }
  }

  /** The status a request for `path` is refused with (`status`, `fail_first`), or undefined to stream. */
  refusal(path: string, f: Faults): number | undefined {
    if (f.failFirst !== undefined) {
      const seen = (this.requestsByPath.get(path) ?? 0) + 1;
      this.requestsByPath.set(path, seen);
      return seen <= f.failFirst ? (f.status ?? 503) : undefined;
    }
    return f.status;
  }

  timeline(name: string): FixtureTimeline | undefined {
    return this.timelines.get(name);
  }

  private writeRaw(socket: Socket, bytes: Buffer): void {
    socket.write(bytes);
    this.counter.bytesSent += bytes.length;
  }
}

/**
 * Every viewer of one path shares a timeline, as with a real stream; different paths get different phases
 * (FNV-1a of the path), as independent real streams do, so a thousand streams of one fixture do not all
 * send their keyframes in the same tick. (The source stands apart from the aggregator, whose scheduler has
 * the project's FNV-1a with a finaliser; spreading phases needs no more than the plain hash here.)
 */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function pathPhase(path: string, loopDurationMs: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), FNV_PRIME) >>> 0;
  return h % Math.max(1, Math.floor(loopDurationMs));
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
