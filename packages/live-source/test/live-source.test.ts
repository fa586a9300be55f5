import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSource } from '../src/index.js';
import { parseFaults, startLiveSource } from '../src/index.js';

const fixture = (rel: string): string => fileURLToPath(new URL(`../../../tests/fixtures/${rel}`, import.meta.url));
const HD = fixture('live/live_720p25.flv'); // 720p25, GOP 2 s, ~4 s
const SHORT = fixture('corpus/avc_aac.flv'); // 60 fps, ~1 s, one keyframe

// ---- a tiny FLV reader, independent of the code under test -------------------------------------------

interface Tag {
  type: number;
  ts: number;
  size: number;
  keyframe: boolean;
  seq: boolean;
  /** client clock (ms since request) when the tag's last byte arrived */
  at: number;
}

function readTags(body: Buffer, arrivals: { at: number; end: number }[]): { flags: number; tags: Tag[] } {
  const tags: Tag[] = [];
  if (body.length < 13) return { flags: -1, tags };
  let pos = body.readUInt32BE(5) + 4;
  let a = 0;
  while (pos + 11 <= body.length) {
    const type = body[pos]! & 0x1f;
    const size = body.readUIntBE(pos + 1, 3);
    const ts = (body.readUIntBE(pos + 4, 3) | (body[pos + 7]! << 24)) >>> 0;
    if (pos + 11 + size + 4 > body.length) break;
    const b0 = body[pos + 11]!;
    const b1 = body[pos + 12]!;
    const avc = type === 9 && (b0 & 0x0f) === 7;
    const aac = type === 8 && b0 >> 4 === 10;
    const end = pos + 11 + size + 4;
    while (a < arrivals.length - 1 && arrivals[a]!.end < end) a++;
    tags.push({
      type,
      ts,
      size,
      keyframe: type === 9 && b0 >> 4 === 1 && (!avc || b1 === 1),
      seq: (avc || aac) && b1 === 0,
      at: arrivals[a]?.at ?? 0,
    });
    pos = end;
  }
  return { flags: body[4]!, tags };
}

const media = (tags: Tag[]): Tag[] => tags.filter((t) => (t.type === 8 || t.type === 9) && !t.seq);

// ---- a raw HTTP/1.1 client: exact bytes, timings and socket errors -----------------------------------

interface Capture {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  arrivals: { at: number; end: number }[];
  headersAt: number;
  firstByteAt: number;
  /** socket error code, e.g. ECONNRESET */
  error?: string;
  /** the server closed (FIN or RST) before we stopped reading */
  closedByServer: boolean;
}

function fetchRaw(base: string, path: string, readMs: number): Promise<Capture> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const cap: Capture = {
      status: 0,
      headers: {},
      body: Buffer.alloc(0),
      arrivals: [],
      headersAt: -1,
      firstByteAt: -1,
      closedByServer: false,
    };
    let head = Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let bodyLen = 0;
    let finished = false;
    const socket = net.connect(Number(port), hostname, () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`),
    );
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      cap.body = Buffer.concat(chunks);
      socket.destroy();
      resolve(cap);
    };
    const timer = setTimeout(finish, readMs);
    socket.on('data', (d: Buffer) => {
      const now = performance.now() - t0;
      if (cap.headersAt < 0) {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        cap.headersAt = now;
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        cap.status = Number(lines[0]!.split(' ')[1]);
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          cap.headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        d = head.subarray(end + 4);
      }
      if (d.length === 0) return;
      if (cap.firstByteAt < 0) cap.firstByteAt = now;
      chunks.push(d);
      bodyLen += d.length;
      cap.arrivals.push({ at: now, end: bodyLen });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      cap.error = err.code;
    });
    socket.on('close', () => {
      if (!finished) cap.closedByServer = true;
      finish();
    });
  });
}

const expectFlvSignature = (body: Buffer): void => expect(body.subarray(0, 3).toString('latin1')).toBe('FLV');

/** Largest wall-clock gap between two consecutive reads after the first one. */
function maxReadGap(c: Capture): number {
  let gap = 0;
  for (let i = 1; i < c.arrivals.length; i++) gap = Math.max(gap, c.arrivals[i]!.at - c.arrivals[i - 1]!.at);
  return gap;
}

/** Media time delivered: newest media timestamp minus the first keyframe's. */
function mediaSpan(tags: Tag[]): number {
  const m = media(tags);
  if (m.length === 0) return 0;
  return Math.max(...m.map((t) => t.ts)) - m[0]!.ts;
}

/** Polls `done` every 20 ms for up to 5 s (a condition to wait for, not a fixed sleep that may be too short). */
async function waitFor(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!done() && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
}

// ---- facts about the fixtures, read here rather than assumed ------------------------------------------

const hdTags = readTags(readFileSync(HD), []).tags;
const hdKeyTs = hdTags.filter((t) => t.keyframe).map((t) => t.ts);
const hdGopMs = hdKeyTs[1]! - hdKeyTs[0]!;
const hdBytesPerMs = readFileSync(HD).length / (Math.max(...hdTags.map((t) => t.ts)) - hdKeyTs[0]!);

let source: LiveSource;
beforeAll(async () => {
  source = await startLiveSource({ fixtures: { hd: HD, short: SHORT } });
});
afterAll(async () => {
  await source.close();
});

describe('live source: stream shape', () => {
  it('starts with the FLV header, then onMetaData and sequence headers, then a keyframe', async () => {
    const c = await fetchRaw(source.url, '/live/hd/shape.flv', 400);
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toBe('video/x-flv');
    expect(c.headers['transfer-encoding']).toBeUndefined();
    expectFlvSignature(c.body);
    expect(c.body[4]).toBe(0x05); // audio + video
    const { tags } = readTags(c.body, c.arrivals);
    expect(tags.slice(0, 3).map((t) => t.type)).toEqual([18, 9, 8]);
    expect(tags[1]!.seq && tags[2]!.seq).toBe(true);
    const first = media(tags)[0]!;
    expect(first.type).toBe(9);
    expect(first.keyframe).toBe(true);
    // script and sequence headers carry the start keyframe's time, not 0 from the file
    expect(tags[0]!.ts).toBe(first.ts);
    // a live stream advertises no duration: the AMF0 number after "duration" is 0
    const script = c.body.subarray(13 + 11, 13 + 11 + tags[0]!.size);
    const at = script.indexOf(Buffer.from('duration', 'latin1'));
    expect(at).toBeGreaterThan(0);
    expect(script[at + 8]).toBe(0x00);
    expect(script.readDoubleBE(at + 9)).toBe(0);
  });

  it('loops with timestamps that keep increasing on each track, no gap beyond two frames', async () => {
    // ~1 s fixture at 4x real time for 1.3 s: about five loops
    const c = await fetchRaw(source.url, '/live/short/loop.flv?pace=4', 1300);
    const tags = media(readTags(c.body, c.arrivals).tags);
    const video = tags.filter((t) => t.type === 9);
    const audio = tags.filter((t) => t.type === 8);
    expect(video.filter((t) => t.keyframe).length).toBeGreaterThanOrEqual(4); // one keyframe per loop
    const span = video.at(-1)!.ts - video[0]!.ts;
    expect(span).toBeGreaterThan(3 * 1088);
    for (const track of [video, audio]) {
      const steps = track.slice(1).map((t, i) => t.ts - track[i]!.ts);
      expect(Math.min(...steps)).toBeGreaterThan(0);
      const sorted = [...steps].sort((x, y) => x - y);
      const frame = sorted[sorted.length >> 1]!;
      expect(Math.max(...steps)).toBeLessThanOrEqual(2 * frame);
    }
  });

  it('paces in real time: media time received tracks wall time', async () => {
    const c = await fetchRaw(source.url, '/live/hd/pace.flv', 2000);
    const { tags } = readTags(c.body, c.arrivals);
    const wall = c.arrivals.at(-1)!.at - c.firstByteAt;
    // room for a busy machine delaying this process's reads (the source sends on its own clock)
    expect(Math.abs(mediaSpan(tags) - wall)).toBeLessThan(300);
    // bytes follow the fixture's bitrate (keyframe sizes make this loose)
    const bytes = c.body.length;
    expect(bytes / (hdBytesPerMs * wall)).toBeGreaterThan(0.6);
    expect(bytes / (hdBytesPerMs * wall)).toBeLessThan(1.6);
  });

  it('pace=2 delivers twice the media time', async () => {
    const c = await fetchRaw(source.url, '/live/hd/pace2.flv?pace=2', 1000);
    const { tags } = readTags(c.body, c.arrivals);
    const wall = c.arrivals.at(-1)!.at - c.firstByteAt;
    expect(Math.abs(mediaSpan(tags) - 2 * wall)).toBeLessThan(400);
  });

  it('GOP cache: a burst from the last keyframe up to now at connect; without it, only the keyframe', async () => {
    const s = await startLiveSource({ fixtures: { hd: HD }, gopCache: true });
    try {
      const intoGop = Math.round(hdGopMs * 0.75);
      await new Promise((r) => setTimeout(r, intoGop));
      // phase_ms=0 pins these streams to the fixture's own timeline (paths otherwise get their own phase)
      const [burst, plain, shifted] = await Promise.all([
        fetchRaw(s.url, '/live/hd/burst.flv?phase_ms=0', 250),
        fetchRaw(s.url, '/live/hd/plain.flv?gop_cache=0&phase_ms=0', 250),
        fetchRaw(s.url, `/live/hd/shifted.flv?gop_cache=0&phase_ms=${hdGopMs}`, 250),
      ]);
      const early = (c: Capture): Tag[] => readTags(c.body, c.arrivals).tags.filter((t) => t.at - c.firstByteAt < 60);
      // the server's clock is intoGop ms past the first keyframe: all of that arrives at once
      expect(mediaSpan(early(burst))).toBeGreaterThan(intoGop - 100);
      expect(mediaSpan(early(plain))).toBeLessThan(300);
      // both start at the same keyframe of the shared timeline
      const firstTs = (c: Capture): number => media(readTags(c.body, []).tags)[0]!.ts;
      expect(firstTs(burst)).toBe(firstTs(plain));
      // a stream one GOP further on the timeline starts one keyframe later
      expect(firstTs(shifted) - firstTs(plain)).toBe(hdKeyTs[1]! - hdKeyTs[0]!);
    } finally {
      await s.close();
    }
  });

  it('viewers of one path share its timeline: they start at the same keyframe', async () => {
    const [a, b] = await Promise.all([
      fetchRaw(source.url, '/live/hd/same.flv', 150),
      fetchRaw(source.url, '/live/hd/same.flv', 150),
    ]);
    const first = (c: Capture): Tag => media(readTags(c.body, []).tags)[0]!;
    expect(first(a).keyframe).toBe(true);
    expect(first(a).ts).toBe(first(b).ts);
  });

  it('zero_ts=1 starts the stream at timestamp 0 however long the source has run', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const c = await fetchRaw(source.url, '/live/short/zero.flv?zero_ts=1&pace=2', 700);
    const tags = readTags(c.body, c.arrivals).tags;
    expect(tags[0]!.ts).toBe(0);
    expect(media(tags)[0]!.ts).toBe(0);
    expect(mediaSpan(tags)).toBeGreaterThan(1000);
  });
});

describe('live source: faults', () => {
  it('status=N answers N with a short body', async () => {
    const c = await fetchRaw(source.url, '/live/hd/st.flv?status=503', 1000);
    expect(c.status).toBe(503);
    expect(c.body.toString()).toContain('503');
    expect(c.body.subarray(0, 3).toString()).not.toBe('FLV');
  });

  it('fail_first=K&status=N fails the first K requests of a path, then streams', async () => {
    const path = '/live/hd/ff.flv?fail_first=2&status=500';
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetchRaw(source.url, path, 200)).status);
    expect(statuses).toEqual([500, 500, 200]);
    // counted per path: another name starts over
    expect((await fetchRaw(source.url, '/live/hd/ff2.flv?fail_first=1&status=502', 200)).status).toBe(502);
  });

  it('delay_headers_ms delays the response head', async () => {
    const c = await fetchRaw(source.url, '/live/hd/dh.flv?delay_headers_ms=300', 600);
    expect(c.headersAt).toBeGreaterThanOrEqual(290);
    expect(c.firstByteAt - c.headersAt).toBeLessThan(300);
  });

  it('delay_body_ms sends the head at once and the first body byte later', async () => {
    const c = await fetchRaw(source.url, '/live/hd/db.flv?delay_body_ms=300', 600);
    // the head comes at once, the body 300 ms later: what separates them is the wait between the two
    expect(c.firstByteAt).toBeGreaterThanOrEqual(290);
    expect(c.firstByteAt - c.headersAt).toBeGreaterThanOrEqual(150);
    expectFlvSignature(c.body);
  });

  it('never_headers=1 keeps the connection open without answering', async () => {
    const c = await fetchRaw(source.url, '/live/hd/nh.flv?never_headers=1', 400);
    expect(c.headersAt).toBe(-1);
    expect(c.closedByServer).toBe(false);
  });

  it('html=1 answers 200 with an HTML page', async () => {
    const c = await fetchRaw(source.url, '/live/hd/h.flv?html=1', 1000);
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toMatch(/^text\/html/);
    expect(c.body.toString()).toMatch(/^<!DOCTYPE html>/);
  });

  it('half_tag=1 sends the FLV header and half of the first tag, then silence on an open connection', async () => {
    const c = await fetchRaw(source.url, '/live/hd/half.flv?half_tag=1', 400);
    expectFlvSignature(c.body);
    const firstTag = 11 + hdTags[0]!.size + 4;
    expect(c.body.length).toBe(13 + (firstTag >> 1));
    expect(readTags(c.body, []).tags).toHaveLength(0);
    expect(c.closedByServer).toBe(false);
  });

  it('audio_only=1 drops every video tag and says so in the FLV header', async () => {
    const c = await fetchRaw(source.url, '/live/hd/ao.flv?audio_only=1', 500);
    const { flags, tags } = readTags(c.body, c.arrivals);
    expect(flags).toBe(0x04);
    expect(tags.filter((t) => t.type === 9)).toHaveLength(0);
    expect(tags.filter((t) => t.type === 8 && !t.seq).length).toBeGreaterThan(10);
  });

  it('no_keyframes_after_first_gop=1 keeps inter frames but no keyframe after the first', async () => {
    // pace 4: more than two GOPs of media in the read
    const c = await fetchRaw(source.url, '/live/hd/nk.flv?no_keyframes_after_first_gop=1&pace=4', 1300);
    const video = media(readTags(c.body, c.arrivals).tags).filter((t) => t.type === 9);
    expect(video.at(-1)!.ts - video[0]!.ts).toBeGreaterThan(2 * hdGopMs);
    expect(video.filter((t) => t.keyframe)).toHaveLength(1);
    expect(video[0]!.keyframe).toBe(true);
  });

  it('redirect=N is a 302 chain of N hops ending at the plain stream', async () => {
    const a = await fetchRaw(source.url, '/live/hd/r.flv?redirect=2&token=abc', 300);
    expect(a.status).toBe(302);
    const b = new URL(a.headers.location!);
    expect(b.pathname).toBe('/live/hd/r.flv');
    expect(b.searchParams.get('redirect')).toBe('1');
    expect(b.searchParams.get('token')).toBe('abc');
    const c = await fetchRaw(source.url, b.pathname + b.search, 300);
    expect(c.status).toBe(302);
    const d = new URL(c.headers.location!);
    expect(d.searchParams.has('redirect')).toBe(false);
    const e = await fetchRaw(source.url, d.pathname + d.search, 300);
    expect(e.status).toBe(200);
    expectFlvSignature(e.body);
  });

  it('redirect_loop=1 bounces between two URLs forever', async () => {
    const a = await fetchRaw(source.url, '/live/hd/loop.flv?redirect_loop=1', 300);
    expect(a.status).toBe(302);
    const b = new URL(a.headers.location!);
    expect(b.searchParams.get('redirect_loop')).toBe('2');
    const c = await fetchRaw(source.url, b.pathname + b.search, 300);
    expect(c.status).toBe(302);
    expect(new URL(c.headers.location!).searchParams.get('redirect_loop')).toBe('1');
  });

  it('close_after_ms resets the connection mid-stream (ECONNRESET)', async () => {
    const c = await fetchRaw(source.url, '/live/hd/rst.flv?close_after_ms=300', 1500);
    expect(c.status).toBe(200);
    expect(c.body.length).toBeGreaterThan(1000);
    // the server ended it: a reset, which on a loaded loopback can race the last bytes and read as EOF
    expect(c.closedByServer).toBe(true);
    expect([undefined, 'ECONNRESET']).toContain(c.error);
    expect(c.arrivals.at(-1)!.at).toBeGreaterThanOrEqual(250);
    expect(c.arrivals.at(-1)!.at).toBeLessThan(1200);
  });

  it('rst=1 resets right after the response head', async () => {
    const c = await fetchRaw(source.url, '/live/hd/rst1.flv?rst=1', 1500);
    expect(c.status).toBe(200);
    expect(c.body.length).toBe(0);
    expect(c.closedByServer).toBe(true);
    expect([undefined, 'ECONNRESET']).toContain(c.error);
  });

  it('empty=1 sends only the FLV header and keeps the connection open', async () => {
    const c = await fetchRaw(source.url, '/live/hd/empty.flv?empty=1', 400);
    expect(c.status).toBe(200);
    expect(c.body.length).toBe(13);
    expectFlvSignature(c.body);
    expect(c.closedByServer).toBe(false);
  });

  it('trickle_bps caps the byte rate whatever the timeline says', async () => {
    const c = await fetchRaw(source.url, '/live/hd/tr.flv?trickle_bps=80000', 1200);
    const seconds = c.arrivals.at(-1)!.at / 1000;
    const rate = c.body.length / seconds; // bytes/s; 80 kbit/s = 10 000 B/s
    expect(rate).toBeGreaterThan(7500);
    expect(rate).toBeLessThanOrEqual(10_500);
  });

  it('pause: no bytes during the pause, then a burst catches up with the timeline', async () => {
    const c = await fetchRaw(source.url, '/live/hd/p.flv?pause_ms=500&pause_every_ms=800', 1700);
    const { tags } = readTags(c.body, c.arrivals);
    expect(maxReadGap(c)).toBeGreaterThanOrEqual(450);
    const wall = c.arrivals.at(-1)!.at - c.firstByteAt;
    expect(Math.abs(mediaSpan(tags) - wall)).toBeLessThan(300);
  });

  it('pause_catch_up=0: the timeline stalls with the pause and stays behind', async () => {
    const c = await fetchRaw(source.url, '/live/hd/p0.flv?pause_ms=500&pause_every_ms=800&pause_catch_up=0', 1700);
    const { tags } = readTags(c.body, c.arrivals);
    expect(maxReadGap(c)).toBeGreaterThanOrEqual(450);
    const wall = c.arrivals.at(-1)!.at - c.firstByteAt;
    expect(Math.abs(mediaSpan(tags) - (wall - 500))).toBeLessThan(300);
  });

  it('unknown stream -> 404, bad fault value -> 400', async () => {
    expect((await fetchRaw(source.url, '/live/nope/x.flv', 300)).status).toBe(404);
    expect((await fetchRaw(source.url, '/other/hd/x.flv', 300)).status).toBe(404);
    const bad = await fetchRaw(source.url, '/live/hd/x.flv?pace=fast', 300);
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('pace');
  });

  it('parseFaults validates values and pairs', () => {
    const q = (s: string) => parseFaults(new URLSearchParams(s));
    expect(q('pause_ms=100').ok).toBe(false);
    expect(q('pause_ms=900&pause_every_ms=500').ok).toBe(false);
    expect(q('status=99').ok).toBe(false);
    expect(q('html=yes').ok).toBe(false);
    expect(q('pace=0').ok).toBe(false);
    const ok = q('pace=0.8&trickle_bps=64000&auth_key=secret');
    expect(ok.ok && ok.faults.pace).toBe(0.8);
    expect(ok.ok && ok.faults.trickleBps).toBe(64000);
  });
});

describe('live source: slow consumers', () => {
  it('a reader that stops is skipped until drain, then moved to the latest keyframe past the backlog cap', async () => {
    const s = await startLiveSource({ fixtures: { hd: HD }, maxBacklogMs: 1000 });
    try {
      const { hostname, port } = new URL(s.url);
      const chunks: Buffer[] = [];
      const socket = net.connect(Number(port), hostname, () =>
        socket.write(`GET /live/hd/slow.flv?pace=100 HTTP/1.1\r\nHost: x\r\n\r\n`),
      );
      // never read before the buffers are full (reading first lets the kernel grow the receive buffer up to
      // tcp_rmem max); at 100x real time they fill within ~0.5 s, then the server must stop writing: no
      // queue in the process grows while the timeline goes on
      socket.pause();
      socket.on('data', (d: Buffer) => chunks.push(d));
      await new Promise((r) => setTimeout(r, 900));
      const sent1 = s.stats().bytesSent;
      await new Promise((r) => setTimeout(r, 400));
      expect(s.stats().bytesSent).toBe(sent1);
      socket.resume();
      await new Promise((r) => setTimeout(r, 400));
      socket.destroy();
      const all = Buffer.concat(chunks);
      const body = all.subarray(all.indexOf('\r\n\r\n') + 4);
      const video = media(readTags(body, []).tags).filter((t) => t.type === 9);
      const steps = video.slice(1).map((t, i) => ({ dt: t.ts - video[i]!.ts, key: t.keyframe }));
      expect(Math.min(...steps.map((x) => x.dt))).toBeGreaterThan(0);
      const jumps = steps.filter((x) => x.dt > 1000);
      expect(jumps.length).toBeGreaterThan(0);
      for (const j of jumps) expect(j.key).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe('live source: lifecycle', () => {
  it('stats count open connections and bytes; close() ends every stream', async () => {
    const s = await startLiveSource({ fixtures: { hd: HD } });
    const { hostname, port } = new URL(s.url);
    const sockets = [0, 1, 2].map(() => {
      const so = net.connect(Number(port), hostname, () => so.write(`GET /live/hd/s.flv HTTP/1.1\r\nHost: x\r\n\r\n`));
      so.on('data', () => {});
      so.on('error', () => {});
      return so;
    });
    await waitFor(() => s.stats().connections === 3 && s.stats().bytesSent > 3 * 13);
    expect(s.stats().connections).toBe(3);
    expect(s.stats().bytesSent).toBeGreaterThan(3 * 13);
    sockets[0]!.destroy();
    await waitFor(() => s.stats().connections === 2);
    expect(s.stats().connections).toBe(2);
    const closed = Promise.all(sockets.slice(1).map((so) => new Promise((r) => so.once('close', r))));
    await s.close();
    await closed;
    expect(s.stats().connections).toBe(0);
  });

  it('CLI: prints its URL as one JSON line, serves streams, exits 0 on SIGTERM', async () => {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', main, '--port', '0', '--fixture', `hd=${HD}`, '--tick-ms', '25'],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(line.split('\n')[1]).toBe('');
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const c = await fetchRaw(url, '/live/hd/cli.flv', 300);
      expect(c.status).toBe(200);
      expect(media(readTags(c.body, []).tags)[0]!.keyframe).toBe(true);
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 15_000);

  it('load check: 500 real-time streams for 3 s (prints the server CPU, asserts delivery only)', async () => {
    const s = await startLiveSource({ fixtures: { hd: HD } });
    const n = 500;
    const readMs = 3000;
    try {
      const { hostname, port } = new URL(s.url);
      // clients live in another process so that process.cpuUsage() below is the server's
      const client = `
        import net from 'node:net';
        const [host, port, n, ms] = process.argv.slice(1);
        let errors = 0, open = 0;
        const bytes = new Array(Number(n)).fill(0);
        for (let i = 0; i < Number(n); i++) {
          const request = 'GET /live/hd/load' + i + '.flv HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n';
          const so = net.connect(Number(port), host, () => { open++; so.write(request); });
          so.on('data', (d) => { bytes[i] += d.length; });
          so.on('error', () => { errors++; });
        }
        const done = () => { process.stdout.write(JSON.stringify({ bytes, errors, open })); process.exit(0); };
        setTimeout(done, Number(ms));
      `;
      const child = spawn(process.execPath, [
        '--input-type=module',
        '-e',
        client,
        hostname,
        port,
        String(n),
        String(readMs + 500),
      ]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      // let the connections open, then measure a steady window
      await new Promise((r) => setTimeout(r, 500));
      const cpu0 = process.cpuUsage();
      const bytes0 = s.stats().bytesSent;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, readMs));
      const cpu = process.cpuUsage(cpu0);
      const wall = performance.now() - t0;
      const bytes = s.stats().bytesSent - bytes0;
      const connections = s.stats().connections;
      await new Promise((r) => child.once('exit', r));
      const result = JSON.parse(out) as { bytes: number[]; errors: number; open: number };
      const cpuMs = (cpu.user + cpu.system) / 1000;
      console.log(
        `[live-source load] ${connections} streams, ${(wall / 1000).toFixed(2)} s: server CPU ${cpuMs.toFixed(0)} ms ` +
          `(user ${(cpu.user / 1000).toFixed(0)}, system ${(cpu.system / 1000).toFixed(0)})` +
          ` = ${((100 * cpuMs) / wall).toFixed(1)}% of one core; ` +
          `${((bytes * 8) / (wall / 1000) / 1e6).toFixed(0)} Mbit/s sent` +
          ` (${((bytes * 8) / (wall / 1000) / connections / 1e6).toFixed(2)} Mbit/s per stream)`,
      );
      expect(result.errors).toBe(0);
      expect(result.open).toBe(n);
      expect(connections).toBe(n);
      // every stream, each on its own connection, got a real-time share of the fixture: at least a quarter of
      // what 3.5 s of it weigh (room for a loaded machine; a stream left out or stalled gets far less)
      expect(result.bytes).toHaveLength(n);
      const least = Math.min(...result.bytes);
      expect(least).toBeGreaterThan(0.25 * hdBytesPerMs * (readMs + 500));
    } finally {
      await s.close();
    }
  }, 20_000);
});
