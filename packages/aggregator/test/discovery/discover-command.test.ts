import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverCommand } from '../../src/commands/discover.js';
import { type ScriptedServer, startScriptedServer } from './support/bad-server.js';

const capture = () => {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  return { stream: s, text: () => text };
};

describe('video-exporter discover', () => {
  let dir: string;
  let sd: ScriptedServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 've-discover-'));
    sd = await startScriptedServer(() => ({
      body: JSON.stringify([
        {
          targets: ['http://edge.example/live/a.flv?txSecret=tx-secret-9'],
          labels: { project: 'G01', line: 'cdn', id: 'a' },
        },
      ]),
    }));
  });
  afterAll(async () => {
    await sd.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('prints the streams that would be probed, configured ones too, URLs redacted; exit 0', async () => {
    const path = write(
      'ok.yml',
      'streams:\n  G01:\n    SOURCE:\n      - {url: "http://origin.example/live/a.flv?token=tok-secret-1", id: a}\n' +
        `discovery:\n  - {name: sd, type: http_sd, url: "${sd.url}/t.json"}\n`,
    );
    const out = capture();
    const err = capture();
    expect(await discoverCommand({ configPath: path, json: false }, out.stream, err.stream)).toBe(0);
    expect(out.text()).toBe(
      [
        'source sd (http_sd): ok, 1 streams',
        '',
        'PROJECT  LINE    ID  SOURCE  URL',
        'G01      source  a   config  http://origin.example/live/a.flv?token=***',
        'G01      cdn     a   sd      http://edge.example/live/a.flv?txSecret=***',
        '',
        '2 streams would be probed',
        '',
      ].join('\n'),
    );
    expect(err.text()).toBe('');
  });

  it('exit 1 when a source fails (the others are still listed), exit 2 on a config error', async () => {
    const failing = write(
      'fail.yml',
      `discovery:\n  - {name: sd, type: http_sd, url: "${sd.url}/t.json"}\n` +
        `  - {name: missing, type: file, path: "${dir}/nowhere/*.json"}\n`,
    );
    const out = capture();
    expect(await discoverCommand({ configPath: failing, json: true }, out.stream, capture().stream)).toBe(1);
    const plan = JSON.parse(out.text()) as {
      sources: { name: string; up: boolean; last_error?: string }[];
      streams: unknown[];
    };
    expect(plan.sources.map((s) => [s.name, s.up])).toEqual([
      ['sd', true],
      ['missing', false],
    ]);
    expect(plan.sources[1]!.last_error).toBe(`${dir}/nowhere: cannot list the directory (ENOENT)`);
    expect(plan.streams).toHaveLength(1);

    const bad = write('bad.yml', 'discovery:\n  - {name: sd, type: http_sd}\n');
    const err = capture();
    expect(await discoverCommand({ configPath: bad, json: false }, capture().stream, err.stream)).toBe(2);
    expect(err.text()).toBe(`video-exporter: invalid config ${bad}:\ndiscovery[0]: missing required key "url"\n`);
  });
});
