export { createPeerSource, type PeerSourceDeps } from './create-source.js';
export { lookupPeers, type PeerLookup, type PeerResolver } from './dns-lookup.js';
export { parseDnsServer } from './dns-server-address.js';
export { DnsPeerSource, type DnsPeerSourceOptions } from './dns-source.js';
export { fmix32, type Hash64, hash64, pairScore, pairTie } from './hash.js';
export { Ownership, type OwnershipMoves, ownershipMoves } from './ownership.js';
export {
  NoPeerSource,
  type PeerSource,
  type PeerSourceHealth,
  peerSet,
  type ShardLogger,
  samePeerSet,
} from './peer-source.js';
export { normalizeIp, type PodIdentity, podIdentity } from './pod-identity.js';
export { Rendezvous, rendezvousOwner } from './rendezvous.js';
export { NO_SEARCH, parseResolvConf, type SearchConfig, searchNames } from './resolv-conf.js';
export { resolveStaticShard, StaticPeerSource, type StaticShard } from './static-source.js';
