import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFlvFile } from '@video-exporter/flv-parser';
import { describe, expect, it } from 'vitest';

const fixture = (p: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url)));

// hevc/legacy_hevc_aac.flv is corpus/hevc_aac.flv re-wrapped with CodecID 12 tag headers by
// tests/fixtures/build-legacy-hevc.mjs (the Chinese CDN convention the old exporter marked as down).
describe('legacy HEVC (CodecID 12)', () => {
  it('reads the same stream as the Enhanced original', () => {
    const legacy = parseFlvFile(fixture('hevc/legacy_hevc_aac.flv'));
    const enhanced = parseFlvFile(fixture('corpus/hevc_aac.flv'));
    // Legacy headers are 5 bytes where CodedFramesX has 5 and CodedFrames 8: bitrates differ by those bytes only.
    const { bitrate_bps: legacyBps, ...legacyVideo } = legacy.video;
    const { bitrate_bps: enhancedBps, ...enhancedVideo } = enhanced.video;
    expect(legacyVideo).toEqual(enhancedVideo);
    expect(Math.abs(legacyBps! - enhancedBps!) / enhancedBps!).toBeLessThan(0.01);
    expect(legacy.video).toMatchObject({ codec: 'H.265', width: 3840, height: 2160, frames: 120, keyframes: 1 });
    expect(legacy.audio).toEqual(enhanced.audio);
    expect(legacy.anomalies).toEqual({});
  });
});
