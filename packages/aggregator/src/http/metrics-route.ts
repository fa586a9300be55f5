/**
 * GET /metrics: the exposition text, gzip-compressed when the scraper accepts it (at 1000 streams the text
 * is several MB; gzip makes it a tenth). Scrapes that arrive while an exposition is being rendered share it
 * (with thousands of streams the text costs tens of ms of main thread, and ten concurrent scrapers must
 * not cost ten renders), and the scrapers of one render that want gzip share one compression, which runs
 * on libuv's thread pool, off the event loop.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Registry, RegistryContentType } from 'prom-client';
import { acceptsGzip } from './accept-encoding.js';
import type { Reply, RouteRequest } from './routes.js';

const gzipAsync = promisify(gzip);

export type Compress = (text: string) => Promise<Buffer>;

interface Exposition {
  text: string;
  gzipped?: Promise<Buffer>;
}

/** Responses differ by Accept-Encoding: caches must key on it. */
const VARY = { Vary: 'Accept-Encoding' } as const;

export function metricsHandler(
  registry: Registry<RegistryContentType>,
  compress: Compress = (text) => gzipAsync(text),
): (req: RouteRequest) => Promise<Reply> {
  let rendering: Promise<Exposition> | undefined;
  const render = (): Promise<Exposition> =>
    (rendering ??= registry
      .metrics()
      .then((text): Exposition => ({ text }))
      .finally(() => {
        rendering = undefined;
      }));

  return async (req) => {
    const exposition = await render();
    const contentType = registry.contentType;
    if (!acceptsGzip(req.headers?.['accept-encoding']))
      return { status: 200, contentType, body: exposition.text, headers: VARY };
    if (exposition.gzipped === undefined) exposition.gzipped = compress(exposition.text);
    const body = await exposition.gzipped;
    return { status: 200, contentType, body, headers: { ...VARY, 'Content-Encoding': 'gzip' } };
  };
}
