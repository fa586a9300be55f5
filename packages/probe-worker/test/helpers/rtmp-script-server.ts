/**
 * A loopback RTMP server whose every step a test scripts: a real handshake (or garbage), then the
 * client's commands decoded with the client's own chunk reader, answered by the script. The default
 * script plays a stream made of the fixture's tags; hostile scripts send what no real server would.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { type AmfValue, decodeAmf0, indexFlvTags } from '@video-exporter/flv-parser';
import { type Amf0Out, encodeAmf0 } from '../../src/rtmp/amf0-writer.js';
import { ChunkReader } from '../../src/rtmp/chunk-reader.js';
import { encodeMessage } from '../../src/rtmp/chunk-writer.js';

export const FIXTURE = new URL('../../../../tests/fixtures/live/live_720p25.flv', import.meta.url);
const HANDSHAKE_BLOCK = 1536;
const CSID_SERVER_COMMAND = 3;
const CSID_MEDIA = 6;
export const PLAY_STREAM_ID = 1;

export interface FixtureTag {
  type: number;
  timestamp: number;
  body: Buffer;
}

/** The fixture's tags from the first video sequence header on (what a player needs first). */
export function fixtureTags(path: URL = FIXTURE): FixtureTag[] {
  const file = readFileSync(path);
  return indexFlvTags(file).tags.map((t) => ({
    type: t.tagType,
    timestamp: t.timestamp,
    body: file.subarray(t.offset + 11, t.offset + 11 + t.dataSize),
  }));
}

export interface Peer {
  socket: net.Socket;
  /** messages the client sent: type and AMF0 values of commands (others: values empty) */
  received: Array<{ type: number; values: AmfValue[]; body: Buffer }>;
  write(bytes: Uint8Array): void;
  message(
    type: number,
    body: Uint8Array,
    options?: { csid?: number; streamId?: number; timestamp?: number; chunkSize?: number },
  ): void;
  command(...values: Amf0Out[]): void;
  onStatus(level: string, code: string, description: string): void;
  /** Play.Start, then the fixture's tags paced in real time from a keyframe (ends when the socket does) */
  playFixture(options?: { chunkSize?: number; timestampOffset?: number; fixture?: URL }): void;
}

export interface Script {
  /** answer the handshake with these bytes instead of S0+S1+S2 */
  handshake?: Buffer;
  /** after the handshake, before any command (hostile bytes); return true to stop the default script */
  afterHandshake?: (peer: Peer) => boolean | undefined;
  /** answer connect; default _result NetConnection.Connect.Success */
  connect?: (peer: Peer) => void;
  /** answer play; default playFixture() */
  play?: (peer: Peer, name: string) => void;
}

export interface ScriptServer {
  port: number;
  url(path?: string): string;
  peers: Peer[];
  close(): Promise<void>;
}

export async function startScriptServer(script: Script = {}): Promise<ScriptServer> {
  const sockets = new Set<net.Socket>();
  const peers: Peer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    const peer = makePeer(socket, timers);
    peers.push(peer);
    let buffered = Buffer.alloc(0);
    let shaken = false;
    const reader = new ChunkReader();
    socket.on('data', (d: Buffer) => {
      if (!shaken) {
        buffered = Buffer.concat([buffered, d]);
        if (script.handshake) {
          socket.write(script.handshake);
          shaken = true;
          return;
        }
        if (buffered.length < 1 + HANDSHAKE_BLOCK) return;
        if (buffered.length === 1 + HANDSHAKE_BLOCK && !socket.readableEnded) {
          const s1 = Buffer.alloc(HANDSHAKE_BLOCK);
          socket.write(Buffer.concat([Buffer.from([3]), s1, buffered.subarray(1, 1 + HANDSHAKE_BLOCK)]));
        }
        if (buffered.length < 1 + 2 * HANDSHAKE_BLOCK) return;
        shaken = true;
        d = buffered.subarray(1 + 2 * HANDSHAKE_BLOCK);
        if (script.afterHandshake?.(peer) === true) return;
      }
      reader.push(d, 0, d.length, (type, _sid, _ts, body) => {
        const values = type === 20 ? decodeAmf0(body).values : [];
        peer.received.push({ type, values, body: Buffer.from(body) });
        const name = values[0];
        if (name === 'connect') (script.connect ?? defaultConnect)(peer);
        else if (name === 'createStream') peer.command('_result', values[1] as number, null, PLAY_STREAM_ID);
        else if (name === 'play') (script.play ?? ((p) => p.playFixture()))(peer, String(values[3]));
        return true;
      });
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    peers,
    url: (path = '/live/test') => `rtmp://127.0.0.1:${port}${path}`,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

function defaultConnect(peer: Peer): void {
  peer.command(
    '_result',
    1,
    { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
    { level: 'status', code: 'NetConnection.Connect.Success', description: 'ok' },
  );
}

function makePeer(socket: net.Socket, timers: Set<NodeJS.Timeout>): Peer {
  const peer: Peer = {
    socket,
    received: [],
    write: (bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    },
    message: (type, body, o = {}) =>
      peer.write(
        encodeMessage(o.csid ?? CSID_SERVER_COMMAND, type, o.streamId ?? 0, body, o.timestamp ?? 0, o.chunkSize),
      ),
    command: (...values) => peer.message(20, encodeAmf0(...values)),
    onStatus: (level, code, description) =>
      peer.message(20, encodeAmf0('onStatus', 0, null, { level, code, description }), { streamId: PLAY_STREAM_ID }),
    playFixture: (o = {}) => {
      const chunkSize = o.chunkSize ?? 128;
      if (chunkSize !== 128) peer.message(1, Uint8Array.from([0, 0, chunkSize >> 8, chunkSize & 0xff]), { csid: 2 });
      peer.onStatus('status', 'NetStream.Play.Start', 'Started playing test.');
      const tags = fixtureTags(o.fixture);
      const offset = o.timestampOffset ?? 0;
      const started = performance.now();
      let i = 0;
      const send = () => {
        const due = performance.now() - started;
        while (i < tags.length && tags[i]!.timestamp <= due) {
          const t = tags[i++]!;
          peer.message(t.type, t.body, {
            csid: CSID_MEDIA,
            streamId: PLAY_STREAM_ID,
            timestamp: t.timestamp + offset,
            chunkSize,
          });
        }
      };
      send();
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : send()), 20);
      timers.add(timer);
    },
  };
  return peer;
}
