import { type Hash64, hash64, pairScore, pairTie } from './hash.js';

/**
 * Rendezvous (highest random weight) hashing: a stream belongs to the peer with the highest
 * weight(stream, peer). Every pod computes the same owner from the same peer set with no coordination,
 * and when a peer joins or leaves only the streams it wins or held move (~1/N), never between others.
 */
export class Rendezvous {
  /** sorted, without duplicates */
  readonly peers: readonly string[];
  private readonly hashes: readonly Hash64[];

  constructor(peers: Iterable<string>) {
    this.peers = [...new Set(peers)].sort();
    this.hashes = this.peers.map(hash64);
  }

  get size(): number {
    return this.peers.length;
  }

  /** The owning peer of a stream key (`project/line/id`); undefined only for an empty peer set. */
  owner(key: string): string | undefined {
    const i = this.ownerIndex(hash64(key));
    return i < 0 ? undefined : this.peers[i];
  }

  /**
   * Index into `peers` of the owner of an already hashed key, -1 for an empty peer set. The
   * simulation hashes each key once and ranks it against many peer sets through this.
   */
  ownerIndex(key: Hash64): number {
    let best = -1;
    let bestScore = -1;
    for (let i = 0; i < this.hashes.length; i++) {
      const s = pairScore(key, this.hashes[i]!);
      if (s > bestScore) {
        best = i;
        bestScore = s;
      } else if (s === bestScore && pairTie(key, this.hashes[i]!) > pairTie(key, this.hashes[best]!)) {
        // equal primaries: the secondary weight decides, then the sorted peer order (first one wins)
        best = i;
      }
    }
    return best;
  }
}

/** One-off owner look-up; build a Rendezvous once when ranking many keys against one peer set. */
export function rendezvousOwner(key: string, peers: Iterable<string>): string | undefined {
  return new Rendezvous(peers).owner(key);
}
