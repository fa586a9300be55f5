/**
 * SRS: `GET {url}/api/v1/streams?start=S&count=C`, every page, only streams with `publish.active`;
 * vhost ids looked up in `{url}/api/v1/vhosts` (SRS 4+ lists a stream's vhost by id).
 *
 * SRS's paging is not to be trusted: its default page size has been 10 and 1, some versions clamp
 * `count` (a page shorter than asked for is then not the last one), and it rarely sends `total`. So the
 * reader always asks with an explicit count, moves `start` by what it really got, stops on `total`, on an
 * empty page or on a page shorter than the server's own page size, and stops (with an error) if a page
 * repeats one already read.
 */
import type { DiscoverySourceConfig } from '../config/types.js';
import { DiscoveryError, fetchJson } from './fetch-json.js';
import type { DiscoverySource, MediaEntry } from './types.js';

export const SRS_PAGE_SIZE = 1000;
const DEFAULT_VHOST = '__defaultVhost__';
export const DEFAULT_VHOST_NAME = 'default';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SrsSource implements DiscoverySource {
  constructor(private readonly c: Pick<DiscoverySourceConfig, 'url' | 'headers' | 'max_streams'>) {}

  async refresh(signal: AbortSignal): Promise<MediaEntry[]> {
    const vhosts = await this.vhostNames(signal);
    const raw = await this.allStreams(signal);
    const out: MediaEntry[] = [];
    for (const [i, s] of raw.entries()) {
      if (!isObject(s)) throw new DiscoveryError(`${this.at('/api/v1/streams')}: streams[${i}] is not an object`);
      const publish = s.publish;
      if (!isObject(publish) || publish.active !== true) continue; // an idle source: nobody publishes
      if (typeof s.app !== 'string' || typeof s.name !== 'string')
        throw new DiscoveryError(`${this.at('/api/v1/streams')}: streams[${i}] has no app/name strings`);
      const vhostId = typeof s.vhost === 'string' || typeof s.vhost === 'number' ? String(s.vhost) : '';
      const name = vhosts.get(vhostId) ?? vhostId;
      out.push({
        kind: 'media',
        vhost: name === DEFAULT_VHOST ? DEFAULT_VHOST_NAME : name,
        app: s.app,
        stream: s.name,
      });
    }
    return out;
  }

  private at(path: string): string {
    return `${this.c.url}${path}`;
  }

  private async get(path: string, signal: AbortSignal): Promise<Json> {
    const doc = await fetchJson({ url: this.at(path), headers: this.c.headers, signal });
    if (!isObject(doc))
      throw new DiscoveryError(
        `${this.at(path.split('?')[0]!)}: expected a JSON object, got ${Array.isArray(doc) ? 'a list' : typeof doc}`,
      );
    if (doc.code !== undefined && doc.code !== 0)
      throw new DiscoveryError(`${this.at(path.split('?')[0]!)}: SRS error code ${JSON.stringify(doc.code)}`);
    return doc;
  }

  /** vhost id -> name; both SRS 3 (numeric ids) and 4+ ("vid-...") */
  private async vhostNames(signal: AbortSignal): Promise<Map<string, string>> {
    const doc = await this.get('/api/v1/vhosts', signal);
    if (!Array.isArray(doc.vhosts))
      throw new DiscoveryError(`${this.at('/api/v1/vhosts')}: no "vhosts" list in the answer`);
    const names = new Map<string, string>();
    for (const v of doc.vhosts) {
      if (isObject(v) && (typeof v.id === 'string' || typeof v.id === 'number') && typeof v.name === 'string')
        names.set(String(v.id), v.name);
    }
    return names;
  }

  private async allStreams(signal: AbortSignal): Promise<unknown[]> {
    const all: unknown[] = [];
    const seen = new Set<string>();
    /** what the server really returns per page (it may clamp the count asked for) */
    let serverPage = SRS_PAGE_SIZE;
    // every page brings at least one new stream, so this bounds the requests
    const maxPages = this.c.max_streams * 2 + 2;
    for (let page = 0; page < maxPages; page++) {
      const doc = await this.get(`/api/v1/streams?start=${all.length}&count=${SRS_PAGE_SIZE}`, signal);
      if (!Array.isArray(doc.streams))
        throw new DiscoveryError(`${this.at('/api/v1/streams')}: no "streams" list in the answer`);
      const got = doc.streams;
      if (got.length === 0) break;
      const key = (s: unknown) =>
        isObject(s) ? `${String(s.id)}|${String(s.vhost)}|${String(s.app)}|${String(s.name)}` : '';
      if (got.every((s) => seen.has(key(s))))
        throw new DiscoveryError(
          `${this.at('/api/v1/streams')}: a page repeated streams already read (start ignored?)`,
        );
      for (const s of got) seen.add(key(s));
      all.push(...got);
      const total = typeof doc.total === 'number' ? doc.total : undefined;
      if (total !== undefined && all.length >= total) break;
      if (all.length > this.c.max_streams * 2 + SRS_PAGE_SIZE) break; // capped later with a warning
      if (page === 0) serverPage = Math.min(serverPage, got.length);
      else if (got.length < serverPage) break;
      // page 0 shorter than asked: either all there is or the server's clamp; the next page tells
    }
    return all;
  }
}
