/** SPEC §4 media figures across timestamp discontinuities: a jump or a step back is not media time. */
import { describe, expect, it } from 'vitest';
import { FlvDemuxer } from '../src/demuxer.js';
import { type MediaSummary, MediaSummaryBuilder } from '../src/media-summary.js';
import { flv, nalFrame, tag } from './support/flv-builder.js';

/** `count` legacy AVC frames 40 ms apart from `start`, each body 5 + 4 + 1 = 10 bytes (a keyframe every 25th). */
function frames(start: number, count: number): number[][] {
  return Array.from({ length: count }, (_, i) =>
    tag(9, start + i * 40, nalFrame(i % 25 === 0 ? 1 : 2, 7, 0, [[i % 25 === 0 ? 0x65 : 0x41]])),
  );
}

function summarize(bytes: Uint8Array): MediaSummary {
  const builder = new MediaSummaryBuilder();
  const d = new FlvDemuxer((e) => builder.add(e));
  d.push(bytes);
  d.end();
  return builder.summary();
}

describe('media summary across DTS discontinuities', () => {
  it('continuous: (frames - 1) / (last - first DTS), bitrate over n frame durations', () => {
    const s = summarize(flv(...frames(0, 50)));
    expect(s.video?.framerate).toBe(25);
    // 50 frames × 10 bytes × 8 bits over 50 × 40 ms = 2 s
    expect(s.video?.bitrate_bps).toBe(2000);
    expect(s.timestamps.discontinuities).toBe(0);
  });

  it('a one-hour forward jump is counted, not spread over the rate', () => {
    const s = summarize(flv(...frames(0, 50), ...frames(3_600_000, 50)));
    expect(s.timestamps.discontinuities).toBe(1);
    expect(s.video?.framerate).toBe(25);
    expect(s.video?.bitrate_bps).toBe(2000);
    expect(s.timestamps.frame_gap_max_ms).toBe(3_600_000 - 49 * 40);
  });

  it('timestamps that restart from zero (encoder restart) keep the rate of both runs', () => {
    const s = summarize(flv(...frames(100_000, 50), ...frames(0, 50)));
    expect(s.timestamps.discontinuities).toBe(1);
    expect(s.video?.framerate).toBe(25);
  });

  it('a step just under the jump threshold is media time (a real 1 s freeze lowers the rate)', () => {
    const s = summarize(flv(...frames(0, 26), ...frames(25 * 40 + 1000, 25)));
    expect(s.timestamps.discontinuities).toBe(0);
    // 50 steps: 49 of 40 ms and one of 1000 ms
    expect(s.video?.framerate).toBeCloseTo((50 * 1000) / (49 * 40 + 1000), 3);
  });

  it('a slow camera (one frame every 2 s, every step over the threshold) still gets a rate and bitrate', () => {
    const slow = Array.from({ length: 6 }, (_, i) => tag(9, i * 2000, nalFrame(1, 7, 0, [[0x65]])));
    const s = summarize(flv(...slow));
    expect(s.video?.framerate).toBe(0.5);
    // 6 frames × 10 bytes × 8 bits over 6 × 2 s
    expect(s.video?.bitrate_bps).toBe(40);
  });
});
