import { describe, expect, it } from 'vitest';
import { FlvDemuxer } from '../src/demuxer.js';
import type { FlvEvent } from '../src/types.js';
import { aacFrame, amfKey, amfNumber, amfString, flvHeader, nalFrame, tag } from './support/flv-builder.js';

// AVC sequence header tag body of a 1280x720 High profile stream: SPS + PPS in an AVCDecoderConfigurationRecord
const SPS = Array.from(Buffer.from('6764001facd9405005bb0110000003001000000303c0f1831960', 'hex'));
const PPS = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];
const AVC_CONFIG = [0x17, 0, 0, 0, 0, 1, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0, SPS.length, ...SPS, 1, 0, PPS.length, ...PPS];
const TAGS: Array<[type: number, timestamp: number, body: number[]]> = [
  [18, 0, [...amfString('onMetaData'), 0x08, 0, 0, 0, 1, ...amfKey('framerate'), ...amfNumber(25), 0, 0, 9]],
  [9, 0, AVC_CONFIG],
  [8, 0, [0xaf, 0x00, 0x12, 0x10]],
  [9, 0, nalFrame(1, 7, 0, [[0x65, 0x88, 0x84]])],
  [8, 23, aacFrame()],
  [9, 40, nalFrame(2, 7, 40, [[0x41, 0x9a]])],
  [9, 0x01000050, nalFrame(2, 7, 0, [[0x41, 0x9a]])],
];

/** Events without byte offsets: the two framings count offsets differently. */
function strip(events: FlvEvent[]): unknown[] {
  return events.filter((e) => e.type !== 'header').map((e) => ({ ...e, offset: undefined }));
}

describe('FlvDemuxer.pushTag (RTMP message bodies)', () => {
  it('gives the same events as the same tags in an FLV byte stream', () => {
    const fromBytes: FlvEvent[] = [];
    const bytes = new FlvDemuxer((e) => fromBytes.push(e));
    bytes.push(Uint8Array.from([...flvHeader(), ...TAGS.flatMap(([t, ts, b]) => tag(t, ts, b))]));
    const fromTags: FlvEvent[] = [];
    const tags = new FlvDemuxer((e) => fromTags.push(e));
    for (const [t, ts, b] of TAGS) tags.pushTag(t, ts, Uint8Array.from(b));
    expect(fromTags.some((e) => e.type === 'video-config')).toBe(true);
    expect(fromTags.filter((e) => e.type === 'video-frame')).toHaveLength(3);
    expect(strip(fromTags)).toEqual(strip(fromBytes));
    expect(tags.insideUnit).toBe(false);
  });

  it('skips an oversized body without looking for a header inside it', () => {
    const events: FlvEvent[] = [];
    const d = new FlvDemuxer((e) => events.push(e), { maxTagBytes: 16 });
    d.pushTag(9, 0, new Uint8Array(64));
    d.pushTag(8, 10, Uint8Array.from(aacFrame()));
    expect(events.map((e) => (e.type === 'anomaly' ? e.code : e.type))).toEqual(['oversized_tag', 'audio-frame']);
    expect(d.failed).toBe(false);
  });

  it('reports an empty body and an unknown type, and keeps going', () => {
    const events: FlvEvent[] = [];
    const d = new FlvDemuxer((e) => events.push(e));
    d.pushTag(9, 0, new Uint8Array(0));
    d.pushTag(7, 0, Uint8Array.from([1, 2, 3]));
    d.pushTag(8, 0, Uint8Array.from(aacFrame()));
    expect(events.map((e) => (e.type === 'anomaly' ? e.code : e.type))).toEqual([
      'zero_size_tag',
      'unknown_tag_type',
      'audio-frame',
    ]);
    expect(d.offset).toBe(3 + aacFrame().length);
  });
});
