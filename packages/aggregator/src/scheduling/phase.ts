// MurmurHash3's finaliser: FNV alone leaves keys that differ in one trailing character close together
import { fmix32, fnv1a } from '../sharding/hash.js';

/** FNV-1a, 32 bit, with a finaliser: a stable, well-spread hash of a stream key (no crypto needed). */
export function fnv1a32(text: string): number {
  return fmix32(fnv1a(text));
}

/**
 * A stream's stable phase inside the interval, in ms: the same key always probes at the same offset,
 * so probes are spread evenly and survive restarts and reloads.
 */
export function phaseMs(key: string, intervalMs: number): number {
  return Math.floor((fnv1a32(key) / 0x1_0000_0000) * intervalMs);
}

/** The first time ≥ now at which (time - phase) is a multiple of the interval. */
export function nextSlot(nowMs: number, phase: number, intervalMs: number): number {
  const k = Math.ceil((nowMs - phase) / intervalMs);
  return phase + k * intervalMs;
}
