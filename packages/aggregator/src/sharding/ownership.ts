import { Rendezvous } from './rendezvous.js';

/**
 * Which streams this pod probes under one peer set. Without sharding (`self` null) it owns them all;
 * otherwise a stream is ours when rendezvous hashing over the peers names us.
 */
export class Ownership {
  private readonly ring: Rendezvous;

  constructor(
    readonly self: string | null,
    peers: Iterable<string>,
  ) {
    // the pod always counts itself in, even before a peer list names it
    this.ring = new Rendezvous(self === null ? peers : [...peers, self]);
  }

  /** sorted; empty when not sharding */
  get peers(): readonly string[] {
    return this.ring.peers;
  }

  owns(key: string): boolean {
    return this.self === null || this.ring.owner(key) === this.self;
  }

  /** The owner of a stream key, `self` included; undefined when not sharding. */
  ownerOf(key: string): string | undefined {
    return this.self === null ? undefined : this.ring.owner(key);
  }

  samePeers(other: Ownership): boolean {
    return (
      this.self === other.self &&
      this.peers.length === other.peers.length &&
      this.peers.every((p, i) => p === other.peers[i])
    );
  }
}

export interface OwnershipMoves {
  /** owned after, not before */
  movedIn: string[];
  /** owned before, not after */
  movedOut: string[];
}

/** The streams (by key) that a peer-set change moves onto and off this pod. */
export function ownershipMoves(keys: Iterable<string>, before: Ownership, after: Ownership): OwnershipMoves {
  const movedIn: string[] = [];
  const movedOut: string[] = [];
  for (const key of keys) {
    const was = before.owns(key);
    const is = after.owns(key);
    if (is && !was) movedIn.push(key);
    else if (was && !is) movedOut.push(key);
  }
  return { movedIn, movedOut };
}
