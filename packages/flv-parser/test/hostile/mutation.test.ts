/**
 * Properties over hostile input: random, structure-aware mutations of valid files (sizes, timestamps,
 * tag types, codec records and script data rewritten; bytes inserted, deleted and flipped) never make
 * the demuxer or the summary throw, every anomaly is from the closed set, and retainedBytes stays within
 * the README bound. And every hostile case gives the same events however its bytes are chunked.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANOMALY_CODES } from '../../src/anomalies.js';
import { indexFlvTags } from '../../src/tag-index.js';
import { hostileCases } from './cases.js';
import { MEMORY_BOUND, parse } from './run.js';

const corpus = (name: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../../tests/fixtures/corpus/${name}`, import.meta.url))));
const known = new Set<string>(ANOMALY_CODES);

/** One mutation of a file, aimed at the fields the hostile cases attack. */
type Mutation =
  | { kind: 'dataSize'; tag: number; value: number }
  | { kind: 'timestamp'; tag: number; value: number }
  | { kind: 'tagType'; tag: number; value: number }
  | { kind: 'body'; tag: number; at: number; bytes: number[] }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'flip'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('dataSize' as const),
    tag: fc.nat(),
    value: fc.oneof(fc.integer({ min: 0, max: 0xffffff }), fc.constantFrom(0, 0xffffff, 0x10001)),
  }),
  fc.record({
    kind: fc.constant('timestamp' as const),
    tag: fc.nat(),
    value: fc.oneof(fc.nat(), fc.constantFrom(0, 0xffffffff, 3_600_000)),
  }),
  fc.record({ kind: fc.constant('tagType' as const), tag: fc.nat(), value: fc.constantFrom(0, 8, 9, 18, 0x29, 0xff) }),
  fc.record({
    kind: fc.constant('body' as const),
    tag: fc.nat(),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);

function mutate(file: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = file.slice();
  for (const m of mutations) {
    const tags = indexFlvTags(bytes).tags;
    const t = 'tag' in m && tags.length > 0 ? tags[m.tag % tags.length]! : undefined;
    switch (m.kind) {
      case 'dataSize':
        if (t) bytes.set([(m.value >> 16) & 0xff, (m.value >> 8) & 0xff, m.value & 0xff], t.offset + 1);
        break;
      case 'timestamp':
        if (t)
          bytes.set(
            [(m.value >> 16) & 0xff, (m.value >> 8) & 0xff, m.value & 0xff, (m.value >>> 24) & 0xff],
            t.offset + 4,
          );
        break;
      case 'tagType':
        if (t) bytes[t.offset] = m.value;
        break;
      case 'body':
        // inside the body: for sequence headers and script tags this lands in SPS / OBU / AMF bytes
        if (t && t.dataSize > 0)
          for (let i = 0; i < m.bytes.length && i < t.dataSize; i++)
            bytes[t.offset + 11 + ((m.at + i) % t.dataSize)] = m.bytes[i]!;
        break;
      case 'insert': {
        const at = 9 + (m.at % Math.max(1, bytes.length - 9));
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = 9 + (m.at % Math.max(1, bytes.length - 9));
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(Math.min(bytes.length, at + m.length))]);
        break;
      }
      case 'flip':
        if (bytes.length > 9) bytes[9 + (m.at % (bytes.length - 9))] = m.value;
        break;
    }
  }
  return bytes;
}

const seeds: Array<[string, Uint8Array]> = [
  ['avc_aac.flv', corpus('avc_aac.flv').subarray(0, 60_000)],
  ['hevc_aac.flv', corpus('hevc_aac.flv').subarray(0, 60_000)],
  ['av1_aac.flv', corpus('av1_aac.flv').subarray(0, 60_000)],
  ...hostileCases()
    .filter((c) => c.bytes.length < 100_000)
    .map((c): [string, Uint8Array] => [c.name, c.bytes]),
];

describe('random mutations of valid and hostile files', () => {
  it('never throw, report only known codes, and keep retainedBytes within the README bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 8192 }),
        (seed, mutations, chunkSize) => {
          const bytes = mutate(seeds[seed]![1], mutations);
          const p = parse(bytes, chunkSize);
          expect(p.maxRetained).toBeLessThanOrEqual(MEMORY_BOUND);
          for (const code of p.codes) expect(known.has(code), code).toBe(true);
          // the summary of the damage is plain data
          expect(() => JSON.stringify(p.summary)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('chunking invariance of every hostile case', () => {
  it.each(hostileCases().map((c): [string, Uint8Array] => [c.name, c.bytes]))('%s', (_name, bytes) => {
    const whole = JSON.stringify(parse(bytes, bytes.length).events);
    const sizes = bytes.length < 100_000 ? [1, 3, 14, 15, 1000] : [7, 1000, 65_536];
    for (const size of sizes) expect(JSON.stringify(parse(bytes, size).events), `chunks of ${size}`).toBe(whole);
  });
});
