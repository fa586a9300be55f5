import { fourCcAt, si24At } from './video-tag.js';

/** One track's packet inside an Enhanced RTMP multitrack (or ModEx-wrapped) body. */
export interface EnhancedTrackPacket {
  track: number;
  fourcc: string;
  packetType: number;
  /** CompositionTime for avc1 / hvc1 CodedFrames, else 0 */
  cts: number;
  /** the packet's payload (config record, coded data, AMF metadata) */
  data: Uint8Array;
}

export type EnhancedBody =
  | { ok: true; frameType: number; command: boolean; packets: EnhancedTrackPacket[] }
  | { ok: false; message: string };

const MULTITRACK_ONE_TRACK = 0;
const MULTITRACK_MANY_TRACKS_MANY_CODECS = 2;

/**
 * Reads a whole Enhanced RTMP audio or video body that uses ModEx and / or Multitrack
 * (enhanced-rtmp-v2 ExVideoTagHeader / ExAudioTagHeader). Only these rare packets are buffered.
 */
export function parseEnhancedBody(body: Uint8Array, media: 'video' | 'audio'): EnhancedBody {
  const multitrackType = media === 'video' ? 6 : 5;
  const modExType = 7;
  if (body.length < 1) return { ok: false, message: 'empty body' };
  const b0 = body[0]!;
  const frameType = (b0 >> 4) & 0x07;
  let packetType = b0 & 0x0f;
  let pos = 1;
  const need = (n: number): boolean => pos + n <= body.length;

  // ModEx: modExDataSize (UI8 + 1, or UI16 + 1 when that is 256), modExData, then
  // videoPacketModExType (UI4) and the next packet type (UI4), repeated while it is ModEx again.
  let guard = 0;
  while (packetType === modExType) {
    if (++guard > 64) return { ok: false, message: 'ModEx chain longer than 64' };
    if (!need(1)) return { ok: false, message: 'ModEx header cut short' };
    let modExDataSize = body[pos++]! + 1;
    if (modExDataSize === 256) {
      if (!need(2)) return { ok: false, message: 'ModEx size cut short' };
      modExDataSize = ((body[pos]! << 8) | body[pos + 1]!) + 1;
      pos += 2;
    }
    if (!need(modExDataSize + 1))
      return { ok: false, message: `ModEx data of ${modExDataSize} bytes runs past the tag` };
    pos += modExDataSize;
    packetType = body[pos++]! & 0x0f;
  }

  if (media === 'video' && frameType === 5 && packetType !== 4) {
    return { ok: true, frameType, command: true, packets: [] };
  }

  let multitrack = false;
  let trackLayout = MULTITRACK_ONE_TRACK;
  let fourcc = '';
  if (packetType === multitrackType) {
    if (!need(1)) return { ok: false, message: 'multitrack header cut short' };
    multitrack = true;
    trackLayout = body[pos]! >> 4; // AvMultitrackType
    packetType = body[pos]! & 0x0f;
    pos++;
    if (trackLayout > MULTITRACK_MANY_TRACKS_MANY_CODECS)
      return { ok: false, message: `reserved AvMultitrackType ${trackLayout}` };
  }
  if (trackLayout !== MULTITRACK_MANY_TRACKS_MANY_CODECS) {
    if (!need(4)) return { ok: false, message: 'FourCC cut short' };
    fourcc = fourCcAt(body, pos);
    pos += 4;
  }

  const packets: EnhancedTrackPacket[] = [];
  while (pos < body.length) {
    if (packets.length >= 256) return { ok: false, message: 'more than 256 tracks in one packet' };
    if (trackLayout === MULTITRACK_MANY_TRACKS_MANY_CODECS) {
      if (!need(4)) return { ok: false, message: 'track FourCC cut short' };
      fourcc = fourCcAt(body, pos);
      pos += 4;
    }
    let track = 0;
    let end = body.length;
    if (multitrack) {
      if (!need(1)) return { ok: false, message: 'track id cut short' };
      track = body[pos++]!;
      if (trackLayout !== MULTITRACK_ONE_TRACK) {
        if (!need(3)) return { ok: false, message: 'sizeOfTrack cut short' };
        const size = (body[pos]! << 16) | (body[pos + 1]! << 8) | body[pos + 2]!;
        pos += 3;
        if (!need(size)) return { ok: false, message: `track ${track} of ${size} bytes runs past the tag` };
        end = pos + size;
      }
    }
    let cts = 0;
    if (media === 'video' && packetType === 1 && (fourcc === 'avc1' || fourcc === 'hvc1')) {
      if (end - pos < 3) return { ok: false, message: 'composition time cut short' };
      cts = si24At(body, pos);
      pos += 3;
    }
    packets.push({ track, fourcc, packetType, cts, data: body.subarray(pos, end) });
    pos = end;
    if (!multitrack || trackLayout === MULTITRACK_ONE_TRACK) break;
  }
  return { ok: true, frameType, command: false, packets };
}
