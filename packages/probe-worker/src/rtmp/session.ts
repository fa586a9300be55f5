/**
 * The RTMP play session above the chunk stream (RTMP spec §5.4, §7): protocol control, User Control,
 * and the command exchange connect → _result → createStream → _result → play → onStatus. It decides
 * what to send and what happened; the client (client.ts) owns the socket, the clock and the outcome.
 */
import { type AmfValue, decodeAmf0 } from '@video-exporter/flv-parser';
import { forEachSubMessage } from './aggregate.js';
import type { ChunkReader } from './chunk-reader.js';
import * as m from './messages.js';
import type { RtmpTarget } from './url.js';

export interface SessionEvents {
  send(bytes: Buffer): void;
  /** NetStream.Play.Start */
  playStarted(): void;
  /** audio (8), video (9) or data (18) message body; return false to stop reading */
  media(type: number, timestamp: number, body: Uint8Array): boolean;
  /** connect, createStream or play refused: "code: description" */
  rejected(message: string): void;
  /** the server broke the protocol */
  failed(message: string): void;
  /** the server ended the stream after play began (NetStream.Play.Stop, UnpublishNotify, StreamEOF) */
  ended(message: string): void;
}

/** Nesting accepted in a command's AMF0: real answers are an object or two deep. */
const COMMAND_AMF_DEPTH = 8;
/** onStatus codes that end a stream that is playing (level "status", not "error"). */
const END_CODES = new Set(['NetStream.Play.Stop', 'NetStream.Play.UnpublishNotify', 'NetStream.Play.Complete']);
/** An AMF3 command message starts with one format byte before its AMF0 values. */
const AMF3_COMMAND_PREFIX = 1;
/** The acknowledgement window assumed until the server sets one (RTMP servers default to 2.5 MB). */
const DEFAULT_WINDOW_ACK_BYTES = 2_500_000;

type State = 'connecting' | 'creating' | 'playing-requested' | 'playing' | 'ended';

export class RtmpSession {
  private state: State = 'connecting';
  private windowAckSize = DEFAULT_WINDOW_ACK_BYTES;
  private received = 0;
  private lastAck = 0;

  constructor(
    private readonly target: RtmpTarget,
    private readonly reader: ChunkReader,
    private readonly events: SessionEvents,
  ) {}

  /** After the handshake: ask to connect to the app. */
  start(): void {
    this.events.send(m.connectMessage(this.target));
  }

  get playing(): boolean {
    return this.state === 'playing';
  }

  /** Counts bytes read from the server; sends an Acknowledgement each time a window's worth arrived. */
  countReceived(n: number): void {
    this.received += n;
    if (this.received - this.lastAck >= this.windowAckSize) {
      this.lastAck = this.received;
      this.events.send(m.acknowledgementMessage(this.received % 2 ** 32));
    }
  }

  /** The chunk reader's sink: one complete message. */
  readonly onMessage = (type: number, _streamId: number, timestamp: number, body: Uint8Array): boolean => {
    switch (type) {
      case m.MSG_AUDIO:
      case m.MSG_VIDEO:
      case m.MSG_DATA_AMF0:
        return this.events.media(type, timestamp, body);
      case m.MSG_AGGREGATE:
        return this.onAggregate(timestamp, body);
      case m.MSG_SET_CHUNK_SIZE:
        if (body.length < 4) return this.fail('a Set Chunk Size message shorter than 4 bytes');
        return this.reader.setChunkSize(m.readUint32(body, 0));
      case m.MSG_WINDOW_ACK_SIZE:
        if (body.length >= 4) this.windowAckSize = Math.max(1, m.readUint32(body, 0));
        return true;
      case m.MSG_SET_PEER_BANDWIDTH:
        // the peer's output window; answered with our acknowledgement window (as FFmpeg and librtmp do)
        if (body.length >= 4) this.events.send(m.windowAckSizeMessage(m.readUint32(body, 0)));
        return true;
      case m.MSG_USER_CONTROL:
        return this.onUserControl(body);
      case m.MSG_COMMAND_AMF0:
        return this.onCommand(body);
      case m.MSG_COMMAND_AMF3:
        return this.onCommand(body.subarray(AMF3_COMMAND_PREFIX));
      default:
        // Acknowledgement, Abort, AMF3 data, shared objects: nothing a player must act on
        return true;
    }
  };

  private onAggregate(timestamp: number, body: Uint8Array): boolean {
    const r = forEachSubMessage(body, timestamp, (type, ts, sub) =>
      type === m.MSG_AUDIO || type === m.MSG_VIDEO || type === m.MSG_DATA_AMF0
        ? this.events.media(type, ts, sub)
        : true,
    );
    if (r === 'stopped') return false;
    return r === '' ? true : this.fail(r);
  }

  private onUserControl(body: Uint8Array): boolean {
    if (body.length < 2) return true;
    const event = (body[0]! << 8) | body[1]!;
    if (event === m.UC_PING_REQUEST && body.length >= 6) this.events.send(m.pingResponseMessage(body.subarray(2, 6)));
    else if (event === m.UC_STREAM_EOF && this.state === 'playing') this.end('the server sent StreamEOF');
    // StreamBegin (the stream is ready) needs no answer: play follows createStream regardless
    return this.state !== 'ended';
  }

  private onCommand(body: Uint8Array): boolean {
    const values = decodeAmf0(body, { maxDepth: COMMAND_AMF_DEPTH }).values;
    const name = values[0];
    const txn = values[1];
    if (name === '_result' && txn === m.TXN_CONNECT && this.state === 'connecting') {
      this.state = 'creating';
      this.events.send(m.createStreamMessage());
    } else if (name === '_result' && txn === m.TXN_CREATE_STREAM && this.state === 'creating') {
      const id = values[3];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
        return this.fail(`createStream answered a stream id that is not one: ${JSON.stringify(id ?? null)}`);
      }
      this.state = 'playing-requested';
      this.events.send(m.playMessages(id, this.target.stream));
    } else if (name === '_error' && (txn === m.TXN_CONNECT || txn === m.TXN_CREATE_STREAM)) {
      const what = txn === m.TXN_CONNECT ? 'connect' : 'createStream';
      return this.reject(`${what} refused: ${statusText(values[3])}`);
    } else if (name === 'onStatus') {
      return this.onStatus(values[3]);
    }
    return true;
  }

  private onStatus(info: AmfValue | undefined): boolean {
    const code = field(info, 'code');
    const level = field(info, 'level');
    if (code === 'NetStream.Play.Start' && this.state !== 'playing') {
      this.state = 'playing';
      this.events.playStarted();
      return true;
    }
    if (this.state === 'playing') {
      if (level === 'error' || END_CODES.has(code)) this.end(`the server ended the stream: ${statusText(info)}`);
    } else if (
      level === 'error' ||
      code.endsWith('.Failed') ||
      code.endsWith('.Rejected') ||
      code.endsWith('.StreamNotFound')
    ) {
      return this.reject(`play refused: ${statusText(info)}`);
    }
    return this.state !== 'ended';
  }

  private reject(message: string): boolean {
    this.state = 'ended';
    this.events.rejected(message);
    return false;
  }

  private end(message: string): void {
    this.state = 'ended';
    this.events.ended(message);
  }

  private fail(message: string): boolean {
    this.state = 'ended';
    this.events.failed(message);
    return false;
  }
}

function field(info: AmfValue | undefined, key: string): string {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) return '';
  const v = (info as Record<string, AmfValue>)[key];
  return typeof v === 'string' ? v : '';
}

/** "code: description" of an info object, as SPEC §14 asks for the error text. */
function statusText(info: AmfValue | undefined): string {
  const code = field(info, 'code') || 'no status code';
  const description = field(info, 'description');
  return description ? `${code}: ${description}` : code;
}
