import { describe, expect, it } from 'vitest';
import { type ContentCheckJob, DEFAULT_CONTENT_CHECK, runContentCheck } from '../../src/index.js';
import { makeFlv, SOURCES } from './make-fixture.js';

const job = (decode: 'keyframes' | 'all'): ContentCheckJob => ({
  ...DEFAULT_CONTENT_CHECK,
  decode,
  timeoutMs: 30_000,
  thumbnailWidth: 160,
});

describe('content check on ffmpeg-made media', () => {
  const black = makeFlv(SOURCES.black, SOURCES.silence);
  const normal = makeFlv(SOURCES.moving, SOURCES.tone);
  const frozen = makeFlv(SOURCES.frozen, SOURCES.tone);

  for (const mode of ['keyframes', 'all'] as const) {
    it(`black picture and silence read as black and silent (${mode})`, async () => {
      const r = await runContentCheck(black, job(mode));
      expect(r.result, r.error).toBe('ok');
      expect(r.black_ratio).toBeGreaterThanOrEqual(0.9);
      expect(r.silence_ratio).toBeGreaterThanOrEqual(0.9);
      expect(r.loudness_lufs).toBe(-70);
      expect(r.thumbnail).toBeInstanceOf(ArrayBuffer);
    });
    it(`a moving picture with a tone reads as normal (${mode})`, async () => {
      const r = await runContentCheck(normal, job(mode));
      expect(r.result, r.error).toBe('ok');
      expect(r.black_ratio).toBeLessThanOrEqual(0.1);
      expect(r.frozen_ratio).toBeLessThanOrEqual(0.1);
      expect(r.silence_ratio).toBeLessThanOrEqual(0.1);
    });
    it(`a still non-black picture reads as frozen, not black (${mode})`, async () => {
      const r = await runContentCheck(frozen, job(mode));
      expect(r.result, r.error).toBe('ok');
      expect(r.frozen_ratio).toBeGreaterThanOrEqual(0.9);
      expect(r.black_ratio).toBeLessThanOrEqual(0.1);
    });
  }
});
