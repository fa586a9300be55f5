/**
 * One look-up of the peer addresses: the Service name through the search list, one address family.
 * "No such name" and "no records" move on to the next candidate name; any other error (timeout,
 * SERVFAIL, refused) fails the whole look-up at once, so a flaky DNS never shrinks the peer set.
 */

/** What the DNS source needs of node's `dns.promises.Resolver` (tests inject a fake). */
export interface PeerResolver {
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  /** aborts outstanding queries (node's Resolver has it) */
  cancel?(): void;
}

export type PeerLookup = { ok: true; name: string; addresses: string[] } | { ok: false; error: string };

/** c-ares codes for an answer that exists but holds nothing for this name / type */
const NO_ANSWER = new Set(['ENOTFOUND', 'ENODATA']);

export async function lookupPeers(
  resolver: PeerResolver,
  candidates: readonly string[],
  family: 4 | 6,
): Promise<PeerLookup> {
  const type = family === 4 ? 'A' : 'AAAA';
  for (const name of candidates) {
    let addresses: string[];
    try {
      addresses = await (family === 4 ? resolver.resolve4(name) : resolver.resolve6(name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== undefined && NO_ANSWER.has(code)) continue;
      return { ok: false, error: `${type} ${name}: ${code ?? (err as Error).message}` };
    }
    if (addresses.length > 0) return { ok: true, name, addresses };
  }
  // A headless Service with publishNotReadyAddresses lists at least this very pod: an empty answer
  // means DNS is wrong (or the Service is gone), not that this pod is alone.
  return { ok: false, error: `no ${type} records for ${candidates.join(', ')}` };
}
