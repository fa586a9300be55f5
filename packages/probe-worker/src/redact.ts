/**
 * Credential redaction for URLs and messages (SPEC §7: credentials in URLs are always redacted).
 *
 * Works on the raw string, not on a `new URL` round-trip: the rest of the URL stays byte-for-byte as
 * configured (an operator must recognise it), and a malformed URL is still redacted instead of throwing.
 *
 * Redacted: userinfo (`user:pass@` → `***:***@`, `user@` → `***@`) and the values of query / fragment
 * parameters whose name marks a secret (CDN signing schemes: Aliyun `auth_key`, Tencent `txSecret`,
 * Wangsu `wsSecret`, generic `token`, `sign`, `key`, ...). Time and expiry parameters (`txTime`,
 * `wsTime`) are not secret and stay, so an expired signature can still be diagnosed.
 */

const MASK = '***';

/** Parameter names (lower-cased) that are secrets as a whole. */
const SECRET_NAMES = new Set([
  'key',
  'sign',
  'sig',
  'auth',
  'auth_key',
  'authkey',
  'authorization',
  'pass',
  'pwd',
  'apikey',
  'api_key',
  'access_key',
  'accesskey',
  'txsecret',
  'wssecret',
]);

/** Substrings of a parameter name (lower-cased) that mark it as a secret. */
const SECRET_PARTS = ['token', 'secret', 'passw', 'signature', 'credential'];

/** True when a query parameter of this name carries a secret. */
export function isSecretParam(name: string): boolean {
  const lower = safeDecode(name).toLowerCase();
  if (SECRET_NAMES.has(lower)) return true;
  // stream_key, private-key, ...: a named key is a key
  if (lower.endsWith('_key') || lower.endsWith('-key')) return true;
  return SECRET_PARTS.some((part) => lower.includes(part));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** scheme://  then the authority's userinfo up to its LAST '@' (an unencoded '@' may sit in a password). */
const USERINFO_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)@/;

/** Redacts `k=v&k2=v2` parameter lists; parameters without '=' and non-secret ones stay verbatim. */
function redactParams(params: string): string {
  return params
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const name = part.slice(0, eq);
      return isSecretParam(name) ? `${name}=${MASK}` : part;
    })
    .join('&');
}

/** The URL with its credentials replaced by `***`. Never throws; non-URL text passes through. */
export function redactUrl(url: string): string {
  let out = url.replace(USERINFO_RE, (_m, scheme: string, userinfo: string) =>
    userinfo.includes(':') ? `${scheme}${MASK}:${MASK}@` : `${scheme}${MASK}@`,
  );
  const hashAt = out.indexOf('#');
  let fragment = '';
  if (hashAt >= 0) {
    fragment = `#${redactParams(out.slice(hashAt + 1))}`;
    out = out.slice(0, hashAt);
  }
  const queryAt = out.indexOf('?');
  if (queryAt >= 0) {
    out = out.slice(0, queryAt + 1) + redactParams(out.slice(queryAt + 1));
  }
  return out + fragment;
}

/**
 * The secret values a URL carries (userinfo and secret parameters), raw and percent-decoded, for
 * `redactText`. Never throws.
 */
export function urlSecrets(url: string): string[] {
  const found = new Set<string>();
  const add = (value: string): void => {
    if (value === '') return;
    found.add(value);
    found.add(safeDecode(value));
  };
  const m = USERINFO_RE.exec(url);
  if (m) {
    const userinfo = m[2]!;
    const colon = userinfo.indexOf(':');
    if (colon < 0) add(userinfo);
    else {
      add(userinfo.slice(0, colon));
      add(userinfo.slice(colon + 1));
    }
  }
  const queryAt = url.indexOf('?');
  const hashAt = url.indexOf('#');
  const lists: string[] = [];
  if (queryAt >= 0 && (hashAt < 0 || queryAt < hashAt)) {
    lists.push(url.slice(queryAt + 1, hashAt < 0 ? undefined : hashAt));
  }
  if (hashAt >= 0) lists.push(url.slice(hashAt + 1));
  for (const list of lists) {
    for (const part of list.split('&')) {
      const eq = part.indexOf('=');
      if (eq >= 0 && isSecretParam(part.slice(0, eq))) add(part.slice(eq + 1));
    }
  }
  return [...found];
}

/** Request headers whose values are no credentials; every other per-stream header value is treated as one. */
const PUBLIC_HEADERS = new Set([
  'host',
  'referer',
  'user-agent',
  'accept',
  'accept-language',
  'accept-encoding',
  'accept-charset',
  'origin',
  'range',
  'via',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-real-ip',
  'cache-control',
  'pragma',
  'connection',
  'icy-metadata',
]);

/**
 * Every secret a probe request carries, for `redactText` of what comes back (a hostile or broken server
 * may echo the request in its status line): `urlSecrets(url)`, the userinfo as the client sends it
 * (Basic, base64), and the values of the per-stream headers other than well-known public ones
 * (Authorization, Cookie, X-Api-Key, ...: headers are where CDN auth tokens live), whole and, for
 * "Scheme token" values, the token alone. Never throws.
 */
export function requestSecrets(url: string, headers?: Readonly<Record<string, string>>): string[] {
  const found = urlSecrets(url);
  const m = USERINFO_RE.exec(url);
  if (m) {
    // as http/request.ts builds it: percent-decoded user and password, UTF-8, base64
    const decode = (s: string): string => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    const userinfo = m[2]!;
    const colon = userinfo.indexOf(':');
    const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const pass = colon < 0 ? '' : decode(userinfo.slice(colon + 1));
    found.push(Buffer.from(`${user}:${pass}`, 'utf8').toString('base64'));
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (PUBLIC_HEADERS.has(name.toLowerCase())) continue;
    found.push(value.trim());
    const space = value.trim().indexOf(' ');
    if (space > 0)
      found.push(
        value
          .trim()
          .slice(space + 1)
          .trim(),
      );
  }
  return found.filter((s) => s !== '');
}

/** Secrets shorter than this are not scrubbed from free text: replacing every "ab" would garble it. */
const MIN_SECRET_LENGTH = 3;

const URL_IN_TEXT_RE = /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s"'<>]+/g;

/**
 * Scrubs a free-text message (an error message, a log line): every URL in it is passed through
 * `redactUrl`, then every listed secret (e.g. `urlSecrets(streamUrl)`) of at least 3 characters is
 * replaced by `***`, longest first. Never throws.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(URL_IN_TEXT_RE, (u) => redactUrl(u));
  const sorted = [...new Set(secrets)]
    .filter((s) => s.length >= MIN_SECRET_LENGTH && s !== MASK)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join(MASK);
  return out;
}
