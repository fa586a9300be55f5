import { indexFlvTags } from '@video-exporter/flv-parser';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTENT_CHECK, runContentCheck, SampleRecorder } from '../../src/index.js';
import { makeFlv, SOURCES } from './make-fixture.js';

const TAG_HEADER_BYTES = 11;
const flv = makeFlv(SOURCES.black, SOURCES.silence);
const tags = indexFlvTags(flv).tags;
const body = (t: (typeof tags)[number]) =>
  flv.subarray(t.offset + TAG_HEADER_BYTES, t.offset + TAG_HEADER_BYTES + t.dataSize);

describe('SampleRecorder', () => {
  it('tag bodies (RTMP) become an FLV the check reads like the original, whole or in pieces', async () => {
    const whole = new SampleRecorder(1 << 24);
    const pieces = new SampleRecorder(1 << 24);
    for (const t of tags) {
      whole.tag(t.tagType, t.timestamp, body(t));
      const b = body(t);
      pieces.startTag(t.tagType, t.timestamp, b.length);
      for (let i = 0; i < b.length; i += 1000) pieces.tagData(b.subarray(i, i + 1000));
    }
    for (const rec of [whole, pieces]) {
      const again = indexFlvTags(rec.finish()).tags;
      expect(again.map((t) => [t.tagType, t.timestamp, t.dataSize])).toEqual(
        tags.map((t) => [t.tagType, t.timestamp, t.dataSize]),
      );
    }
    const r = await runContentCheck(pieces.finish(), { ...DEFAULT_CONTENT_CHECK, decode: 'all', timeoutMs: 30_000 });
    expect(r.result, r.error).toBe('ok');
    expect(r.black_ratio).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps no more than its cap: later media is dropped whole', () => {
    const quarter = Math.floor(flv.length / 4);
    const rec = new SampleRecorder(2 * quarter);
    rec.bytes(flv.subarray(0, quarter));
    rec.bytes(flv.subarray(quarter));
    expect(rec.full).toBe(true);
    expect(rec.finish().length).toBe(quarter);
  });
});
