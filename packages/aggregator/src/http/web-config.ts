/**
 * `--web.config.file`: TLS and basic auth of the exporter's HTTP server, in the Prometheus
 * exporter-toolkit format (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md),
 * so one file serves every exporter of a fleet:
 *
 * ```yaml
 * tls_server_config:
 *   cert_file: server.crt          # relative paths are relative to this file, as in the toolkit
 *   key_file: server.key
 *   min_version: TLS12             # TLS10..TLS13, default TLS12
 *   max_version: TLS13
 *   client_auth_type: RequireAndVerifyClientCert   # or NoClientCert (default)
 *   client_ca_file: ca.crt         # required by RequireAndVerifyClientCert
 * basic_auth_users:
 *   prometheus: $2y$10$...         # bcrypt (htpasswd -nBC 10 "" | tr -d ':\n')
 * ```
 *
 * Toolkit keys this server does not implement (cipher suites, curves, inline certificates, HTTP/2,
 * extra headers, rate limits) are refused by name rather than ignored: a security setting that is
 * silently dropped is worse than a start-up error. Unknown keys are errors too, with a "did you mean".
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import tls from 'node:tls';
import { ConfigError, ProblemsError } from '../config/errors.js';
import { parseYaml } from '../config/parse-yaml.js';
import {
  childPath,
  describe,
  isMapping,
  type KeyHandler,
  type Mapping,
  Problems,
  readEnum,
  readMapping,
  readNonEmptyString,
  walkMapping,
} from '../config/problems.js';

/** A web config that cannot be used: every problem on its own line, naming its path. Exit code 2. */
export class WebConfigError extends ProblemsError {
  override readonly name = 'WebConfigError';
}

export interface TlsSettings {
  cert: Buffer;
  key: Buffer;
  /** resolved paths, for the start-up log */
  certFile: string;
  keyFile: string;
  minVersion: tls.SecureVersion;
  maxVersion: tls.SecureVersion;
  /** set with client_auth_type RequireAndVerifyClientCert: clients must present a certificate signed by it */
  clientCa?: Buffer;
}

export interface WebConfig {
  /** undefined: plain HTTP */
  tls?: TlsSettings;
  /** user → bcrypt hash; undefined: no authentication */
  basicAuthUsers?: ReadonlyMap<string, string>;
}

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const satisfies Record<
  string,
  tls.SecureVersion
>;
type TlsVersionName = keyof typeof TLS_VERSIONS;
const VERSION_NAMES = Object.keys(TLS_VERSIONS) as TlsVersionName[];

const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequireAndVerifyClientCert'] as const;
/** The toolkit's other client_auth_type values: valid there, not implemented here. */
const UNSUPPORTED_CLIENT_AUTH = ['RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven'];

/** $2a$ / $2b$ / $2y$, two-digit cost, 22 characters of salt + 31 of hash (bcrypt's base64). */
const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export interface ParseWebConfigOptions {
  /** file name for messages */
  source?: string;
  /** relative cert/key/CA paths are resolved against this (the web config file's directory) */
  baseDir: string;
  /** reads a referenced file; default fs.readFileSync (tests inject) */
  readFile?: (path: string) => Buffer;
}

export async function loadWebConfigFile(path: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new WebConfigError([`cannot read web config file ${path}: ${fileError(err)}`], path);
  }
  return parseWebConfigText(text, { source: path, baseDir: dirname(resolve(path)) });
}

export function parseWebConfigText(text: string, o: ParseWebConfigOptions): WebConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, o.source);
  } catch (err) {
    if (err instanceof ConfigError) throw new WebConfigError(err.problems, o.source);
    throw err;
  }
  const problems = new Problems();
  const out: WebConfig = {};
  // an empty file is a valid web config: plain HTTP, no auth (as in the toolkit)
  if (doc === null || doc === undefined) return out;
  if (!isMapping(doc)) throw new WebConfigError([`the web config must be a mapping, got ${describe(doc)}`], o.source);

  const read = o.readFile ?? ((p: string) => readFileSync(p));
  const unsupported =
    (what: string): KeyHandler =>
    (_v, p) =>
      problems.add(p, `${what} is an exporter-toolkit option video-exporter does not support; remove it`);
  walkMapping(doc, '', problems, {
    tls_server_config: (v, p) => {
      if (v === null) return; // `tls_server_config:` with nothing under it: TLS off, as in the toolkit
      const m = readMapping(v, p, problems);
      if (m !== undefined) {
        const t = readTls(m, p, problems, o.baseDir, read);
        if (t !== undefined) out.tls = t;
      }
    },
    basic_auth_users: (v, p) => {
      if (v === null) return;
      const m = readMapping(v, p, problems);
      if (m !== undefined) {
        const users = readUsers(m, p, problems);
        if (users !== undefined && users.size > 0) out.basicAuthUsers = users;
      }
    },
    http_server_config: unsupported('http_server_config (HTTP/2, extra headers)'),
    rate_limit: unsupported('rate_limit'),
  });
  if (problems.list.length > 0) throw new WebConfigError(problems.list, o.source);
  return out;
}

function readTls(
  m: Mapping,
  path: string,
  problems: Problems,
  baseDir: string,
  read: (p: string) => Buffer,
): TlsSettings | undefined {
  const problemsBefore = problems.list.length;
  let certFile: string | undefined;
  let keyFile: string | undefined;
  let caFile: string | undefined;
  let clientAuth = 'NoClientCert' as (typeof CLIENT_AUTH_TYPES)[number];
  let minVersion = 'TLS12' as TlsVersionName;
  let maxVersion = 'TLS13' as TlsVersionName;
  // a key that fails its check adds a problem and keeps its default; the problem count decides at the end
  const fileKey =
    (set: (f: string) => void): KeyHandler =>
    (v, p) => {
      const s = readNonEmptyString(v, p, problems);
      if (s !== undefined) set(resolve(baseDir, s));
    };
  const version =
    (set: (n: TlsVersionName) => void): KeyHandler =>
    (v, p) => {
      const n = readEnum(v, p, problems, VERSION_NAMES);
      if (n !== undefined) set(n);
    };
  const unsupported =
    (name: string): KeyHandler =>
    (_v, p) => {
      problems.add(
        p,
        `${name} is an exporter-toolkit option video-exporter does not support (Node's TLS defaults apply); remove it`,
      );
    };
  const seen = walkMapping(m, path, problems, {
    cert_file: fileKey((f) => (certFile = f)),
    key_file: fileKey((f) => (keyFile = f)),
    client_ca_file: fileKey((f) => (caFile = f)),
    client_auth_type: (v, p) => {
      if (typeof v === 'string' && UNSUPPORTED_CLIENT_AUTH.includes(v)) {
        problems.add(p, `${v} is not supported; use ${CLIENT_AUTH_TYPES.join(' or ')}`);
        return;
      }
      const t = readEnum(v, p, problems, CLIENT_AUTH_TYPES);
      if (t !== undefined) clientAuth = t;
    },
    min_version: version((n) => (minVersion = n)),
    max_version: version((n) => (maxVersion = n)),
    cipher_suites: unsupported('cipher_suites'),
    curve_preferences: unsupported('curve_preferences'),
    prefer_server_cipher_suites: unsupported('prefer_server_cipher_suites'),
    client_allowed_sans: unsupported('client_allowed_sans'),
    cert: unsupported('cert (inline certificate; use cert_file)'),
    key: unsupported('key (inline key; use key_file)'),
    client_ca: unsupported('client_ca (inline CA; use client_ca_file)'),
  });
  if (!seen.has('cert_file')) problems.add(path, 'needs cert_file (and key_file)');
  if (!seen.has('key_file')) problems.add(path, 'needs key_file (and cert_file)');
  if (clientAuth === 'RequireAndVerifyClientCert' && !seen.has('client_ca_file')) {
    problems.add(childPath(path, 'client_ca_file'), 'is required by client_auth_type RequireAndVerifyClientCert');
  }
  if (clientAuth === 'NoClientCert' && caFile !== undefined) {
    problems.add(childPath(path, 'client_ca_file'), 'only applies with client_auth_type RequireAndVerifyClientCert');
  }
  if (VERSION_NAMES.indexOf(minVersion) > VERSION_NAMES.indexOf(maxVersion)) {
    problems.add(childPath(path, 'min_version'), `must not be above max_version (${minVersion} > ${maxVersion})`);
  }
  if (certFile === undefined || keyFile === undefined || problems.list.length > problemsBefore) return undefined;

  const load = (key: string, file: string): Buffer | undefined => {
    try {
      return read(file);
    } catch (err) {
      problems.add(childPath(path, key), `cannot read ${file}: ${fileError(err)}`);
      return undefined;
    }
  };
  const cert = load('cert_file', certFile);
  const key = load('key_file', keyFile);
  const ca =
    clientAuth === 'RequireAndVerifyClientCert' && caFile !== undefined ? load('client_ca_file', caFile) : undefined;
  if (cert === undefined || key === undefined || (clientAuth === 'RequireAndVerifyClientCert' && ca === undefined))
    return undefined;
  try {
    // fails now, with OpenSSL's reason, on a key that does not match, garbage PEM or an unusable CA
    tls.createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (err) {
    problems.add(
      path,
      `cert_file ${certFile} and key_file ${keyFile} are not a usable certificate and key: ${(err as Error).message}`,
    );
    return undefined;
  }
  return {
    cert,
    key,
    certFile,
    keyFile,
    minVersion: TLS_VERSIONS[minVersion],
    maxVersion: TLS_VERSIONS[maxVersion],
    ...(ca ? { clientCa: ca } : {}),
  };
}

function readUsers(m: Mapping, path: string, problems: Problems): Map<string, string> | undefined {
  const users = new Map<string, string>();
  let ok = true;
  for (const [user, hash] of Object.entries(m)) {
    const p = childPath(path, user);
    // RFC 7617: the user-id cannot contain a colon; control characters cannot be typed into a header
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
    if (user === '' || user.includes(':') || /[\x00-\x1f\x7f]/.test(user)) {
      problems.add(p, 'a user name must be non-empty, without ":" or control characters');
      ok = false;
      continue;
    }
    if (typeof hash !== 'string') {
      problems.add(p, `must be a bcrypt hash string, got ${describe(hash)}`);
      ok = false;
      continue;
    }
    const match = BCRYPT_HASH.exec(hash);
    const cost = match ? Number(match[1]) : NaN;
    if (!match || cost < 4 || cost > 31) {
      // never echo the value: it may be a plain-text password pasted by mistake
      problems.add(
        p,
        'must be a bcrypt hash like $2y$10$... (make one with: htpasswd -nBC 10 "" | tr -d \':\\n\'); plain-text' +
          ' passwords are not accepted',
      );
      ok = false;
      continue;
    }
    users.set(user, hash);
  }
  return ok ? users : undefined;
}

function fileError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}
