/**
 * The address policy of `/probe?target=` (SPEC §7): which URLs the exporter may be made to fetch.
 * Pure (no DNS, no sockets): probe-endpoint.ts resolves names and asks here about every address.
 *
 * The rules, in order:
 * 1. http, https, rtmp and rtmps only; the URL must parse (WHATWG URL, so `http://2130706433/`, `http://0x7f.1/` and
 *    `http://[::ffff:7f00:1]/` are seen in their canonical forms 127.0.0.1 / ::ffff:7f00:1).
 * 2. An IP-literal target must be listed as that IP in `allowed_hosts` (wildcards never match IPs).
 *    Listing an IP is the only way to reach a special address (loopback, link-local, cloud metadata,
 *    unspecified, multicast, reserved): the operator wrote it down.
 * 3. A host-name target must match an entry (exact, or `*.suffix` = any name ending in `.suffix`, not
 *    the suffix itself), must not be a cloud metadata name, and EVERY address it resolves to must be
 *    ordinary (public or private). A name never leads to a special address, listed or not: that keeps
 *    DNS (rebinding, a stale record, a hostile zone under a wildcard) from turning an allowed name into
 *    the metadata service or the exporter's own loopback.
 * Private ranges (RFC 1918, CGNAT 100.64/10, IPv6 ULA) are allowed for allowed names: internal origins
 * are the main thing an operator probes, and the names are the operator's own.
 */
import net from 'node:net';
import { isRtmpUrl, PROBE_URL_SCHEMES, PROBE_URL_SCHEMES_TEXT, rtmpUrlProblem } from '@video-exporter/probe-worker';

export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

/** Classes a host name may resolve to; the others need the IP itself listed and used as the target. */
const ORDINARY: ReadonlySet<AddressClass> = new Set(['public', 'private']);

export function isSpecialAddress(c: AddressClass): boolean {
  return !ORDINARY.has(c);
}

/**
 * Names of cloud instance-metadata services: refused before any DNS look-up, whatever the allow-list
 * says (off the cloud they do not resolve; on it they resolve to link-local addresses anyway).
 */
const METADATA_NAMES: ReadonlySet<string> = new Set([
  'metadata.google.internal', // GCE / GKE
  'metadata.goog',
  'metadata', // GCE short name via the search domain
  'instance-data', // EC2 (resolves to 169.254.169.254 inside a VPC)
  'instance-data.ec2.internal',
]);

// ------------------------------------------------------------------------------------------- classes

type V4Rule = readonly [network: number, prefix: number, cls: AddressClass];

/** First match wins: single metadata addresses before the ranges that contain them. */
const V4_RULES: readonly V4Rule[] = [
  [v4('169.254.169.254'), 32, 'metadata'], // AWS, Azure, GCP, OCI, OpenStack instance metadata
  [v4('100.100.100.200'), 32, 'metadata'], // Alibaba Cloud metadata (inside CGNAT space)
  [v4('168.63.129.16'), 32, 'metadata'], // Azure WireServer (a public address, platform-only)
  [v4('0.0.0.0'), 8, 'unspecified'], // "this network"; 0.0.0.0 connects to the local host
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link-local'],
  [v4('192.0.0.0'), 24, 'reserved'], // IETF protocol assignments
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'], // incl. 255.255.255.255 broadcast
  [v4('10.0.0.0'), 8, 'private'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('100.64.0.0'), 10, 'private'], // CGNAT shared space
];

/** The class of an IPv4 or IPv6 address; throws TypeError for anything else (a caller bug). */
export function classifyAddress(ip: string): AddressClass {
  const family = net.isIP(ip);
  if (family === 4) return classifyV4(v4(ip));
  if (family === 6) return classifyV6(v6Bytes(ip));
  throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
}

function classifyV4(a: number): AddressClass {
  for (const [network, prefix, cls] of V4_RULES) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    if (((a & mask) >>> 0) === network) return cls;
  }
  return 'public';
}

function classifyV6(b: Uint8Array): AddressClass {
  const word = (i: number): number => (b[2 * i]! << 8) | b[2 * i + 1]!;
  const zeroUpTo = (n: number): boolean => b.subarray(0, n).every((x) => x === 0);
  const v4At = (i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

  if (zeroUpTo(16)) return 'unspecified'; // ::
  if (zeroUpTo(15) && b[15] === 1) return 'loopback'; // ::1
  // forms that carry an IPv4 address: the kernel or a translator ends up talking IPv4 to it
  if (zeroUpTo(10) && word(5) === 0xffff) return classifyV4(v4At(12)); // ::ffff:a.b.c.d mapped
  if (zeroUpTo(12)) return classifyV4(v4At(12)); // ::a.b.c.d compatible (deprecated)
  if (word(0) === 0x64 && word(1) === 0xff9b && (word(2) === 0 || word(2) === 1)) return classifyV4(v4At(12)); // NAT64 64:ff9b::/96, 64:ff9b:1::/48
  if (word(0) === 0x2002) return classifyV4(v4At(2)); // 6to4 2002:AABB:CCDD::/48
  if (word(0) === 0x2001 && word(1) === 0) return 'reserved'; // Teredo: an obfuscated IPv4 inside
  if (word(0) === 0x0100 && word(1) === 0 && word(2) === 0 && word(3) === 0) return 'reserved'; // 100::/64 discard-only
  if (word(0) === 0xfd00 && word(1) === 0x0ec2 && b.subarray(4, 14).every((x) => x === 0) && word(7) === 0x254) {
    return 'metadata'; // AWS IMDS over IPv6, fd00:ec2::254
  }
  if (b[0] === 0xff) return 'multicast'; // ff00::/8
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 'private'; // fec0::/10 site-local (deprecated)
  if ((b[0]! & 0xfe) === 0xfc) return 'private'; // fc00::/7 unique local
  return 'public';
}

function v4(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** 16 bytes of a valid IPv6 text form (with `::` and an optional trailing dotted quad). */
function v6Bytes(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = ip;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const words: number[] = [];
  const parseGroups = (part: string): number[] => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const a = v4(g);
        groups.push(a >>> 16, a & 0xffff);
      } else groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const gap = text.indexOf('::');
  if (gap < 0) words.push(...parseGroups(text));
  else {
    const head = parseGroups(text.slice(0, gap));
    const tail = parseGroups(text.slice(gap + 2));
    words.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  }
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

// ------------------------------------------------------------------------------------------- allow-list

export interface AllowList {
  /** exact host names, lower-case, no trailing dot */
  names: ReadonlySet<string>;
  /** from `*.example.com`: ".example.com" */
  suffixes: readonly string[];
  /** canonical IP text (as WHATWG URL prints it, IPv6 without brackets) */
  ips: ReadonlySet<string>;
}

/**
 * Compiles `exporter.probe_endpoint.allowed_hosts` (already validated: names, `*.suffix`, IPs). IPs are
 * canonicalised like a target URL's host is, so `0177.0.0.1` and `127.0.0.1` are the same entry.
 */
export function compileAllowList(entries: readonly string[]): AllowList {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const ips = new Set<string>();
  for (const raw of entries) {
    const entry = raw.toLowerCase();
    if (entry.startsWith('*.')) {
      suffixes.push(stripDot(entry.slice(1)));
      continue;
    }
    const canonical = canonicalHost(entry);
    if (canonical === undefined) names.add(stripDot(entry));
    else if (net.isIP(canonical) !== 0) ips.add(canonical);
    else names.add(stripDot(canonical));
  }
  return { names, suffixes, ips };
}

/** `host` as WHATWG URL canonicalises it (IPv6 without brackets), or undefined when it cannot be a host. */
function canonicalHost(host: string): string | undefined {
  const bracketed = net.isIPv6(host) ? `[${host}]` : host;
  try {
    return bareHost(new URL(`http://${bracketed}/`).hostname);
  } catch {
    return undefined;
  }
}

const stripDot = (name: string): string => (name.endsWith('.') ? name.slice(0, -1) : name);
const bareHost = (hostname: string): string => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname);

// ------------------------------------------------------------------------------------------- verdicts

export type TargetVerdict =
  | {
      ok: true;
      url: URL;
      /** canonical host: IP without brackets, or a name without trailing dot */
      host: string;
      /** 'name': the caller must resolve it and pass every address to checkResolved */
      kind: 'ip' | 'name';
    }
  | { ok: false; status: 400 | 403; error: string };

/** Rules 1-3 up to (not including) DNS; see the module comment. */
export function checkTarget(raw: string, allow: AllowList): TargetVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, status: 400, error: 'target is not an absolute URL' };
  }
  const scheme = url.protocol.slice(0, -1);
  if (!PROBE_URL_SCHEMES.includes(scheme)) {
    const error = `target scheme "${scheme}" is not allowed: ${PROBE_URL_SCHEMES_TEXT} only`;
    return { ok: false, status: 400, error };
  }
  const rtmpProblem = isRtmpUrl(raw) ? rtmpUrlProblem(raw) : undefined;
  if (rtmpProblem !== undefined) {
    return { ok: false, status: 400, error: `target is not a valid RTMP URL: ${rtmpProblem}` };
  }
  const host = bareHost(url.hostname);
  if (host === '') return { ok: false, status: 400, error: 'target has no host' };
  if (net.isIP(host) !== 0) {
    if (!allow.ips.has(host)) return { ok: false, status: 403, error: `target host ${host} is not in exporter.probe_endpoint.allowed_hosts` };
    return { ok: true, url, host, kind: 'ip' };
  }
  const name = stripDot(host);
  if (METADATA_NAMES.has(name)) return { ok: false, status: 403, error: `target host ${name} is a cloud metadata service: never probed` };
  if (!nameAllowed(name, allow)) return { ok: false, status: 403, error: `target host ${name} is not in exporter.probe_endpoint.allowed_hosts` };
  return { ok: true, url, host: name, kind: 'name' };
}

export function nameAllowed(name: string, allow: AllowList): boolean {
  if (allow.names.has(name)) return true;
  return allow.suffixes.some((s) => name.length > s.length && name.endsWith(s));
}

/**
 * Every address a name resolved to must be ordinary: one special address refuses the target (an
 * attacker controlling a zone would otherwise answer with a public and a loopback record at once).
 */
export function checkResolved(name: string, addresses: readonly string[]): { ok: true } | { ok: false; error: string } {
  if (addresses.length === 0) return { ok: false, error: `${name} resolved to no address` };
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (isSpecialAddress(cls)) {
      return {
        ok: false,
        error: `target host ${name} resolves to ${address} (${cls}): a host name may not lead to a ${cls} address; list the IP in allowed_hosts and use it as the target instead`,
      };
    }
  }
  return { ok: true };
}
