/**
 * Discovery from a real Node-Media-Server 4.4.3 (SPEC §11): its admin API with JWT auth switched on,
 * publishers pushed by ffmpeg over RTMP. Streams appear in the exporter when a publisher starts and
 * disappear when it stops. The refresh interval is long (60 s): only NMS's /api/v1/events stream can
 * make them appear and go within seconds. Tokens expire after 3 s, so later refreshes meet a 401 and must
 * log in again within the same refresh. `discover` prints the plan from the same API.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ExporterProcess, sleep, until } from '../exporter/support/exporter-process.js';
import { apiStreams, scrape } from '../exporter/support/http.js';
import { sampleValue } from '../exporter/support/prom-text.js';
import { Child, freePorts } from './support/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = 'tests/fixtures/live/live_720p25.flv';
const PASSWORD = 'nms-Pa55-word-81';
const JWT_SECRET = 'jwt-secret-for-the-test-only';
/** appear / go: an SSE event, one refresh, one probe slot (check_interval) and its sample, with room */
const APPEAR_MS = 25_000;
const run = promisify(execFile);
/** node-media-server 4.4.3 broadcast_server.js PUBLISH_GRACE_MS: how long an ended publish stays listed */
const NMS_PUBLISH_GRACE_MS = 30_000;

const labels = (id: string) => ({
  project: 'nms',
  line: 'discovered',
  id,
  table: '',
  desk: '',
  biz: '',
  isp: '',
  role: 'origin',
});

describe('discovery from node-media-server with JWT auth', () => {
  const children: Child[] = [];
  let dataDir: string;
  let httpPort = 0;
  let rtmpPort = 0;
  let exporter: ExporterProcess;
  let url: string;
  const publishers = new Map<string, Child>();

  const configText = (password: string) => `
exporter: {check_interval: 3, sample_duration: 1, max_retries: 1}
discovery:
  - name: nms
    type: nms
    url: "http://127.0.0.1:${httpPort}"
    play_url: "http://127.0.0.1:${httpPort}/{app}/{stream}.flv"
    username: admin
    password: "${password}"
    refresh_interval: 60
    tags: {role: origin}
`;

  const publish = (name: string) => {
    const ffmpeg = new Child(
      `ffmpeg ${name}`,
      'ffmpeg',
      [
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        fixture,
        '-c',
        'copy',
        '-f',
        'flv',
        `rtmp://127.0.0.1:${rtmpPort}/live/${name}`,
      ],
      { cwd: root },
    );
    children.push(ffmpeg);
    publishers.set(name, ffmpeg);
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 've-nms-discovery-'));
    for (let attempt = 0; attempt < 3 && httpPort === 0; attempt++) {
      const [r, h] = (await freePorts(2)) as [number, number];
      const nms = new Child('node-media-server', process.execPath, ['tests/e2e/support/nms-server.mjs'], {
        cwd: root,
        env: {
          ...process.env,
          NMS_RTMP_PORT: String(r),
          NMS_HTTP_PORT: String(h),
          NMS_DATA_DIR: dataDir,
          NMS_JWT_SECRET: JWT_SECRET,
          NMS_API_USER: 'admin',
          NMS_API_PASSWORD: PASSWORD,
          NMS_JWT_EXPIRES: '3s',
        },
        stdin: 'pipe',
      });
      children.push(nms);
      try {
        await nms.waitForLine('ready', 10_000);
        [rtmpPort, httpPort] = [r, h];
      } catch (err) {
        await nms.stop();
        if (attempt === 2) throw err;
      }
    }
    await writeFile(join(dataDir, 'config.yml'), configText('${NMS_PASSWORD}'));
    exporter = ExporterProcess.spawn(join(dataDir, 'config.yml'), { env: { NMS_PASSWORD: PASSWORD } });
    url = await exporter.ready();
  }, 40_000);

  afterAll(async () => {
    await exporter?.stop();
    const stops = await Promise.allSettled([...children].reverse().map((c) => c.stop(2_000)));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    expect(stops.filter((s) => s.status === 'rejected')).toEqual([]);
  });

  it('an empty server: the source is up with no streams', async () => {
    const m = await until('first refresh', 10_000, async () => {
      const m = await scrape(url);
      return sampleValue(m, 'video_exporter_discovery_up', { source: 'nms' }) === 1 ? m : undefined;
    });
    expect(sampleValue(m, 'video_exporter_discovery_streams', { source: 'nms' })).toBe(0);
  });

  it('a publisher starts: its stream appears within seconds and is probed right', async () => {
    await sleep(3_500); // let the first token expire: the refresh the event brings meets a 401
    publish('roomA');
    const m = await until('live/roomA probed up', APPEAR_MS, async () => {
      const m = await scrape(url);
      return sampleValue(m, 'video_stream_up', labels('live/roomA')) === 1 ? m : undefined;
    });
    expect(sampleValue(m, 'video_stream_width', labels('live/roomA'))).toBe(1280);
    expect(sampleValue(m, 'video_stream_height', labels('live/roomA'))).toBe(720);
    expect(sampleValue(m, 'video_exporter_discovery_failures_total', { source: 'nms' })).toBe(0);
    const api = await apiStreams(url);
    expect(api.map((s) => [s.key, s.source, s.url])).toEqual([
      ['nms/discovered/live/roomA', 'nms', `http://127.0.0.1:${httpPort}/live/roomA.flv`],
    ]);
  }, 40_000);

  it('a second publisher appears, and a stopped one disappears with all its series', async () => {
    publish('roomB');
    await until('live/roomB up', APPEAR_MS, async () =>
      sampleValue(await scrape(url), 'video_stream_up', labels('live/roomB')) === 1 ? true : undefined,
    );
    await publishers.get('roomA')!.stop();
    // NMS keeps a vanished publisher 30 s as "reconnecting" (PUBLISH_GRACE_MS): still listed, so still
    // probed, and the probe shows the outage
    await until('live/roomA down while NMS says reconnecting', APPEAR_MS, async () =>
      sampleValue(await scrape(url), 'video_stream_up', labels('live/roomA')) === 0 ? true : undefined,
    );
    const m = await until('live/roomA gone', NMS_PUBLISH_GRACE_MS + APPEAR_MS, async () => {
      const m = await scrape(url);
      return m.samples.some((s) => s.labels.id === 'live/roomA') ? undefined : m;
    });
    expect(sampleValue(m, 'video_stream_up', labels('live/roomB'))).toBe(1);
    expect(sampleValue(m, 'video_exporter_discovery_streams', { source: 'nms' })).toBe(1);
    expect(sampleValue(m, 'video_exporter_discovery_failures_total', { source: 'nms' })).toBe(0);
    // the password never shows
    expect(JSON.stringify(exporter.logs)).not.toContain(PASSWORD);
  }, 120_000);

  it('discover prints the plan (exit 0), and exit 1 with a clear reason when the login is refused', async () => {
    const good = join(dataDir, 'discover.yml');
    await writeFile(good, configText('${NMS_PASSWORD}'));
    const ok = await run(process.execPath, [CLI, 'discover', '-c', good, '--json'], {
      env: { ...process.env, NMS_PASSWORD: PASSWORD },
    });
    const plan = JSON.parse(ok.stdout) as {
      sources: { name: string; up: boolean }[];
      streams: { id: string; source: string; url: string }[];
    };
    expect(plan.sources).toMatchObject([{ name: 'nms', up: true }]);
    expect(plan.streams).toEqual([
      {
        project: 'nms',
        line: 'discovered',
        id: 'live/roomB',
        url: `http://127.0.0.1:${httpPort}/live/roomB.flv`,
        source: 'nms',
        tags: { role: 'origin' },
      },
    ]);
    const bad = join(dataDir, 'discover-bad.yml');
    await writeFile(bad, configText('wrong-password'));
    const failed = await run(process.execPath, [CLI, 'discover', '-c', bad]).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain(
      `source nms (nms): FAILED: http://127.0.0.1:${httpPort}/api/v1/login: login refused (wrong username or password)`,
    );
    expect(failed?.stdout).not.toContain('wrong-password');
  }, 30_000);
});
