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
import {
  isRtmpUrl,
  PROBE_URL_SCHEMES,
  PROBE_URL_SCHEMES_TEXT,
  rtmpUrlProblem,
} from '@video-exporter/probe-worker/common';
import ipaddr from 'ipaddr.js';

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

/**
 * Address classes as CIDR rules, checked in this order (first match wins: single metadata addresses
 * before the ranges that contain them). Each class is one `net.BlockList`; what is in no class is public.
 */
const RULES: ReadonlyArray<readonly [cls: AddressClass, cidrs: readonly string[]]> = [
  [
    'metadata',
    [
      '169.254.169.254/32', // AWS, Azure, GCP, OCI, OpenStack instance metadata
      '100.100.100.200/32', // Alibaba Cloud metadata (inside CGNAT space)
      '168.63.129.16/32', // Azure WireServer (a public address, platform-only)
      'fd00:ec2::254/128', // AWS IMDS over IPv6
    ],
  ],
  ['unspecified', ['0.0.0.0/8', '::/128']], // "this network"; 0.0.0.0 connects to the local host
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['link-local', ['169.254.0.0/16', 'fe80::/10']],
  [
    'reserved',
    [
      '192.0.0.0/24', // IETF protocol assignments
      '240.0.0.0/4', // incl. 255.255.255.255 broadcast
      '2001::/32', // Teredo: an obfuscated IPv4 inside
      '100::/64', // discard-only
    ],
  ],
  ['multicast', ['224.0.0.0/4', 'ff00::/8']],
  [
    'private',
    [
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10', // CGNAT shared space
      'fc00::/7', // unique local
      'fec0::/10', // site-local (deprecated)
    ],
  ],
];

const CLASS_LISTS: ReadonlyArray<readonly [AddressClass, net.BlockList]> = RULES.map(([cls, cidrs]) => {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const [network, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(network, Number(prefix), net.isIP(network) === 6 ? 'ipv6' : 'ipv4');
  }
  return [cls, list] as const;
});

/**
 * IPv6 forms that carry an IPv4 address (the kernel or a translator ends up talking IPv4 to it), with
 * the byte offset of that address: they are classed as the IPv4 address they carry.
 */
const EMBEDDED_V4: ReadonlyArray<readonly [prefix: ipaddr.IPv6, bits: number, offset: number]> = [
  ['::ffff:0:0', 96, 12], // mapped
  ['::', 96, 12], // compatible (deprecated)
  ['64:ff9b::', 96, 12], // NAT64
  ['64:ff9b:1::', 48, 12], // local-use NAT64
  ['2002::', 16, 2], // 6to4
].map(([prefix, bits, offset]) => [ipaddr.IPv6.parse(prefix as string), bits as number, offset as number] as const);

/** The class of an IPv4 or IPv6 address; throws TypeError for anything else (a caller bug). */
export function classifyAddress(ip: string): AddressClass {
  const family = net.isIP(ip);
  if (family === 0) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  if (family === 6) {
    const addr = ipaddr.IPv6.parse(ip.replace(/%.*$/, ''));
    // :: and ::1 are compatible-form look-alikes with their own class
    const own = classIn(addr.toNormalizedString(), 'ipv6');
    if (own === 'unspecified' || own === 'loopback') return own;
    for (const [prefix, bits, offset] of EMBEDDED_V4) {
      if (addr.match(prefix, bits))
        return classIn(
          addr
            .toByteArray()
            .slice(offset, offset + 4)
            .join('.'),
          'ipv4',
        );
    }
    return own;
  }
  return classIn(ip, 'ipv4');
}

function classIn(ip: string, family: 'ipv4' | 'ipv6'): AddressClass {
  for (const [cls, list] of CLASS_LISTS) if (list.check(ip, family)) return cls;
  return 'public';
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
const bareHost = (hostname: string): string =>
  hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;

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
    if (!allow.ips.has(host))
      return { ok: false, status: 403, error: `target host ${host} is not in exporter.probe_endpoint.allowed_hosts` };
    return { ok: true, url, host, kind: 'ip' };
  }
  const name = stripDot(host);
  if (METADATA_NAMES.has(name))
    return { ok: false, status: 403, error: `target host ${name} is a cloud metadata service: never probed` };
  if (!nameAllowed(name, allow))
    return { ok: false, status: 403, error: `target host ${name} is not in exporter.probe_endpoint.allowed_hosts` };
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
        error:
          `target host ${name} resolves to ${address} (${cls}): a host name may not lead to a ${cls} address;` +
          ` list the IP in allowed_hosts and use it as the target instead`,
      };
    }
  }
  return { ok: true };
}
