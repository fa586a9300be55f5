/**
 * One RTMP viewer of the live source: the server side of the handshake and of connect / createStream /
 * play, then the same LiveStream as HTTP-FLV, its FLV turned into RTMP messages (media-socket.ts).
 *
 * The stream URL is rtmp://host:port/live/<fixture>/<name>?<faults>: app `live/<fixture>`, stream
 * `<name>?<faults>`; the faults are the HTTP ones (faults.ts), read from the play name's query, with the
 * HTTP answers mapped to what an RTMP server does: `status` / `fail_first` → play refused (onStatus error,
 * NetStream.Play.StreamNotFound for 404, NetStream.Play.Failed otherwise); `html` → garbage after the
 * handshake; `never_headers` → play never answered; `delay_headers_ms` → play answered late; `empty` →
 * Play.Start then nothing; `rst` → a TCP RST after Play.Start; `half_tag` → half of the first message.
 * Redirects have no RTMP form here and are ignored.
 */
import type { Socket } from 'node:net';
import { type AmfValue, decodeAmf0 } from '@video-exporter/flv-parser';
import { type Amf0Out, ChunkReader, encodeAmf0, encodeMessage } from '@video-exporter/probe-worker';
import { after } from '../after.js';
import { type Faults, parseFaults } from '../faults.js';
import type { FixtureTimeline } from '../fixture-timeline.js';
import type { StreamSocket } from '../live-stream.js';
import { RtmpMediaSocket } from './media-socket.js';

export interface RtmpHost {
  timeline(name: string): FixtureTimeline | undefined;
  refusal(path: string, f: Faults): number | undefined;
  startStream(socket: Socket, path: string, timeline: FixtureTimeline, f: Faults, out: StreamSocket): void;
}

const HANDSHAKE_BLOCK = 1536;
const RTMP_VERSION = 3;
/** what the source announces and then uses for every message it sends (nginx-rtmp's default) */
const CHUNK_SIZE = 4096;
const DEFAULT_CHUNK_SIZE = 128;
const WINDOW_BYTES = 2_500_000;
const STREAM_ID = 1;
const CSID_CONTROL = 2;
const CSID_COMMAND = 3;
const MSG_SET_CHUNK_SIZE = 1;
const MSG_USER_CONTROL = 4;
const MSG_WINDOW_ACK_SIZE = 5;
const MSG_SET_PEER_BANDWIDTH = 6;
const MSG_COMMAND_AMF0 = 20;
const RST_AFTER_START_MS = 10;
/** Bytes a player cannot read as a chunk stream: a type-1 header on a chunk stream never opened. */
const GARBAGE = Buffer.from(`\x7f${'<html><body>not RTMP</body></html>'.repeat(64)}`, 'latin1');
const NOT_FOUND = 404;

export class RtmpServerConnection {
  private pending: Buffer = Buffer.alloc(0);
  private stage: 'c0c1' | 'c2' | 'chunks' = 'c0c1';
  private readonly reader = new ChunkReader();
  private fixture = '';
  /** the chunk size of what this side sends: the default until Set Chunk Size went out */
  private chunkSize = DEFAULT_CHUNK_SIZE;
  private timeline: FixtureTimeline | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly host: RtmpHost,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => socket.destroy());
  }

  private onData(d: Buffer): void {
    if (this.stage !== 'chunks') {
      this.pending = this.pending.length === 0 ? d : Buffer.concat([this.pending, d]);
      if (this.stage === 'c0c1') {
        if (this.pending.length < 1 + HANDSHAKE_BLOCK) return;
        if (this.pending[0] !== RTMP_VERSION) return void this.socket.destroy();
        const c1 = this.pending.subarray(1, 1 + HANDSHAKE_BLOCK);
        this.socket.write(Buffer.concat([Buffer.from([RTMP_VERSION]), Buffer.alloc(HANDSHAKE_BLOCK), c1]));
        this.pending = this.pending.subarray(1 + HANDSHAKE_BLOCK);
        this.stage = 'c2';
      }
      if (this.pending.length < HANDSHAKE_BLOCK) return;
      d = this.pending.subarray(HANDSHAKE_BLOCK);
      this.pending = Buffer.alloc(0);
      this.stage = 'chunks';
    }
    const r = this.reader.push(d, 0, d.length, (type, _sid, _ts, body) => {
      if (type === MSG_COMMAND_AMF0) this.onCommand(decodeAmf0(body).values);
      return !this.socket.destroyed;
    });
    if (r === 'error') this.socket.destroy();
  }

  private send(type: number, body: Uint8Array, streamId = 0, csid = CSID_COMMAND): void {
    if (!this.socket.destroyed) this.socket.write(encodeMessage(csid, type, streamId, body, 0, this.chunkSize));
  }

  private command(streamId: number, ...values: Amf0Out[]): void {
    this.send(MSG_COMMAND_AMF0, encodeAmf0(...values), streamId);
  }

  private onStatus(level: string, code: string, description: string): void {
    this.command(STREAM_ID, 'onStatus', 0, null, { level, code, description });
  }

  private onCommand(values: AmfValue[]): void {
    const [name, txn] = values;
    const id = typeof txn === 'number' ? txn : 0;
    if (name === 'connect') this.onConnect(id, values[2]);
    else if (name === 'createStream') this.command(0, '_result', id, null, STREAM_ID);
    else if (name === 'play' && typeof values[3] === 'string') this.onPlay(values[3]);
  }

  private onConnect(txn: number, info: AmfValue | undefined): void {
    const app =
      typeof info === 'object' && info !== null && !Array.isArray(info)
        ? (info as Record<string, AmfValue>).app
        : undefined;
    const fixture = typeof app === 'string' ? /^live\/([^/]+)$/.exec(app)?.[1] : undefined;
    this.timeline = fixture === undefined ? undefined : this.host.timeline(fixture);
    if (this.timeline === undefined) {
      const description = `no such application: ${String(app)} (use live/<fixture>)`;
      return this.command(0, '_error', txn, null, {
        level: 'error',
        code: 'NetConnection.Connect.Rejected',
        description,
      });
    }
    this.fixture = fixture!;
    // Set Chunk Size first: every message after it, these included, is chunked at CHUNK_SIZE
    this.send(MSG_SET_CHUNK_SIZE, uint32(CHUNK_SIZE), 0, CSID_CONTROL);
    this.chunkSize = CHUNK_SIZE;
    this.send(MSG_WINDOW_ACK_SIZE, uint32(WINDOW_BYTES), 0, CSID_CONTROL);
    this.send(MSG_SET_PEER_BANDWIDTH, Buffer.concat([uint32(WINDOW_BYTES), Buffer.from([2])]), 0, CSID_CONTROL);
    this.command(
      0,
      '_result',
      txn,
      { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
      {
        level: 'status',
        code: 'NetConnection.Connect.Success',
        description: 'Connection succeeded.',
        objectEncoding: 0,
      },
    );
  }

  private onPlay(streamName: string): void {
    const q = streamName.indexOf('?');
    const name = q < 0 ? streamName : streamName.slice(0, q);
    const parsed = parseFaults(new URLSearchParams(q < 0 ? '' : streamName.slice(q + 1)));
    if (!parsed.ok) return this.onStatus('error', 'NetStream.Play.Failed', parsed.message);
    const f = parsed.faults;
    const socket = this.socket;
    if (f.closeAfterMs !== undefined) after(socket, f.closeAfterMs, () => socket.resetAndDestroy());
    if (f.neverHeaders) return;
    after(socket, f.delayHeadersMs, () => this.answerPlay(`/live/${this.fixture}/${name}`, f));
  }

  private answerPlay(path: string, f: Faults): void {
    const socket = this.socket;
    const refused = this.host.refusal(path, f);
    if (refused !== undefined) {
      return refused === NOT_FOUND
        ? this.onStatus('error', 'NetStream.Play.StreamNotFound', `No such stream: ${path}`)
        : this.onStatus('error', 'NetStream.Play.Failed', `refused (status ${refused})`);
    }
    if (f.html) return void socket.write(GARBAGE);
    this.send(MSG_USER_CONTROL, Buffer.from([0, 0, 0, 0, 0, STREAM_ID]), 0, CSID_CONTROL); // StreamBegin
    this.onStatus('status', 'NetStream.Play.Reset', `Playing and resetting ${path}.`);
    this.onStatus('status', 'NetStream.Play.Start', `Started playing ${path}.`);
    if (f.rst) return after(socket, RST_AFTER_START_MS, () => socket.resetAndDestroy());
    if (f.empty) return;
    const timeline = this.timeline!;
    const out = new RtmpMediaSocket(socket, STREAM_ID, CHUNK_SIZE);
    if (f.halfTag) {
      const first = timeline.prelude[0];
      const tag = first
        ? Buffer.concat([first.header, first.rest])
        : Buffer.concat([timeline.headersFor(0)[0]!, timeline.bodies[0]!]);
      return void out.write(Buffer.concat([timeline.flvHeader, tag.subarray(0, tag.length >> 1)]));
    }
    after(socket, f.delayBodyMs, () => this.host.startStream(socket, path, timeline, f, out));
  }
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
