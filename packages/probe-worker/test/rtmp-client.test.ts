import { afterEach, describe, expect, it } from 'vitest';
import { type ProbeJob, runProbe } from '../src/index.js';
import { encodeAmf0 } from '../src/rtmp/amf0-writer.js';
import { encodeMessage } from '../src/rtmp/chunk-writer.js';
import { fixtureTags, type ScriptServer, startScriptServer } from './helpers/rtmp-script-server.js';

const servers: ScriptServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(script: Parameters<typeof startScriptServer>[0] = {}): Promise<ScriptServer> {
  const s = await startScriptServer(script);
  servers.push(s);
  return s;
}

const job = (url: string, extra: Partial<ProbeJob> = {}): ProbeJob => ({
  url,
  sampleMs: 1_500,
  minKeyframes: 1,
  stallThresholdMs: 200,
  deadlineMs: 8_000,
  headersTimeoutMs: 2_000,
  firstByteTimeoutMs: 2_000,
  ...extra,
});

describe('RTMP client against a scripted server', () => {
  it('plays: connect (app, tcUrl, flashVer, fourCcList), createStream, play; media parsed as FLV tags', async () => {
    const s = await server();
    const r = await runProbe(job(s.url('/live/sub/room1?token=abc')));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.play_started).toBe(true);
    expect(r.http_status).toBeUndefined();
    expect(r.handshake_ms).toBeGreaterThan(0);
    expect(r.video).toMatchObject({ codec: 'H.264', width: 1280, height: 720 });
    expect(r.video.framerate).toBeCloseTo(25, 0);
    expect(r.audio.codec).toBe('AAC');
    expect(r.metadata).toMatchObject({ width: 1280, height: 720 });

    const commands = s.peers[0]!.received.filter((m) => m.type === 20).map((m) => m.values);
    expect(commands.map((c) => c[0])).toEqual(['connect', 'createStream', 'play']);
    expect(commands[0]![2]).toMatchObject({
      app: 'live/sub',
      tcUrl: `rtmp://127.0.0.1:${s.port}/live/sub`,
      flashVer: expect.any(String),
      fourCcList: expect.arrayContaining(['hvc1', 'av01']),
    });
    // play(null, name, start): the stream name keeps the query (tokens live there)
    expect(commands[2]!.slice(3)).toEqual(['room1?token=abc', -1]);
  });

  it('reads a larger server chunk size and extended timestamps (past 2^24 ms)', async () => {
    const s = await server({ play: (p) => p.playFixture({ chunkSize: 4096, timestampOffset: 0x01000000 }) });
    const r = await runProbe(job(s.url()));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.video.frames).toBeGreaterThan(10);
    expect(r.video.framerate).toBeCloseTo(25, 0);
    expect(r.timestamps.discontinuities).toBe(0);
  });

  it('answers PingRequest with PingResponse and acknowledges each window of bytes', async () => {
    const s = await server({
      play: (p) => {
        p.message(5, Uint8Array.from([0, 0, 0x40, 0]), { csid: 2 }); // Window Ack Size 16384
        p.message(4, Uint8Array.from([0, 6, 0xde, 0xad, 0xbe, 0xef]), { csid: 2 }); // PingRequest
        p.playFixture();
      },
    });
    const r = await runProbe(job(s.url()));
    expect(r.ok).toBe(true);
    const got = s.peers[0]!.received;
    const pong = got.find((m) => m.type === 4 && m.body[1] === 7);
    expect(pong?.body.subarray(2).toString('hex')).toBe('deadbeef');
    const acks = got.filter((m) => m.type === 3).map((m) => m.body.readUInt32BE(0));
    expect(acks.length).toBeGreaterThan(3);
    expect(acks.every((n, i) => i === 0 || n - acks[i - 1]! >= 16384)).toBe(true);
  });

  it(
    'a frame trickling in chunk by chunk is not a read' + ' stall: every read counts, not only message starts',
    async () => {
      const s = await server({
        play: (p) => {
          p.playFixture();
          // after 300 ms: one 2 KB video message in 16 chunks of 128 bytes, one every 100 ms (1.6 s in all)
          setTimeout(() => {
            const frame = encodeMessage(
              7,
              9,
              1,
              Buffer.concat([Buffer.from([0x27, 1, 0, 0, 0]), Buffer.alloc(2043)]),
              400,
            );
            const pieces: Buffer[] = [];
            // chunk boundaries: a 12-byte header + 128 bytes, then 1-byte headers + 128 bytes
            pieces.push(frame.subarray(0, 140));
            for (let at = 140; at < frame.length; at += 129) pieces.push(frame.subarray(at, at + 129));
            pieces.forEach((piece, i) => {
              setTimeout(() => p.write(piece), i * 100);
            });
          }, 300);
        },
      });
      const r = await runProbe(job(s.url(), { sampleMs: 2_500, stallThresholdMs: 300 }));
      expect(r.reason, r.error).toBeUndefined();
      // the fixture keeps flowing on its own chunk stream meanwhile; no read gap reaches 300 ms
      expect(r.stalls!.count).toBe(0);
    },
  );

  it('takes media out of aggregate messages', async () => {
    const s = await server({
      play: (p) => {
        p.onStatus('status', 'NetStream.Play.Start', 'go');
        // the fixture's first 120 tags, 10 per aggregate message, sub-message timestamps shifted by +5000
        const tags = fixtureTags().slice(0, 120);
        for (let i = 0; i < tags.length; i += 10) {
          const parts: Buffer[] = [];
          for (const t of tags.slice(i, i + 10)) {
            const h = Buffer.alloc(11);
            h[0] = t.type;
            h.writeUIntBE(t.body.length, 1, 3);
            h.writeUIntBE((t.timestamp + 5000) & 0xffffff, 4, 3);
            parts.push(h, t.body, Buffer.alloc(4));
          }
          p.message(22, Buffer.concat(parts), { csid: 6, streamId: 1, timestamp: tags[i]!.timestamp });
        }
      },
    });
    const r = await runProbe(job(s.url(), { sampleMs: 500, idleTimeoutMs: 1_000 }));
    expect(r.video.frames).toBeGreaterThan(20);
    expect(r.video.codec).toBe('H.264');
    // timestamps are the aggregate's, not the sub-messages' +5000
    expect(r.media_ms).toBeLessThan(5000);
  });

  it('play refused: rtmp_rejected with the status code and description, not retried', async () => {
    const s = await server({ play: (p) => p.onStatus('error', 'NetStream.Play.StreamNotFound', 'No such stream') });
    const r = await runProbe(job(s.url()));
    expect(r.reason).toBe('rtmp_rejected');
    expect(r.error).toContain('NetStream.Play.StreamNotFound: No such stream');
    expect(r.play_started).toBeUndefined();
  });

  it('connect refused: rtmp_rejected with the server description', async () => {
    const s = await server({
      connect: (p) =>
        p.command('_error', 1, null, {
          level: 'error',
          code: 'NetConnection.Connect.Rejected',
          description: 'bad token',
        }),
    });
    const r = await runProbe(job(s.url()));
    expect(r.reason).toBe('rtmp_rejected');
    expect(r.error).toContain('NetConnection.Connect.Rejected: bad token');
  });

  it('an HTTP server on the RTMP port: rtmp_handshake naming what came back', async () => {
    const s = await server({ handshake: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') });
    const r = await runProbe(job(s.url()));
    expect(r.reason).toBe('rtmp_handshake');
    expect(r.error).toContain('0x48 ("H")');
  });

  it('audio only: no_video', async () => {
    const s = await server({
      play: (p) => {
        p.onStatus('status', 'NetStream.Play.Start', 'go');
        for (let i = 0; i < 50; i++)
          p.message(8, Uint8Array.from([0xaf, 1, 0x21, 0]), { csid: 4, streamId: 1, timestamp: i * 21 });
      },
    });
    const r = await runProbe(job(s.url(), { sampleMs: 500, idleTimeoutMs: 700 }));
    expect(r.reason).toBe('no_video');
    expect(r.packets.audio).toBe(50);
  });

  it('the server ends the stream (UnpublishNotify) mid-sample: truncated, with what was read', async () => {
    const s = await server({
      play: (p) => {
        p.playFixture();
        setTimeout(() => p.onStatus('status', 'NetStream.Play.UnpublishNotify', 'gone'), 400);
      },
    });
    const r = await runProbe(job(s.url()));
    expect(r.reason).toBe('truncated');
    expect(r.video.frames).toBeGreaterThan(0);
  });

  it('sends well-formed AMF0 (strict arrays, objects, nulls) the flv-parser reads back', async () => {
    const { decodeAmf0 } = await import('@video-exporter/flv-parser');
    const bytes = encodeAmf0('x', 1.5, null, true, { a: ['b', 'c'], n: 0 });
    expect(decodeAmf0(bytes)).toMatchObject({ ok: true, values: ['x', 1.5, null, true, { a: ['b', 'c'], n: 0 }] });
  });
});
