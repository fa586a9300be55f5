import { afterEach, describe, expect, it } from 'vitest';
import { type ProbeJob, runProbe } from '../src/index.js';
import { type Peer, type ScriptServer, startScriptServer } from './helpers/rtmp-script-server.js';

// Issue 15: hostile RTMP servers. Each probe must end with its reason inside its deadline; the memory
// bound itself is asserted on the chunk reader (rtmp-chunk-reader.test.ts).

const servers: ScriptServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const DEADLINE_MS = 6_000;
const job = (url: string): ProbeJob => ({
  url,
  sampleMs: 1_000,
  minKeyframes: 1,
  stallThresholdMs: 200,
  deadlineMs: DEADLINE_MS,
  headersTimeoutMs: 1_500,
  firstByteTimeoutMs: 1_500,
  idleTimeoutMs: 1_500,
});

/** A type-0 chunk header on chunk stream `csid` announcing a message of `length` bytes. */
function fmt0(csid: number, length: number, type = 9): Buffer {
  const h = Buffer.alloc(csid < 64 ? 12 : 13);
  let at = 0;
  if (csid < 64) h[at++] = csid;
  else {
    h[at++] = 0;
    h[at++] = csid - 64;
  }
  h.writeUIntBE(0, at, 3);
  h.writeUIntBE(length, at + 3, 3);
  h[at + 6] = type;
  h.writeUInt32LE(1, at + 7);
  return h;
}

async function probeAgainst(
  afterPlayStart: (p: Peer) => void,
): Promise<{ reason?: string; error?: string; ms: number }> {
  const s = await startScriptServer({
    play: (p) => {
      p.onStatus('status', 'NetStream.Play.Start', 'go');
      afterPlayStart(p);
    },
  });
  servers.push(s);
  const t0 = performance.now();
  const r = await runProbe(job(s.url()));
  return {
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.error ? { error: r.error } : {}),
    ms: performance.now() - t0,
  };
}

describe('hostile RTMP servers', () => {
  it('garbage instead of a handshake: rtmp_handshake', async () => {
    const s = await startScriptServer({
      handshake: Buffer.from(Array.from({ length: 3073 }, (_, i) => (i * 37 + 11) & 0xff)),
    });
    servers.push(s);
    const t0 = performance.now();
    const r = await runProbe(job(s.url()));
    expect(r.reason).toBe('rtmp_handshake');
    expect(performance.now() - t0).toBeLessThan(DEADLINE_MS);
  });

  it('garbage after the handshake: parse_error (a broken chunk stream), not a hang', async () => {
    const s = await startScriptServer({
      afterHandshake: (p) => {
        p.write(Buffer.from('\x7f\x00\x00\x00this is not a chunk stream at all, just bytes'.repeat(20)));
        return true;
      },
    });
    servers.push(s);
    const t0 = performance.now();
    const r = await runProbe(job(s.url()));
    expect(r.reason).toBe('parse_error');
    expect(r.error).toContain('chunk stream 63 begins with a type-1 chunk header');
    expect(performance.now() - t0).toBeLessThan(DEADLINE_MS);
  });

  it.each([
    ['0', 0],
    ['2^31', 2 ** 31],
  ])('Set Chunk Size %s: parse_error naming the value', async (_label, size) => {
    const r = await probeAgainst((p) => {
      const body = Buffer.alloc(4);
      body.writeUInt32BE(size);
      p.message(1, body, { csid: 2 });
    });
    expect(r.reason).toBe('parse_error');
    expect(r.error).toContain(`Set Chunk Size ${size}`);
    expect(r.ms).toBeLessThan(DEADLINE_MS);
  });

  it('Set Chunk Size 2^31-1 is legal: messages still parse (nothing is allocated by it)', async () => {
    const s = await startScriptServer({
      play: (p) => {
        const body = Buffer.alloc(4);
        body.writeUInt32BE(2 ** 31 - 1);
        p.message(1, body, { csid: 2 });
        p.playFixture({ chunkSize: 0xffff });
      },
    });
    servers.push(s);
    const r = await runProbe(job(s.url()));
    expect(r.reason, r.error).toBeUndefined();
  });

  it('a message length of 16 MB: parse_error at the header, without buffering it', async () => {
    const r = await probeAgainst((p) => p.write(Buffer.concat([fmt0(6, 0xffffff), Buffer.alloc(100_000, 0x17)])));
    expect(r.reason).toBe('parse_error');
    expect(r.error).toContain('16777215 bytes');
    expect(r.ms).toBeLessThan(DEADLINE_MS);
  });

  it('thousands of chunk stream ids, each with a message begun: parse_error at the cap', async () => {
    const r = await probeAgainst((p) => {
      const parts: Buffer[] = [];
      for (let csid = 4; csid < 4000; csid++) parts.push(fmt0(csid, 50_000), Buffer.alloc(128, 1));
      p.write(Buffer.concat(parts));
    });
    expect(r.reason).toBe('parse_error');
    expect(r.error).toMatch(/more than \d+ chunk stream ids/);
    expect(r.ms).toBeLessThan(DEADLINE_MS);
  });

  it('a server that never answers play: timeout inside the deadline', async () => {
    const s = await startScriptServer({ play: () => {} });
    servers.push(s);
    const t0 = performance.now();
    const r = await runProbe(job(s.url()));
    expect(r.reason).toBe('timeout');
    expect(r.error).toContain('never answered play');
    expect(performance.now() - t0).toBeLessThan(DEADLINE_MS);
  });

  it('play accepted, then nothing: timeout', async () => {
    const r = await probeAgainst(() => {});
    expect(r.reason).toBe('timeout');
    expect(r.error).toContain('no audio or video');
  });
});
