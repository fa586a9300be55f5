import { describe, expect, it } from 'vitest';
import { Ownership, ownershipMoves } from '../../src/sharding/ownership.js';
import { Rendezvous } from '../../src/sharding/rendezvous.js';

const keys = Array.from({ length: 600 }, (_, i) => `P/source/s${i}`);

describe('Ownership', () => {
  it('owns every stream when not sharding', () => {
    const o = new Ownership(null, []);
    expect(keys.every((k) => o.owns(k))).toBe(true);
    expect(o.peers).toEqual([]);
    expect(o.ownerOf(keys[0]!)).toBeUndefined();
  });

  it('counts itself in even when the peer list does not name it yet', () => {
    const o = new Ownership('10.0.0.9', ['10.0.0.1', '10.0.0.2']);
    expect(o.peers).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.9']);
    const ring = new Rendezvous(['10.0.0.1', '10.0.0.2', '10.0.0.9']);
    for (const k of keys) expect(o.owns(k)).toBe(ring.owner(k) === '10.0.0.9');
    expect(keys.some((k) => o.owns(k))).toBe(true);
  });

  it('owns everything as a peer set of one', () => {
    const o = new Ownership('10.0.0.9', []);
    expect(keys.every((k) => o.owns(k))).toBe(true);
  });

  it('splits the streams exactly among pods that see the same peer set', () => {
    const peers = ['0', '1', '2'];
    const pods = peers.map((p) => new Ownership(p, peers));
    for (const k of keys) expect(pods.filter((o) => o.owns(k))).toHaveLength(1);
  });

  it('compares peer sets regardless of order', () => {
    expect(new Ownership('a', ['b', 'c']).samePeers(new Ownership('a', ['c', 'b', 'a']))).toBe(true);
    expect(new Ownership('a', ['b', 'c']).samePeers(new Ownership('a', ['b']))).toBe(false);
  });
});

describe('ownershipMoves', () => {
  it('lists the streams a join takes away and a leave brings back', () => {
    const three = new Ownership('10.0.0.1', ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    const four = new Ownership('10.0.0.1', ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
    const away = ownershipMoves(keys, three, four);
    expect(away.movedIn).toEqual([]);
    expect(away.movedOut.length).toBeGreaterThan(0);
    // all of them went to the newcomer
    for (const k of away.movedOut) expect(four.ownerOf(k)).toBe('10.0.0.4');
    const back = ownershipMoves(keys, four, three);
    expect(back.movedOut).toEqual([]);
    expect(back.movedIn).toEqual(away.movedOut);
  });
});
