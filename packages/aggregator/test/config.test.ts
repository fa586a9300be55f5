import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type Config,
  ConfigError,
  defaultExporterConfig,
  diffStreams,
  expandEnv,
  loadConfigFile,
  parseConfigText,
  parseListenAddr,
  type StreamConfig,
  summarizeConfig,
} from '../src/config/index.js';
import { defaultContentChecks } from '../src/config/validate-content-checks.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/config/', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../configs/example.yml', import.meta.url));

/** Environment for the fixtures: marker values that must never show up in a message. */
const ENV = {
  CDN_HOST: 'env-marker-host.example',
  CDN_URL: 'srt://streamer:EnvSecretPw@cdn.example.com/live/room01',
};

async function loadError(path: string, env: Record<string, string> = ENV): Promise<ConfigError> {
  try {
    await loadConfigFile(path, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`${path} loaded, expected a ConfigError`);
}

function parseError(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfigText(text, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('config parsed, expected a ConfigError');
}

// blackbox_exporter config_test.go style: file -> the exact message (problems joined by newlines).
const BAD: { file: string; message: string; secrets?: string[] }[] = [
  { file: 'yaml-syntax.yml', message: 'YAML syntax error at line 6, column 12: bad indentation of a mapping entry' },
  { file: 'yaml-duplicate-key.yml', message: 'YAML syntax error at line 7, column 9: duplicated mapping key' },
  { file: 'empty-file.yml', message: 'the config is empty: it needs at least a "streams" section' },
  { file: 'wrong-type.yml', message: 'exporter.check_interval: must be a positive number of seconds, got "30s"' },
  {
    file: 'negative-duration.yml',
    message: 'exporter.stall_threshold_ms: must be a positive integer (milliseconds), got -200',
  },
  { file: 'zero-duration.yml', message: 'exporter.sample_duration: must be a positive number of seconds, got 0' },
  { file: 'fractional-count.yml', message: 'exporter.min_keyframes: must be a positive integer, got 1.5' },
  {
    file: 'sample-not-below-interval.yml',
    message:
      'exporter.sample_duration: must be less than check_interval (15 >= 10): a probe must end before the next one' +
      ' starts',
  },
  {
    file: 'timeout-not-below-interval.yml',
    message: 'exporter.first_byte_timeout_ms: must be less than check_interval in milliseconds (10000 >= 10000)',
  },
  {
    file: 'duplicate-stream.yml',
    message:
      'streams.G01.cdn[0].id: duplicate stream G01/cdn/room01' +
      ' (first defined at streams.G01.CDN[0]): give each stream ' +
      'its own id. The Go exporter accepted this and wrote both streams into one series, which showed whichever was' +
      ' probed last',
  },
  {
    file: 'unsupported-scheme.yml',
    message:
      'streams.G01.SOURCE[0].url: unsupported scheme "srt" (only http, https, rtmp and rtmps):' +
      ' "srt://srt-source:9000?streamid=room01"',
  },
  {
    file: 'rtmp-url-without-stream.yml',
    message:
      'streams.G01.SOURCE[0].url: not a valid RTMP URL (RTMP URL needs /app/stream in its path; expected' +
      ' rtmp://host[:port]/app/stream): "rtmp://srs-source/live"',
  },
  { file: 'missing-url.yml', message: 'streams.G01.CDN[1]: missing required key "url"' },
  { file: 'missing-id.yml', message: 'streams.G01.CDN[0]: missing required key "id"' },
  {
    file: 'malformed-url.yml',
    message: 'streams.G01.CDN[0].url: not a valid URL: "http://cdn.example.com:99999/live/room01.flv"',
  },
  {
    file: 'url-without-scheme.yml',
    message:
      'streams.G01.CDN[0].url: not a valid URL (expected http://host/path or https://...):' +
      ' "cdn.example.com/live/room01.flv"',
  },
  { file: 'non-string-tag.yml', message: 'streams.G01.CDN[0].tags.isp: must be a string, got 1 (quote it: "1")' },
  { file: 'unknown-key-top.yml', message: 'exporters: unknown key (did you mean "exporter"?)' },
  {
    file: 'unknown-key-exporter.yml',
    message: 'exporter.check_intervall: unknown key (did you mean "check_interval"?)',
  },
  {
    file: 'unknown-key-stream.yml',
    message:
      'streams.G01.CDN[0].name: unknown key (expected one of: url, id, tags, headers, insecure_tls, tag,' +
      ' content_checks)',
  },
  { file: 'unset-var.yml', message: 'streams.G01.CDN[0].url: environment variable CDN_AUTH_KEY is not set' },
  {
    file: 'unset-var-header.yml',
    message: 'streams.G01.CDN[0].headers.Authorization: environment variable CDN_BEARER is not set',
  },
  {
    file: 'env-malformed-reference.yml',
    message: [
      'streams.G01.CDN[0].url: invalid variable reference "${room-01}" (names are letters, digits and _)',
      'streams.G01.CDN[1].url: unterminated "${" (write "$${" for a literal "${")',
    ].join('\n'),
  },
  {
    file: 'env-url-bad-scheme.yml',
    message: 'streams.G01.CDN[0].url: unsupported scheme "srt" (only http, https, rtmp and rtmps): "${CDN_URL}"',
    secrets: ['EnvSecretPw', 'streamer'],
  },
  { file: 'empty-streams.yml', message: 'streams: no streams configured: list at least one under project -> line' },
  { file: 'missing-streams.yml', message: 'missing required key "streams"' },
  {
    file: 'line-not-list.yml',
    message: 'streams.G01.CDN: must be a list of streams (- url: ... id: ...), got a mapping',
  },
  {
    file: 'bad-listen-addr.yml',
    message: 'exporter.listen_addr: invalid listen address "0.0.0.0:70000": port must be 1..65535',
  },
  {
    file: 'bad-listen-addr-ipv6.yml',
    message:
      'exporter.listen_addr: invalid listen address "::1:9100": an IPv6 address needs brackets, e.g. "[::1]:9100"',
  },
  { file: 'bad-log-level.yml', message: 'exporter.log_level: must be one of debug, info, warn, error, got "warning"' },
  {
    file: 'credentials-in-url.yml',
    message:
      'streams.G01.CDN[0].url: unsupported scheme "ftp" (only http, https, rtmp and rtmps):' +
      ' "ftp://***:***@cdn.example.com/live/room01.flv?auth_key=***"',
    secrets: ['Hunter2Secret', 'admin', 'a1b2c3d4e5f6'],
  },
  {
    file: 'credentials-stream-not-mapping.yml',
    message:
      'streams.G01.CDN[0]: must be a mapping with url and id, got' +
      ' "https://***:***@cdn.example.com/live/room01.flv?txSecret=***&txTime=65A1B2C3"',
    secrets: ['Pa55word', 'viewer', '0123456789abcdef'],
  },
  {
    file: 'bad-allowed-tags.yml',
    message: [
      'exporter.allowed_tags[1]: "shop-id" is not a valid Prometheus label name',
      'exporter.allowed_tags[2]: "id" is a label the exporter sets itself',
    ].join('\n'),
  },
  {
    file: 'bad-headers.yml',
    message: [
      'streams.G01.CDN[0].headers["Bad Header"]: not a valid HTTP header name',
      'streams.G01.CDN[0].headers.X-Token: must be a string, got a number (quote it)',
      'streams.G01.CDN[0].headers.referer: duplicate header (header names ignore case; also given as "Referer")',
    ].join('\n'),
    // header values are never echoed, even harmless-looking ones
    secrets: ['12345', 'www.example.org'],
  },
  {
    file: 'bad-sharding.yml',
    message: [
      'exporter.sharding.index: only applies to mode static (mode is dns)',
      'exporter.sharding: mode dns needs "service" (the headless Service name)',
    ].join('\n'),
  },
  {
    file: 'bad-sharding-dns-server.yml',
    message:
      'exporter.sharding.dns_server: "localhost:5353" is not an IP address with an optional port (e.g. "10.96.0.10"' +
      ' or "127.0.0.1:5353")',
  },
  {
    file: 'bad-probe-endpoint.yml',
    message:
      'exporter.probe_endpoint.allowed_hosts: must list at least one host when enabled: without an allow-list anyone' +
      ' could make the exporter fetch any URL',
  },
  {
    file: 'bad-content-checks.yml',
    message: [
      'exporter.content_checks.enabled: must be auto, true or false, got "maybe"',
      'exporter.content_checks.decode: must be one of keyframes, all, got "every"',
      'exporter.content_checks.freeze_noise_db: must be a negative number of dB, got 10',
      'exporter.content_checks.thumbnail_width: must be even (JPEG chroma subsampling), got 321',
      'exporter.content_checks.max_decoders: unknown key (expected one of: enabled, ffmpeg, interval, decode, ' +
        'max_concurrent, timeout, black_pixel_threshold, freeze_noise_db, silence_db, min_duration, thumbnail_width, ' +
        'batch_size, batch_wait)',
      'exporter.content_checks.batch_size: must be at most 64 checks, got 65',
      'exporter.content_checks.batch_wait: must be a number of seconds from 0 to 60, got -1',
      'streams.G01.CDN[0].content_checks: may only be false (opting this stream out of content checks), got true',
    ].join('\n'),
  },
  {
    file: 'bad-scoring.yml',
    message: [
      'exporter.scoring.max_stall_ratio: must be a ratio between 0 and 1, got 1.5',
      'exporter.scoring.min_histroy: unknown key (did you mean "min_history"?)',
      'exporter.scoring.fair_framerate: must not exceed good_framerate (30 > 25)',
    ].join('\n'),
  },
  {
    // all problems at once, in file order: streams come before exporter in this file
    file: 'many-problems.yml',
    message: [
      'streams.G01.SOURCE[0].url: unsupported scheme "srt" (only http, https, rtmp and rtmps):' +
        ' "srt://srs-source/live/room01"',
      'streams.G01.SOURCE[1]: missing required key "id"',
      'streams.G01.CDN: must be a list of streams (- url: ... id: ...), got "http://cdn.example.com/live/room01.flv"',
      'streams.G02.CDN[0].insecure_tls: must be true or false, got "yes"',
      'exporter.check_interval: must be a positive number of seconds, got 0',
      'exporter.log_level: must be one of debug, info, warn, error, got "verbose"',
      'extra: unknown key (expected one of: exporter, streams, discovery)',
    ].join('\n'),
  },
  // discovery (SPEC §11)
  {
    file: 'discovery-unknown-key.yml',
    message:
      'discovery[0].refresh: unknown key (expected one of: name, type, url, path, refresh_interval, play_url,' +
      ' project, line, id, tags, match, headers, username, password, events, max_streams, gone_grace)',
  },
  {
    file: 'discovery-bad-name.yml',
    message: 'discovery[0].name: must match [a-z0-9_-]+ (it is the "source" label), got "SRS Origin"',
  },
  {
    file: 'discovery-bad-type.yml',
    message: 'discovery[0].type: must be one of srs, nms, http_sd, file, got "srs4" (did you mean "srs"?)',
  },
  {
    file: 'discovery-bad-regex.yml',
    message: 'discovery[0].match.app: invalid regular expression: /^(live/u: Unterminated group',
  },
  {
    file: 'discovery-bad-template.yml',
    message: [
      'discovery[0].play_url: unknown placeholder "{room}" (expected {vhost}, {app} or {stream})',
      'discovery[0].id: unbalanced "{" or "}" (placeholders are {vhost}, {app}, {stream})',
    ].join('\n'),
  },
  {
    file: 'discovery-missing-url.yml',
    message: [
      'discovery[0]: missing required key "url"',
      'discovery[1].url: only for srs, nms and http_sd sources (this one is file)',
      'discovery[1]: missing required key "path"',
    ].join('\n'),
  },
  {
    file: 'discovery-play-url-invalid.yml',
    message: [
      'discovery[0].play_url: unsupported scheme "srt" (only http, https, rtmp and rtmps) once rendered ' +
        '(e.g. for app "live", stream "room01"): "srt://srs.example:9000?streamid={app}/{stream}&token=***"',
      'discovery[1].play_url: must contain {stream} (otherwise every found stream plays the same URL)',
    ].join('\n'),
  },
  {
    file: 'discovery-duplicate-name.yml',
    message: [
      'discovery[0].max_streams: must be a positive integer, got 0',
      'discovery[1].name: duplicate source name "origin" (first defined at discovery[0])',
      'discovery[1].gone_grace: must be a number >= 0, got -1',
      'discovery[1].username: only for nms sources (this one is file)',
    ].join('\n'),
  },
  {
    file: 'discovery-not-list.yml',
    message: [
      'discovery: must be a list of sources (- name: ... type: ...), got a mapping',
      'missing required key "streams"',
    ].join('\n'),
  },
];

describe('bad configs', () => {
  it('every fixture in bad/ has an expected message', async () => {
    const files = (await readdir(join(FIXTURES, 'bad'))).filter((f) => f.endsWith('.yml')).sort();
    expect(files).toEqual(BAD.map((b) => b.file).sort());
  });

  it.each(BAD)('$file', async ({ file, message, secrets }) => {
    const path = join(FIXTURES, 'bad', file);
    const err = await loadError(path);
    expect(err.message).toBe(message);
    expect(err.problems).toEqual(message.split('\n'));
    expect(err.source).toBe(path);
    for (const secret of secrets ?? []) expect(err.message).not.toContain(secret);
    // no environment value is ever echoed (only references to it)
    for (const value of Object.values(ENV)) expect(err.message).not.toContain(value);
  });
});

describe('parse errors given inline', () => {
  it('reports a YAML error without a position when js-yaml has none', () => {
    expect(parseError('streams: {}\n---\nstreams: {}\n').message).toBe(
      'YAML syntax error: expected a single document in the stream, but found more',
    );
  });

  it('rejects a document that is not a mapping', () => {
    expect(parseError('- http://cdn.example.com/live/room01.flv\n').message).toBe(
      'the config must be a mapping with keys exporter and streams, got a list',
    );
  });

  it('rejects an exporter section that is not a mapping (e.g. all keys commented out)', () => {
    expect(parseError('exporter:\nstreams: {G01: {CDN: [{url: "http://a/b.flv", id: x}]}}\n').message).toBe(
      'exporter: must be a mapping, got an empty value',
    );
  });

  it('says where a mapping of tags goes when it is written under the single `tag`', () => {
    expect(parseError('streams: {G01: {CDN: [{url: "http://a/b.flv", id: x, tag: {isp: ct}}]}}\n').message).toBe(
      'streams.G01.CDN[0].tag: must be one string (the Go exporter\'s single tag); a mapping of tags goes under "tags"',
    );
  });

  it('asks to quote an id YAML read as a date', () => {
    expect(parseError('streams: {G01: {CDN: [{url: "http://a/b.flv", id: 2024-01-01}]}}\n').message).toBe(
      'streams.G01.CDN[0].id: must be a string, got a date (quote it)',
    );
  });

  it('rejects "/" in ids: it would make the project/line/id key ambiguous', () => {
    expect(parseError('streams: {G01: {CDN: [{url: "http://a/b.flv", id: "a/b"}]}}\n').message).toBe(
      'streams.G01.CDN[0].id: must not contain "/"',
    );
  });

  it('quotes path segments that are not plain words', () => {
    expect(parseError('streams: {"G 01": {CDN: [{url: "http://a/b.flv"}]}}\n').message).toBe(
      'streams["G 01"].CDN[0]: missing required key "id"',
    );
  });

  it('rejects header values that would inject a header after expansion', () => {
    const err = parseError('streams: {G01: {CDN: [{url: "http://a/b.flv", id: x, headers: {X-A: "${V}"}}]}}\n', {
      V: 'ok\r\nX-Evil: 1',
    });
    expect(err.message).toBe('streams.G01.CDN[0].headers.X-A: must not contain line breaks or NUL');
  });
});

describe('loadConfigFile', () => {
  it('turns a missing file into a ConfigError', async () => {
    const path = join(FIXTURES, 'no-such-file.yml');
    const err = await loadError(path);
    expect(err.message).toBe(`cannot read config file ${path}: no such file`);
  });

  it('turns a directory into a ConfigError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-test-'));
    expect((await loadError(dir)).message).toBe(`cannot read config file ${dir}: is a directory`);
  });
});

describe('good configs', () => {
  const load = (file: string, env: Record<string, string> = {}): Promise<Config> =>
    loadConfigFile(join(FIXTURES, 'good', file), { env });

  it('minimal: only streams, every exporter key at its SPEC §3 default', async () => {
    const c = await load('minimal.yml');
    expect(c.warnings).toEqual([]);
    expect(c.exporter).toEqual({
      check_interval: 30,
      sample_duration: 10,
      min_keyframes: 2,
      max_concurrent: 1000,
      max_retries: 3,
      stall_threshold_ms: 200,
      listen_addr: { host: undefined, port: 8080, text: '8080' },
      log_level: 'info',
      allowed_tags: ['table', 'desk', 'biz', 'isp', 'role'],
      workers: undefined,
      connect_timeout_ms: 5000,
      first_byte_timeout_ms: 10000,
      idle_timeout_ms: 5000,
      user_agent: undefined,
      startup_buffer_ms: 1000,
      scoring: {
        good_framerate: 25,
        good_bitrate_bps: 600000,
        fair_framerate: 20,
        fair_bitrate_bps: 400000,
        stable_cv: 0.15,
        moderate_cv: 0.3,
        max_stall_ratio: 0.5,
        min_history: 3,
        max_black_ratio: 0.9,
        max_frozen_ratio: 0.9,
      },
      sharding: { mode: 'none', resolve_interval_s: 15 },
      probe_endpoint: { enabled: false, allowed_hosts: [] },
      content_checks: defaultContentChecks(),
    });
    expect(c.streams).toEqual([
      {
        key: 'G01/source/store-01',
        project: 'G01',
        line: 'source',
        id: 'store-01',
        url: 'http://srs-source/live/room01.flv',
        tags: {},
        headers: {},
        insecure_tls: false,
      },
    ]);
  });

  it("the reference exporter's README config loads unchanged", async () => {
    const c = await load('reference.yml');
    expect(c.warnings).toEqual([]);
    expect(c.streams.map((s) => [s.key, s.tags])).toEqual([
      ['G01/source/store-01', { table: 'store-01', biz: 'electronics' }],
      ['G01/cdn/store-01-cdn', { table: 'store-01', biz: 'electronics', isp: 'ct' }],
    ]);
  });

  it("the Go exporter's example shape loads: `tag` beside `tags`, port-only listen_addr", async () => {
    const c = await load('go-exporter-example.yml');
    expect(c.exporter.listen_addr).toEqual({ host: undefined, port: 9527, text: '9527' });
    // "tag" is not on the default allow-list: dropped like any other tag, with the one warning
    expect(c.warnings).toEqual([
      'dropped tag keys not in exporter.allowed_tags: tag (3 streams); allowed: table, desk, biz, isp, role',
    ]);
    expect(c.streams.map((s) => [s.key, s.tags])).toEqual([
      ['G02/source/G02-01', { table: 'G02-01', biz: 'food' }],
      ['G02/source/G02-02', {}],
      ['G02/service/G02-01-svc', { table: 'G02-01', role: 'service' }],
      ['G02/cdn/G02-01-ct', { table: 'G02-01', isp: 'ct' }],
    ]);
  });

  it(
    '`tag` becomes the tag "tag" when allowed, unless' + ' `tags` already has one (as the Go exporter merges it)',
    async () => {
      const c = await load('go-exporter-tag-allowed.yml');
      expect(c.warnings).toEqual([]);
      expect(c.streams.map((s) => [s.key, s.tags])).toEqual([
        ['G03/cdn/a', { tag: 'cdn' }],
        ['G03/cdn/b', { table: 'b', tag: 'edge' }],
      ]);
    },
  );

  it('full: every key set', async () => {
    const c = await load('full.yml');
    expect(c.warnings).toEqual([]);
    expect(c.exporter).toEqual({
      check_interval: 15,
      sample_duration: 7.5,
      min_keyframes: 3,
      max_concurrent: 200,
      max_retries: 0,
      stall_threshold_ms: 300,
      listen_addr: { host: '::1', port: 9100, text: '[::1]:9100' },
      log_level: 'debug',
      allowed_tags: ['table', 'isp', 'region'],
      workers: 4,
      connect_timeout_ms: 2000,
      first_byte_timeout_ms: 4000,
      idle_timeout_ms: 3000,
      user_agent: 'video-exporter-test/1.0',
      startup_buffer_ms: 1500,
      scoring: {
        good_framerate: 30,
        good_bitrate_bps: 1000000,
        fair_framerate: 24,
        fair_bitrate_bps: 500000,
        stable_cv: 0.1,
        moderate_cv: 0.25,
        max_stall_ratio: 0.4,
        min_history: 5,
        max_black_ratio: 0.8,
        max_frozen_ratio: 0.95,
        max_silence_ratio: 0.5,
      },
      sharding: { mode: 'static', index: 1, count: 3, resolve_interval_s: 15 },
      probe_endpoint: {
        enabled: true,
        allowed_hosts: ['cdn.example.com', '*.edge.example.net', '10.0.0.7', '2001:db8::1'],
      },
      content_checks: {
        ...defaultContentChecks(),
        enabled: false,
        ffmpeg: '/usr/bin/ffmpeg',
        interval: 120,
        decode: 'all',
        max_concurrent: 3,
        timeout: 20,
        black_pixel_threshold: 0.15,
        freeze_noise_db: -50,
        silence_db: -45,
        min_duration: 3,
        thumbnail_width: 0,
      },
    });
    expect(c.streams).toEqual([
      {
        key: 'G01/source/store-01',
        project: 'G01',
        line: 'source',
        id: 'store-01',
        url: 'http://srs-source/live/room01.flv',
        tags: { table: 'store-01', region: 'east' },
        headers: {},
        insecure_tls: false,
      },
      {
        key: 'G01/cdn/store-01-cdn',
        project: 'G01',
        line: 'cdn',
        id: 'store-01-cdn',
        url: 'https://cdn.example.com/live/room01.flv',
        tags: { table: 'store-01', isp: 'ct', region: 'east' },
        headers: { Referer: 'https://www.example.com/', Host: 'live.example.com' },
        insecure_tls: true,
      },
      {
        key: 'G02/service/0009',
        project: 'G02',
        line: 'service',
        id: '0009',
        url: 'http://srs-edge:8080/live/room09.flv',
        tags: {},
        headers: {},
        insecure_tls: false,
      },
    ]);
  });

  it('drops tag keys outside allowed_tags with one warning naming them', async () => {
    const c = await load('tag-outside-allow-list.yml');
    expect(c.warnings).toEqual([
      'dropped tag keys not in exporter.allowed_tags: color (2 streams), shop (1 stream); allowed: table, desk, biz,' +
        ' isp, role',
    ]);
    expect(c.streams.map((s) => s.tags)).toEqual([{ table: 'store-01', biz: 'electronics' }, { table: 'store-01' }]);
  });

  it('expands ${VAR} and ${VAR:-default} in url and header values', async () => {
    const env = { CDN_HOST: 'cdn.example.com', CDN_AUTH_KEY: '1700000000-0-0-abc', CDN_BEARER: 'tok123' };
    const [s] = (await load('env-expansion.yml', env)).streams;
    expect(s!.url).toBe('https://cdn.example.com/live/room01.flv?auth_key=1700000000-0-0-abc');
    expect(s!.headers).toEqual({
      Authorization: 'Bearer tok123',
      Referer: 'https://www.example.com/',
      'X-Literal': '${NOT_A_VAR} costs $5',
    });
    const [t] = (await load('env-expansion.yml', { ...env, CDN_REFERER: 'https://shop.example.com/' })).streams;
    expect(t!.headers.Referer).toBe('https://shop.example.com/');
  });

  it('clamps unset timeouts below a short check_interval, keeps explicit ones', async () => {
    const e = (await load('short-interval.yml')).exporter;
    expect([e.connect_timeout_ms, e.first_byte_timeout_ms, e.idle_timeout_ms]).toEqual([1000, 2000, 2000]);
  });

  it('dns sharding with a service name and resolve interval', () => {
    const c = parseConfigText(
      'exporter:\n  sharding: {mode: dns, service:' +
        ' video-exporter-peers.monitoring.svc.cluster.local, resolve_interval_s: 5}\n' +
        'streams: {G01: {CDN: [{url: "http://a/b.flv", id: x}]}}\n',
      { env: {} },
    );
    expect(c.exporter.sharding).toEqual({
      mode: 'dns',
      service: 'video-exporter-peers.monitoring.svc.cluster.local',
      resolve_interval_s: 5,
    });
  });

  it('a "__proto__" tag key is an ordinary key: dropped, never assigned to a prototype', () => {
    const c = parseConfigText(
      'exporter: {allowed_tags: [isp]}\nstreams: {G01: {CDN: [{url: "http://a/b.flv", id: x, tags: {__proto__: "x",' +
        ' isp: ct}}]}}\n',
      {
        env: {},
      },
    );
    expect(c.streams[0]!.tags).toEqual({ isp: 'ct' });
    expect(Object.getPrototypeOf(c.streams[0]!.tags)).toBe(Object.prototype);
    expect(c.warnings).toEqual(['dropped tag keys not in exporter.allowed_tags: __proto__ (1 stream); allowed: isp']);
  });
});

describe('configs/example.yml', () => {
  it('loads with an empty environment and documents every exporter key', async () => {
    const c = await loadConfigFile(EXAMPLE, { env: {} });
    expect(c.warnings).toEqual([]);
    expect(c.streams.map((s) => s.key)).toEqual([
      'G01/source/store-01',
      'G01/cdn/store-01-cdn',
      'G01/cdn/store-02-cdn',
    ]);
    expect(c.streams[2]!.url).toBe('https://cdn.example.com/live/room02.flv?auth_key=unset');
    const text = await readFile(EXAMPLE, 'utf8');
    const keys = [
      ...Object.keys(defaultExporterConfig()),
      ...Object.keys(defaultExporterConfig().scoring),
      'mode',
      'index',
      'count',
      'service',
      'resolve_interval_s',
      'enabled',
      'allowed_hosts',
      'url',
      'id',
      'tags',
      'headers',
      'insecure_tls',
      ...Object.keys(defaultContentChecks()),
      'content_checks',
    ];
    for (const key of keys) expect(text, key).toMatch(new RegExp(`^\\s*(# )?(- )?${key}:`, 'm'));
  });
});

describe('parseListenAddr', () => {
  it.each([
    ['8080', undefined, 8080],
    [':8080', undefined, 8080],
    ['0.0.0.0:8080', '0.0.0.0', 8080],
    ['127.0.0.1:9100', '127.0.0.1', 9100],
    ['[::1]:9100', '::1', 9100],
    ['localhost:9100', 'localhost', 9100],
    ['65535', undefined, 65535],
  ] as const)('accepts %s', (text, host, port) => {
    expect(parseListenAddr(text)).toEqual({ ok: true, addr: { host, port, text } });
  });

  it('accepts an unquoted YAML port', () => {
    expect(parseListenAddr(9100)).toEqual({ ok: true, addr: { host: undefined, port: 9100, text: '9100' } });
  });

  it.each([
    '0',
    '65536',
    ':0',
    'localhost',
    'http://0.0.0.0:8080',
    '0.0.0.0:',
    '[::1]',
    '[nope]:80',
    '::1:80',
    'bad_host:80',
    '8080 ',
    '',
  ])('rejects %j', (text) => {
    expect(parseListenAddr(text).ok).toBe(false);
  });
});

describe('expandEnv', () => {
  it('replaces set variables, keeps a lone $ and $name', () => {
    expect(expandEnv('a${X}b$c$', { X: '1' })).toEqual({ ok: true, value: 'a1b$c$' });
  });

  it('an empty variable is a value, not unset', () => {
    expect(expandEnv('[${X}]', { X: '' })).toEqual({ ok: true, value: '[]' });
  });

  it('uses the default when unset or empty', () => {
    expect(expandEnv('${X:-d}', {})).toEqual({ ok: true, value: 'd' });
    expect(expandEnv('${X:-d}', { X: '' })).toEqual({ ok: true, value: 'd' });
    expect(expandEnv('${X:-d}', { X: 'v' })).toEqual({ ok: true, value: 'v' });
  });

  it('reports every unset variable by name, never a value', () => {
    expect(expandEnv('${A}${B}${C}', { B: 'secret' })).toEqual({
      ok: false,
      errors: ['environment variable A is not set', 'environment variable C is not set'],
    });
  });

  it('rejects nested defaults', () => {
    expect(expandEnv('${A:-${B}}', {}).ok).toBe(false);
  });
});

describe('diffStreams', () => {
  const stream = (id: string, over: Partial<StreamConfig> = {}): StreamConfig => ({
    key: `G01/cdn/${id}`,
    project: 'G01',
    line: 'cdn',
    id,
    url: `http://cdn/live/${id}.flv`,
    tags: { isp: 'ct', table: id },
    headers: { Referer: 'https://a/' },
    insecure_tls: false,
    ...over,
  });

  it('splits by key and content', () => {
    const old = [stream('a'), stream('b'), stream('c'), stream('d'), stream('e'), stream('f')];
    const next = [
      stream('g'), // added
      stream('a'), // unchanged
      stream('b', { url: 'http://cdn/live/b2.flv' }),
      stream('c', { tags: { isp: 'cm', table: 'c' } }),
      stream('d', { headers: { Referer: 'https://b/' } }),
      stream('e', { insecure_tls: true }),
      // f removed
    ];
    const d = diffStreams(old, next);
    expect(d.added.map((s) => s.id)).toEqual(['g']);
    expect(d.removed.map((s) => s.id)).toEqual(['f']);
    expect(d.changed.map((s) => s.id)).toEqual(['b', 'c', 'd', 'e']);
    expect(d.unchanged.map((s) => s.id)).toEqual(['a']);
    // changed streams come in their new version
    expect(d.changed[0]!.url).toBe('http://cdn/live/b2.flv');
  });

  it('reordering tags or streams is not a change', () => {
    const old = [stream('a'), stream('b')];
    const next = [stream('b'), stream('a', { tags: { table: 'a', isp: 'ct' } })];
    expect(diffStreams(old, next)).toEqual({ added: [], removed: [], changed: [], unchanged: next });
  });

  it('a tag removed is a change', () => {
    const d = diffStreams([stream('a')], [stream('a', { tags: { isp: 'ct' } })]);
    expect(d.changed.map((s) => s.id)).toEqual(['a']);
  });

  it('a stream moved to another line is removed and added (its labels change)', () => {
    const moved = { ...stream('a'), key: 'G01/source/a', line: 'source' };
    const d = diffStreams([stream('a')], [moved]);
    expect([d.added, d.removed]).toEqual([[moved], [stream('a')]]);
  });
});

describe('summarizeConfig', () => {
  it('counts streams per project and line and shows key settings, no URLs', async () => {
    const c = await loadConfigFile(join(FIXTURES, 'good', 'full.yml'), { env: {} });
    const text = summarizeConfig(c);
    expect(text.split('\n')).toEqual([
      'streams: 3 streams in 2 projects',
      '  G01      2  (source 1, cdn 1)',
      '  G02      1  (service 1)',
      'exporter:',
      '  check_interval 15s, sample_duration 7.5s, min_keyframes 3',
      '  max_concurrent 200, max_retries 0, workers 4',
      '  timeouts: connect 2000 ms, first byte 4000 ms, idle 3000 ms; stall threshold 300 ms',
      '  listen_addr [::1]:9100, log_level debug',
      '  allowed_tags: table, isp, region',
      '  sharding: static (index 1, count 3)',
      '  probe endpoint: on (cdn.example.com, *.edge.example.net, 10.0.0.7, 2001:db8::1)',
    ]);
  });

  it('lists warnings', async () => {
    const c = await loadConfigFile(join(FIXTURES, 'good', 'tag-outside-allow-list.yml'), { env: {} });
    expect(summarizeConfig(c)).toContain('warnings (1):\n  - dropped tag keys not in exporter.allowed_tags: color');
  });
});
