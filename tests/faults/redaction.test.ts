/**
 * Issue 8 item 6: credentials never leave the exporter. The whole exporter (built CLI) runs with stream
 * URLs holding `user:pass@` and token-like query parameters (token, auth_key, sign, secret, key, txSecret,
 * wsSecret), some written in the file and some from `${VAR}`, and header values from `${VAR}`; some
 * streams fail (so error messages are made from URLs, hosts and server answers), one server is hostile
 * and echoes the whole request back in its status line. Every output is then searched for every secret:
 * stdout and stderr (log_level debug, so retry lines too; an unhandled rejection whose message holds a URL;
 * a failed reload), /metrics, /api/streams, each /api/streams/{p}/{l}/{id}, /status, the status page, and
 * the CLI's `probe` (human and --json, healthy and failing) and `check-config` outputs. Zero hits.
 *
 * The test checks it could have failed: the secrets did reach the servers (the echo server saw them, the
 * healthy streams are up) and the outputs do show the masked URLs.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../exporter/support/config-file.js';
import { CLI, ExporterProcess, ROOT, until } from '../exporter/support/exporter-process.js';
import { apiStreams, getText } from '../exporter/support/http.js';
import { configJson, type FaultStream, streamKey } from './support/config.js';
import { unhandledPreloadEnv } from './support/preload.js';
import { closedPort, type EchoServer, startEchoServer } from './support/servers.js';

const SMALL_FIXTURE = fileURLToPath(new URL('../fixtures/h264/h264_720p25_high_aac.flv', import.meta.url));
const EXPORTER = {
  check_interval: 4,
  sample_duration: 2,
  max_retries: 1,
  log_level: 'debug',
  connect_timeout_ms: 1000,
  first_byte_timeout_ms: 1500,
  idle_timeout_ms: 1500,
};

/** A fresh secret per run: a name (to read a failure) and random hex (so a hit is never a coincidence). */
const fresh = (name: string): string => `${name}${randomBytes(6).toString('hex')}`;

const S = {
  user1: fresh('alice'),
  pass1: fresh('pw1'),
  token1: fresh('tok1'),
  authKey: fresh('authkey'),
  txSecret: fresh('txsec'),
  bearer: fresh('bearer'),
  cookie: fresh('cookie'),
  user2: fresh('bob'),
  pass2: fresh('pw2'),
  sign1: fresh('sign1'),
  wsSecret1: fresh('wssec1'),
  user3: fresh('carol'),
  pass3: fresh('pw3'),
  key1: fresh('key1'),
  secret1: fresh('secret1'),
  token2: fresh('tok2'),
  user4: fresh('dave'),
  pass4: fresh('pw4'),
  token3: fresh('tok3'),
  wsSecret2: fresh('wssec2'),
  apiKey: fresh('apikey'),
  sign2: fresh('sign2'),
  secret2: fresh('secret2'),
  preloadPass: fresh('pw5'),
  preloadToken: fresh('tok5'),
  reloadPass: fresh('pw6'),
  reloadToken: fresh('tok6'),
};

/** The variables `${VAR}` in the config refers to (passed to the exporter and check-config only). */
const ENV = {
  RT_TOKEN1: S.token1,
  RT_AUTH_KEY: S.authKey,
  RT_TX_SECRET: S.txSecret,
  RT_BEARER: S.bearer,
  RT_COOKIE: S.cookie,
  RT_PASS2: S.pass2,
  RT_WS_SECRET: S.wsSecret1,
  RT_KEY: S.key1,
  RT_API_KEY: S.apiKey,
  RT_PASS4: S.pass4,
};

/** Every form a secret could take in an output: as is, percent-encoded, and userinfo as Basic auth. */
function secretForms(): Map<string, string> {
  const forms = new Map<string, string>();
  for (const [name, value] of Object.entries(S)) {
    forms.set(name, value);
    forms.set(`${name} (percent-encoded)`, encodeURIComponent(value));
  }
  for (const [u, p] of [
    [S.user1, S.pass1],
    [S.user2, S.pass2],
    [S.user3, S.pass3],
    [S.user4, S.pass4],
  ] as const) {
    forms.set(`Basic ${u}:***`, Buffer.from(`${u}:${p}`).toString('base64'));
  }
  return forms;
}

function hits(outputs: Map<string, string>): string[] {
  const found: string[] = [];
  const forms = secretForms();
  for (const [where, text] of outputs) {
    for (const [name, value] of forms) if (text.includes(value)) found.push(`${name} in ${where}`);
  }
  return found;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      },
    );
  });
}

describe('redaction: no secret in any output', () => {
  const dir = tempDir('redaction');
  let source: LiveSource;
  let echo: EchoServer;
  let exporter: ExporterProcess;
  let url: string;
  let streams: FaultStream[];
  let rawStdout = '';
  const outputs = new Map<string, string>();

  beforeAll(async () => {
    source = await startLiveSource({ fixtures: { small: SMALL_FIXTURE } });
    echo = await startEchoServer();
    const refused = await closedPort();
    const host = source.url.replace('http://', '');
    const p = (id: string, url: string, more: Partial<FaultStream> = {}): FaultStream => ({
      project: 'Sec',
      line: 'CDN',
      id,
      url,
      ...more,
    });
    streams = [
      // healthy, secrets written in the file
      p('healthy-literal', `http://${S.user1}:${S.pass1}@${host}/live/small/a.flv?token=\${RT_TOKEN1}&sign=${S.sign2}`),
      // healthy, secrets from the environment, in the query and in headers
      p(
        'healthy-env',
        `http://${host}/live/small/b.flv?auth_key=\${RT_AUTH_KEY}&txSecret=\${RT_TX_SECRET}&txTime=5f5e1000`,
        {
          headers: { Authorization: 'Bearer ${RT_BEARER}', Cookie: 'session=${RT_COOKIE}' },
        },
      ),
      // failing: connection refused, DNS, 403, redirect loop (the Location carries the token), timeout
      p(
        'refused',
        `http://${S.user2}:\${RT_PASS2}@127.0.0.1:${refused}/live/x.flv?sign=${S.sign1}&wsSecret=\${RT_WS_SECRET}`,
      ),
      p('dns', `http://${S.user3}:${S.pass3}@stream.redaction.invalid/live/x.flv?key=\${RT_KEY}`),
      p('forbidden', `${source.url}/live/small/c.flv?status=403&secret=${S.secret1}`),
      p('redirect-loop', `${source.url}/live/small/d.flv?redirect_loop=1&token=${S.token2}`),
      p('silent', `${source.url}/live/small/e.flv?never_headers=1&secret=${S.secret2}`),
      // hostile: the status line repeats the request target and every request header value
      p(
        'echo',
        `http://${S.user4}:\${RT_PASS4}@${echo.url.replace('http://', '')}/live/x.flv` +
          `?token=${S.token3}&wsSecret=${S.wsSecret2}`,
        {
          headers: { 'X-Api-Key': '${RT_API_KEY}' },
        },
      ),
    ];
    writeFileSync(dir.file('config.yml'), configJson(EXPORTER, streams));
    const preloadUrl = `http://admin:${S.preloadPass}@10.0.0.1/live/x.flv?token=${S.preloadToken}`;
    exporter = ExporterProcess.spawn(dir.file('config.yml'), {
      env: { ...ENV, ...unhandledPreloadEnv(`while fetching ${preloadUrl}`) },
    });
    exporter.child.stdout!.on('data', (chunk: string) => {
      rawStdout += chunk;
    });
    url = await exporter.ready();
    // every stream probed (twice for the retry lines), then the main thread's unhandled errors
    await until(
      'every stream probed twice',
      20_000,
      async () => {
        const list = await apiStreams(url);
        const byKey = new Map(list.map((s) => [s.key, s]));
        const done = streams.every((s) => (byKey.get(streamKey(s))?.last_check ?? 0) > 0);
        return done && exporter.logs.filter((l) => l.message === 'probe finished').length >= 2 * streams.length
          ? true
          : undefined;
      },
      500,
    );
    exporter.signal('SIGUSR2');
    await exporter.waitForLog((l) => l.message === 'uncaught exception', 5_000, 'the uncaught exception line');
    // a reload that fails on a stream whose URL holds credentials
    const bad: FaultStream = {
      project: 'Sec',
      line: 'CDN',
      id: 'bad',
      url: `ftp://root:${S.reloadPass}@10.0.0.2/live?token=${S.reloadToken}`,
    };
    const from = exporter.logs.length;
    writeFileSync(dir.file('config.yml'), configJson(EXPORTER, [...streams, bad]));
    exporter.signal('SIGHUP');
    await exporter.waitForLog((l) => l.message.startsWith('config reload failed'), 5_000, 'the reload failure', from);

    // the HTTP interface
    const paths = [
      '/metrics',
      '/api/streams',
      '/api/streams?state=down',
      '/status',
      '/',
      ...streams.map((s) => `/api/streams/${streamKey(s)}`),
    ];
    for (const path of paths) {
      const r = await getText(`${url}${path}`);
      expect(r.status, path).toBe(200);
      outputs.set(`GET ${path}`, r.body);
    }

    // the CLI: one-off probes (healthy and failing, human and JSON) and check-config
    const probes: [string, string][] = [
      ['healthy', `http://${S.user1}:${S.pass1}@${host}/live/small/cli.flv?token=${S.token1}&auth_key=${S.authKey}`],
      [
        'refused',
        `http://${S.user2}:${S.pass2}@127.0.0.1:${refused}/live/x.flv?txSecret=${S.txSecret}&wsSecret=${S.wsSecret1}`,
      ],
      [
        'echo',
        `http://${S.user4}:${S.pass4}@${echo.url.replace('http://', '')}/live/x.flv?token=${S.token3}&key=${S.key1}`,
      ],
      ['403', `${source.url}/live/small/f.flv?status=403&sign=${S.sign1}&secret=${S.secret1}`],
    ];
    const runs = await Promise.all(
      probes.flatMap(([name, target]) => [
        runCli(['probe', target, '--duration', '1']).then((r) => [`probe ${name}`, r] as const),
        runCli(['probe', target, '--duration', '1', '--json']).then((r) => [`probe --json ${name}`, r] as const),
      ]),
    );
    for (const [name, r] of runs) {
      outputs.set(`${name}: stdout`, r.stdout);
      outputs.set(`${name}: stderr`, r.stderr);
      outputs.set(`${name}: exit code`, String(r.code));
    }
    writeFileSync(dir.file('valid.yml'), configJson(EXPORTER, streams));
    const check = await runCli(['check-config', dir.file('valid.yml')], ENV);
    outputs.set('check-config: stdout', check.stdout);
    outputs.set('check-config: stderr', check.stderr);
    const checkBad = await runCli(['check-config', dir.file('config.yml')], ENV);
    outputs.set('check-config (invalid): stdout', checkBad.stdout);
    outputs.set('check-config (invalid): stderr', checkBad.stderr);
  }, 60_000);

  afterAll(async () => {
    await exporter?.stop();
    await echo?.close();
    await source?.close();
    dir.cleanup();
  });

  it('the secrets were in play: sent to the servers, healthy streams up, failures with their reasons', async () => {
    // the echo server received the token, the API key header and the Basic credentials of its URL
    const heads = echo.heads.join('\n');
    expect(heads).toContain(S.token3);
    expect(heads).toContain(S.apiKey);
    expect(heads).toContain(Buffer.from(`${S.user4}:${S.pass4}`).toString('base64'));
    const list = await apiStreams(url);
    const reason = (id: string) => list.find((s) => s.id === id)?.last_error?.reason;
    expect(list.find((s) => s.id === 'healthy-literal')?.up).toBe(true);
    expect(list.find((s) => s.id === 'healthy-env')?.up).toBe(true);
    expect([
      reason('refused'),
      reason('dns'),
      reason('forbidden'),
      reason('redirect-loop'),
      reason('silent'),
      reason('echo'),
    ]).toEqual(['refused', 'dns', 'http_4xx', 'too_many_redirects', 'timeout', 'http_4xx']);
    // the hostile answer did reach the error message (its harmless parts are kept)
    expect(list.find((s) => s.id === 'echo')?.last_error?.message).toContain('denied /live/x.flv?');
    // the outputs do carry the URLs, masked
    expect(list.find((s) => s.id === 'healthy-literal')?.url).toMatch(
      /^http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/live\/small\/a\.flv\?token=\*\*\*&sign=\*\*\*$/,
    );
    expect(list.find((s) => s.id === 'healthy-env')?.url).toContain('auth_key=***&txSecret=***&txTime=5f5e1000');
    expect(rawStdout + exporter.stderr).toContain('***');
    expect(exporter.logs.some((l) => l.message === 'probe attempt failed, retrying')).toBe(true);
    expect(
      exporter.logs.some(
        (l) =>
          l.message === 'unhandled promise rejection' &&
          String(l.error).includes('http://***:***@10.0.0.1/live/x.flv?token=***'),
      ),
    ).toBe(true);
    expect(outputs.get('probe --json healthy: stdout')).toContain('"ok": true');
    expect(outputs.get('probe refused: exit code')).toBe('1');
    expect(outputs.get('check-config: stdout')).toContain(': OK');
    expect(outputs.get('check-config (invalid): stderr')).toContain('unsupported scheme "ftp"');
  });

  it('zero hits in stdout and stderr of the exporter', () => {
    console.log(
      `redaction: ${secretForms().size} secret forms searched in ${outputs.size + 2} outputs (exporter stdout` +
        ` ${rawStdout.length} B, stderr ${exporter.stderr.length} B)`,
    );
    expect(rawStdout.length).toBeGreaterThan(1000);
    expect(
      hits(
        new Map([
          ['exporter stdout', rawStdout],
          ['exporter stderr', exporter.stderr],
        ]),
      ),
    ).toEqual([]);
  });

  it('zero hits in /metrics, /api/streams, /api/streams/{p}/{l}/{id}, /status and the status page', () => {
    expect(hits(new Map([...outputs].filter(([k]) => k.startsWith('GET '))))).toEqual([]);
  });

  it('zero hits in the CLI: probe (human, --json; healthy, failing, hostile) and check-config', () => {
    expect(hits(new Map([...outputs].filter(([k]) => !k.startsWith('GET '))))).toEqual([]);
  });
});
