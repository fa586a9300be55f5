/**
 * `video-exporter run --web.config.file` (issue 8 item 5), the built CLI as an operator runs it:
 * TLS with a certificate made by openssl at test time, basic auth against bcrypt hashes (right, wrong,
 * missing password, wrong user), /healthz and /readyz open for the kubelet, client certificates, and
 * web config mistakes refused at start-up with exit code 2 and a readable message.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configYaml, tempDir } from '../exporter/support/config-file.js';
import { ExporterProcess, sleep } from '../exporter/support/exporter-process.js';
import { bcryptHash, type Certs, httpGet, httpsGet, makeCerts } from './support/tls.js';

const dir = tempDir('websec');
let certs: Certs;
let configPath: string;
const running: ExporterProcess[] = [];

/** A stream on a closed port: the exporter has something to do and its own series to show. */
const STREAMS = [{ project: 'P', line: 'SOURCE', id: 'closed', url: 'http://127.0.0.1:9/live/x.flv' }];

function start(webConfig: string): ExporterProcess {
  const web = dir.file(`web-${running.length}.yml`);
  writeFileSync(web, webConfig);
  const ex = ExporterProcess.spawnRun(['-c', configPath, '--listen', '127.0.0.1:0', '--web.config.file', web]);
  running.push(ex);
  return ex;
}

/** "exporter started" → its URL, then /readyz over TLS (trusting `ca`) answers 200. */
async function readyTls(
  ex: ExporterProcess,
  ca: string,
  client: { cert?: string; key?: string } = {},
): Promise<string> {
  const started = await ex.waitForLog((l) => l.message === 'exporter started', 15_000, '"exporter started"');
  const url = String(started.listen);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await httpsGet(`${url}/readyz`, { ca, ...client }).catch(() => undefined);
    if (r?.status === 200) return url;
    if (Date.now() > deadline) throw new Error(`/readyz over TLS not 200 within 15 s (last ${r?.status})`);
    await sleep(100);
  }
}

beforeAll(() => {
  certs = makeCerts(dir.path);
  configPath = dir.file('config.yml');
  writeFileSync(configPath, configYaml({ check_interval: 30, sample_duration: 5, max_retries: 0 }, STREAMS));
});

afterAll(async () => {
  await Promise.all(running.map((ex) => ex.stop()));
  dir.cleanup();
});

describe('TLS and basic auth', () => {
  let ex: ExporterProcess;
  let url: string;
  const USER = 'prometheus';
  const PASSWORD = 'correct horse battery staple';

  beforeAll(async () => {
    ex = start(
      [
        'tls_server_config:',
        `  cert_file: ${JSON.stringify(certs.serverCrt)}`,
        `  key_file: ${JSON.stringify(certs.serverKey)}`,
        '  min_version: TLS13',
        'basic_auth_users:',
        `  ${USER}: ${JSON.stringify(bcryptHash(PASSWORD))}`,
        `  grafana: ${JSON.stringify(bcryptHash('another one'))}`,
      ].join('\n'),
    );
    url = await readyTls(ex, certs.serverCrt);
  }, 40_000);

  it('serves HTTPS with the configured certificate and logs an https URL', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await httpsGet(`${url}/metrics`, { ca: certs.serverCrt, auth: `${USER}:${PASSWORD}` });
    expect(r.status).toBe(200);
    expect(r.body).toContain('video_exporter_build_info');
    const loaded = ex.logs.find((l) => l.message === 'web config loaded');
    expect(loaded).toMatchObject({ tls: true, basic_auth: true, min_version: 'TLSv1.3' });
  });

  it('a client that does not trust the certificate fails the handshake', async () => {
    await expect(httpsGet(`${url}/healthz`)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('refuses plain HTTP on the TLS port (no HTTP answer at all)', async () => {
    await expect(httpGet(`${url.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
  });

  it('refuses a TLS version below min_version', async () => {
    await expect(httpsGet(`${url}/healthz`, { ca: certs.serverCrt, maxVersion: 'TLSv1.2' })).rejects.toThrow(
      /version|alert|handshake|EPROTO/i,
    );
    expect((await httpsGet(`${url}/healthz`, { ca: certs.serverCrt, maxVersion: 'TLSv1.3' })).status).toBe(200);
  });

  it.each([
    ['missing credentials', undefined],
    ['a wrong password', `${USER}:wrong password`],
    ['an empty password', `${USER}:`],
    ['a wrong user', `nobody:${PASSWORD}`],
    ["another user's password", `grafana:${PASSWORD}`],
  ])('answers 401 with a Basic challenge to %s', async (_what, auth) => {
    for (const path of ['/metrics', '/status', '/api/streams', '/']) {
      const r = await httpsGet(`${url}${path}`, { ca: certs.serverCrt, ...(auth ? { auth } : {}) });
      expect(r.status, path).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Basic realm="video-exporter"');
      expect(r.body).not.toContain('video_exporter');
    }
  });

  it('the right password opens every route, for each user', async () => {
    for (const path of ['/metrics', '/status', '/api/streams', '/']) {
      expect((await httpsGet(`${url}${path}`, { ca: certs.serverCrt, auth: `${USER}:${PASSWORD}` })).status, path).toBe(
        200,
      );
    }
    expect((await httpsGet(`${url}/metrics`, { ca: certs.serverCrt, auth: 'grafana:another one' })).status).toBe(200);
  });

  it('/healthz and /readyz stay open without credentials (kubelet probes)', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const r = await httpsGet(`${url}${path}`, { ca: certs.serverCrt });
      expect(r.status, path).toBe(200);
    }
  });

  it('counts the refusals in its own request metrics', async () => {
    const r = await httpsGet(`${url}/metrics`, { ca: certs.serverCrt, auth: `${USER}:${PASSWORD}` });
    expect(r.body).toMatch(/video_exporter_http_requests_total\{path="\/metrics",code="401"\} [1-9]/);
  });
});

describe('client certificates (RequireAndVerifyClientCert)', () => {
  let url: string;
  beforeAll(async () => {
    const ex = start(
      [
        'tls_server_config:',
        `  cert_file: ${JSON.stringify(certs.serverCrt)}`,
        `  key_file: ${JSON.stringify(certs.serverKey)}`,
        '  client_auth_type: RequireAndVerifyClientCert',
        `  client_ca_file: ${JSON.stringify(certs.caCrt)}`,
      ].join('\n'),
    );
    url = await readyTls(ex, certs.serverCrt, { cert: certs.clientCrt, key: certs.clientKey });
  }, 40_000);

  it('serves a client whose certificate the CA signed', async () => {
    const r = await httpsGet(`${url}/metrics`, { ca: certs.serverCrt, cert: certs.clientCrt, key: certs.clientKey });
    expect(r.status).toBe(200);
  });

  it('refuses a client without a certificate, and one the CA did not sign, even for /healthz', async () => {
    await expect(httpsGet(`${url}/healthz`, { ca: certs.serverCrt })).rejects.toThrow();
    await expect(
      httpsGet(`${url}/healthz`, { ca: certs.serverCrt, cert: certs.strangerCrt, key: certs.strangerKey }),
    ).rejects.toThrow();
  });
});

describe('web config mistakes stop the start (exit 2, readable, no stack trace)', () => {
  async function failedStart(webConfig: string): Promise<{ code: number | null; stderr: string }> {
    const ex = start(webConfig);
    const exited = await Promise.race([ex.exited, sleep(15_000).then(() => undefined)]);
    if (exited === undefined) throw new Error('the exporter did not exit');
    return { code: exited.code, stderr: ex.stderr };
  }

  it('an unknown key is named, with a suggestion', async () => {
    const r = await failedStart(
      `tls_server_config:\n  cert_file: ${JSON.stringify(certs.serverCrt)}\n  key_fiel:` +
        ` ${JSON.stringify(certs.serverKey)}\n`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^video-exporter: invalid web config .*web-\d+\.yml:\n/);
    expect(r.stderr).toContain('tls_server_config.key_fiel: unknown key (did you mean "key_file"?)');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a plain-text password is refused without being echoed', async () => {
    const r = await failedStart('basic_auth_users:\n  prometheus: s3cr3t-plain\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('basic_auth_users.prometheus: must be a bcrypt hash');
    expect(r.stderr).not.toContain('s3cr3t-plain');
  });

  it('a key that does not match its certificate is refused before listening', async () => {
    const r = await failedStart(
      `tls_server_config:\n  cert_file: ${JSON.stringify(certs.serverCrt)}\n  key_file:` +
        ` ${JSON.stringify(certs.clientKey)}\n`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/are not a usable certificate and key/);
  });

  it('a missing web config file', async () => {
    const ex = ExporterProcess.spawnRun([
      '-c',
      configPath,
      '--listen',
      '127.0.0.1:0',
      '--web.config.file',
      dir.file('does-not-exist.yml'),
    ]);
    running.push(ex);
    const exited = await ex.exited;
    expect(exited.code).toBe(2);
    expect(ex.stderr).toContain('no such file');
  });
});
