import { describe, expect, it } from 'vitest';
import { FlvDemuxer } from '../src/demuxer.js';
import type { FlvEvent } from '../src/types.js';
import {
  aacFrame,
  amfKey,
  amfNumber,
  amfString,
  flv,
  flvHeader,
  fourcc,
  nalFrame,
  tag,
} from './support/flv-builder.js';

function parse(bytes: Uint8Array, end = true): FlvEvent[] {
  const events: FlvEvent[] = [];
  const d = new FlvDemuxer((e) => events.push(e));
  d.push(bytes);
  if (end) d.end();
  return events;
}

const anomalies = (events: FlvEvent[]) => events.flatMap((e) => (e.type === 'anomaly' ? [e.code] : []));
const frames = (events: FlvEvent[]) => events.filter((e) => e.type === 'video-frame');

// NAL unit headers: H.264 IDR slice (type 5), non-IDR slice (1), AUD (9); H.265 IDR_W_RADL (19), TRAIL_R (1)
const AVC_IDR = [0x65, 0x88, 0x84];
const AVC_SLICE = [0x41, 0x9a];
const AVC_AUD = [0x09, 0xf0];
const HEVC_IDR = [0x26, 0x01, 0xaf];
const HEVC_TRAIL = [0x02, 0x01, 0xd0];

describe('FLV header', () => {
  it('reads version, flags and header size', () => {
    const events = parse(Uint8Array.from(flvHeader(0x01)));
    expect(events[0]).toEqual({ type: 'header', version: 1, hasAudio: false, hasVideo: true, headerSize: 9 });
    expect(anomalies(events)).toEqual([]);
  });

  it('ends the stream on a bad signature and ignores what follows', () => {
    const bytes = Uint8Array.from([
      0x3c,
      0x68,
      0x74,
      0x6d,
      0x6c,
      0x3e,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...tag(9, 0, [0x17, 1, 0, 0, 0]),
    ]);
    const d = new FlvDemuxer(() => {});
    const events: FlvEvent[] = [];
    const d2 = new FlvDemuxer((e) => events.push(e));
    d2.push(bytes);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'anomaly', code: 'bad_signature', fatal: true, offset: 0 });
    expect(d2.failed).toBe(true);
    expect(d.failed).toBe(false);
  });

  it('skips a DataOffset larger than 9', () => {
    const bytes = Uint8Array.from([
      0x46,
      0x4c,
      0x56,
      1,
      5,
      0,
      0,
      0,
      12,
      0xaa,
      0xbb,
      0xcc,
      0,
      0,
      0,
      0,
      ...tag(8, 0, aacFrame()),
    ]);
    const events = parse(bytes);
    expect(events.map((e) => e.type)).toEqual(['header', 'audio-frame']);
  });

  it('rejects an absurd DataOffset as fatal', () => {
    const events = parse(Uint8Array.from([0x46, 0x4c, 0x56, 1, 5, 0x7f, 0, 0, 0]));
    expect(events[0]).toMatchObject({ code: 'bad_header_size', fatal: true });
  });
});

describe('tags', () => {
  it('reads the extended timestamp byte', () => {
    const events = parse(flv(tag(8, 0x01020304, aacFrame())));
    expect(events[1]).toMatchObject({ type: 'audio-frame', dts: 0x01020304, codec: 'AAC', size: 4 });
  });

  it('counts a PreviousTagSize mismatch and goes on', () => {
    const t = tag(8, 0, aacFrame());
    t[t.length - 1] = 0x99; // corrupt the trailing PreviousTagSize
    const events = parse(flv(t, tag(8, 23, aacFrame())));
    expect(anomalies(events)).toEqual(['prev_tag_size_mismatch']);
    expect(events.filter((e) => e.type === 'audio-frame')).toHaveLength(2);
  });

  it('reports zero-size, unknown-type, non-zero stream id and encrypted tags', () => {
    const events = parse(
      flv(tag(9, 0, []), tag(7, 0, [1, 2, 3]), tag(8, 0, aacFrame(), 1), tag(0x20 | 8, 0, aacFrame())),
    );
    expect(anomalies(events)).toEqual(['zero_size_tag', 'unknown_tag_type', 'nonzero_stream_id', 'encrypted_tag']);
  });

  it('skips a tag claiming a 16 MB body without buffering it', () => {
    const events: FlvEvent[] = [];
    const d = new FlvDemuxer((e) => events.push(e));
    d.push(Uint8Array.from([...flvHeader(), 9, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x17, 0x01]));
    const filler = new Uint8Array(1 << 20);
    for (let i = 0; i < 4; i++) d.push(filler);
    expect(d.retainedBytes).toBeLessThan(64);
    expect(anomalies(events)).toEqual(['oversized_tag']);
    d.end();
    expect(anomalies(events)).toEqual(['oversized_tag', 'truncated']);
  });

  it('reports a stream cut inside a tag body as truncated, but not one cut after a PreviousTagSize', () => {
    const whole = flv(tag(8, 0, aacFrame()));
    expect(anomalies(parse(whole))).toEqual([]);
    expect(anomalies(parse(whole.subarray(0, whole.length - 4)))).toEqual([]);
    expect(anomalies(parse(whole.subarray(0, whole.length - 6)))).toEqual(['truncated']);
    expect(anomalies(parse(whole.subarray(0, 20)))).toEqual(['truncated']);
  });
});

describe('video tags', () => {
  it('reads a legacy AVC frame: frame type, negative composition time, IDR cross-check', () => {
    const events = parse(flv(tag(9, 40, nalFrame(1, 7, -40 & 0xffffff, [AVC_AUD, AVC_IDR]))));
    expect(frames(events)[0]).toMatchObject({ codec: 'H.264', keyframe: true, cts: -40, dts: 40 });
    // the sequence header never came: reported once
    expect(anomalies(events)).toEqual(['frame_before_config']);
  });

  it('counts a key flag on a non-IDR picture as a keyframe mismatch', () => {
    const events = parse(flv(tag(9, 0, nalFrame(1, 7, 0, [AVC_SLICE])), tag(9, 40, nalFrame(2, 7, 0, [AVC_IDR]))));
    expect(anomalies(events).filter((c) => c === 'keyframe_mismatch')).toHaveLength(2);
  });

  it('reads legacy codec id 12 as H.265 and checks IRAP types', () => {
    const events = parse(flv(tag(9, 0, nalFrame(1, 12, 0, [HEVC_IDR])), tag(9, 40, nalFrame(2, 12, 0, [HEVC_TRAIL]))));
    expect(frames(events).map((e) => [e.codec, e.keyframe])).toEqual([
      ['H.265', true],
      ['H.265', false],
    ]);
    expect(anomalies(events)).not.toContain('keyframe_mismatch');
  });

  it('reports zero-length NAL units and a NAL length running past the tag', () => {
    const zero = [0x27, 0x01, 0, 0, 0, /* empty NAL */ 0, 0, 0, 0, /* 2-byte NAL */ 0, 0, 0, 2, ...AVC_SLICE];
    const overrun = [0x27, 0x01, 0, 0, 0, 0, 0, 0x10, 0, ...AVC_SLICE];
    expect(anomalies(parse(flv(tag(9, 0, zero))))).toContain('empty_nal');
    expect(anomalies(parse(flv(tag(9, 0, overrun))))).toContain('nal_overrun');
  });

  it('reads Enhanced CodedFrames with composition time and CodedFramesX without', () => {
    const coded = [0x80 | (1 << 4) | 1, ...fourcc('hvc1'), 0x00, 0x00, 0x28, 0, 0, 0, 3, ...HEVC_IDR];
    const codedX = [0x80 | (2 << 4) | 3, ...fourcc('hvc1'), 0, 0, 0, 3, ...HEVC_TRAIL];
    const events = parse(flv(tag(9, 0, coded), tag(9, 16, codedX)));
    expect(frames(events).map((e) => [e.codec, e.keyframe, e.cts])).toEqual([
      ['H.265', true, 40],
      ['H.265', false, 0],
    ]);
  });

  it('does not count command frames (frame type 5) as frames', () => {
    const enhancedCommand = [0x80 | (5 << 4) | 1, ...fourcc('avc1'), 0x01];
    const legacyCommand = [(5 << 4) | 7, 0x01];
    const events = parse(flv(tag(9, 0, enhancedCommand), tag(9, 0, legacyCommand)));
    expect(frames(events)).toHaveLength(0);
    expect(events.filter((e) => e.type === 'video-info' && e.kind === 'command')).toHaveLength(2);
  });

  it('reports an unknown FourCC by name and still counts its frames', () => {
    const events = parse(
      flv(tag(9, 0, [0x80 | 0x10 | 3, ...fourcc('xyz1'), 1, 2]), tag(9, 40, [0x80 | 0x20 | 3, ...fourcc('xyz1'), 3])),
    );
    expect(frames(events).map((e) => e.codec)).toEqual(['xyz1', 'xyz1']);
    const unknown = events.filter((e) => e.type === 'anomaly' && e.code === 'unknown_video_codec');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ message: 'unknown video codec "xyz1"' });
  });

  it('reads a multitrack packet (ManyTracks, one FourCC) track by track', () => {
    const track = (id: number, nal: number[]) => {
      const data = [0, 0, 0, nal.length, ...nal];
      return [id, 0, 0, data.length, ...data];
    };
    // IsExHeader | key frame | Multitrack(6); AvMultitrackType ManyTracks(1) << 4 | CodedFramesX(3)
    const body = [0x80 | 0x10 | 6, (1 << 4) | 3, ...fourcc('avc1'), ...track(0, AVC_IDR), ...track(1, AVC_IDR)];
    const events = parse(flv(tag(9, 0, body)));
    expect(frames(events).map((e) => [e.track, e.codec, e.keyframe])).toEqual([
      [0, 'H.264', true],
      [1, 'H.264', true],
    ]);
  });

  it('skips ModEx data before the real packet type', () => {
    // ModEx(7): modExDataSize-1 = 2 -> 3 bytes of data, then ModExType 0 << 4 | CodedFramesX(3)
    const body = [0x80 | 0x10 | 7, 2, 0, 0, 5, (0 << 4) | 3, ...fourcc('avc1'), 0, 0, 0, 3, ...AVC_IDR];
    const events = parse(flv(tag(9, 0, body)));
    expect(frames(events)).toHaveLength(1);
    expect(frames(events)[0]).toMatchObject({ codec: 'H.264', keyframe: true });
  });

  it('reports a short enhanced tag instead of reading past it', () => {
    expect(anomalies(parse(flv(tag(9, 0, [0x80 | 0x10 | 1, 0x61]))))).toEqual(['short_tag']);
    expect(anomalies(parse(flv(tag(9, 0, [0x17, 0x01]))))).toEqual(['short_tag']);
  });
});

describe('timestamps', () => {
  it('reports DTS running backwards and jumping forward', () => {
    const events = parse(flv(tag(8, 1000, aacFrame()), tag(8, 900, aacFrame()), tag(8, 5000, aacFrame())));
    expect(anomalies(events)).toEqual(['timestamp_backwards', 'timestamp_jump']);
  });
});

describe('script data', () => {
  it('reads onMetaData, with and without @setDataFrame', () => {
    const meta = [0x08, 0, 0, 0, 1, ...amfKey('width'), ...amfNumber(1280), 0, 0, 9];
    const plain = parse(flv(tag(18, 0, [...amfString('onMetaData'), ...meta])));
    const wrapped = parse(flv(tag(18, 0, [...amfString('@setDataFrame'), ...amfString('onMetaData'), ...meta])));
    for (const events of [plain, wrapped]) {
      const script = events.find((e) => e.type === 'script');
      expect(script).toMatchObject({ name: 'onMetaData' });
      expect((script as { value: Record<string, unknown> }).value.width).toBe(1280);
    }
  });

  it('skips a script tag above the record cap', () => {
    const events: FlvEvent[] = [];
    const d = new FlvDemuxer((e) => events.push(e), { maxRecordBytes: 16 });
    d.push(flv(tag(18, 0, [...amfString('onMetaData'), 0x05, ...new Array(40).fill(0)])));
    expect(anomalies(events)).toEqual(['script_too_large']);
  });
});

describe('audio tags', () => {
  it('reads legacy MP3 headers and the AAC AudioSpecificConfig', () => {
    // MP3 (2), 44 kHz, 16-bit, stereo; AAC sequence header 0x11 0x90 = AAC-LC 48 kHz stereo
    const events = parse(flv(tag(8, 0, [0x2f, 0xff, 0xfb]), tag(8, 0, [0xaf, 0x00, 0x11, 0x90])));
    const configs = events.filter((e) => e.type === 'audio-config').map((e) => e.config);
    expect(configs[0]).toMatchObject({ codec: 'MP3', sampleRate: 44100, channels: 2 });
    expect(configs[1]).toMatchObject({ codec: 'AAC', sampleRate: 48000, channels: 2 });
  });

  it('reads Enhanced audio FourCCs', () => {
    const events = parse(flv(tag(8, 0, [0x90 | 1, ...fourcc('Opus'), 1, 2, 3])));
    expect(events.find((e) => e.type === 'audio-frame')).toMatchObject({ codec: 'Opus' });
  });
});
