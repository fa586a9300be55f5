/**
 * Every failure reason the live source can provoke, end to end through runProbe (and p-retry where the
 * retry decision is the point): the reason (SPEC §4's closed set), and for the timeouts, how long it took.
 * Each test uses its own stream path: fail_first counts requests per path.
 */

import { probeWithRetries } from '@video-exporter/aggregator';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { type ProbeJob, type ProbeResult, runProbe } from '@video-exporter/probe-worker';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { closedPort } from '../support/ports.js';
import { job, LIVE_FIXTURE, timed } from './helpers.js';

let src: LiveSource;

beforeAll(async () => {
  src = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
});
afterAll(async () => {
  await src?.close();
});

const stream = (name: string, query = ''): string => `${src.url}/live/hd/${name}.flv${query}`;

/** probeWithRetries over runProbe, counting attempts and retries. */
async function withRetries(j: ProbeJob, maxRetries: number) {
  let attempts = 0;
  const retried: ProbeResult[] = [];
  const result = await probeWithRetries(
    j,
    maxRetries,
    (a) => {
      attempts++;
      return runProbe(a);
    },
    (failed) => retried.push(failed),
  );
  return { result, attempts, retried };
}

describe.concurrent('failure reasons from the live source', () => {
  it('500 twice, then 200: ok after 2 retries (max_retries 3)', async ({ expect }) => {
    const { result, attempts, retried } = await withRetries(
      job(stream('fail-twice', '?fail_first=2&status=500'), { sampleMs: 2000, deadlineMs: 20_000 }),
      3,
    );
    expect(result.reason, result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(retried.length).toBe(2);
    expect(retried.map((r) => [r.reason, r.http_status])).toEqual([
      ['http_5xx', 500],
      ['http_5xx', 500],
    ]);
    expect(attempts).toBe(3);
    expect(result.http_status).toBe(200);
  });

  it('403: http_4xx, not retried', async ({ expect }) => {
    const { result, attempts, retried } = await withRetries(
      job(stream('forbidden', '?status=403'), { deadlineMs: 20_000 }),
      3,
    );
    expect(result.ok).toBe(false);
    expect(result.reason).toBe('http_4xx');
    expect(result.http_status).toBe(403);
    expect(retried).toEqual([]);
    expect(attempts).toBe(1);
  });

  it('headers never sent: timeout after the headers timeout', async ({ expect }) => {
    const headersTimeoutMs = 1000;
    const { value: r, ms } = await timed(() =>
      runProbe(job(stream('silent', '?never_headers=1'), { headersTimeoutMs })),
    );
    expect(r.ok).toBe(false);
    expect(r.reason).toBe('timeout');
    expect(r.http_status).toBeUndefined();
    // tolerance: not before the timeout, at most 300 ms after it
    expect(ms).toBeGreaterThanOrEqual(headersTimeoutMs);
    expect(ms).toBeLessThanOrEqual(headersTimeoutMs + 1000);
  });

  it('HTML page with 200: not_flv', async ({ expect }) => {
    const r = await runProbe(job(stream('html', '?html=1')));
    expect(r.reason).toBe('not_flv');
    expect(r.ok).toBe(false);
    expect(r.http_status).toBe(200);
  });

  it('half a tag, then silence: truncated after the idle timeout', async ({ expect }) => {
    const idleTimeoutMs = 1000;
    const { value: r, ms } = await timed(() => runProbe(job(stream('half', '?half_tag=1'), { idleTimeoutMs })));
    expect(r.reason).toBe('truncated');
    expect(r.ok).toBe(false);
    expect(r.bytes).toBeGreaterThan(13); // the FLV header and part of a tag did arrive
    expect(ms).toBeGreaterThanOrEqual(idleTimeoutMs);
    expect(ms).toBeLessThanOrEqual(idleTimeoutMs + 1000);
  });

  it('audio only: no_video', async ({ expect }) => {
    // no keyframes ever: the sample runs its full 2 × sampleMs extension before the verdict
    const r = await runProbe(job(stream('radio', '?audio_only=1'), { sampleMs: 1500 }));
    expect(r.reason).toBe('no_video');
    expect(r.ok).toBe(false);
    expect(r.audio.frames).toBeGreaterThan(0);
    expect(r.video.frames).toBe(0);
    expect(r.audio.codec).toBe('AAC');
  });

  it('redirect loop: too_many_redirects', async ({ expect }) => {
    const r = await runProbe(job(stream('loop', '?redirect_loop=1')));
    expect(r.reason).toBe('too_many_redirects');
    expect(r.ok).toBe(false);
    expect(r.redirects).toBe(5); // the default limit, SPEC §4: up to 5 hops
  });

  it('redirect chain of 3: ok, redirects 3', async ({ expect }) => {
    const r = await runProbe(job(stream('chain', '?redirect=3'), { sampleMs: 2000 }));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.redirects).toBe(3);
    expect(r.http_status).toBe(200);
    expect(r.video.keyframes).toBeGreaterThanOrEqual(1);
  });

  it('closed port: refused', async ({ expect }) => {
    const port = await closedPort();
    const r = await runProbe(job(`http://127.0.0.1:${port}/live/hd/x.flv`));
    expect(r.reason).toBe('refused');
    expect(r.ok).toBe(false);
    expect(r.http_status).toBeUndefined();
  });

  it('.invalid host: dns', async ({ expect }) => {
    // RFC 6761: .invalid never resolves
    const r = await runProbe(job('http://stream.invalid/live/hd/x.flv'));
    expect(r.reason).toBe('dns');
    expect(r.ok).toBe(false);
    expect(r.connect_ms).toBeUndefined();
  });

  it('connection reset mid-body: reset', async ({ expect }) => {
    const r = await runProbe(job(stream('rst', '?close_after_ms=1000')));
    // A RST that reaches the client's kernel while body bytes are still unread can surface as a plain EOF
    // (Linux loopback, a busy machine: the reader is late; the source's `rst` fault works around the same
    // race). The probe reports what the socket said: then it is the server closing before the sample ended.
    if (r.reason === 'truncated') expect(r.error).toMatch(/^the server closed the stream (after|inside)/);
    else expect(r.reason).toBe('reset');
    expect(r.ok).toBe(false);
    // it did stream before the RST: body bytes and a first frame
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.first_frame_ms).toBeDefined();
  });

  it('keyframes stop after the first GOP (min_keyframes 2): no_keyframe', async ({ expect }) => {
    const sampleMs = 1500;
    const { value: r, ms } = await timed(() =>
      runProbe(job(stream('nokey', '?no_keyframes_after_first_gop=1'), { sampleMs, minKeyframes: 2 })),
    );
    expect(r.reason).toBe('no_keyframe');
    expect(r.ok).toBe(false);
    expect(r.video.keyframes).toBe(1);
    // inter frames kept flowing through the whole extended sample (2 × sampleMs)
    expect(r.video.frames).toBeGreaterThan(50);
    expect(ms).toBeGreaterThanOrEqual(2 * sampleMs);
  });

  it('body 1.5 s after the headers: ok, ttfb ≥ 1500 ms', async ({ expect }) => {
    const r = await runProbe(job(stream('late', '?delay_body_ms=1500'), { sampleMs: 2000 }));
    expect(r.reason, r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.ttfb_ms).toBeGreaterThanOrEqual(1500);
    // headers came at once: the wait is between head and first byte
    expect(r.response_ms).toBeLessThan(1000);
    expect(r.first_frame_ms!).toBeGreaterThanOrEqual(r.ttfb_ms!);
  });
});
