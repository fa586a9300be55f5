/**
 * The GET request of one hop: request line and header section (RFC 9112 §3, RFC 9110 §7.2 Host).
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    // src/http/ and dist/http/ are both two levels below the package root
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const DEFAULT_USER_AGENT = `video-exporter/${readVersion()}`;

const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE_RE = /[\r\n\0]/;

/** Throws TypeError for header names/values that would break or inject into the request. */
export function validateHeaders(headers: Record<string, string> | undefined): void {
  if (!headers) return;
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN_RE.test(name)) throw new TypeError(`invalid HTTP header name ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || BAD_VALUE_RE.test(value)) {
      throw new TypeError(`invalid value for HTTP header ${name}`);
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Headers the client always decides itself. */
const FORCED = new Set(['connection', 'content-length', 'transfer-encoding']);

/**
 * The request text for `url` (sent UTF-8 encoded; the request line is ASCII, URL-encoded by `URL`). `headers` replace
 * defaults of the same name; `Connection` is
 * always `close` (one connection per probe, closed by the probe). URL userinfo becomes Basic auth
 * (as curl does) unless an Authorization header is given.
 */
export function buildRequest(url: URL, userAgent: string, headers: Record<string, string> | undefined): string {
  const fields = new Map<string, [string, string]>();
  const set = (name: string, value: string): void => {
    fields.set(name.toLowerCase(), [name, value]);
  };
  set('Host', url.host);
  set('User-Agent', userAgent);
  set('Accept', '*/*');
  // a compressed body would not be FLV to the parser
  set('Accept-Encoding', 'identity');
  if (url.username !== '' || url.password !== '') {
    const user = safeDecode(url.username);
    const pass = safeDecode(url.password);
    set('Authorization', `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`);
  }
  if (headers) {
    for (const [name, value] of Object.entries(headers)) {
      if (!FORCED.has(name.toLowerCase())) set(name, value);
    }
  }
  set('Connection', 'close');
  let out = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`;
  for (const [name, value] of fields.values()) out += `${name}: ${value}\r\n`;
  return `${out}\r\n`;
}
