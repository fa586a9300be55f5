import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RECORD_BYTES, FlvDemuxer } from '../src/demuxer.js';
import type { FlvEvent } from '../src/types.js';
import { hostileCases } from './hostile/cases.js';

const corpus = (name: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/corpus/${name}`, import.meta.url))));
const files = { avc: corpus('avc_aac.flv'), hevc: corpus('hevc_aac.flv') };
/** The stated bound: fixed header and prefix buffers plus one record of at most maxRecordBytes. */
const MEMORY_BOUND = 15 + 8 + DEFAULT_MAX_RECORD_BYTES;

function run(bytes: Uint8Array, cuts: number[]): { events: FlvEvent[]; maxRetained: number } {
  const events: FlvEvent[] = [];
  const d = new FlvDemuxer((e) => events.push(e));
  let maxRetained = 0;
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    // Copy each chunk into a scratch buffer that is then overwritten, as a reader reusing one buffer would.
    const scratch = bytes.slice(start, cut);
    d.push(scratch);
    scratch.fill(0xee);
    maxRetained = Math.max(maxRetained, d.retainedBytes);
    start = cut;
  }
  d.end();
  return { events, maxRetained };
}

const cutsFor = (length: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: 200 }).map((a) => a.sort((x, y) => x - y));

describe('chunking invariance', () => {
  for (const [name, bytes] of Object.entries(files)) {
    const whole = JSON.stringify(run(bytes, []).events);
    it(`${name}: any split of the bytes gives the same events`, () => {
      fc.assert(
        fc.property(cutsFor(bytes.length), (cuts) => {
          expect(JSON.stringify(run(bytes, cuts).events)).toBe(whole);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('one byte at a time gives the same events', () => {
    const bytes = files.avc.subarray(0, 40_000);
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(JSON.stringify(run(bytes, cuts).events)).toBe(JSON.stringify(run(bytes, []).events));
  });
});

/**
 * Like `run`, but each piece is a range [start, end) of one shared read buffer that holds other bytes
 * around it, as the probe's socket reader hands it over (`push(buffer, start, end)`).
 */
function runRanges(bytes: Uint8Array, cuts: number[]): FlvEvent[] {
  const events: FlvEvent[] = [];
  const d = new FlvDemuxer((e) => events.push(e));
  const buffer = new Uint8Array(bytes.length + 64);
  let start = 0;
  for (const [i, cut] of [...cuts, bytes.length].entries()) {
    buffer.fill(0xee);
    // where the piece lands in the buffer moves from read to read
    const at = (i * 7) % 64;
    buffer.set(bytes.subarray(start, cut), at);
    d.push(buffer, at, at + cut - start);
    start = cut;
  }
  d.end();
  return events;
}

describe('ranges of a shared buffer', () => {
  const oversized = hostileCases().find((c) => c.name.startsWith('tag claiming a 16 MB body'))!;
  const inputs = { avc: files.avc.subarray(0, 200_000), resync: oversized.bytes };
  for (const [name, bytes] of Object.entries(inputs)) {
    const whole = JSON.stringify(run(bytes, []).events);
    it(`${name}: pieces pushed as ranges give the events (and offsets) of the bytes pushed whole`, () => {
      expect(whole).toContain('"offset"');
      fc.assert(
        fc.property(cutsFor(bytes.length), (cuts) => {
          expect(JSON.stringify(runRanges(bytes, cuts))).toBe(whole);
        }),
        { numRuns: 30 },
      );
    });
  }
});

describe('ranges reaching outside the chunk', () => {
  const bytes = files.avc.subarray(0, 200_000);
  const whole = run(bytes, []).events;

  it('a range past the end reads only the bytes there are: the same events and offset as the chunk whole', () => {
    const events: FlvEvent[] = [];
    const d = new FlvDemuxer((e) => events.push(e));
    d.push(bytes, 0, bytes.length + 100);
    expect(d.offset).toBe(bytes.length);
    expect(JSON.stringify(events)).toBe(JSON.stringify(whole));
  });

  it('a negative start reads from the chunk start; an empty or inverted range reads nothing', () => {
    const events: FlvEvent[] = [];
    const d = new FlvDemuxer((e) => events.push(e));
    d.push(bytes, 10, 10);
    d.push(bytes, 20, 5);
    expect(d.offset).toBe(0);
    d.push(bytes, -5, bytes.length);
    expect(d.offset).toBe(bytes.length);
    expect(JSON.stringify(events)).toBe(JSON.stringify(whole));
  });
});

describe('damage', () => {
  const mutated = fc.record({
    flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
      minLength: 1,
      maxLength: 40,
    }),
    truncateAt: fc.option(fc.nat(), { nil: undefined }),
  });

  for (const [name, bytes] of Object.entries(files)) {
    it(`${name}: random mutations and truncations never throw and stay within the memory bound`, () => {
      fc.assert(
        fc.property(mutated, cutsFor(bytes.length), ({ flips, truncateAt }, cuts) => {
          const copy = bytes.slice(0, truncateAt === undefined ? bytes.length : truncateAt % bytes.length);
          for (const { at, value } of flips) copy[at % Math.max(1, copy.length)] = value;
          const { maxRetained } = run(
            copy,
            cuts.filter((c) => c < copy.length),
          );
          expect(maxRetained).toBeLessThanOrEqual(MEMORY_BOUND);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('random bytes after a valid header never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4000 }), (noise) => {
        const bytes = Uint8Array.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0, ...noise]);
        const { maxRetained } = run(bytes, []);
        expect(maxRetained).toBeLessThanOrEqual(MEMORY_BOUND);
      }),
      { numRuns: 300 },
    );
  });
});
