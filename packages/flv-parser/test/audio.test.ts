import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAudioSpecificConfig } from '../src/codecs/aac.js';
import { audioFourCcToCodec, parseFlacConfig, parseLegacyAudioHeader, parseOpusHead } from '../src/codecs/audio.js';
import { legacyVideoCodecName, videoFourCcToCodec } from '../src/codecs/video-codec-names.js';
import { indexFlvTags } from '../src/tag-index.js';

describe('parseAudioSpecificConfig', () => {
  it('0x12 0x10: AAC-LC 44.1 kHz stereo', () => {
    expect(parseAudioSpecificConfig(new Uint8Array([0x12, 0x10]))).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'AAC-LC', objectType: 2, sampleRate: 44100, channels: 2 },
    });
  });

  it('0x11 0x90: AAC-LC 48 kHz stereo', () => {
    expect(parseAudioSpecificConfig(new Uint8Array([0x11, 0x90]))).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'AAC-LC', objectType: 2, sampleRate: 48000, channels: 2 },
    });
  });

  it('other object types and channel layouts', () => {
    // 00001 0011 0001: AAC Main 48 kHz mono
    expect(parseAudioSpecificConfig(new Uint8Array([0x09, 0x88]))).toMatchObject({
      ok: true,
      config: { profile: 'AAC Main', objectType: 1, sampleRate: 48000, channels: 1 },
    });
    // 00010 0011 0110: AAC-LC 48 kHz 5.1 (6 channels)
    expect(parseAudioSpecificConfig(new Uint8Array([0x11, 0xb0]))).toMatchObject({ ok: true, config: { channels: 6 } });
    // 00010 0011 0111: channelConfiguration 7 is 7.1, eight channels
    expect(parseAudioSpecificConfig(new Uint8Array([0x11, 0xb8]))).toMatchObject({ ok: true, config: { channels: 8 } });
    // 00010 1011 0001: AAC-LC 8 kHz mono
    expect(parseAudioSpecificConfig(new Uint8Array([0x15, 0x88]))).toMatchObject({
      ok: true,
      config: { sampleRate: 8000, channels: 1 },
    });
    // 10111 0011 0010: AAC-LD 48 kHz stereo
    expect(parseAudioSpecificConfig(new Uint8Array([0xb9, 0x90]))).toMatchObject({
      ok: true,
      config: { profile: 'AAC-LD', objectType: 23 },
    });
  });

  it('channelConfiguration 0 (program_config_element) leaves channels unknown', () => {
    const r = parseAudioSpecificConfig(new Uint8Array([0x11, 0x80])); // 00010 0011 0000
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.channels).toBeUndefined();
  });

  it('samplingFrequencyIndex 15: explicit 24-bit samplingFrequency', () => {
    // 00010 1111 [24 bits: 44000] 0010
    expect(parseAudioSpecificConfig(new Uint8Array([0x17, 0x80, 0x55, 0xf0, 0x10]))).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'AAC-LC', objectType: 2, sampleRate: 44000, channels: 2 },
    });
    // an explicit 0 Hz is damage
    const zero = parseAudioSpecificConfig(new Uint8Array([0x17, 0x80, 0x00, 0x00, 0x10]));
    expect(zero.ok === false && zero.code).toBe('bad_audio_config');
  });

  it('HE-AAC explicit signalling: 24 kHz core, 48 kHz output', () => {
    // 00101 (SBR) 0110 (24 kHz) 0010 (stereo) 0011 (extension 48 kHz) 00010 (core AAC-LC)
    expect(parseAudioSpecificConfig(new Uint8Array([0x2b, 0x11, 0x88, 0x00]))).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'HE-AAC', objectType: 5, sampleRate: 48000, channels: 2 },
    });
  });

  it('HE-AACv2 explicit signalling: mono core decoded to stereo by parametric stereo', () => {
    // 11101 (PS) 0110 (24 kHz) 0001 (mono) 0011 (extension 48 kHz) 00010 (core AAC-LC)
    expect(parseAudioSpecificConfig(new Uint8Array([0xeb, 0x09, 0x88, 0x00]))).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'HE-AACv2', objectType: 29, sampleRate: 48000, channels: 2 },
    });
  });

  it('HE-AAC with an explicit 24-bit extensionSamplingFrequency', () => {
    // 00101 1000 (16 kHz) 0001 (mono) 1111 [24 bits: 32000] 00010
    expect(parseAudioSpecificConfig(new Uint8Array([0x2c, 0x0f, 0x80, 0x3e, 0x80, 0x08]))).toMatchObject({
      ok: true,
      config: { profile: 'HE-AAC', sampleRate: 32000, channels: 1 },
    });
  });

  it('escape object type 31: 32 + audioObjectTypeExt', () => {
    // 11111 000111 (39: ER AAC ELD) 0011 (48 kHz) 0010
    expect(parseAudioSpecificConfig(new Uint8Array([0xf8, 0xe6, 0x40]))).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'AAC-ELD', objectType: 39, sampleRate: 48000, channels: 2 },
    });
    // 11111 001010 (42: USAC, no name of its own here) 0100 (44.1 kHz) 0001
    expect(parseAudioSpecificConfig(new Uint8Array([0xf9, 0x48, 0x20]))).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'AAC object type 42', objectType: 42, sampleRate: 44100, channels: 1 },
    });
  });

  it('reserved samplingFrequencyIndex 13 / 14 -> bad_audio_config', () => {
    // 00010 1101 0010 and 00010 1110 0010
    for (const b of [
      [0x16, 0x90],
      [0x17, 0x10],
    ]) {
      const r = parseAudioSpecificConfig(new Uint8Array(b));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('bad_audio_config');
        expect(r.message).toMatch(/samplingFrequency index 1[34] is reserved/);
      }
    }
    // reserved extensionSamplingFrequencyIndex: 00101 1000 0001 1110 00010
    const ext = parseAudioSpecificConfig(new Uint8Array([0x2c, 0x0f, 0x08]));
    expect(ext.ok === false && ext.message).toMatch(/extensionSamplingFrequency index 14 is reserved/);
  });

  it('object type 0 -> bad_audio_config', () => {
    const r = parseAudioSpecificConfig(new Uint8Array([0x01, 0x90]));
    expect(r.ok === false && r.code).toBe('bad_audio_config');
  });

  it('truncated -> ok:false, never throws', () => {
    const cases = [
      [],
      [0x12], // channelConfiguration missing
      [0x17, 0x80, 0x55], // explicit frequency cut
      [0x2b, 0x11], // HE-AAC core object type missing
      [0xf8], // escape cut
    ];
    for (const b of cases) {
      const r = parseAudioSpecificConfig(new Uint8Array(b));
      expect(r.ok, `bytes ${b.join(',')}`).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('bad_audio_config');
        expect(r.message).toContain('truncated');
      }
    }
  });
});

describe('corpus AAC sequence headers', () => {
  function ascOf(name: string) {
    const file = new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/corpus/${name}`, import.meta.url)));
    const tag = indexFlvTags(file).tags.find((t) => t.tagType === 8 && t.sequenceHeader);
    if (!tag) throw new Error(`${name}: no AAC sequence header`);
    const body = file.subarray(tag.offset + 11, tag.offset + 11 + tag.dataSize);
    // The legacy header says "AAC, 44 kHz, 16-bit, stereo" as the FLV spec requires for AAC whatever the rate
    expect(parseLegacyAudioHeader(body[0]!)).toEqual({ codec: 'AAC', soundFormat: 10, sampleSize: 16, channels: 2 });
    return parseAudioSpecificConfig(body.subarray(2)); // after SoundFormat byte and AACPacketType
  }

  it('avc_aac.flv: AAC-LC 48 kHz stereo', () => {
    expect(ascOf('avc_aac.flv')).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'AAC-LC', objectType: 2, sampleRate: 48000, channels: 2 },
    });
  });

  it('hevc_aac.flv: AAC-LC 48 kHz stereo', () => {
    // The corpus README says 44.1 kHz, but that is the legacy header's SoundRate (always 3 for AAC). The
    // AudioSpecificConfig is 0x11 0x90 (48 kHz), onMetaData says audiosamplerate 48000 and scuffle's own
    // test asserts 48000 from the ASC.
    expect(ascOf('hevc_aac.flv')).toEqual({
      ok: true,
      config: { codec: 'AAC', profile: 'AAC-LC', objectType: 2, sampleRate: 48000, channels: 2 },
    });
  });

  it('av1_aac.flv: AAC-LC 48 kHz stereo', () => {
    expect(ascOf('av1_aac.flv')).toMatchObject({
      ok: true,
      config: { profile: 'AAC-LC', sampleRate: 48000, channels: 2 },
    });
  });
});

describe('parseLegacyAudioHeader', () => {
  it('AAC: rate left to the AudioSpecificConfig', () => {
    expect(parseLegacyAudioHeader(0xaf)).toEqual({ codec: 'AAC', soundFormat: 10, sampleSize: 16, channels: 2 });
  });

  it('MP3 at each SoundRate, SoundSize and SoundType', () => {
    expect(parseLegacyAudioHeader(0x2f)).toEqual({
      codec: 'MP3',
      soundFormat: 2,
      sampleRate: 44100,
      sampleSize: 16,
      channels: 2,
    });
    expect(parseLegacyAudioHeader(0x2a)).toEqual({
      codec: 'MP3',
      soundFormat: 2,
      sampleRate: 22050,
      sampleSize: 16,
      channels: 1,
    });
    expect(parseLegacyAudioHeader(0x25)).toEqual({
      codec: 'MP3',
      soundFormat: 2,
      sampleRate: 11025,
      sampleSize: 8,
      channels: 2,
    });
    expect(parseLegacyAudioHeader(0x20)).toEqual({
      codec: 'MP3',
      soundFormat: 2,
      sampleRate: 5512,
      sampleSize: 8,
      channels: 1,
    });
    expect(parseLegacyAudioHeader(0xe2)).toEqual({
      codec: 'MP3',
      soundFormat: 14,
      sampleRate: 8000,
      sampleSize: 16,
      channels: 1,
    });
  });

  it('PCM, ADPCM, device-specific', () => {
    expect(parseLegacyAudioHeader(0x0f)).toMatchObject({ codec: 'PCM', soundFormat: 0, sampleRate: 44100 });
    expect(parseLegacyAudioHeader(0x3e)).toEqual({
      codec: 'PCM',
      soundFormat: 3,
      sampleRate: 44100,
      sampleSize: 16,
      channels: 1,
    });
    expect(parseLegacyAudioHeader(0x1a)).toMatchObject({ codec: 'ADPCM', soundFormat: 1, sampleRate: 22050 });
    expect(parseLegacyAudioHeader(0xf3)).toMatchObject({ codec: 'Device-specific', soundFormat: 15 });
  });

  it('fixed-rate formats ignore SoundRate and SoundType', () => {
    expect(parseLegacyAudioHeader(0xb2)).toEqual({
      codec: 'Speex',
      soundFormat: 11,
      sampleRate: 16000,
      sampleSize: 16,
      channels: 1,
    });
    expect(parseLegacyAudioHeader(0xbf)).toMatchObject({ codec: 'Speex', sampleRate: 16000, channels: 1 });
    expect(parseLegacyAudioHeader(0x4f)).toMatchObject({
      codec: 'Nellymoser',
      soundFormat: 4,
      sampleRate: 16000,
      channels: 1,
    });
    expect(parseLegacyAudioHeader(0x5f)).toMatchObject({
      codec: 'Nellymoser',
      soundFormat: 5,
      sampleRate: 8000,
      channels: 1,
    });
    expect(parseLegacyAudioHeader(0x6a)).toMatchObject({ codec: 'Nellymoser', soundFormat: 6, sampleRate: 22050 });
    expect(parseLegacyAudioHeader(0x72)).toMatchObject({
      codec: 'G.711 A-law',
      sampleRate: 8000,
      sampleSize: 16,
      channels: 1,
    });
    expect(parseLegacyAudioHeader(0x8e)).toMatchObject({ codec: 'G.711 mu-law', sampleRate: 8000 });
  });

  it('SoundFormat 9 is the Enhanced ExHeader: nothing else in the byte is a legacy field', () => {
    expect(parseLegacyAudioHeader(0x90)).toEqual({ codec: 'ExHeader', soundFormat: 9, sampleSize: 0, channels: 0 });
    expect(parseLegacyAudioHeader(0x91)).toEqual({ codec: 'ExHeader', soundFormat: 9, sampleSize: 0, channels: 0 });
  });

  it('reserved formats name their number', () => {
    expect(parseLegacyAudioHeader(0xc2).codec).toBe('sound format 12');
    expect(parseLegacyAudioHeader(0xd2).codec).toBe('sound format 13');
  });
});

describe('codec names', () => {
  it('audio FourCCs', () => {
    expect(audioFourCcToCodec('mp4a')).toBe('AAC');
    expect(audioFourCcToCodec('Opus')).toBe('Opus');
    expect(audioFourCcToCodec('fLaC')).toBe('FLAC');
    expect(audioFourCcToCodec('ac-3')).toBe('AC-3');
    expect(audioFourCcToCodec('ec-3')).toBe('E-AC-3');
    expect(audioFourCcToCodec('.mp3')).toBe('MP3');
    expect(audioFourCcToCodec('opus')).toBe('opus'); // FourCCs are case-sensitive
    expect(audioFourCcToCodec('toSt')).toBe('toSt'); // not an inherited Object.prototype member
  });

  it('video FourCCs', () => {
    expect(videoFourCcToCodec('avc1')).toBe('H.264');
    expect(videoFourCcToCodec('hvc1')).toBe('H.265');
    expect(videoFourCcToCodec('av01')).toBe('AV1');
    expect(videoFourCcToCodec('vp09')).toBe('VP9');
    expect(videoFourCcToCodec('vp08')).toBe('VP8');
    expect(videoFourCcToCodec('vvc1')).toBe('vvc1');
  });

  it('legacy video CodecIDs', () => {
    expect([2, 3, 4, 5, 6, 7, 12, 13].map(legacyVideoCodecName)).toEqual([
      'Sorenson H.263',
      'Screen video',
      'VP6',
      'VP6 alpha',
      'Screen video v2',
      'H.264',
      'H.265',
      'AV1',
    ]);
    expect(legacyVideoCodecName(1)).toBe('codec id 1');
    expect(legacyVideoCodecName(9)).toBe('codec id 9');
  });
});

describe('parseOpusHead', () => {
  // "OpusHead", version 1, 2 channels, pre-skip 312 (LE), input rate 48000 (LE), gain 0, mapping family 0
  const head = [
    0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 0x01, 0x02, 0x38, 0x01, 0x80, 0xbb, 0x00, 0x00, 0x00, 0x00, 0x00,
  ];

  it('reads channel count and input sample rate', () => {
    expect(parseOpusHead(new Uint8Array(head))).toEqual({
      ok: true,
      config: { codec: 'Opus', channels: 2, sampleRate: 48000 },
    });
    const mono44 = head.slice();
    mono44[9] = 1;
    mono44.splice(12, 4, 0x44, 0xac, 0x00, 0x00); // 44100 little endian
    expect(parseOpusHead(new Uint8Array(mono44))).toEqual({
      ok: true,
      config: { codec: 'Opus', channels: 1, sampleRate: 44100 },
    });
  });

  it('input sample rate 0 (unspecified) reports the 48 kHz decode rate', () => {
    const b = head.slice();
    b.splice(12, 4, 0, 0, 0, 0);
    expect(parseOpusHead(new Uint8Array(b))).toEqual({
      ok: true,
      config: { codec: 'Opus', channels: 2, sampleRate: 48000 },
    });
  });

  it('an empty SequenceStart is accepted', () => {
    expect(parseOpusHead(new Uint8Array(0))).toEqual({ ok: true, config: { codec: 'Opus', sampleRate: 48000 } });
  });

  it('damage: wrong magic, truncated, major version 1, zero channels', () => {
    const wrongMagic = head.slice();
    wrongMagic[4] = 0x54; // "OpusTags"-like
    const v16 = head.slice();
    v16[8] = 0x10;
    const zeroCh = head.slice();
    zeroCh[9] = 0;
    for (const b of [wrongMagic, head.slice(0, 12), head.slice(0, 5), v16, zeroCh]) {
      const r = parseOpusHead(new Uint8Array(b));
      expect(r.ok === false && r.code).toBe('bad_audio_config');
    }
  });
});

describe('parseFlacConfig', () => {
  // STREAMINFO: block size 4096/4096, frame sizes 0/0, then 44100 Hz (20 bits), 2 channels (3 bits: 1),
  // 16 bits per sample (5 bits: 15), total samples 0, MD5 0
  const streaminfo44 = [
    0x10,
    0x00,
    0x10,
    0x00,
    0,
    0,
    0,
    0,
    0,
    0,
    0x0a,
    0xc4,
    0x42,
    0xf0,
    ...new Array<number>(20).fill(0),
  ];
  // 48000 Hz, 6 channels (5), 24 bits (23)
  const streaminfo48 = [
    0x10,
    0x00,
    0x10,
    0x00,
    0,
    0,
    0,
    0,
    0,
    0,
    0x0b,
    0xb8,
    0x0b,
    0x70,
    ...new Array<number>(20).fill(0),
  ];
  const fLaC = [0x66, 0x4c, 0x61, 0x43];
  const lastStreaminfoHeader = [0x80, 0x00, 0x00, 0x22];

  it('"fLaC" + METADATA_BLOCK_HEADER + STREAMINFO', () => {
    expect(streaminfo44).toHaveLength(34);
    expect(parseFlacConfig(new Uint8Array([...fLaC, ...lastStreaminfoHeader, ...streaminfo44]))).toEqual({
      ok: true,
      config: { codec: 'FLAC', sampleRate: 44100, channels: 2, sampleSize: 16 },
    });
  });

  it('bare STREAMINFO, and block header without the marker', () => {
    expect(parseFlacConfig(new Uint8Array(streaminfo48))).toEqual({
      ok: true,
      config: { codec: 'FLAC', sampleRate: 48000, channels: 6, sampleSize: 24 },
    });
    expect(parseFlacConfig(new Uint8Array([0x00, 0x00, 0x00, 0x22, ...streaminfo48]))).toMatchObject({
      ok: true,
      config: { sampleRate: 48000, channels: 6 },
    });
  });

  it('an empty SequenceStart is accepted', () => {
    expect(parseFlacConfig(new Uint8Array(0))).toEqual({ ok: true, config: { codec: 'FLAC' } });
  });

  it('damage: first block not STREAMINFO, truncated, sample rate 0', () => {
    const vorbisComment = [...fLaC, 0x04, 0x00, 0x00, 0x22, ...streaminfo44];
    const zeroRate = streaminfo44.slice();
    zeroRate.splice(10, 4, 0x00, 0x00, 0x02, 0xf0);
    for (const b of [
      vorbisComment,
      [...fLaC, ...lastStreaminfoHeader, ...streaminfo44.slice(0, 12)],
      streaminfo44.slice(0, 5),
      zeroRate,
    ]) {
      const r = parseFlacConfig(new Uint8Array(b));
      expect(r.ok === false && r.code).toBe('bad_audio_config');
    }
  });
});
