/** Runs hostile cases through the demuxer and checks what every case must satisfy. */
import { expect } from 'vitest';
import type { AnomalyCode } from '../../src/anomalies.js';
import { DEFAULT_MAX_RECORD_BYTES, FlvDemuxer, type FlvDemuxerOptions } from '../../src/demuxer.js';
import { type MediaSummary, MediaSummaryBuilder } from '../../src/media-summary.js';
import type { FlvEvent } from '../../src/types.js';
import type { HostileCase } from './cases.js';

/** README "Memory bound": 15-byte header buffer + 8-byte prefix buffer + one record of maxRecordBytes. */
export const MEMORY_BOUND = 15 + 8 + DEFAULT_MAX_RECORD_BYTES;

export interface Parsed {
  events: FlvEvent[];
  codes: AnomalyCode[];
  /** the largest retainedBytes seen between pushes */
  maxRetained: number;
  summary: MediaSummary;
}

/** Feeds `bytes` in `chunkSize` pieces (through a scratch buffer that is then overwritten), then end(). */
export function parse(bytes: Uint8Array, chunkSize = 4096, options: FlvDemuxerOptions = {}): Parsed {
  const events: FlvEvent[] = [];
  const builder = new MediaSummaryBuilder();
  const d = new FlvDemuxer((e) => {
    events.push(e);
    builder.add(e);
  }, options);
  let maxRetained = 0;
  for (let pos = 0; pos < bytes.length; pos += chunkSize) {
    const scratch = bytes.slice(pos, Math.min(bytes.length, pos + chunkSize));
    d.push(scratch);
    scratch.fill(0xee); // nothing may keep a reference to a chunk
    maxRetained = Math.max(maxRetained, d.retainedBytes);
  }
  d.end();
  const codes = events.flatMap((e) => (e.type === 'anomaly' ? [e.code] : []));
  return { events, codes, maxRetained, summary: builder.summary() };
}

/** The valid tail after the hostile part was read whole: its config, its frames and their timestamps. */
export function expectTail(events: FlvEvent[], c: HostileCase): void {
  const tail = events.filter((e) => e.type !== 'anomaly' && e.type !== 'header' && e.offset >= c.tailOffset);
  expect(tail.find((e) => e.type === 'video-config')).toMatchObject({
    config: { codec: 'H.264', width: 1920, height: 1080 },
  });
  expect(tail.find((e) => e.type === 'audio-config')).toMatchObject({ config: { codec: 'AAC', sampleRate: 48000 } });
  const video = tail.flatMap((e) => (e.type === 'video-frame' ? [[e.dts, e.keyframe, e.codec]] : []));
  expect(video).toEqual([
    [c.t0, true, 'H.264'],
    [c.t0 + 40, false, 'H.264'],
    [c.t0 + 80, true, 'H.264'],
  ]);
  expect(tail.flatMap((e) => (e.type === 'audio-frame' ? [e.dts] : []))).toEqual([c.t0, c.t0 + 21]);
}

/**
 * What every hostile case must satisfy: parsing does not throw, the anomaly codes are exactly the
 * expected ones (in order), the memory bound holds, no anomaly is fatal, and the valid tail is read.
 */
export function checkCase(c: HostileCase, chunkSize = 4096): Parsed {
  let parsed: Parsed | undefined;
  expect(() => {
    parsed = parse(c.bytes, chunkSize);
  }).not.toThrow();
  const p = parsed!;
  expect(p.codes).toEqual(c.codes);
  expect(p.events.some((e) => e.type === 'anomaly' && e.fatal)).toBe(false);
  expect(p.maxRetained).toBeLessThanOrEqual(MEMORY_BOUND);
  expectTail(p.events, c);
  return p;
}

export function casesOf(all: HostileCase[], group: HostileCase['group']): Array<[string, HostileCase]> {
  return all.filter((c) => c.group === group).map((c) => [c.name, c]);
}
