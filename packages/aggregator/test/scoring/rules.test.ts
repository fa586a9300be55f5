import { describe, expect, it } from 'vitest';
import {
  coefficientOfVariation,
  DEFAULT_THRESHOLDS,
  isHealthy,
  isPlayable,
  isUp,
  overallScore,
  qualityScore,
  type Score,
  stabilityScore,
} from '../../src/scoring/rules.js';

// SPEC §5, the reference's explicit mapping: (quality, stability) -> overall
const OVERALL_TABLE: [Score, Score, Score][] = [
  [2, 2, 2],
  [2, 1, 1],
  [2, 0, 0],
  [1, 2, 1],
  [1, 1, 1],
  [1, 0, 0],
  [0, 2, 0],
  [0, 1, 0],
  [0, 0, 0],
];

describe('overall score', () => {
  it.each(OVERALL_TABLE)('quality %i, stability %i -> %i', (q, s, expected) => {
    expect(overallScore(q, s, 0)).toBe(expected);
    expect(overallScore(q, s, undefined)).toBe(expected);
  });

  it.each([2, 1, 0] as Score[])('unknown stability: overall = quality %i', (q) => {
    expect(overallScore(q, undefined, 0.1)).toBe(q);
  });

  it('a stall ratio above 0.5 forces poor whatever the rest; 0.5 itself does not', () => {
    for (const [q, s] of OVERALL_TABLE) expect(overallScore(q, s, 0.51)).toBe(0);
    expect(overallScore(2, undefined, 0.5000001)).toBe(0);
    expect(overallScore(2, 2, 0.5)).toBe(2);
  });

  it('honours a configured stall threshold', () => {
    expect(overallScore(2, 2, 0.3, { ...DEFAULT_THRESHOLDS, max_stall_ratio: 0.2 })).toBe(0);
  });
});

describe('quality score edges', () => {
  const q = (framerate: number, bitrate_bps: number) =>
    qualityScore({ ok: true, playable: true, framerate, bitrate_bps });
  it.each([
    [25, 600_000, 2],
    [24.999, 600_000, 1],
    [25, 599_999, 1],
    [20, 400_000, 1],
    [19.999, 400_000, 0],
    [20, 399_999, 0],
    [60, 10_000_000, 2],
    [0, 0, 0],
  ])('%f fps, %i bps -> %i', (fps, bps, expected) => expect(q(fps, bps)).toBe(expected));

  it('a failed or unplayable probe is poor', () => {
    expect(qualityScore({ ok: false, playable: true, framerate: 30, bitrate_bps: 5e6 })).toBe(0);
    expect(qualityScore({ ok: true, playable: false, framerate: 30, bitrate_bps: 5e6 })).toBe(0);
    expect(qualityScore({ ok: true, playable: true })).toBe(0);
  });

  it('honours configured thresholds', () => {
    const t = { ...DEFAULT_THRESHOLDS, good_framerate: 50, good_bitrate_bps: 4e6 };
    expect(qualityScore({ ok: true, playable: true, framerate: 30, bitrate_bps: 5e6 }, t)).toBe(1);
    expect(qualityScore({ ok: true, playable: true, framerate: 50, bitrate_bps: 4e6 }, t)).toBe(2);
  });
});

describe('stability score', () => {
  it('is unknown below 3 probes', () => {
    expect(stabilityScore([])).toBeUndefined();
    expect(stabilityScore([1e6, 1e6])).toBeUndefined();
    expect(stabilityScore([1e6, 1e6, 1e6])).toBe(2);
  });

  it('uses the coefficient of variation with edges at 0.15 and 0.30', () => {
    // values a ± d around a: CV = d / a exactly (population standard deviation)
    const cv = (c: number) => [1000 * (1 - c), 1000 * (1 + c), 1000 * (1 - c), 1000 * (1 + c)];
    expect(coefficientOfVariation(cv(0.1))).toBeCloseTo(0.1, 10);
    expect(stabilityScore(cv(0.149))).toBe(2);
    expect(stabilityScore(cv(0.151))).toBe(1);
    expect(stabilityScore(cv(0.299))).toBe(1);
    expect(stabilityScore(cv(0.301))).toBe(0);
  });
});

describe('up, playable, healthy', () => {
  it('up needs HTTP 200, an FLV header and a video frame', () => {
    expect(isUp({ http_status: 200, flv_header: true, video_frames: 1 })).toBe(true);
    expect(isUp({ http_status: 200, flv_header: true, video_frames: 0 })).toBe(false);
    expect(isUp({ http_status: 404, flv_header: true, video_frames: 5 })).toBe(false);
    expect(isUp({ http_status: 200, flv_header: false, video_frames: 5 })).toBe(false);
    expect(isUp({ flv_header: true, video_frames: 5, local: true })).toBe(true);
  });

  it('playable needs min_keyframes and more than 10 frames', () => {
    expect(isPlayable({ keyframes: 2, video_frames: 11 }, 2)).toBe(true);
    expect(isPlayable({ keyframes: 2, video_frames: 10 }, 2)).toBe(false);
    expect(isPlayable({ keyframes: 1, video_frames: 100 }, 2)).toBe(false);
  });

  it('healthy tells "online but bad" from offline', () => {
    expect(isHealthy(true, true, 1)).toBe(true);
    expect(isHealthy(true, true, 0)).toBe(false);
    expect(isHealthy(true, false, 2)).toBe(false);
    expect(isHealthy(false, true, 2)).toBe(false);
  });
});
