import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { FlvDemuxer, type ScriptEvent, streamClockMs } from '@video-exporter/flv-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSource } from '../src/index.js';
import { parseFaults, type StreamStart, startLiveSource } from '../src/index.js';

const HD = fileURLToPath(new URL('../../../tests/fixtures/live/live_720p25.flv', import.meta.url));
const OFFSET_MS = 2000;
/** generous: the source and this reader share an event loop here (the timed truth runs in tests/probe) */
const CLOCK_TOLERANCE_MS = 300;

interface Seen {
  /** Date.now() when the chunk holding the event arrived */
  wall: number;
  event: ScriptEvent | { type: 'video-frame'; dts: number; keyframe: boolean };
}

/** Reads `url` for `ms` and returns the onFI script events and video frames with their arrival wall time. */
function read(url: string, ms: number): Promise<Seen[]> {
  return new Promise((resolve, reject) => {
    const seen: Seen[] = [];
    let wall = 0;
    const demuxer = new FlvDemuxer((e) => {
      if (e.type === 'script' && e.name === 'onFI') seen.push({ wall, event: e });
      if (e.type === 'video-frame')
        seen.push({ wall, event: { type: 'video-frame', dts: e.dts, keyframe: e.keyframe } });
    });
    const req = get(url, (res) => {
      res.on('data', (chunk: Buffer) => {
        wall = Date.now();
        demuxer.push(chunk);
      });
    });
    req.on('error', reject);
    setTimeout(() => {
      req.destroy();
      resolve(seen);
    }, ms);
  });
}

describe('live source: onFI wall clock and stream-start reports', () => {
  let src: LiveSource;
  const starts: StreamStart[] = [];

  beforeAll(async () => {
    src = await startLiveSource({ fixtures: { hd: HD }, onStreamStart: (s) => starts.push(s) });
  });
  afterAll(async () => {
    await src?.close();
  });

  it('stamps every keyframe with an onFI clock the offset behind its delivery', async () => {
    const seen = await read(`${src.url}/live/hd/clock.flv?onfi_offset_ms=${OFFSET_MS}`, 4500);
    const clocks = seen.filter((s) => s.event.type === 'script');
    const keyframes = seen.filter((s) => s.event.type === 'video-frame' && s.event.keyframe);
    expect(keyframes.length).toBeGreaterThanOrEqual(2);
    expect(clocks).toHaveLength(keyframes.length);
    for (const c of clocks) {
      const e = c.event as ScriptEvent;
      // the tag right after it is a keyframe with the same timestamp
      const next = seen[seen.indexOf(c) + 1]!.event;
      expect(next).toMatchObject({ type: 'video-frame', keyframe: true, dts: e.timestamp });
      const clock = streamClockMs(e.value);
      expect(clock).toBeDefined();
      expect(Math.abs(c.wall - clock! - OFFSET_MS)).toBeLessThanOrEqual(CLOCK_TOLERANCE_MS);
    }
    expect(starts.find((s) => s.path === '/live/hd/clock.flv')).toEqual({ path: '/live/hd/clock.flv', burstMs: 0 });
  });

  it('sends no onFI without the parameter, and reports the GOP-cache burst it sent', async () => {
    const seen = await read(`${src.url}/live/hd/plain.flv?gop_cache=1`, 1000);
    expect(seen.filter((s) => s.event.type === 'script')).toEqual([]);
    const start = starts.find((s) => s.path === '/live/hd/plain.flv');
    expect(start).toBeDefined();
    // between 0 and one GOP (2 s) of media, and the first read held about that much
    expect(start!.burstMs).toBeGreaterThanOrEqual(0);
    expect(start!.burstMs).toBeLessThan(2000);
    const frames = seen.filter((s) => s.event.type === 'video-frame').map((s) => s.event as { dts: number });
    expect(frames.at(-1)!.dts - frames[0]!.dts).toBeGreaterThanOrEqual(start!.burstMs - 40);
  });

  it('refuses a bad onfi_offset_ms', () => {
    expect(parseFaults(new URLSearchParams('onfi_offset_ms=-5'))).toMatchObject({ ok: false });
    expect(parseFaults(new URLSearchParams('onfi_offset_ms=soon'))).toEqual({
      ok: false,
      message: 'onfi_offset_ms=soon: expected an integer',
    });
    expect(parseFaults(new URLSearchParams('onfi_offset_ms=1500'))).toMatchObject({
      ok: true,
      faults: { onFiOffsetMs: 1500 },
    });
  });
});
