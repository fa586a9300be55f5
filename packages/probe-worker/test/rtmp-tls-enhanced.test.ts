import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeJob, runProbe } from '../src/index.js';
import { type ScriptServer, startScriptServer } from './helpers/rtmp-script-server.js';

// rtmps:// (RTMP over TLS, a self-signed front on the scripted server) and Enhanced RTMP payloads
// (HEVC and AV1 with FourCC headers, from the parser's corpus) through the RTMP client.

const corpus = (name: string) => new URL(`../../../tests/fixtures/corpus/${name}`, import.meta.url);
let dir = '';
let plain: ScriptServer;
let front: tls.Server;
let tlsPort = 0;

const job = (url: string, extra: Partial<ProbeJob> = {}): ProbeJob => ({
  url,
  sampleMs: 1_000,
  minKeyframes: 1,
  stallThresholdMs: 200,
  deadlineMs: 8_000,
  headersTimeoutMs: 2_000,
  firstByteTimeoutMs: 2_000,
  idleTimeoutMs: 1_500,
  ...extra,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-rtmps-'));
  execFileSync(
    'openssl',
    [
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
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  plain = await startScriptServer();
  front = tls.createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (socket) => {
      const back = net.connect(plain.port, '127.0.0.1');
      socket.on('error', () => back.destroy());
      back.on('error', () => socket.destroy());
      socket.pipe(back).pipe(socket);
    },
  );
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  tlsPort = (front.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => front.close(() => resolve()));
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rtmps://', () => {
  it('plays over TLS with verification off for the stream, and measures the TLS handshake', async () => {
    const r = await runProbe(job(`rtmps://127.0.0.1:${tlsPort}/live/test`, { insecureTls: true }));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.tls_ms).toBeGreaterThan(0);
    expect(r.handshake_ms).toBeGreaterThan(0);
    expect(r.video.codec).toBe('H.264');
  });

  it('rejects the self-signed certificate when verification is on: tls', async () => {
    const r = await runProbe(job(`rtmps://127.0.0.1:${tlsPort}/live/test`));
    expect(r.reason).toBe('tls');
  });
});

describe('Enhanced RTMP payloads', () => {
  it.each([
    ['hevc_aac.flv', 'H.265'],
    ['av1_aac.flv', 'AV1'],
  ])('%s over RTMP: %s with its size, as from the FLV file', async (file, codec) => {
    const s = await startScriptServer({ play: (p) => p.playFixture({ fixture: corpus(file) }) });
    try {
      const r = await runProbe(job(s.url(), { sampleMs: 500 }));
      expect(r.video.codec, r.error).toBe(codec);
      expect(r.video.width).toBeGreaterThan(0);
      expect(r.video.frames).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});
