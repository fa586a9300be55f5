/**
 * `--web.config.file` parsing: the exporter-toolkit keys this server implements, the ones it refuses by
 * name, unknown keys, bcrypt hash checks, and certificate files checked at load time (made with
 * Debian's openssl at test time).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWebConfigFile, parseWebConfigText, WebConfigError } from '../../src/http/web-config.js';

const HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi'; // exporter-toolkit's docs example
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 've-webcfg-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-days',
    '1',
    '-keyout',
    'server.key',
    '-out',
    'server.crt',
  );
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'other.key');
  writeFileSync(join(dir, 'garbage.crt'), 'not a certificate\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const parse = (text: string) => parseWebConfigText(text, { baseDir: dir, source: 'web.yml' });

function problemsOf(text: string): string[] {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(WebConfigError);
    return (err as WebConfigError).problems;
  }
  throw new Error('expected a WebConfigError');
}

describe('valid web configs', () => {
  it('an empty file is plain HTTP without auth', () => {
    expect(parse('')).toEqual({});
    expect(parse('# only a comment\n')).toEqual({});
    expect(parse('tls_server_config:\nbasic_auth_users:\n')).toEqual({});
  });

  it('reads TLS files relative to the web config, with the toolkit defaults TLS12..TLS13', () => {
    const c = parse('tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n');
    expect(c.tls?.certFile).toBe(join(dir, 'server.crt'));
    expect(c.tls?.keyFile).toBe(join(dir, 'server.key'));
    expect(c.tls?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(c.tls?.key.toString()).toContain('PRIVATE KEY');
    expect(c.tls?.minVersion).toBe('TLSv1.2');
    expect(c.tls?.maxVersion).toBe('TLSv1.3');
    expect(c.tls?.clientCa).toBeUndefined();
    expect(c.basicAuthUsers).toBeUndefined();
  });

  it('maps min_version / max_version to node names', () => {
    const c = parse(
      `tls_server_config:\n  cert_file: ${join(dir, 'server.crt')}\n  key_file: server.key\n  min_version: TLS13\n ` +
        ` max_version: TLS13\n`,
    );
    expect([c.tls?.minVersion, c.tls?.maxVersion]).toEqual(['TLSv1.3', 'TLSv1.3']);
  });

  it('RequireAndVerifyClientCert loads the client CA', () => {
    const c = parse(
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type:' +
        ' RequireAndVerifyClientCert\n  client_ca_file: server.crt\n',
    );
    expect(c.tls?.clientCa?.toString()).toContain('BEGIN CERTIFICATE');
  });

  it('reads bcrypt users ($2y$, $2b$, $2a$)', () => {
    const c = parse(
      `basic_auth_users:\n  prometheus: '${HASH}'\n  b: '${HASH.replace('$2y$', '$2b$')}'\n  a:` +
        ` '${HASH.replace('$2y$', '$2a$')}'\n`,
    );
    expect([...(c.basicAuthUsers?.keys() ?? [])]).toEqual(['prometheus', 'b', 'a']);
    expect(c.basicAuthUsers?.get('prometheus')).toBe(HASH);
  });

  it('loads a file from disk', async () => {
    const path = join(dir, 'web.yml');
    writeFileSync(
      path,
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  p: '${HASH}'\n`,
    );
    const c = await loadWebConfigFile(path);
    expect(c.tls?.certFile).toBe(join(dir, 'server.crt'));
    expect(c.basicAuthUsers?.size).toBe(1);
  });
});

describe('refused web configs', () => {
  it('names an unknown key, with a suggestion when one is close', () => {
    expect(problemsOf('tls_server_confg:\n  cert_file: server.crt\n')).toEqual([
      'tls_server_confg: unknown key (did you mean "tls_server_config"?)',
    ]);
    const p = problemsOf('tls_server_config:\n  cert_file: server.crt\n  key_fil: server.key\n');
    expect(p).toContain('tls_server_config.key_fil: unknown key (did you mean "key_file"?)');
    expect(problemsOf('web_listen: 1\n')[0]).toMatch(
      /^web_listen: unknown key \(expected one of: tls_server_config, basic_auth_users/,
    );
  });

  it('refuses toolkit options it does not implement, by name, instead of ignoring them', () => {
    const p = problemsOf(
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:' +
        ' [TLS_AES_128_GCM_SHA256]\n  curve_preferences: [X25519]\nhttp_server_config:\n  http2: false\n',
    );
    expect(p.find((x) => x.startsWith('tls_server_config.cipher_suites:'))).toMatch(/does not support/);
    expect(p.find((x) => x.startsWith('tls_server_config.curve_preferences:'))).toMatch(/does not support/);
    expect(p.find((x) => x.startsWith('http_server_config:'))).toMatch(/does not support/);
    expect(
      problemsOf(
        'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type:' +
          ' VerifyClientCertIfGiven\n',
      ),
    ).toEqual([
      'tls_server_config.client_auth_type: VerifyClientCertIfGiven is not supported; use NoClientCert or' +
        ' RequireAndVerifyClientCert',
    ]);
  });

  it('needs both files, and a CA for client certificates', () => {
    expect(problemsOf('tls_server_config:\n  cert_file: server.crt\n')).toEqual([
      'tls_server_config: needs key_file (and cert_file)',
    ]);
    expect(problemsOf('tls_server_config:\n  key_file: server.key\n')).toEqual([
      'tls_server_config: needs cert_file (and key_file)',
    ]);
    expect(
      problemsOf(
        'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type:' +
          ' RequireAndVerifyClientCert\n',
      ),
    ).toEqual(['tls_server_config.client_ca_file: is required by client_auth_type RequireAndVerifyClientCert']);
    expect(
      problemsOf('tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: server.crt\n'),
    ).toEqual(['tls_server_config.client_ca_file: only applies with client_auth_type RequireAndVerifyClientCert']);
  });

  it('checks versions', () => {
    expect(
      problemsOf('tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS14\n')[0],
    ).toMatch(/^tls_server_config\.min_version: must be one of TLS10, TLS11, TLS12, TLS13, got "TLS14"/);
    expect(
      problemsOf(
        'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n  max_version:' +
          ' TLS12\n',
      ),
    ).toEqual(['tls_server_config.min_version: must not be above max_version (TLS13 > TLS12)']);
  });

  it('reports unreadable files, garbage PEM and a key that does not match the certificate', () => {
    expect(problemsOf('tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n')).toEqual([
      `tls_server_config.cert_file: cannot read ${join(dir, 'missing.crt')}: no such file`,
    ]);
    expect(problemsOf('tls_server_config:\n  cert_file: garbage.crt\n  key_file: server.key\n')[0]).toMatch(
      /^tls_server_config: cert_file .*garbage\.crt and key_file .* are not a usable certificate and key: /,
    );
    expect(problemsOf('tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n')[0]).toMatch(
      /are not a usable certificate and key: .*(mismatch|match)/i,
    );
  });

  it('refuses plain-text passwords and broken hashes without echoing them', () => {
    const p = problemsOf(
      `basic_auth_users:\n  alice: hunter2\n  bob: '$2y$10$short'\n  carol: 12345\n  'eve:x': '${HASH}'\n`,
    );
    expect(p).toHaveLength(4);
    expect(p[0]).toMatch(/^basic_auth_users\.alice: must be a bcrypt hash/);
    expect(p[1]).toMatch(/^basic_auth_users\.bob: must be a bcrypt hash/);
    expect(p[2]).toBe('basic_auth_users.carol: must be a bcrypt hash string, got 12345');
    expect(p[3]).toMatch(/^basic_auth_users\["eve:x"\]: a user name must be non-empty, without ":"/);
    expect(p.join('\n')).not.toContain('hunter2');
    // cost below 4
    expect(problemsOf(`basic_auth_users:\n  x: '${HASH.replace('$10$', '$03$')}'\n`)[0]).toMatch(/bcrypt hash/);
  });

  it('reports YAML syntax errors with line and column, and a non-mapping document', () => {
    expect(problemsOf('tls_server_config:\n  cert_file: [a\n')[0]).toMatch(
      /^YAML syntax error at line \d+, column \d+/,
    );
    expect(problemsOf('- a\n- b\n')).toEqual(['the web config must be a mapping, got a list']);
  });

  it('lists every problem of a file at once', () => {
    const p = problemsOf(
      'tls_server_config:\n  cert_file: server.crt\n  cipher_suites: []\nbasic_auth_users:\n  a: plain\nfoo: 1\n',
    );
    expect(p.length).toBe(4);
  });

  it('an unreadable web config file is a WebConfigError', async () => {
    await expect(loadWebConfigFile(join(dir, 'nope.yml'))).rejects.toThrow(WebConfigError);
    await expect(loadWebConfigFile(join(dir, 'nope.yml'))).rejects.toThrow(/no such file/);
  });
});
