/**
 * An SRS HTTP API stand-in: `/api/v1/vhosts` and `/api/v1/streams?start&count` answering with the JSON
 * SRS 5/6 writes (field names from SrsStatisticStream::dumps / SrsStatisticVhost::dumps in
 * trunk/src/app/srs_app_statistic.cpp; envelope from srs_app_http_api.cpp: code, server, service, pid),
 * including SRS's paging behaviours the discovery client must survive.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SrsStream {
  app: string;
  name: string;
  /** vhost name; the stream lists the vhost's id, as SRS 4+ does */
  vhost?: string;
  /** publish.active: false for a source whose publisher left (SRS keeps the entry) */
  active?: boolean;
  /** false: "video": null (publishing, but no video seen: the case an API-only monitor misses) */
  video?: boolean;
}

export interface SrsOptions {
  streams: SrsStream[];
  /** send "total" with each page (SRS does not; some builds and proxies do) */
  total?: boolean;
  /** the page size used when `count` is missing (SRS has used 10 and 1) */
  defaultCount?: number;
  /** the server clamps every page to at most this many, whatever `count` asks */
  maxPage?: number;
  /** the server ignores `start` (a broken build): every page is the first */
  ignoreStart?: boolean;
  /** answer every request with this instead (an outage behind a proxy) */
  failWith?: { status: number; type: string; body: string };
}

export interface SrsStandIn {
  url: string;
  options: SrsOptions;
  /** request paths seen, in order */
  requests: string[];
  close(): Promise<void>;
}

const SERVER_ID = 'vid-0x8r3z1';
const SERVICE_ID = 'k8f3d2q1';
const PID = '3172';

const vhostId = (name: string): string => `vid-${Buffer.from(name).toString('hex').slice(0, 7)}`;

function streamJson(s: SrsStream, i: number) {
  const vhost = s.vhost ?? '__defaultVhost__';
  const active = s.active ?? true;
  return {
    id: `vid-s${String(i).padStart(6, '0')}`,
    name: s.name,
    vhost: vhostId(vhost),
    app: s.app,
    tcUrl: `rtmp://127.0.0.1/${s.app}`,
    url: `/${s.app}/${s.name}`,
    live_ms: 1_733_366_400_000,
    clients: 1,
    frames: active && s.video !== false ? 4_500 : 0,
    send_bytes: 0,
    recv_bytes: 1_048_576,
    kbps: { recv_30s: active ? 2_100 : 0, send_30s: 0 },
    publish: active ? { active: true, cid: `c${i}k2o7` } : { active: false },
    video: s.video === false ? null : { codec: 'H264', profile: 'High', level: '3.1', width: 1280, height: 720 },
    audio: { codec: 'AAC', sample_rate: 44100, channel: 2, profile: 'LC' },
  };
}

export async function startSrsStandIn(options: SrsOptions): Promise<SrsStandIn> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push(`${u.pathname}${u.search}`);
    if (options.failWith) {
      res.writeHead(options.failWith.status, { 'content-type': options.failWith.type });
      res.end(options.failWith.body);
      return;
    }
    const envelope = { code: 0, server: SERVER_ID, service: SERVICE_ID, pid: PID };
    res.setHeader('content-type', 'application/json');
    if (u.pathname === '/api/v1/vhosts') {
      const names = [...new Set(options.streams.map((s) => s.vhost ?? '__defaultVhost__')), '__defaultVhost__'];
      const vhosts = [...new Set(names)].map((name) => ({
        id: vhostId(name),
        name,
        enabled: true,
        clients: 0,
        streams: options.streams.filter((s) => (s.vhost ?? '__defaultVhost__') === name).length,
        send_bytes: 0,
        recv_bytes: 0,
        kbps: { recv_30s: 0, send_30s: 0 },
        hls: { enabled: false },
      }));
      res.end(JSON.stringify({ ...envelope, vhosts }));
      return;
    }
    if (u.pathname === '/api/v1/streams') {
      const start = options.ignoreStart ? 0 : Math.max(0, Number(u.searchParams.get('start') ?? 0) || 0);
      const asked = u.searchParams.has('count') ? Number(u.searchParams.get('count')) : (options.defaultCount ?? 10);
      const count = Math.min(asked, options.maxPage ?? Infinity);
      const streams = options.streams.slice(start, start + count).map((s, k) => streamJson(s, start + k));
      res.end(JSON.stringify({ ...envelope, ...(options.total ? { total: options.streams.length } : {}), streams }));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ code: 1003, server: SERVER_ID }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    options,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
