/**
 * RTMP message types and the control and command messages a play client sends (RTMP spec §5.4, §6.2,
 * §7.2; Enhanced RTMP v1 for `fourCcList`).
 */
import { encodeAmf0 } from './amf0-writer.js';
import { CSID_COMMAND, CSID_CONTROL, CSID_STREAM_COMMAND, encodeMessage } from './chunk-writer.js';
import type { RtmpTarget } from './url.js';

export const MSG_SET_CHUNK_SIZE = 1;
export const MSG_ABORT = 2;
export const MSG_ACK = 3;
export const MSG_USER_CONTROL = 4;
export const MSG_WINDOW_ACK_SIZE = 5;
export const MSG_SET_PEER_BANDWIDTH = 6;
export const MSG_AUDIO = 8;
export const MSG_VIDEO = 9;
export const MSG_DATA_AMF3 = 15;
export const MSG_COMMAND_AMF3 = 17;
export const MSG_DATA_AMF0 = 18;
export const MSG_COMMAND_AMF0 = 20;
export const MSG_AGGREGATE = 22;

export const UC_STREAM_BEGIN = 0;
export const UC_STREAM_EOF = 1;
export const UC_SET_BUFFER_LENGTH = 3;
export const UC_PING_REQUEST = 6;
export const UC_PING_RESPONSE = 7;

/** Transaction ids of the client's commands (play's is 0: it is answered by onStatus, not _result). */
export const TXN_CONNECT = 1;
export const TXN_CREATE_STREAM = 2;
/** What a player reports as its version; servers log it and some gate features on it. */
export const FLASH_VER = 'LNX 9,0,124,2';
/** Client buffer announced after createStream (as FFmpeg does), ms. */
const BUFFER_LENGTH_MS = 3000;
/** play's start argument: -1 = live only (RTMP spec §7.2.2.1). */
const PLAY_LIVE = -1;
/** Codecs announced in connect for Enhanced RTMP servers (HEVC, AV1, VP9 and Opus/FLAC/AC-3 audio). */
const FOURCC_LIST = ['hvc1', 'av01', 'vp09', 'avc1', 'Opus', 'fLaC', 'ac-3', 'ec-3', 'mp4a', '.mp3'];
/** connect's legacy codec masks: all audio codecs, all video codecs, video function "seek" (RTMP 7.2.1.1) */
const AUDIO_CODECS = 0x0fff;
const VIDEO_CODECS = 0x00ff;
const VIDEO_FUNCTION = 1;

export function connectMessage(target: RtmpTarget): Buffer {
  const body = encodeAmf0('connect', TXN_CONNECT, {
    app: target.app,
    flashVer: FLASH_VER,
    tcUrl: target.tcUrl,
    fpad: false,
    capabilities: 15,
    audioCodecs: AUDIO_CODECS,
    videoCodecs: VIDEO_CODECS,
    videoFunction: VIDEO_FUNCTION,
    fourCcList: FOURCC_LIST,
  });
  return encodeMessage(CSID_COMMAND, MSG_COMMAND_AMF0, 0, body);
}

export function createStreamMessage(): Buffer {
  return encodeMessage(CSID_COMMAND, MSG_COMMAND_AMF0, 0, encodeAmf0('createStream', TXN_CREATE_STREAM, null));
}

export function playMessages(streamId: number, name: string): Buffer {
  const buffer = new Uint8Array(10);
  const view = new DataView(buffer.buffer);
  view.setUint16(0, UC_SET_BUFFER_LENGTH);
  view.setUint32(2, streamId);
  view.setUint32(6, BUFFER_LENGTH_MS);
  return Buffer.concat([
    encodeMessage(CSID_CONTROL, MSG_USER_CONTROL, 0, buffer),
    encodeMessage(CSID_STREAM_COMMAND, MSG_COMMAND_AMF0, streamId, encodeAmf0('play', 0, null, name, PLAY_LIVE)),
  ]);
}

export function acknowledgementMessage(sequence: number): Buffer {
  return encodeMessage(CSID_CONTROL, MSG_ACK, 0, uint32(sequence));
}

export function windowAckSizeMessage(size: number): Buffer {
  return encodeMessage(CSID_CONTROL, MSG_WINDOW_ACK_SIZE, 0, uint32(size));
}

/** PingResponse echoes the 4-byte timestamp of the PingRequest. */
export function pingResponseMessage(timestamp: Uint8Array): Buffer {
  const body = new Uint8Array(6);
  body[1] = UC_PING_RESPONSE;
  body.set(timestamp.subarray(0, 4), 2);
  return encodeMessage(CSID_CONTROL, MSG_USER_CONTROL, 0, body);
}

export function readUint32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function uint32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}
