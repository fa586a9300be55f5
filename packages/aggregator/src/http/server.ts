/**
 * The exporter's own HTTP server (SPEC §7): node:http, a fixed route table (routes.ts), request metrics
 * labelled by route template, and limits that keep slow or oversized clients from holding resources.
 */
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Counter, Histogram, Registry, RegistryContentType } from 'prom-client';
import type { ExporterView } from '../state/types.js';
import { ALLOWED_METHODS, OTHER_PATH, createRoutes, jsonReply } from './routes.js';
import type { Reply } from './routes.js';

export interface HttpServerOptions {
  /** undefined: all interfaces (`::` or `0.0.0.0`, as Node picks) */
  host?: string;
  /** 0 = ephemeral (tests) */
  port: number;
  registry: Registry<RegistryContentType>;
  view: ExporterView;
  /** created by the metrics module and registered on `registry` */
  metrics?: { requests: Counter<'path' | 'code'>; duration: Histogram<'path'> };
  logger?: { warn(msg: string, meta?: object): void };
}

export interface HttpServerHandle {
  /** http://host:port, with a connectable host when bound to all interfaces */
  url: string;
  port: number;
  /** the underlying server, for limits and tests; do not attach request handlers */
  server: Server;
  /** stops accepting, closes idle keep-alive connections, waits for requests in flight (bounded) */
  close(): Promise<void>;
}

export const HTTP_LIMITS = {
  /** the whole request head must arrive within this (slowloris) */
  headersTimeoutMs: 10_000,
  /** the whole request must arrive within this */
  requestTimeoutMs: 30_000,
  /** idle keep-alive connections close after this */
  keepAliveTimeoutMs: 5_000,
  /** larger heads are answered 431 by node */
  maxHeaderSize: 16 * 1024,
  /** close() waits this long for requests in flight before dropping their connections */
  closeGraceMs: 3_000,
} as const;

const ALLOW = ALLOWED_METHODS.join(', ');

export async function startHttpServer(o: HttpServerOptions): Promise<HttpServerHandle> {
  let closing: Promise<void> | undefined;
  const routes = createRoutes({ registry: o.registry, view: o.view, now: () => Date.now() / 1000 });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const { path, query } = splitTarget(req.url ?? '/');
    const match = routes.match(path);
    const label = match?.route.template ?? OTHER_PATH;

    let recorded = false;
    const record = (): void => {
      if (recorded || o.metrics === undefined) return;
      recorded = true;
      o.metrics.requests.inc({ path: label, code: String(res.statusCode) });
      o.metrics.duration.observe({ path: label }, (performance.now() - started) / 1000);
    };
    res.once('finish', record);
    res.once('close', record);

    let reply: Reply;
    try {
      if (match === undefined) reply = jsonReply(404, { error: 'not found', path });
      else if (!(ALLOWED_METHODS as readonly string[]).includes(req.method ?? '')) {
        reply = jsonReply(405, { error: 'method not allowed' }, { Allow: ALLOW });
      } else reply = await match.route.handle({ query, params: match.params });
    } catch (err) {
      o.logger?.warn('http handler failed', { method: req.method, path: label, error: describe(err) });
      reply = jsonReply(500, { error: 'internal error' });
    }
    // while closing, every answer ends its connection so keep-alive clients cannot hold the close open
    if (closing !== undefined) res.shouldKeepAlive = false;
    send(res, reply, req.method === 'HEAD');
  }

  const server = http.createServer({ maxHeaderSize: HTTP_LIMITS.maxHeaderSize }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // only send() can get here (e.g. a header value node refuses): drop the connection, keep serving
      o.logger?.warn('http response failed', { error: describe(err) });
      res.destroy();
    });
  });
  server.headersTimeout = HTTP_LIMITS.headersTimeoutMs;
  server.requestTimeout = HTTP_LIMITS.requestTimeoutMs;
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  // an error after listen (e.g. EMFILE on accept) must not become an uncaught 'error' event
  const onRuntimeError = (err: Error): void => o.logger?.warn('http server error', { error: describe(err) });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const ready = (): void => {
      server.off('error', reject);
      server.on('error', onRuntimeError);
      resolve();
    };
    if (o.host === undefined) server.listen(o.port, ready);
    else server.listen(o.port, o.host, ready);
  });

  const address = server.address() as AddressInfo;
  return {
    url: `http://${connectableHost(address.address)}:${address.port}`,
    port: address.port,
    server,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), HTTP_LIMITS.closeGraceMs);
        force.unref();
        // a connection busy at close() turns idle once its response is sent: close it then, not at the grace end
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        sweep.unref();
        server.close((err) => {
          clearTimeout(force);
          clearInterval(sweep);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function send(res: ServerResponse, reply: Reply, head: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...reply.headers,
  });
  // HEAD: same head as GET (Content-Length included), no body
  res.end(head ? undefined : body);
}

/** origin-form request target → raw path and query (absolute-form and `*` simply match no route) */
function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  return q < 0
    ? { path: target, query: new URLSearchParams() }
    : { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}

function connectableHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
