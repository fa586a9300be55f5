/**
 * The hashes rendezvous hashing ranks with. Two independent 32-bit lanes per string (FNV-1a and a
 * Murmur2-style multiply-xor pass, each finished with MurmurHash3's fmix32) give a 64-bit identity
 * without BigInt: 50,000 streams × 50 peers must rank in well under a second.
 *
 * The lanes use seeds different from scheduling/phase.ts on purpose: if ownership and phase came from
 * the same bits, the streams one pod owns could cluster in one part of the interval.
 */

export interface Hash64 {
  /** uint32 */
  hi: number;
  /** uint32 */
  lo: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bit, over UTF-16 code units, without a finaliser (hash64's lane A runs the same steps inline). */
export function fnv1a(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}
const M2_SEED = 0x9747b28c;
const M2_MUL = 0x5bd1e995;
/** xor-ed in before the finaliser so these lanes differ from the phase hash of the same key */
const SEED_HI = 0x3c6ef372;
const SEED_LO = 0xa54ff53a;

/** MurmurHash3's finaliser: full avalanche, so neighbouring inputs land far apart. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Both lanes of one string, over its UTF-16 code units (the same on every pod, whatever the locale). */
export function hash64(text: string): Hash64 {
  let a = FNV_OFFSET;
  let b = M2_SEED ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, FNV_PRIME);
    b = Math.imul(b ^ c, M2_MUL);
    b ^= b >>> 15;
  }
  return { hi: fmix32((a ^ SEED_HI) >>> 0), lo: fmix32((b ^ SEED_LO) >>> 0) };
}

/**
 * The weight of one (stream, peer) pair: both 32-bit lanes of the pair feed the primary score, so two
 * peers whose `hi` lanes happen to collide still rank apart. `tie` only breaks equal primaries.
 */
export function pairScore(key: Hash64, peer: Hash64): number {
  const hi = (key.hi ^ peer.hi) >>> 0;
  const lo = (key.lo ^ peer.lo) >>> 0;
  return fmix32((hi ^ Math.imul(lo, 0x27d4eb2f)) >>> 0);
}

/** Secondary weight for the (about 1 in 4 billion) pairs whose primary scores are equal. */
export function pairTie(key: Hash64, peer: Hash64): number {
  return fmix32((key.lo ^ peer.lo ^ Math.imul(key.hi ^ peer.hi, 0x165667b1)) >>> 0);
}
