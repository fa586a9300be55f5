/**
 * Bad answers from a source's API (SPEC §11): each one is one clear error, the last good list stays,
 * the failure is logged once per change of state and counted; nothing throws out of a refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceRunner } from '../../src/discovery/source-runner.js';
import { type Answer, type ScriptedServer, startScriptedServer } from './support/bad-server.js';
import { type Line, memoryLogger } from './support/memory-logger.js';
import { sourceConfig } from './support/source-config.js';

const SECRET = 'Bearer sd-secret-0042';
const GOOD: Answer = {
  body: JSON.stringify([{ targets: ['http://edge/live/a.flv', 'http://edge/live/b.flv'], labels: { line: 'cdn' } }]),
};
const signal = new AbortController().signal;

let server: ScriptedServer;
let answer: Answer = GOOD;
beforeAll(async () => {
  server = await startScriptedServer(() => answer);
});
afterAll(() => server.close());

function runner(
  lines: Line[],
  failures: string[] = [],
  over: Parameters<typeof sourceConfig>[0] = { name: 'sd', type: 'http_sd' },
) {
  const c = sourceConfig({
    url: `${server.url}/targets.json?token=qs-secret-77`,
    headers: { Authorization: SECRET },
    ...over,
  });
  return new SourceRunner(c, ['isp'], { logger: memoryLogger(lines), failed: (s) => failures.push(s) });
}

const BAD: { what: string; answer: Answer; error: string }[] = [
  {
    what: 'an HTML page',
    answer: { type: 'text/html; charset=utf-8', body: '<!doctype html><html><body>502 Bad Gateway</body></html>' },
    error: 'answered HTML (text/html), expected JSON: "<!doctype html><html><body>502 Bad Gateway</body></html>"',
  },
  { what: 'truncated JSON', answer: { body: GOOD.body.slice(0, 40) }, error: 'invalid JSON (' },
  {
    what: 'the wrong shape',
    answer: { body: '{"targets": ["http://edge/live/a.flv"]}' },
    error: 'expected a list of target groups',
  },
  {
    what: 'targets that are not strings',
    answer: { body: '[{"targets": [42]}]' },
    error: '[0].targets[0] must be a string',
  },
  {
    what: 'a label that is not a string',
    answer: { body: '[{"targets": [], "labels": {"isp": 1}}]' },
    error: '[0].labels.isp must be a string',
  },
  { what: 'an empty answer', answer: { body: '' }, error: 'empty answer, expected JSON' },
  {
    what: 'HTTP 500',
    answer: { status: 500, type: 'text/plain', body: 'upstream exploded' },
    error: 'HTTP 500: "upstream exploded"',
  },
];

describe('bad answers from an http_sd list', () => {
  it.each(BAD)('$what: clear error, last good list kept, secrets redacted', async ({ answer: bad, error }) => {
    const lines: Line[] = [];
    const failures: string[] = [];
    const r = runner(lines, failures);
    answer = GOOD;
    await r.refresh(signal);
    expect(r.streams().map((s) => s.id)).toEqual(['live/a', 'live/b']);
    answer = bad;
    expect(await r.refresh(signal)).toBe(false);
    const st = r.status();
    expect(st.up).toBe(false);
    expect(st.last_error).toContain(error);
    expect(st.last_error?.startsWith(`${server.url}/targets.json`)).toBe(true);
    expect(r.streams().map((s) => s.id)).toEqual(['live/a', 'live/b']);
    expect(failures).toEqual(['sd']);
    const text = JSON.stringify(lines) + JSON.stringify(st);
    expect(text).not.toContain('qs-secret-77');
    expect(text).not.toContain('sd-secret-0042');
  });

  it('logs once per change of state: first list, failing (once for repeated failures), recovered', async () => {
    const lines: Line[] = [];
    const failures: string[] = [];
    const r = runner(lines, failures);
    answer = GOOD;
    await r.refresh(signal);
    answer = BAD[0]!.answer;
    for (let i = 0; i < 3; i++) await r.refresh(signal);
    answer = GOOD;
    await r.refresh(signal);
    await r.refresh(signal);
    expect(lines.map((l) => `${l.level} ${l.message}`)).toEqual([
      'info discovery source sd: first list, 2 streams',
      'warn discovery source sd failed, keeping its last list of 2 streams',
      'info discovery source sd: recovered, 2 streams',
    ]);
    expect(failures).toHaveLength(3);
    expect(r.status()).toMatchObject({ up: true, failures: 3 });
    expect(r.status().last_error).toBeUndefined();
  });

  it('a refused connection is a failure too', async () => {
    const lines: Line[] = [];
    const closed = await startScriptedServer(() => GOOD);
    await closed.close();
    const r = new SourceRunner(
      sourceConfig({ name: 'gone', type: 'http_sd', url: `${closed.url}/t.json?token=qs-secret-77` }),
      [],
      { logger: memoryLogger(lines) },
    );
    await r.refresh(signal);
    expect(r.status()).toMatchObject({
      up: false,
      failures: 1,
      last_error: `${closed.url}/t.json?token=***: connection refused`,
    });
  });

  it('100 000 entries: max_streams keeps the first 10 000, the rest are counted, one warning', async () => {
    const lines: Line[] = [];
    const skipped: [string, number][] = [];
    const targets = Array.from({ length: 100_000 }, (_, i) => `http://edge/live/s${i}.flv`);
    answer = { body: JSON.stringify([{ targets }]) };
    const c = sourceConfig({ name: 'big', type: 'http_sd', url: `${server.url}/big.json` });
    const r = new SourceRunner(c, [], {
      logger: memoryLogger(lines),
      skipped: (_s, reason, n) => skipped.push([reason, n]),
    });
    await r.refresh(signal);
    expect(r.streams()).toHaveLength(10_000);
    expect(r.streams()[9_999]!.id).toBe('live/s9999');
    expect(skipped).toEqual([['capped', 90_000]]);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'discovery source big: more than max_streams (10000) found; kept the first, skipped 90000',
    ]);
  });
});

describe('a server that echoes the request', () => {
  it.each([
    { what: 'in an HTTP 401 page', answer: { status: 401, type: 'text/plain', body: `denied: ${SECRET}` } },
    { what: 'in an HTML page', answer: { type: 'text/html', body: `<p>token sd-secret-0042 expired</p>` } },
    { what: 'in broken JSON', answer: { body: `sd-secret-0042 ${'x'.repeat(20)}` } },
  ])('$what: the header value is scrubbed from the error', async ({ answer: echo }) => {
    answer = echo;
    const r = runner([]);
    await r.refresh(signal);
    expect(r.status().last_error).toContain('***');
    expect(r.status().last_error).not.toContain('sd-secret-0042');
  });
});

describe('bad answers from SRS', () => {
  it.each([
    { what: 'SRS error code', body: '{"code": 1000, "server": "vid-1"}', error: '/api/v1/vhosts: SRS error code 1000' },
    { what: 'no vhosts list', body: '{"code": 0}', error: '/api/v1/vhosts: no "vhosts" list in the answer' },
    { what: 'a list instead of an object', body: '[]', error: '/api/v1/vhosts: expected a JSON object, got a list' },
  ])('$what', async ({ body, error }) => {
    answer = { body };
    const r = runner([], [], { name: 'srs', type: 'srs', play_url: 'http://srs/{app}/{stream}.flv' });
    (r.config as { url?: string }).url = server.url;
    await r.refresh(signal);
    expect(r.status().last_error).toBe(`${server.url}${error}`);
  });
});
