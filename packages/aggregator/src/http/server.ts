/**
 * The exporter's own HTTP server (SPEC §7): node:http (or node:https with `--web.config.file`), a fixed
 * route table (routes.ts), optional basic auth (basic-auth.ts), request metrics labelled by route
 * template, and limits that keep slow, oversized or numerous clients from holding resources:
 * - the request head must arrive within headersTimeoutMs, the whole request within requestTimeoutMs,
 *   checked every connectionsCheckingIntervalMs (node's default, 30 s, would let a slowloris client
 *   hold its socket up to 40 s); a TLS handshake must finish within handshakeTimeoutMs;
 * - heads over maxHeaderSize are answered 431 by node, and at most maxHeadersCount header lines are read;
 * - at most maxConnections sockets at once: beyond that new ones are closed at accept, which keeps a
 *   connection flood from using up the file descriptors the probes need.
 * Clients do not delay each other: every request is answered from memory on the event loop, and a
 * client that trickles its head holds only its own socket until the timeout.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Counter, Histogram, Registry, RegistryContentType } from 'prom-client';
import type { ExporterView } from '../state/types.js';
import type { BasicAuth } from './basic-auth.js';
import { createProbeRoute, type ProbeEndpointDeps } from './probe-endpoint.js';
import type { Reply } from './routes.js';
import { ALLOWED_METHODS, createRoutes, jsonReply, OTHER_PATH } from './routes.js';
import type { TlsSettings } from './web-config.js';

/** What `--web.config.file` adds to the server: TLS and basic auth. */
export interface WebSecurity {
  /** serve HTTPS with this certificate; undefined = plain HTTP */
  tls?: TlsSettings;
  /** require these credentials on every path but OPEN_PATHS; undefined = no authentication */
  auth?: BasicAuth;
}

export interface HttpServerOptions extends WebSecurity {
  /** undefined: all interfaces (`::` or `0.0.0.0`, as Node picks) */
  host?: string;
  /** 0 = ephemeral (tests) */
  port: number;
  registry: Registry<RegistryContentType>;
  view: ExporterView;
  /** created by the metrics module and registered on `registry` */
  metrics?: { requests: Counter<'path' | 'code'>; duration: Histogram<'path'> };
  logger?: { warn(msg: string, meta?: object): void };
  /** the blackbox-style /probe endpoint (probe-endpoint.ts); undefined = no such route */
  probe?: ProbeEndpointDeps;
}

export interface HttpServerHandle {
  /** http(s)://host:port, with a connectable host when bound to all interfaces */
  url: string;
  port: number;
  /** the underlying server, for limits and tests; do not attach request handlers */
  server: http.Server | https.Server;
  /** stops accepting, closes idle keep-alive connections, waits for requests in flight (bounded) */
  close(): Promise<void>;
}

export const HTTP_LIMITS = {
  /** the whole request head must arrive within this (slowloris) */
  headersTimeoutMs: 10_000,
  /** the whole request must arrive within this */
  requestTimeoutMs: 30_000,
  /** how often node checks the two timeouts above */
  connectionsCheckingIntervalMs: 1_000,
  /** idle keep-alive connections close after this */
  keepAliveTimeoutMs: 5_000,
  /** TLS handshakes must finish within this (node's default is 120 s) */
  handshakeTimeoutMs: 10_000,
  /** larger heads are answered 431 by node */
  maxHeaderSize: 16 * 1024,
  /** header lines read per request (node's default 2000); the rest are dropped */
  maxHeadersCount: 100,
  /** sockets open at once; more are closed at accept */
  maxConnections: 512,
  /** close() waits this long for requests in flight before dropping their connections */
  closeGraceMs: 3_000,
} as const;

/** Paths the kubelet probes: answered without credentials (they reveal nothing but up / ready). */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

const ALLOW = ALLOWED_METHODS.join(', ');

export async function startHttpServer(o: HttpServerOptions): Promise<HttpServerHandle> {
  let closing: Promise<void> | undefined;
  const extra = o.probe ? [createProbeRoute(o.probe, () => o.view.ready())] : [];
  const routes = createRoutes({ registry: o.registry, view: o.view, now: () => Date.now() / 1000, extra });

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
      const verdict =
        o.auth === undefined || OPEN_PATHS.has(path) ? 'ok' : await o.auth.check(req.headers.authorization);
      if (verdict === 'denied')
        reply = jsonReply(401, { error: 'unauthorized' }, { 'WWW-Authenticate': o.auth!.challenge });
      else if (verdict === 'busy')
        reply = jsonReply(429, { error: 'too many authentication checks in progress' }, { 'Retry-After': '1' });
      else if (match === undefined) reply = jsonReply(404, { error: 'not found', path });
      else if (!(ALLOWED_METHODS as readonly string[]).includes(req.method ?? '')) {
        reply = jsonReply(405, { error: 'method not allowed' }, { Allow: ALLOW });
      } else reply = await match.route.handle({ query, params: match.params, headers: req.headers });
    } catch (err) {
      o.logger?.warn('http handler failed', { method: req.method, path: label, error: describe(err) });
      reply = jsonReply(500, { error: 'internal error' });
    }
    // while closing, every answer ends its connection so keep-alive clients cannot hold the close open
    if (closing !== undefined) res.shouldKeepAlive = false;
    send(res, reply, req.method === 'HEAD');
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      // only send() can get here (e.g. a header value node refuses): drop the connection, keep serving
      o.logger?.warn('http response failed', { error: describe(err) });
      res.destroy();
    });
  };
  const httpOptions: http.ServerOptions = {
    maxHeaderSize: HTTP_LIMITS.maxHeaderSize,
    connectionsCheckingInterval: HTTP_LIMITS.connectionsCheckingIntervalMs,
  };
  const server: http.Server | https.Server =
    o.tls === undefined
      ? http.createServer(httpOptions, onRequest)
      : https.createServer({ ...httpOptions, ...tlsOptions(o.tls) }, onRequest);
  server.headersTimeout = HTTP_LIMITS.headersTimeoutMs;
  server.requestTimeout = HTTP_LIMITS.requestTimeoutMs;
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  server.maxHeadersCount = HTTP_LIMITS.maxHeadersCount;
  server.maxConnections = HTTP_LIMITS.maxConnections;
  // a failed handshake (a plain-HTTP client, a scanner) concerns that socket only; node destroys it
  if (o.tls !== undefined) server.on('tlsClientError', () => {});
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
    url: `${o.tls === undefined ? 'http' : 'https'}://${connectableHost(address.address)}:${address.port}`,
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

function tlsOptions(t: TlsSettings): https.ServerOptions {
  return {
    cert: t.cert,
    key: t.key,
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    handshakeTimeout: HTTP_LIMITS.handshakeTimeoutMs,
    // RequireAndVerifyClientCert: the handshake itself refuses a client without a certificate from the CA
    ...(t.clientCa !== undefined ? { ca: t.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

function send(res: ServerResponse, reply: Reply, head: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
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
