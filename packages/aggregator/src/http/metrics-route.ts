/**
 * GET /metrics: the exposition text, gzip-compressed when the scraper accepts it (at 1000 streams the text
 * is several MB; gzip makes it a tenth). Scrapes that arrive while an exposition is being rendered share it
 * (with thousands of streams the text costs tens of ms of main thread, and ten concurrent scrapers must
 * not cost ten renders), and the scrapers of one render that want gzip share one compression, which runs
 * on libuv's thread pool, off the event loop.
 *
 * A render holds the main thread from start to end, so a scrape that arrives meanwhile is only read after it:
 * the two servers of an HA Prometheus pair would then each wait for the other's render and then their own.
 * So a finished render also answers the scrapes that come within its own duration after it (at most
 * MAX_REUSE_MS): they waited for it, and it is no older than a render they would have shared. A config
 * change (the `generation`) ends that at once: streams may have come or gone.
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
  /** when the render finished and how long it took, ms (the handler's clock) */
  at: number;
  took: number;
  generation: number;
}

/** The longest a finished render answers later scrapes, ms (a slow render reuses no longer than this). */
export const MAX_REUSE_MS = 250;

export interface MetricsHandlerOptions {
  compress?: Compress;
  now?: () => number;
  /** changes whenever the set of streams or the config changes */
  generation?: () => number;
}

/** Responses differ by Accept-Encoding: caches must key on it. */
const VARY = { Vary: 'Accept-Encoding' } as const;

export function metricsHandler(
  registry: Registry<RegistryContentType>,
  o: MetricsHandlerOptions = {},
): (req: RouteRequest) => Promise<Reply> {
  const compress = o.compress ?? ((text: string) => gzipAsync(text));
  const now = o.now ?? (() => performance.now());
  const generation = o.generation ?? (() => 0);
  let rendering: Promise<Exposition> | undefined;
  let last: Exposition | undefined;
  const fresh = (e: Exposition) => now() - e.at < Math.min(e.took, MAX_REUSE_MS) && e.generation === generation();
  const render = (): Promise<Exposition> => {
    if (last !== undefined && fresh(last)) return Promise.resolve(last);
    if (rendering) return rendering;
    const started = now();
    const startedGeneration = generation();
    rendering = registry
      .metrics()
      .then((text): Exposition => {
        const at = now();
        const e: Exposition = { text, at, took: at - started, generation: startedGeneration };
        last = e;
        // Let go of it when it can no longer be reused: at 1000 streams the text (and its gzip) are several
        // MB that would otherwise stay on the heap until the next scrape, 15 s or more later.
        setTimeout(
          () => {
            if (last === e) last = undefined;
          },
          Math.min(e.took, MAX_REUSE_MS),
        ).unref();
        return e;
      })
      .finally(() => {
        rendering = undefined;
      });
    return rendering;
  };

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
