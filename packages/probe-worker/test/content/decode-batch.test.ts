import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBatch } from '../../src/content/decode-batch.js';
import { parseDetectors } from '../../src/content/ffmpeg-output.js';
import { type PreparedCheck, prepareCheck } from '../../src/content/prepare-check.js';
import { type ContentCheckJob, DEFAULT_CONTENT_CHECK } from '../../src/index.js';
import { makeFlv, SOURCES } from './make-fixture.js';

const job: ContentCheckJob = { ...DEFAULT_CONTENT_CHECK, timeoutMs: 30_000, thumbnailWidth: 160 };

async function prepared(flv: Uint8Array): Promise<PreparedCheck> {
  const c = await prepareCheck(flv, job);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

function figures(c: PreparedCheck, o: Awaited<ReturnType<typeof decodeBatch>>[number]) {
  if (o.outcome !== 'ok') throw new Error(o.error);
  const d = parseDetectors(o.videoMeta ?? '', o.audioMeta ?? '', c.video!.spanS, c.audio!.spanS, c.video!.framesS);
  return { black: d.blackS / c.video!.spanS, frozen: d.frozenS / c.video!.spanS, silent: d.silentS / c.audio!.spanS };
}

describe('one ffmpeg for a batch of checks', () => {
  const black = makeFlv(SOURCES.black, SOURCES.silence);
  const normal = makeFlv(SOURCES.moving, SOURCES.tone);
  const frozen = makeFlv(SOURCES.frozen, SOURCES.tone);

  it("each check's figures and thumbnail are its own", async () => {
    const checks = [await prepared(normal), await prepared(black), await prepared(frozen), await prepared(normal)];
    const outs = await decodeBatch(checks, job);
    const f = outs.map((o, i) => figures(checks[i]!, o));
    expect(f[0]).toMatchObject({ black: 0, frozen: 0, silent: 0 });
    expect(f[1]!.black).toBeGreaterThanOrEqual(0.9);
    expect(f[1]!.silent).toBeGreaterThanOrEqual(0.9);
    expect(f[2]!.frozen).toBeGreaterThanOrEqual(0.9);
    expect(f[2]!.black).toBeLessThanOrEqual(0.1);
    expect(f[3]).toMatchObject({ black: 0, frozen: 0, silent: 0 });
    for (const o of outs) expect(o.outcome === 'ok' && o.thumbnail?.byteLength).toBeGreaterThan(0);
  });

  it('an input ffmpeg cannot open fails its own check only (the others are decoded again alone)', async () => {
    const bad = await prepared(normal);
    writeFileSync(join(bad.dir, 'audio.aac'), 'not ADTS at all, just text that no decoder takes\n'.repeat(50));
    const outs = await decodeBatch([await prepared(black), bad, await prepared(frozen)], job);
    expect(outs.map((o) => o.outcome)).toEqual(['ok', 'failed', 'ok']);
    expect(outs[1]!.outcome === 'failed' && outs[1]!.error).toMatch(/^ffmpeg exited with \d+: /);
  });
});
