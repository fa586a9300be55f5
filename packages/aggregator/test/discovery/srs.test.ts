import { afterEach, describe, expect, it } from 'vitest';
import { SRS_PAGE_SIZE, SrsSource } from '../../src/discovery/srs.js';
import { sourceConfig } from './support/source-config.js';
import { type SrsOptions, type SrsStandIn, type SrsStream, startSrsStandIn } from './support/srs-stand-in.js';

let srs: SrsStandIn | undefined;
afterEach(async () => {
  await srs?.close();
  srs = undefined;
});

const rooms = (n: number, extra: Partial<SrsStream> = {}): SrsStream[] =>
  Array.from({ length: n }, (_, i) => ({ app: 'live', name: `room${i}`, ...extra }));

async function discover(o: SrsOptions, max_streams = 10_000) {
  srs = await startSrsStandIn(o);
  const source = new SrsSource(sourceConfig({ name: 'srs', type: 'srs', url: srs.url, max_streams }));
  return source.refresh(new AbortController().signal);
}

describe('srs source against the SRS API stand-in', () => {
  it('lists only active publishers, keeps video: null ones, names vhosts', async () => {
    const streams: SrsStream[] = [
      { app: 'live', name: 'a' },
      { app: 'live', name: 'left', active: false },
      { app: 'live', name: 'novideo', video: false },
      { app: 'game', name: 'b', vhost: 'game.example.com' },
    ];
    const found = await discover({ streams });
    expect(found).toEqual([
      { kind: 'media', vhost: 'default', app: 'live', stream: 'a' },
      { kind: 'media', vhost: 'default', app: 'live', stream: 'novideo' },
      { kind: 'media', vhost: 'game.example.com', app: 'game', stream: 'b' },
    ]);
    // every streams request names its count: SRS's default page size is not to be relied on
    const pages = srs!.requests.filter((r) => r.startsWith('/api/v1/streams'));
    expect(pages.every((r) => r.includes(`count=${SRS_PAGE_SIZE}`))).toBe(true);
  });

  it.each([
    { what: 'total present, honest pages', o: { total: true }, n: 2_500, maxRequests: 3 },
    { what: 'total absent, honest pages', o: {}, n: 2_500, maxRequests: 3 },
    { what: 'total absent, server clamps pages to 10', o: { maxPage: 10 }, n: 95, maxRequests: 11 },
    { what: 'total present, server clamps pages to 1', o: { maxPage: 1, total: true }, n: 7, maxRequests: 7 },
    { what: 'total absent, server clamps pages to 1', o: { maxPage: 1 }, n: 7, maxRequests: 8 },
    { what: 'total absent, an exact multiple of the page', o: { maxPage: 10 }, n: 30, maxRequests: 4 },
    // SRS's default page size applies only when count is missing: the client always sends it
    { what: 'a default page size of 1 for a missing count', o: { defaultCount: 1 }, n: 25, maxRequests: 2 },
  ])('reads every page: $what', async ({ o, n, maxRequests }) => {
    const found = await discover({ streams: rooms(n), ...o });
    expect(found.map((f) => f.stream)).toEqual(rooms(n).map((s) => s.name));
    const pages = srs!.requests.filter((r) => r.startsWith('/api/v1/streams'));
    expect(pages.length).toBeLessThanOrEqual(maxRequests);
  });

  it('a server that ignores start (every page the same) is an error, not an endless loop', async () => {
    await expect(discover({ streams: rooms(30), maxPage: 10, ignoreStart: true })).rejects.toThrow(
      'a page repeated streams already read (start ignored?)',
    );
    expect(srs!.requests.filter((r) => r.startsWith('/api/v1/streams')).length).toBe(2);
  });

  it('no streams at all: an empty list after one request', async () => {
    expect(await discover({ streams: [] })).toEqual([]);
  });
});
