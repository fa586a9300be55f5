import { describe, expect, it } from 'vitest';
import { parseVp9CodecConfigurationRecord, readVpCodecConfigurationRecord, vp9LevelName } from '../src/codecs/vp9.js';
import type { ConfigResult } from '../src/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function ok<T>(r: ConfigResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.config;
}

/**
 * 'vpcC' box payloads (FullBox version 1 + flags 0, then the record) written by ffmpeg 5.1 with
 * libvpx-vp9 into MP4 — the same bytes ffmpeg's flvenc writes for an Enhanced FLV 'vp09' SequenceStart:
 *   ffmpeg -f lavfi -i testsrc2=size=WxH:rate=30 -frames:v 1 -pix_fmt PIX -c:v libvpx-vp9 -deadline realtime -f mp4
 * Profiles and pixel formats are what ffprobe reports for those files.
 */
const LIBVPX: Array<[string, string, { profile: string; bitDepthLuma: number; chromaFormat: string; level: string }]> =
  [
    // 320x240 yuv420p: ffprobe Profile 0, yuv420p
    [
      'yuv420p',
      '01000000 00 14 82 02 02 02 0000',
      { profile: 'Profile 0', bitDepthLuma: 8, chromaFormat: '4:2:0', level: '2' },
    ],
    // 176x144 yuv444p: ffprobe Profile 1, yuv444p
    [
      'yuv444p',
      '01000000 01 0a 86 02 02 02 0000',
      { profile: 'Profile 1', bitDepthLuma: 8, chromaFormat: '4:4:4', level: '1' },
    ],
    // 320x240 yuv420p10le: ffprobe Profile 2, yuv420p10le
    [
      'yuv420p10le',
      '01000000 02 14 a2 02 02 02 0000',
      { profile: 'Profile 2', bitDepthLuma: 10, chromaFormat: '4:2:0', level: '2' },
    ],
    // 176x144 yuv422p12le: ffprobe Profile 3, yuv422p12le
    [
      'yuv422p12le',
      '01000000 03 0a c4 02 02 02 0000',
      { profile: 'Profile 3', bitDepthLuma: 12, chromaFormat: '4:2:2', level: '1' },
    ],
  ];

describe('parseVp9CodecConfigurationRecord', () => {
  it.each(LIBVPX)('libvpx %s, with the FullBox header', (_name, record, expected) => {
    const c = ok(parseVp9CodecConfigurationRecord(hex(record)));
    expect(c).toMatchObject({ codec: 'VP9', ...expected, bitDepthChroma: expected.bitDepthLuma });
    expect(c.width).toBeUndefined();
    expect(c.height).toBeUndefined();
  });

  it.each(LIBVPX)('libvpx %s, bare record (no FullBox header)', (_name, record, expected) => {
    const bare = hex(record).subarray(4);
    expect(ok(parseVp9CodecConfigurationRecord(bare))).toMatchObject(expected);
    expect(ok(readVpCodecConfigurationRecord(bare)).fullBoxHeader).toBe(false);
  });

  it('reads every field', () => {
    // profile 2, level 41, 10-bit, chromaSubsampling 1, full range, BT.2020 / PQ / BT.2020 NCL
    expect(ok(readVpCodecConfigurationRecord(hex('01000000 02 29 a3 09 10 09 0000')))).toEqual({
      profile: 2,
      level: 41,
      bitDepth: 10,
      chromaSubsampling: 1,
      videoFullRangeFlag: true,
      colourPrimaries: 9,
      transferCharacteristics: 16,
      matrixCoefficients: 9,
      codecInitializationDataSize: 0,
      fullBoxHeader: true,
    });
  });

  it('a bare profile-1 record of 12 bytes is not mistaken for a FullBox header', () => {
    // first byte 1 (profile 1) and 12 bytes long thanks to 4 bytes of initialization data
    const rec = hex('01 1f 86 02 02 02 0004 deadbeef');
    const read = ok(readVpCodecConfigurationRecord(rec));
    expect(read).toMatchObject({ fullBoxHeader: false, profile: 1, level: 31, codecInitializationDataSize: 4 });
    expect(ok(parseVp9CodecConfigurationRecord(rec))).toMatchObject({ profile: 'Profile 1', level: '3.1' });
  });

  it('chromaSubsampling 0 and 1 are both 4:2:0', () => {
    expect(ok(parseVp9CodecConfigurationRecord(hex('00 1e 80 02 02 02 0000'))).chromaFormat).toBe('4:2:0');
    expect(ok(parseVp9CodecConfigurationRecord(hex('00 1e 82 02 02 02 0000'))).chromaFormat).toBe('4:2:0');
  });

  it('level 0 (unspecified) gives no level name', () => {
    const c = ok(parseVp9CodecConfigurationRecord(hex('00 00 82 02 02 02 0000')));
    expect(c.level).toBeUndefined();
    expect(c.levelIdc).toBe(0);
  });

  it.each<[string, string, RegExp]>([
    ['empty', '', /0 bytes/],
    ['7 bytes', '00 14 82 02 02 02 00', /7 bytes/],
    ['FullBox header with a 7-byte record', '01000000 00 14 82 02 02 02 00', /FullBox header followed by 7 bytes/],
    ['profile 4', '04 14 82 02 02 02 0000', /profile 4/],
    ['bitDepth 9', '00 14 92 02 02 02 0000', /bitDepth 9/],
    ['bitDepth 0', '00 14 02 02 02 02 0000', /bitDepth 0/],
    ['chromaSubsampling 4', '00 14 88 02 02 02 0000', /chromaSubsampling 4/],
    ['initialization data past the end', '00 14 82 02 02 02 0010 00', /codecInitializationDataSize 16/],
  ])('%s -> bad_video_config', (_name, record, message) => {
    const r = parseVp9CodecConfigurationRecord(hex(record));
    expect(r).toMatchObject({ ok: false, code: 'bad_video_config' });
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('every truncation is data, never an exception', () => {
    const full = hex(LIBVPX[0]![1]);
    for (let n = 0; n < full.length; n++) {
      expect(parseVp9CodecConfigurationRecord(full.subarray(0, n))).toMatchObject({
        ok: false,
        code: 'bad_video_config',
      });
    }
  });
});

describe('vp9LevelName', () => {
  it.each([
    [10, '1'],
    [11, '1.1'],
    [20, '2'],
    [21, '2.1'],
    [41, '4.1'],
    [52, '5.2'],
    [62, '6.2'],
  ])('%i -> %s', (level, name) => {
    expect(vp9LevelName(level)).toBe(name);
  });
});
