import { describe, expect, it } from 'vitest';
import type { StreamConfig } from '../src/config/index.js';
import { defaultContentChecks } from '../src/config/validate-content-checks.js';
import { ContentScheduler } from '../src/content/scheduler.js';
import { contentHealthy, DEFAULT_THRESHOLDS } from '../src/scoring/rules.js';

const stream = (id: string, extra: Partial<StreamConfig> = {}): StreamConfig => ({
  key: `P/l/${id}`,
  project: 'P',
  line: 'l',
  id,
  url: `http://127.0.0.1/live/${id}.flv`,
  tags: {},
  headers: {},
  insecure_tls: false,
  ...extra,
});
const config = { ...defaultContentChecks(), interval: 300, max_concurrent: 2 };

describe('ContentScheduler (SPEC §13)', () => {
  it('one check per stream per interval', () => {
    const s = new ContentScheduler(config, true);
    const a = stream('a');
    expect(s.take(a, 0)).toBeDefined();
    s.release(a.key, undefined);
    expect(s.take(a, 299_999)).toBeUndefined();
    expect(s.take(a, 300_000)).toBeDefined();
  });

  it('at most max_concurrent decoders of batch_size checks at once; a released slot is free again', () => {
    const s = new ContentScheduler({ ...config, batch_size: 2 }, true);
    for (const id of ['a', 'b', 'c', 'd']) expect(s.take(stream(id), 0)).toBeDefined();
    expect(s.take(stream('e'), 0)).toBeUndefined();
    s.release('P/l/a', undefined);
    expect(s.take(stream('e'), 0)).toBeDefined();
    expect(s.running).toBe(4);
  });

  it('the worker threads share the decoders, one each at least', () => {
    const decoders = (max: number, threads: number) =>
      new ContentScheduler({ ...config, max_concurrent: max }, true, threads).take(stream('a'), 0)?.decoders;
    expect(decoders(4, 2)).toBe(2);
    expect(decoders(2, 2)).toBe(1);
    expect(decoders(1, 2)).toBe(1);
  });

  it('a reload changes the settings of the next checks and keeps each stream its interval', () => {
    const s = new ContentScheduler(config, true);
    expect(s.take(stream('a'), 0)?.thumbnailWidth).toBe(320);
    s.reconfigure({ ...config, thumbnail_width: 160, batch_wait: 2 }, true);
    expect(s.take(stream('a'), 1000)).toBeUndefined();
    expect(s.take(stream('b'), 1000)).toMatchObject({ thumbnailWidth: 160, batchWaitMs: 2000 });
    s.reconfigure(config, false);
    expect(s.take(stream('c'), 1000)).toBeUndefined();
  });

  it('a probe that carried no check tries again on the next probe', () => {
    const s = new ContentScheduler(config, true);
    const a = stream('a');
    s.take(a, 0);
    s.release(a.key, undefined);
    s.retryLater(a.key);
    expect(s.take(a, 1000)).toBeDefined();
  });

  it('never for an opted-out stream, nor when inactive (auto without ffmpeg)', () => {
    expect(new ContentScheduler(config, true).take(stream('a', { content_checks: false }), 0)).toBeUndefined();
    expect(new ContentScheduler(config, false).take(stream('a'), 0)).toBeUndefined();
  });

  it('the job carries the settings in the worker units', () => {
    const job = new ContentScheduler({ ...config, timeout: 7, thumbnail_width: 0, decode: 'all' }, true).take(
      stream('a'),
      0,
    );
    expect(job).toMatchObject({ timeoutMs: 7000, thumbnailWidth: 0, decode: 'all', maxSampleBytes: 16 * 1024 * 1024 });
  });

  it('keeps the latest thumbnail and forgets it with the stream', () => {
    const s = new ContentScheduler(config, true);
    s.take(stream('a'), 0);
    s.release('P/l/a', { result: 'ok', duration_ms: 1, thumbnail: new Uint8Array([0xff, 0xd8]).buffer });
    expect([...s.thumbnail('P/l/a')!]).toEqual([0xff, 0xd8]);
    s.forget('P/l/a');
    expect(s.thumbnail('P/l/a')).toBeUndefined();
  });
});

describe('contentHealthy', () => {
  it('black or frozen at the limit is unhealthy; silence only with max_silence_ratio', () => {
    expect(contentHealthy(undefined)).toBe(true);
    expect(contentHealthy({ black_ratio: 0.89, frozen_ratio: 0.89 })).toBe(true);
    expect(contentHealthy({ black_ratio: 0.9 })).toBe(false);
    expect(contentHealthy({ frozen_ratio: 0.95 })).toBe(false);
    expect(contentHealthy({ silence_ratio: 1 })).toBe(true);
    expect(contentHealthy({ silence_ratio: 1 }, { ...DEFAULT_THRESHOLDS, max_silence_ratio: 0.5 })).toBe(false);
  });
});
