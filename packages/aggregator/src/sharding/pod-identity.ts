import { isIP } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import type { Env } from '../config/env.js';

/**
 * The canonical text of an IP address (lower-case, IPv6 compressed as the URL parser writes it), so the
 * pod's own POD_IP and the addresses DNS returns compare equal; undefined when `text` is not an IP.
 */
export function normalizeIp(text: string): string | undefined {
  const t = text.trim();
  const family = isIP(t);
  if (family === 4) return t;
  // a zone id (fe80::1%eth0) passes isIP but not the URL parser, and names no pod anyway
  if (family === 6 && !t.includes('%')) return new URL(`http://[${t}]/`).hostname.slice(1, -1);
  return undefined;
}

export type PodIdentity = { ok: true; ip: string; family: 4 | 6; source: string } | { ok: false; error: string };

/**
 * This pod's identity in dns mode: POD_IP (the Downward API's status.podIP), else the first
 * non-internal IPv4 (then IPv6) interface address, which in a pod is the same address.
 */
export function podIdentity(
  env: Env,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): PodIdentity {
  const fromEnv = env.POD_IP?.trim();
  if (fromEnv) {
    const ip = normalizeIp(fromEnv);
    if (ip === undefined) return { ok: false, error: `POD_IP: not an IP address: ${JSON.stringify(fromEnv)}` };
    return { ok: true, ip, family: isIP(ip) as 4 | 6, source: 'POD_IP' };
  }
  for (const family of ['IPv4', 'IPv6'] as const) {
    for (const [name, addrs] of Object.entries(interfaces)) {
      // link-local IPv6 (fe80::) is not what DNS publishes for a pod
      const a = addrs?.find((x) => x.family === family && !x.internal && !x.address.toLowerCase().startsWith('fe80:'));
      if (a)
        return {
          ok: true,
          ip: normalizeIp(a.address)!,
          family: family === 'IPv4' ? 4 : 6,
          source: `interface ${name}`,
        };
    }
  }
  return {
    ok: false,
    error: 'POD_IP is not set and no network interface has an address: set POD_IP from the Downward API (status.podIP)',
  };
}
