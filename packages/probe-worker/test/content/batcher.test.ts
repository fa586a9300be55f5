import { describe, expect, it } from 'vitest';
import { DecoderBatcher, MAX_BATCH_FRAMES } from '../../src/content/batcher.js';
import type { DecoderOutput } from '../../src/content/decode-batch.js';
import type { PreparedCheck } from '../../src/content/prepare-check.js';
import { type ContentCheckJob, DEFAULT_CONTENT_CHECK } from '../../src/index.js';

const check = (name: string, frames = 5): PreparedCheck => ({
  dir: name,
  video: { path: name, format: 'ivf', framerate: 0.5, frames, lastKeyIndex: 0, spanS: 10, framesS: [] },
  audio: null,
  thumbnail: false,
});
const job = (o: Partial<ContentCheckJob> = {}): ContentCheckJob => ({ ...DEFAULT_CONTENT_CHECK, ...o });

/** A decoder that records its batches and finishes each when the test says so. */
function recorder() {
  const batches: string[][] = [];
  const finish: (() => void)[] = [];
  const decode = (checks: PreparedCheck[]) =>
    new Promise<DecoderOutput[]>((resolve) => {
      batches.push(checks.map((c) => c.dir));
      finish.push(() =>
        resolve(checks.map((c) => ({ outcome: 'ok', videoMeta: c.dir, audioMeta: null, thumbnail: null }))),
      );
    });
  return { batches, finish, decode };
}
const tick = () => new Promise((r) => setTimeout(r, 20));

describe('DecoderBatcher', () => {
  it('a full batch starts at once, in one decoder, and each check gets its own output', async () => {
    const r = recorder();
    const b = new DecoderBatcher(r.decode);
    const j = job({ batchSize: 3, batchWaitMs: 60_000 });
    const outs = ['a', 'b', 'c'].map((n) => b.submit(check(n), j));
    await tick();
    expect(r.batches).toEqual([['a', 'b', 'c']]);
    r.finish[0]!();
    expect((await Promise.all(outs)).map((o) => (o.outcome === 'ok' ? o.videoMeta : o.error))).toEqual(['a', 'b', 'c']);
  });

  it('a batch that is not full starts when its oldest check has waited batchWaitMs', async () => {
    const r = recorder();
    let now = 0;
    const b = new DecoderBatcher(r.decode, () => now);
    const j = job({ batchSize: 8, batchWaitMs: 50 });
    b.submit(check('a'), j);
    b.submit(check('b'), j);
    await tick();
    expect(r.batches).toEqual([]);
    now = 50;
    await new Promise((res) => setTimeout(res, 80));
    expect(r.batches).toEqual([['a', 'b']]);
  });

  it('with every decoder busy, checks gather for the next batch', async () => {
    const r = recorder();
    const b = new DecoderBatcher(r.decode);
    const j = job({ batchSize: 8, batchWaitMs: 0, decoders: 1 });
    b.submit(check('a'), j);
    await tick();
    for (const n of ['b', 'c', 'd']) b.submit(check(n), j);
    await tick();
    expect(r.batches).toEqual([['a']]);
    r.finish[0]!();
    await tick();
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('fully decoded samples do not share: the frame cap splits them; other settings never share', async () => {
    const r = recorder();
    const b = new DecoderBatcher(r.decode);
    const j = job({ batchSize: 8, batchWaitMs: 0, decoders: 4 });
    b.submit(check('big1', MAX_BATCH_FRAMES - 50), j);
    b.submit(check('big2', MAX_BATCH_FRAMES - 50), j);
    b.submit(check('other'), { ...j, thumbnailWidth: 64 });
    await tick();
    expect(r.batches).toEqual([['big1'], ['big2'], ['other']]);
  });

  it('a decoder that throws fails the checks of its batch, and the next batch still runs', async () => {
    let calls = 0;
    const b = new DecoderBatcher(async (checks) => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return checks.map(() => ({ outcome: 'ok', videoMeta: '', audioMeta: null, thumbnail: null }));
    });
    const j = job({ batchWaitMs: 0, decoders: 1 });
    const first = await b.submit(check('a'), j);
    expect(first).toEqual({ outcome: 'failed', error: 'boom' });
    expect((await b.submit(check('b'), j)).outcome).toBe('ok');
  });
});
