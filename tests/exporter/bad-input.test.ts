/**
 * Every flag and environment variable with a bad value (issue 16): the built CLI prints one readable line
 * on stderr, no stack trace, exits 2, and nothing it started before the error (the demo's live source, the
 * worker pool, the HTTP server) keeps the process alive.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from './support/exporter-process.js';

/** A process that does not exit by itself within this is held open by something it started. */
const EXIT_WITHIN_MS = 15_000;

interface Outcome {
  code: number | null;
  stderr: string;
  ms: number;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), EXIT_WITHIN_MS);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, ms: performance.now() - t0 });
    });
  });
}

let dir: string;
let busy: Server;
let busyPort: number;
const config = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const STREAMS = 'streams:\n  G01:\n    CDN:\n      - url: http://127.0.0.1:9/live/a.flv\n        id: a\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 've-bad-input-'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => {
  busy?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Case {
  what: string;
  args: () => string[];
  env?: () => NodeJS.ProcessEnv;
  /** the one stderr line must match */
  says: RegExp;
}

const CASES: Case[] = [
  {
    what: 'run --listen 99999 (demo)',
    args: () => ['run', '--listen', '99999'],
    says: /--listen "99999": port must be 1\.\.65535/,
  },
  {
    what: 'run --listen abc:def (demo)',
    args: () => ['run', '--listen', 'abc:def'],
    says: /--listen "abc:def": expected/,
  },
  { what: 'run --listen ::1:80', args: () => ['run', '--listen', '::1:80'], says: /IPv6 address needs brackets/ },
  {
    what: 'run --listen "bad host!:80"',
    args: () => ['run', '--listen', 'bad host!:80'],
    says: /is not an IP address or host name/,
  },
  {
    what: 'run --listen on a port in use (demo)',
    args: () => ['run', '--listen', `127.0.0.1:${busyPort}`],
    says: /cannot start: listen EADDRINUSE/,
  },
  { what: 'run with an unknown flag', args: () => ['run', '--bogus'], says: /Unknown option '--bogus'/ },
  { what: 'run -c without a file name', args: () => ['run', '-c'], says: /argument missing/ },
  {
    what: 'run --web.config.file ""',
    args: () => ['run', '--web.config.file', ''],
    says: /--web.config.file needs a file name/,
  },
  { what: 'run with a positional', args: () => ['run', 'config.yml'], says: /Unexpected argument 'config.yml'/ },
  { what: 'probe without a target', args: () => ['probe'], says: /probe needs exactly one/ },
  {
    what: 'probe --duration abc',
    args: () => ['probe', 'x.flv', '--duration', 'abc'],
    says: /--duration must be a positive number, got "abc"/,
  },
  {
    what: 'probe --duration -1',
    args: () => ['probe', 'x.flv', '--duration', '-1'],
    says: /'--duration' argument is ambiguous/,
  },
  {
    what: 'probe --min-keyframes 0',
    args: () => ['probe', 'x.flv', '--min-keyframes', '0'],
    says: /--min-keyframes must be a positive number/,
  },
  { what: 'check-config without a file', args: () => ['check-config'], says: /check-config needs exactly one <file>/ },
  { what: 'discover without -c', args: () => ['discover'], says: /discover needs -c config.yml/ },
  { what: 'an unknown command', args: () => ['frobnicate'], says: /unknown command "frobnicate"/ },
  {
    what: 'LOG_FORMAT=xml',
    args: () => ['run'],
    env: () => ({ LOG_FORMAT: 'xml' }),
    says: /LOG_FORMAT must be "json" or "text"/,
  },
  {
    what: 'SHARD_INDEX=abc (static sharding)',
    args: () => [
      'run',
      '--listen',
      '127.0.0.1:0',
      '-c',
      config('static.yml', `exporter:\n  sharding:\n    mode: static\n${STREAMS}`),
    ],
    env: () => ({ SHARD_INDEX: 'abc', SHARD_COUNT: '3' }),
    says: /SHARD_INDEX: must be a non-negative integer/,
  },
  {
    what: 'SHARD_COUNT=0 (static sharding)',
    args: () => [
      'run',
      '--listen',
      '127.0.0.1:0',
      '-c',
      config('static.yml', `exporter:\n  sharding:\n    mode: static\n${STREAMS}`),
    ],
    env: () => ({ SHARD_INDEX: '0', SHARD_COUNT: '0' }),
    says: /SHARD_COUNT: must be a positive integer/,
  },
  {
    what: 'SHARD_DNS_SERVER=not-an-ip (dns sharding)',
    args: () => [
      'run',
      '--listen',
      '127.0.0.1:0',
      '-c',
      config('dns.yml', `exporter:\n  sharding:\n    mode: dns\n    service: peers.example.svc\n${STREAMS}`),
    ],
    env: () => ({ SHARD_DNS_SERVER: 'not-an-ip', POD_IP: '127.0.0.1' }),
    says: /SHARD_DNS_SERVER: .*is not an IP address/,
  },
  {
    what: 'POD_IP=999.1.1.1 (dns sharding)',
    args: () => [
      'run',
      '--listen',
      '127.0.0.1:0',
      '-c',
      config('dns.yml', `exporter:\n  sharding:\n    mode: dns\n    service: peers.example.svc\n${STREAMS}`),
    ],
    env: () => ({ POD_IP: '999.1.1.1' }),
    says: /POD_IP/,
  },
];

describe('bad flags and environment: one line, exit 2, nothing left running', () => {
  it.each(CASES)('$what', async (c) => {
    const r = await runCli(c.args(), c.env?.() ?? {});
    const lines = r.stderr.trimEnd().split('\n');
    expect(r.ms, 'exited by itself').toBeLessThan(EXIT_WITHIN_MS);
    expect(r.code, r.stderr).toBe(2);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^video-exporter: /);
    expect(lines[0]).toMatch(c.says);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
