/**
 * Process life cycle of the CLI (SPEC §3, §7): graceful shutdown with probes in flight, and config errors
 * at start-up (`run`, `check-config`) reported readably with exit code 2 and no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configYaml, tempDir } from './support/config-file.js';
import { CLI, ExporterProcess, LIVE_FIXTURE, ROOT, sleep, until } from './support/exporter-process.js';
import { getJson } from './support/http.js';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, LOG_FORMAT: 'json' },
  });
const STACK_LINE = /^\s+at /m;

describe('graceful shutdown', () => {
  const dir = tempDir('shutdown');
  let source: LiveSource;
  const started: ExporterProcess[] = [];

  beforeAll(async () => {
    source = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
  });

  afterAll(async () => {
    await Promise.all(started.map((e) => e.stop(2_000)));
    await source?.close();
    dir.cleanup();
  });

  it('SIGTERM with probes in flight: readiness drops, the process exits 0 within 10 s', async () => {
    const path = dir.file('term.yml');
    const streams = ['s1', 's2', 's3', 's4'].map((id) => ({
      project: 'P',
      line: 'CDN',
      id,
      url: `${source.url}/live/hd/${id}.flv`,
    }));
    // a server that never answers: its probe waits for the first-byte timeout
    streams.push({ project: 'P', line: 'CDN', id: 'mute', url: `${source.url}/live/hd/mute.flv?never_headers=1` });
    writeFileSync(path, configYaml({ check_interval: 5, sample_duration: 3, max_retries: 0 }, streams));
    const exporter = ExporterProcess.spawn(path);
    started.push(exporter);
    const url = await exporter.ready();

    await until(
      'a probe in flight',
      10_000,
      async () => {
        // a probe still reading the source (a probe can also be in flight after its sample, while its content
        // check decodes: that one holds no connection)
        const st = await getJson<{ pool: { in_flight: number } }>(`${url}/status`);
        return st.body.pool.in_flight >= 2 && source.stats().connections > 0 ? true : undefined;
      },
      50,
    );
    expect(source.stats().connections).toBeGreaterThan(0);

    const sentAt = Date.now();
    exporter.signal('SIGTERM');
    const seen: Array<number | 'closed'> = [];
    let exitedAt = 0;
    void exporter.exited.then(() => (exitedAt = Date.now()));
    while (exporter.running && Date.now() - sentAt < 12_000) {
      const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      seen.push(r ? r.status : 'closed');
      await sleep(20);
    }
    const exit = await exporter.exited;
    // and after the exit nothing listens any more
    seen.push(
      await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
        (r) => r.status,
        () => 'closed' as const,
      ),
    );
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAt - sentAt).toBeLessThan(10_000);
    // in-flight probes are aborted, not waited for: each had most of a 3 s sample (or a 2.5 s first-byte
    // timeout) still to go
    expect(exitedAt - sentAt).toBeLessThan(2_500);
    // once not ready, never ready again; and it did stop being ready (503, or the listener closed)
    const firstNotReady = seen.findIndex((s) => s !== 200);
    expect(firstNotReady, JSON.stringify(seen)).toBeGreaterThanOrEqual(0);
    expect(
      seen.slice(firstNotReady).every((s) => s === 503 || s === 'closed'),
      JSON.stringify(seen),
    ).toBe(true);
    expect(exporter.logs.some((l) => l.message === 'received SIGTERM')).toBe(true);
    expect(exporter.logs.filter((l) => l.level === 'error')).toEqual([]);
    // the probes' connections went with the process
    await until(
      'the source to see its viewers leave',
      3_000,
      () => (source.stats().connections === 0 ? true : undefined),
      50,
    );
  }, 40_000);

  it('SIGTERM while still starting (waiting on a DNS server that never answers): exit 0', async () => {
    // a UDP socket that takes the query and never replies: the first shard look-up waits its timeout
    const dns = createSocket('udp4');
    let queried!: () => void;
    const firstQuery = new Promise<void>((resolve) => (queried = resolve));
    dns.on('message', () => queried());
    await new Promise<void>((resolve) => dns.bind(0, '127.0.0.1', resolve));
    try {
      const path = dir.file('starting.yml');
      const sharding = JSON.stringify({
        mode: 'dns',
        service: 'peers.starting.test',
        dns_server: `127.0.0.1:${dns.address().port}`,
      });
      writeFileSync(
        path,
        configYaml({ check_interval: 5, sample_duration: 3 }, [
          { project: 'P', line: 'CDN', id: 'one', url: `${source.url}/live/hd/one.flv` },
        ]).replace(/^exporter:\n/, `exporter:\n  sharding: ${sharding}\n`),
      );
      const exporter = ExporterProcess.spawn(path, { env: { POD_IP: '127.0.0.1' } });
      started.push(exporter);
      await Promise.race([
        firstQuery,
        exporter.exited.then((e) =>
          Promise.reject(new Error(`exited before the look-up: ${JSON.stringify(e)} ${exporter.stderr}`)),
        ),
      ]);
      exporter.signal('SIGTERM');
      expect(await exporter.exited).toEqual({ code: 0, signal: null });
      expect(exporter.logs.some((l) => l.message === 'received SIGTERM while starting')).toBe(true);
      expect(exporter.logs.some((l) => l.message === 'exporter started')).toBe(true);
    } finally {
      dns.close();
    }
  }, 30_000);

  it('SIGINT exits 0 as well', async () => {
    const path = dir.file('int.yml');
    writeFileSync(
      path,
      configYaml({ check_interval: 5, sample_duration: 3 }, [
        { project: 'P', line: 'CDN', id: 'one', url: `${source.url}/live/hd/one.flv` },
      ]),
    );
    const exporter = ExporterProcess.spawn(path);
    started.push(exporter);
    await exporter.ready();
    await sleep(500);
    const sentAt = Date.now();
    exporter.signal('SIGINT');
    expect(await exporter.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(10_000);
  }, 30_000);
});

describe('config errors at start-up', () => {
  const dir = tempDir('badcfg');
  afterAll(() => dir.cleanup());

  const invalid = [
    'exporter:',
    '  check_interval: 5',
    '  sample_duration: 9',
    '  bogus: 1',
    'streams:',
    '  G01:',
    '    CDN:',
    '      - url: srt://cdn.example/live/a',
    '        id: a',
    '',
  ].join('\n');

  it('run -c with an invalid file: exit 2, every problem named by its path, no stack trace', () => {
    const path = dir.file('bad.yml');
    writeFileSync(path, invalid);
    const r = cli('run', '-c', path, '--listen', '127.0.0.1:0');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('exporter.bogus');
    expect(r.stderr).toContain('exporter.sample_duration');
    expect(r.stderr).toContain('streams.G01.CDN[0].url');
    expect(r.stderr).toContain('srt');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).not.toContain('exporter started');
  });

  it('run -c with a YAML syntax error: exit 2 with line and column', () => {
    const path = dir.file('syntax.yml');
    writeFileSync(path, 'exporter:\n  check_interval: [5\nstreams: {}\n');
    const r = cli('run', '-c', path, '--listen', '127.0.0.1:0');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/line \d+/);
    expect(r.stderr).toMatch(/column \d+/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('run -c with a missing file: exit 2, readable', () => {
    const path = dir.file('missing.yml');
    const r = cli('run', '-c', path, '--listen', '127.0.0.1:0');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(path);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('check-config configs/example.yml: exit 0 and a summary', () => {
    const r = cli('check-config', 'configs/example.yml');
    expect(r.status, r.stderr).toBe(0);
    // the example has 3 streams (1 SOURCE, 2 CDN) in project G01
    expect(r.stdout).toContain('OK');
    expect(r.stdout).toMatch(/\b3 streams\b/);
    expect(r.stdout).toContain('G01');
    expect(r.stdout).toMatch(/check_interval\D*30/);
  });

  it('check-config on an invalid file: exit 2 and the problems', () => {
    const path = dir.file('bad-check.yml');
    writeFileSync(path, invalid);
    const r = cli('check-config', path);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('streams.G01.CDN[0].url');
    expect(r.stderr).toContain('exporter.bogus');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).not.toContain('OK');
  });
});
