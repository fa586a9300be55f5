import { describe, expect, it } from 'vitest';
import { defaultId, Renderer } from '../../src/discovery/render.js';
import type { FoundEntry } from '../../src/discovery/types.js';
import { sourceConfig } from './support/source-config.js';

const media = (app: string, stream: string, vhost = 'default'): FoundEntry => ({ kind: 'media', vhost, app, stream });
const target = (url: string, labels: Record<string, string> = {}): FoundEntry => ({ kind: 'target', url, labels });
const ALLOWED = ['table', 'desk', 'biz', 'isp', 'role'];

describe('rendering found entries into streams', () => {
  const srs = sourceConfig({
    name: 'srs-origin',
    type: 'srs',
    url: 'http://srs:1985',
    play_url: 'http://srs:8080/{app}/{stream}.flv?token=t0k',
    project: '{vhost}',
    line: 'Source',
    tags: { role: 'origin' },
  });

  it('applies the templates: project, lower-cased line, id, URL, literal tags, source', () => {
    const r = new Renderer(srs, ALLOWED).render([media('live', 'room01'), media('live', 'room02', 'game.example.com')]);
    expect(r.streams).toEqual([
      {
        key: 'default/source/live/room01',
        project: 'default',
        line: 'source',
        id: 'live/room01',
        url: 'http://srs:8080/live/room01.flv?token=t0k',
        tags: { role: 'origin' },
        headers: {},
        insecure_tls: false,
        source: 'srs-origin',
      },
      {
        key: 'game.example.com/source/live/room02',
        project: 'game.example.com',
        line: 'source',
        id: 'live/room02',
        url: 'http://srs:8080/live/room02.flv?token=t0k',
        tags: { role: 'origin' },
        headers: {},
        insecure_tls: false,
        source: 'srs-origin',
      },
    ]);
  });

  it('match: every regex must match; the others are counted as unmatched, not as errors', () => {
    const r = new Renderer({ ...srs, match: { app: '^live$', stream: '^room' } }, ALLOWED).render([
      media('live', 'room1'),
      media('test', 'room2'),
      media('live', 'lobby'),
    ]);
    expect(r.streams.map((s) => s.id)).toEqual(['live/room1']);
    expect(r.unmatched).toBe(2);
    expect(r.skipped.invalid).toBe(0);
  });

  it('odd names: percent-encoded in the URL, kept in the labels; control characters are skipped', () => {
    const r = new Renderer(srs, ALLOWED).render([
      media('live', 'room 1'),
      media('live', '直播间'),
      media('live', '<b>x</b>'),
      media('live', 'bad\nname'),
      media('live', ''),
    ]);
    expect(r.streams.map((s) => [s.id, s.url])).toEqual([
      ['live/room 1', 'http://srs:8080/live/room%201.flv?token=t0k'],
      ['live/直播间', 'http://srs:8080/live/%E7%9B%B4%E6%92%AD%E9%97%B4.flv?token=t0k'],
      ['live/<b>x</b>', 'http://srs:8080/live/%3Cb%3Ex%3C%2Fb%3E.flv?token=t0k'],
    ]);
    expect(r.skipped.invalid).toBe(2);
    expect(r.examples[0]).toContain('control characters');
  });

  it('a URL template that renders an invalid URL skips that entry with the reason', () => {
    const c = sourceConfig({ name: 'edge', type: 'srs', play_url: 'http://{stream}.edge.example/live.flv' });
    const r = new Renderer(c, ALLOWED).render([media('live', 'ok'), media('live', 'has space'), media('live', 'a:b')]);
    expect(r.streams.map((s) => s.url)).toEqual(['http://ok.edge.example/live.flv']);
    expect(r.skipped.invalid).toBe(2);
    expect(r.examples).toEqual([
      'stream "live/has space": play_url renders "http://has%20space.edge.example/live.flv": not a valid URL',
      'stream "live/a:b": play_url renders "http://a%3Ab.edge.example/live.flv": not a valid URL',
    ]);
  });

  it('max_streams keeps the first and counts the rest; duplicates in one list are counted once', () => {
    const r = new Renderer({ ...srs, max_streams: 2 }, ALLOWED).render([
      media('live', 'a'),
      media('live', 'a'),
      media('live', 'b'),
      media('live', 'c'),
    ]);
    expect(r.streams.map((s) => s.id)).toEqual(['live/a', 'live/b']);
    expect(r.skipped).toEqual({ invalid: 0, duplicate: 1, capped: 1 });
  });

  it('http_sd targets: labels project/line/id, defaults, tags through the allow-list, __ labels ignored', () => {
    const sd = sourceConfig({ name: 'targets', type: 'http_sd', tags: { role: 'edge' } });
    const r = new Renderer(sd, ALLOWED).render([
      target('http://edge/live/a.flv', { project: 'G01', line: 'CDN', id: 'a', isp: 'ct', __meta_x: '1', shard: 'x' }),
      target('https://edge/live/b.flv?auth_key=secret'),
      target('ftp://edge/live/c.flv'),
    ]);
    expect(r.streams.map((s) => [s.key, s.url, s.tags])).toEqual([
      ['G01/cdn/a', 'http://edge/live/a.flv', { role: 'edge', isp: 'ct' }],
      ['targets/discovered/live/b', 'https://edge/live/b.flv?auth_key=secret', { role: 'edge' }],
    ]);
    expect([...r.droppedTags]).toEqual(['shard']);
    expect(r.examples).toEqual([
      'target "ftp://edge/live/c.flv": unsupported scheme "ftp" (only http, https, rtmp and rtmps)',
    ]);
  });

  it('rtmp:// and rtmps:// targets are streams too (SPEC §14); one without /app/stream is invalid', () => {
    const sd = sourceConfig({ name: 'origins', type: 'http_sd' });
    const r = new Renderer(sd, ALLOWED).render([
      target('rtmp://origin/live/d?token=1'),
      target('rtmps://origin/live/e'),
      target('rtmp://origin/live'),
    ]);
    expect(r.streams.map((s) => [s.id, s.url])).toEqual([
      ['live/d', 'rtmp://origin/live/d?token=1'],
      ['live/e', 'rtmps://origin/live/e'],
    ]);
    expect(r.examples).toEqual([
      'target "rtmp://origin/live": not a valid RTMP URL (RTMP URL needs /app/stream in its path)',
    ]);
  });

  it('the default id of a target is its path without the extension', () => {
    expect(defaultId('http://edge/live/a.flv')).toBe('live/a');
    expect(defaultId('http://edge/live/room%201.flv?x=1')).toBe('live/room 1');
    expect(defaultId('http://edge/a.b/stream')).toBe('a.b/stream');
  });
});
