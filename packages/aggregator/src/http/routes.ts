/**
 * The route table. Handlers return a Reply instead of writing to the response, so HEAD, headers,
 * errors and request metrics are handled once, in server.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Registry, RegistryContentType } from 'prom-client';
import type { ExporterView } from '../state/types.js';
import { metricsHandler } from './metrics-route.js';
import { renderStatusPage } from './status-page.js';
import { parseStreamFilter, selectStreams, summarizeStream } from './stream-list.js';
import { renderWallPage } from './wall-page.js';

export interface Reply {
  status: number;
  contentType: string;
  /** text (sent as UTF-8) or bytes as they go on the wire (e.g. gzip) */
  body: string | Buffer;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

export function jsonReply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, contentType: JSON_TYPE, body: `${JSON.stringify(body)}\n`, headers };
}

export interface RouteDeps {
  registry: Registry<RegistryContentType>;
  view: ExporterView;
  /** unix seconds; injectable for tests */
  now: () => number;
  /** further fixed-path routes (e.g. /probe); a template equal to a built-in path replaces it */
  extra?: readonly Route[];
}

export interface RouteRequest {
  query: URLSearchParams;
  /** raw (still percent-encoded) path parameters, in template order */
  params: readonly string[];
  /** the request's headers (node lower-cases the names) */
  headers?: IncomingHttpHeaders;
}

export interface Route {
  /** the path template: also the `path` label of the request metrics */
  template: string;
  handle(req: RouteRequest): Reply | Promise<Reply>;
}

/** Every route answers GET, and HEAD like GET without the body. */
export const ALLOWED_METHODS = ['GET', 'HEAD'] as const;

/** the `path` label of requests that matched no route: keeps label cardinality bounded */
export const OTHER_PATH = 'other';

export const STREAM_TEMPLATE = '/api/streams/{project}/{line}/{id}';
export const THUMBNAIL_TEMPLATE = '/api/streams/{project}/{line}/{id}/thumbnail.jpg';
const THUMBNAIL_FILE = 'thumbnail.jpg';
const JPEG_TYPE = 'image/jpeg';
const STREAMS_PREFIX = '/api/streams/';

export function createRoutes(d: RouteDeps): { match(rawPath: string): { route: Route; params: string[] } | undefined } {
  const fixed = new Map<string, Route>();
  const add = (template: string, handle: Route['handle']): void => {
    fixed.set(template, { template, handle });
  };

  add('/metrics', metricsHandler(d.registry, { generation: () => d.view.generation?.() ?? 0 }));
  // liveness: answering at all proves the process and its event loop run
  add('/healthz', () => jsonReply(200, { status: 'ok' }));
  add('/readyz', () =>
    d.view.ready() ? jsonReply(200, { status: 'ready' }) : jsonReply(503, { status: 'not ready' }),
  );
  add('/status', () => jsonReply(200, d.view.status()));
  add('/api/streams', ({ query }) => {
    const parsed = parseStreamFilter(query);
    if (!parsed.ok) return jsonReply(400, { error: parsed.error, allowed: parsed.allowed });
    return jsonReply(200, { streams: selectStreams(d.view.snapshots(), parsed.filter).map(summarizeStream) });
  });
  add('/wall', () => ({
    status: 200,
    contentType: HTML_TYPE,
    body: renderWallPage(d.view.snapshots(), d.now(), (key) => d.view.contentChecked?.(key) ?? true),
  }));
  add('/', () => ({
    status: 200,
    contentType: HTML_TYPE,
    body: renderStatusPage(d.view.status(), d.view.snapshots(), d.now()),
  }));
  for (const route of d.extra ?? []) fixed.set(route.template, route);

  const stream: Route = {
    template: STREAM_TEMPLATE,
    handle({ params }) {
      const key = streamKey(params);
      if (key === undefined) return jsonReply(400, { error: 'malformed percent-encoding in path' });
      const snapshot = d.view.snapshot(key);
      return snapshot === undefined ? jsonReply(404, { error: 'stream not found', key }) : jsonReply(200, snapshot);
    },
  };
  const thumbnail: Route = {
    template: THUMBNAIL_TEMPLATE,
    handle({ params }) {
      const key = streamKey(params);
      if (key === undefined) return jsonReply(400, { error: 'malformed percent-encoding in path' });
      const jpeg = d.view.thumbnail?.(key);
      if (jpeg === undefined) return jsonReply(404, { error: 'no thumbnail (yet) for this stream', key });
      return { status: 200, contentType: JPEG_TYPE, body: jpeg, headers: { 'cache-control': 'no-store' } };
    },
  };

  return {
    match(rawPath) {
      const route = fixed.get(rawPath);
      if (route !== undefined) return { route, params: [] };
      if (rawPath.startsWith(STREAMS_PREFIX)) {
        const params = rawPath.slice(STREAMS_PREFIX.length).split('/');
        if (params.length === 3 && params.every((p) => p !== '')) return { route: stream, params };
        if (params.length === 4 && params[3] === THUMBNAIL_FILE && params.slice(0, 3).every((p) => p !== '')) {
          return { route: thumbnail, params: params.slice(0, 3) };
        }
      }
      return undefined;
    },
  };
}

/** project/line/id from raw path parameters; split before decoding: an id may contain an encoded '/' (%2F) */
function streamKey(params: readonly string[]): string | undefined {
  try {
    return params.map((p) => decodeURIComponent(p)).join('/');
  } catch {
    return undefined;
  }
}
