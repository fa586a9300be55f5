/**
 * A minimal IVF writer: the simplest container that carries per-frame timestamps for any FourCC FFmpeg's
 * `ivf` demuxer maps (AV01, H264, HEVC, VP90). Raw Annex-B would lose the timestamps, which the
 * keyframes-only input needs (its frames are seconds apart). Pure.
 */

const IVF_HEADER_BYTES = 32;
const IVF_FRAME_HEADER_BYTES = 12;
/** timestamps in milliseconds */
const TIMEBASE_DEN = 1000;

export function ivfFileHeader(fourcc: string, width: number, height: number, frames: number): Uint8Array {
  const b = new Uint8Array(IVF_HEADER_BYTES);
  const v = new DataView(b.buffer);
  b.set([0x44, 0x4b, 0x49, 0x46], 0); // "DKIF"
  v.setUint16(4, 0, true); // version
  v.setUint16(6, IVF_HEADER_BYTES, true);
  for (let i = 0; i < 4; i++) b[8 + i] = fourcc.charCodeAt(i);
  v.setUint16(12, width, true);
  v.setUint16(14, height, true);
  v.setUint32(16, TIMEBASE_DEN, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, frames, true);
  return b;
}

export function ivfFrameHeader(size: number, ptsMs: number): Uint8Array {
  const b = new Uint8Array(IVF_FRAME_HEADER_BYTES);
  const v = new DataView(b.buffer);
  v.setUint32(0, size, true);
  v.setBigUint64(4, BigInt(Math.max(0, Math.round(ptsMs))), true);
  return b;
}
