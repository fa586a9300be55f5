import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFlvFile } from '../src/parse-file.js';

const corpus = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/corpus/${name}`, import.meta.url)));

// Expected values: tests/fixtures/corpus/README.md (asserted by the scuffle project's own tests).
describe('corpus', () => {
  it('avc_aac.flv: legacy AVC High 5.1 3840x2160 60 fps, AAC-LC 48 kHz stereo', () => {
    const s = parseFlvFile(corpus('avc_aac.flv'));
    expect(s.video).toMatchObject({ codec: 'H.264', profile: 'High', level: '5.1', width: 3840, height: 2160 });
    expect(s.video.framerate).toBeCloseTo(60, 0);
    expect(s.audio).toMatchObject({ codec: 'AAC', sample_rate: 48000, channels: 2 });
    // 1.088 s is the file's duration (onMetaData); 59 frames at 60 fps cover about 1.0 s of DTS.
    expect(s.metadata).toMatchObject({ width: 3840, height: 2160, framerate: 60, duration: 1.088 });
    expect(s.video.frames).toBe(59);
    expect(Math.abs(s.media_ms! - 1000)).toBeLessThan(20);
    expect(s.fatal).toBeUndefined();
    expect(s.anomalies).toEqual({});
  });

  // The README's 44.1 kHz is the legacy header byte; the AudioSpecificConfig (11 90) and onMetaData say 48 kHz.
  it('hevc_aac.flv: Enhanced hvc1 (CodedFrames + CodedFramesX + Metadata) 3840x2160 60 fps, AAC 48 kHz stereo', () => {
    const s = parseFlvFile(corpus('hevc_aac.flv'));
    expect(s.video).toMatchObject({ codec: 'H.265', width: 3840, height: 2160 });
    expect(s.video.framerate).toBeCloseTo(60, 0);
    expect(s.audio).toMatchObject({ codec: 'AAC', sample_rate: 48000, channels: 2 });
    expect(s.metadata).toMatchObject({ duration: 2.038 });
    expect(s.video.frames).toBe(120);
    expect(Math.abs(s.media_ms! - 2000)).toBeLessThan(40);
    expect(s.video.keyframes).toBeGreaterThanOrEqual(1);
    expect(s.anomalies).toEqual({});
  });

  it('av1_aac.flv: Enhanced av01 2560x1440, AAC-LC 48 kHz stereo, onMetaData framerate 144', () => {
    const s = parseFlvFile(corpus('av1_aac.flv'));
    expect(s.video).toMatchObject({ codec: 'AV1', width: 2560, height: 1440 });
    expect(s.audio).toMatchObject({ codec: 'AAC', sample_rate: 48000, channels: 2 });
    expect(s.metadata).toMatchObject({ framerate: 144 });
    expect(s.anomalies).toEqual({});
  });
});
