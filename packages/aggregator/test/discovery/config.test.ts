import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../src/config/index.js';

const GOOD = fileURLToPath(new URL('../fixtures/config/good/discovery-only.yml', import.meta.url));
const ENV = { SRS_TOKEN: 'srs-secret-token', NMS_PASSWORD: 'nms-secret-pw' };

describe('discovery config (SPEC §11)', () => {
  it('a config with discovery and no streams loads, with every default filled in', async () => {
    const c = await loadConfigFile(GOOD, { env: ENV });
    expect(c.streams).toEqual([]);
    expect(c.discovery.map((d) => [d.name, d.type])).toEqual([
      ['srs-origin', 'srs'],
      ['nms', 'nms'],
      ['targets', 'http_sd'],
      ['files', 'file'],
    ]);
    const [srs, nms, sd, file] = c.discovery;
    expect(srs).toEqual({
      name: 'srs-origin',
      type: 'srs',
      url: 'http://srs.example:1985', // trailing slash dropped: paths are appended
      refresh_interval_s: 30,
      play_url: 'http://srs.example:8080/{app}/{stream}.flv?token=srs-secret-token',
      project: '{vhost}',
      line: 'Source',
      id: '{app}/{stream}',
      tags: { role: 'origin' }, // team is outside allowed_tags
      match: { app: '^live$' },
      headers: { Authorization: 'Bearer srs-secret-token' },
      max_streams: 10_000,
      gone_grace_s: 0,
      events: true,
    });
    expect(nms).toMatchObject({
      project: 'nms',
      line: 'discovered',
      username: 'admin',
      password: 'nms-secret-pw',
      gone_grace_s: 60,
      events: false,
    });
    expect(sd).toMatchObject({ url: 'http://sd.example/targets.json', refresh_interval_s: 10, project: 'targets' });
    expect(file).toMatchObject({ path: '/etc/video-exporter/targets/*.json', max_streams: 500 });
    expect(c.warnings).toEqual(['discovery: dropped tag keys not in exporter.allowed_tags: team; allowed: role, isp']);
  });

  it('streams: {} is fine beside discovery, but not alone', () => {
    const disc = 'discovery:\n  - {name: a, type: http_sd, url: "http://sd.example/t.json"}\n';
    expect(parseConfigText(`streams: {}\n${disc}`, { env: {} }).discovery).toHaveLength(1);
    expect(() => parseConfigText('streams: {}\ndiscovery: []\n', { env: {} })).toThrow(
      'streams: no streams configured',
    );
  });

  it('an unset variable in a password or play_url is an error naming the variable, never a value', () => {
    const text = [
      'discovery:',
      '  - {name: a, type: nms, url: "http://nms.example", username: u, password: "${PW}",',
      '     play_url: "http://nms.example/{app}/{stream}.flv?sign=${SIGN}"}',
    ].join('\n');
    expect(() => parseConfigText(text, { env: {} })).toThrow(
      'discovery[0].password: environment variable PW is not set\n' +
        'discovery[0].play_url: environment variable SIGN is not set',
    );
  });

  it('placeholders in project/line of an http_sd source and "/" in a project are refused', () => {
    const text =
      'discovery:\n  - {name: a, type: http_sd, url: "http://sd.example/t.json", project: "{app}", line: "a/b"}\n';
    expect(() => parseConfigText(text, { env: {} })).toThrow(
      'discovery[0].project: placeholders only work in srs and nms sources; ' +
        'http_sd sources take labels from the list\n' +
        'discovery[0].line: must not contain "/" (it separates project/line/id)',
    );
  });

  it('the name "config" is reserved (it is the source of listed streams)', () => {
    expect(() =>
      parseConfigText('discovery:\n  - {name: config, type: file, path: /tmp/x.json}\n', { env: {} }),
    ).toThrow('discovery[0].name: "config" is reserved for streams listed under streams:');
  });
});

describe('the commented discovery blocks of the shipped configs', () => {
  const uncomment = (file: string, from: RegExp) => {
    const lines = readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8').split('\n');
    const start = lines.findIndex((l) => from.test(l));
    const block: string[] = [];
    for (const l of lines.slice(start)) {
      if (!l.startsWith('#')) break;
      block.push(l.replace(/^# ?/, ''));
    }
    return block.join('\n');
  };

  it('configs/example.yml: the block validates once uncommented, with every source type', () => {
    const c = parseConfigText(uncomment('../../../../configs/example.yml', /^# discovery:$/), { env: {} });
    expect(c.discovery.map((d) => d.type)).toEqual(['srs', 'nms', 'http_sd', 'file']);
    expect(c.streams).toEqual([]);
  });

  it('deploy/k8s/config.yml: the example validates once uncommented', () => {
    const c = parseConfigText(
      uncomment('../../../../deploy/k8s/config.yml', /^# {3}discovery:$/).replace(/^ {2}/gm, ''),
      {
        env: { SRS_PLAY_TOKEN: 't', NMS_PASSWORD: 'p' },
      },
    );
    expect(c.discovery.map((d) => d.name)).toEqual(['srs-origin', 'nms']);
  });
});
