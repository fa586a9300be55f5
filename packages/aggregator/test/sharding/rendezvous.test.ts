import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { phaseMs } from '../../src/scheduling/phase.js';
import { hash64 } from '../../src/sharding/hash.js';
import { Rendezvous, rendezvousOwner } from '../../src/sharding/rendezvous.js';

/** stream keys as the exporter builds them: project/line(lower-cased)/id */
const keys = (n: number, prefix = 'G01/cdn/room-'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const podIps = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.244.${1 + (i >> 8)}.${i & 255}`);

function loads(ring: Rendezvous, ks: readonly string[]): Map<string, number> {
  const m = new Map<string, number>(ring.peers.map((p) => [p, 0]));
  for (const k of ks) m.set(ring.owner(k)!, m.get(ring.owner(k)!)! + 1);
  return m;
}

describe('hash64', () => {
  it('is a pure function of the text, with two lanes that differ', () => {
    expect(hash64('G01/source/store-01')).toEqual(hash64('G01/source/store-01'));
    expect(hash64('G01/source/store-01')).not.toEqual(hash64('G01/source/store-02'));
    const h = hash64('G01/source/store-01');
    expect(h.hi).not.toBe(h.lo);
    expect(Number.isInteger(h.hi) && h.hi >= 0 && h.hi < 2 ** 32).toBe(true);
    expect(Number.isInteger(h.lo) && h.lo >= 0 && h.lo < 2 ** 32).toBe(true);
  });

  it('flips about half the bits of each lane when one trailing character changes', () => {
    const popcount = (x: number) =>
      x
        .toString(2)
        .split('')
        .filter((b) => b === '1').length;
    let flipped = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const a = hash64(`p/l/s${i}a`);
      const b = hash64(`p/l/s${i}b`);
      flipped += popcount((a.hi ^ b.hi) >>> 0) + popcount((a.lo ^ b.lo) >>> 0);
    }
    expect(flipped / (n * 64)).toBeGreaterThan(0.47);
    expect(flipped / (n * 64)).toBeLessThan(0.53);
  });
});

describe('Rendezvous', () => {
  it('is deterministic: peer order and duplicates do not matter, a new instance agrees', () => {
    const peers = ['10.0.0.7', '10.0.0.3', '10.0.0.5'];
    const a = new Rendezvous(peers);
    const b = new Rendezvous(['10.0.0.5', '10.0.0.3', '10.0.0.7', '10.0.0.3']);
    expect(b.peers).toEqual(['10.0.0.3', '10.0.0.5', '10.0.0.7']);
    for (const k of keys(500)) {
      expect(b.owner(k)).toBe(a.owner(k));
      expect(rendezvousOwner(k, peers)).toBe(a.owner(k));
    }
  });

  it('gives every key to the only peer, and no owner without peers', () => {
    expect(new Rendezvous(['0']).owner('a/b/c')).toBe('0');
    expect(new Rendezvous([]).owner('a/b/c')).toBeUndefined();
    expect(new Rendezvous([]).ownerIndex(hash64('a/b/c'))).toBe(-1);
  });

  it('uses every peer of a set', () => {
    const ring = new Rendezvous(podIps(7));
    const owners = new Set(keys(2000).map((k) => ring.owner(k)));
    expect([...owners].sort()).toEqual([...ring.peers]);
  });

  it('balances 50,000 streams over 20 pods within max/mean 1.1', () => {
    const ks = keys(50_000);
    const l = [...loads(new Rendezvous(podIps(20)), ks).values()];
    const mean = ks.length / 20;
    expect(Math.max(...l) / mean).toBeLessThanOrEqual(1.1);
    expect(Math.min(...l) / mean).toBeGreaterThanOrEqual(0.9);
  });

  it('balances static indices "0".."9" too (short, similar peer names)', () => {
    const ks = keys(20_000, 'live/source/');
    const ring = new Rendezvous(Array.from({ length: 10 }, (_, i) => String(i)));
    for (const n of loads(ring, ks).values()) {
      expect(n).toBeGreaterThan(2000 * 0.9);
      expect(n).toBeLessThan(2000 * 1.1);
    }
  });

  it("moves only the new peer's share when one joins (~1/(n+1)), and nothing between the others", () => {
    const ks = keys(20_000);
    for (const n of [1, 3, 9, 19]) {
      const before = new Rendezvous(podIps(n));
      const joined = podIps(n + 1)[n]!;
      const after = new Rendezvous([...before.peers, joined]);
      let moved = 0;
      for (const k of ks) {
        const was = before.owner(k);
        const is = after.owner(k);
        if (was !== is) {
          moved++;
          expect(is).toBe(joined);
        }
      }
      const ideal = 1 / (n + 1);
      expect(Math.abs(moved / ks.length - ideal), `n=${n}`).toBeLessThan(0.02);
    }
  });

  it('going back to the old peer set restores the old assignment exactly', () => {
    const ks = keys(5000);
    const three = new Rendezvous(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    const four = new Rendezvous(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
    const back = new Rendezvous(['10.0.0.3', '10.0.0.2', '10.0.0.1']);
    expect(ks.filter((k) => four.owner(k) !== three.owner(k)).length).toBeGreaterThan(0);
    expect(ks.map((k) => back.owner(k))).toEqual(ks.map((k) => three.owner(k)));
  });

  it('property: removing any peer moves exactly the keys it owned', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.ipV4(), { minLength: 2, maxLength: 12 }), fc.nat(), (peers, pick) => {
        const gone = peers[pick % peers.length]!;
        const before = new Rendezvous(peers);
        const after = new Rendezvous(peers.filter((p) => p !== gone));
        for (const k of keys(300)) {
          const was = before.owner(k);
          if (was === gone) expect(after.owner(k)).not.toBe(gone);
          else expect(after.owner(k)).toBe(was);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("does not cluster one pod's streams in one part of the check interval (owner and phase independent)", () => {
    const ring = new Rendezvous(podIps(4));
    const mine = keys(40_000).filter((k) => ring.owner(k) === ring.peers[0]);
    const buckets = new Array<number>(10).fill(0);
    for (const k of mine) buckets[Math.floor(phaseMs(k, 30_000) / 3000)]!++;
    const expected = mine.length / 10;
    // chi-square with 9 degrees of freedom: 27.9 is the 0.1 % tail
    const chi2 = buckets.reduce((a, b) => a + (b - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9);
  });
});
