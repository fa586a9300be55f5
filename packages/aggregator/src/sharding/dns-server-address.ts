import { isIP } from 'node:net';

/**
 * A DNS server address for `sharding.dns_server` / SHARD_DNS_SERVER, in the forms node's
 * `Resolver.setServers` takes: "10.96.0.10", "127.0.0.1:5353", "::1", "[::1]:5353". Only IP
 * literals: the server that resolves names cannot itself be a name.
 */
export function parseDnsServer(text: string): { ok: true; server: string } | { ok: false; reason: string } {
  const t = text.trim();
  const example = '(e.g. "10.96.0.10" or "127.0.0.1:5353")';
  const bad = {
    ok: false as const,
    reason: `${JSON.stringify(text)} is not an IP address with an optional port ${example}`,
  };
  let host: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  const v4 = /^([\d.]+)(?::(\d+))?$/.exec(t);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2];
    if (isIP(host) !== 6) return bad;
  } else if (v4) {
    host = v4[1]!;
    port = v4[2];
    if (isIP(host) !== 4) return bad;
  } else if (isIP(t) === 6) {
    host = t;
  } else {
    return bad;
  }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return { ok: false, reason: `${JSON.stringify(text)}: port must be 1..65535` };
  const hostText = isIP(host) === 6 ? `[${host}]` : host;
  return { ok: true, server: port === undefined ? host : `${hostText}:${port}` };
}
