import { isIP } from 'node:net';
import type { ListenAddr } from './types.js';

/**
 * `listen_addr` as the reference accepts it: "8080", ":8080" (all interfaces), "0.0.0.0:8080",
 * "127.0.0.1:9100", "[::1]:9100", "localhost:9100". An unquoted YAML port (8080) is a number and is
 * accepted too. Returns the parsed address or the reason it is not one.
 */
export function parseListenAddr(
  value: string | number,
): { ok: true; addr: ListenAddr } | { ok: false; reason: string } {
  const text = String(value);
  let host: string | undefined;
  let portText: string;
  if (/^\d+$/.test(text)) {
    portText = text;
  } else if (text.startsWith('[')) {
    // [IPv6]:port: brackets keep the address's colons apart from the port's
    const m = /^\[([^\]]*)\]:(\d+)$/.exec(text);
    if (m === null || isIP(m[1]!) !== 6) return { ok: false, reason: FORMS };
    host = m[1]!;
    portText = m[2]!;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return { ok: false, reason: FORMS };
    const h = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (h.includes(':')) return { ok: false, reason: 'an IPv6 address needs brackets, e.g. "[::1]:9100"' };
    if (h !== '' && isIP(h) === 0 && !HOSTNAME.test(h))
      return { ok: false, reason: `"${h}" is not an IP address or host name` };
    host = h === '' ? undefined : h;
    if (!/^\d+$/.test(portText)) return { ok: false, reason: FORMS };
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, reason: 'port must be 1..65535' };
  return { ok: true, addr: { host, port, text } };
}

const FORMS = 'expected "PORT", ":PORT", "HOST:PORT" or "[IPv6]:PORT"';

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
export const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
