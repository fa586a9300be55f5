/**
 * The shared end-to-end set-up: an in-process live HTTP-FLV source serving the 720p25 fixture, a config
 * with healthy and faulty streams, and `video-exporter run` on it. run.test.ts and promtool.test.ts both
 * use it; each test file starts (and stops) its own instance.
 */
import { writeFileSync } from 'node:fs';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { configYaml, type StreamSpec, tempDir } from './config-file.js';
import { ExporterProcess, LIVE_FIXTURE, until } from './exporter-process.js';
import { type ApiStream, apiStreams } from './http.js';

export const CHECK_INTERVAL_S = 4;
export const SAMPLE_DURATION_S = 2;
/** label keys configured in the scenario (not the default list, so the test sees the config drive them) */
export const ALLOWED_TAGS = ['table', 'biz', 'isp'] as const;
/** a tag outside allowed_tags: dropped with a warning */
export const STRAY_TAG = 'colour';
/** a credential in a stream URL: must never show in logs, API, page or metrics */
export const SECRET = 's3cr3t-token-value';

export type Role = 'healthy' | 'stall' | 'offline' | 'html' | 'audio';

export interface ScenarioStream extends StreamSpec {
  role: Role;
}

export interface Scenario {
  source: LiveSource;
  exporter: ExporterProcess;
  /** exporter base URL */
  url: string;
  configPath: string;
  streams: ScenarioStream[];
  byRole(role: Role): ScenarioStream;
  close(): Promise<void>;
}

export function scenarioStreams(src: string): ScenarioStream[] {
  return [
    // healthy: the fixture in real time; a token in the query (the source ignores unknown parameters)
    {
      role: 'healthy',
      project: 'Shop',
      line: 'SOURCE',
      id: 'room-healthy',
      url: `${src}/live/hd/healthy.flv?token=${SECRET}`,
      tags: { table: 't-01', biz: 'toys', [STRAY_TAG]: 'red' },
    },
    // no bytes for 800 ms of every 1000 ms after the first second: read stalls inside a 2 s sample
    {
      role: 'stall',
      project: 'Shop',
      line: 'CDN',
      id: 'room-stall',
      url: `${src}/live/hd/stall.flv?pause_ms=800&pause_every_ms=1000`,
      tags: { isp: 'ct' },
    },
    // no fixture named "gone": the source answers 404
    {
      role: 'offline',
      project: 'Shop',
      line: 'CDN',
      id: 'room-offline',
      url: `${src}/live/gone/offline.flv`,
      tags: { table: 't-03' },
    },
    // 200 with an HTML page: a CDN's "stream unavailable" answer
    { role: 'html', project: 'Other', line: 'Service', id: 'room-html', url: `${src}/live/hd/page.flv?html=1` },
    {
      role: 'audio',
      project: 'Other',
      line: 'Service',
      id: 'room-audio',
      url: `${src}/live/hd/audio.flv?audio_only=1`,
      tags: { biz: 'radio' },
    },
  ];
}

export async function startScenario(name: string): Promise<Scenario> {
  const dir = tempDir(name);
  let source: LiveSource | undefined;
  let exporter: ExporterProcess | undefined;
  try {
    source = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
    const streams = scenarioStreams(source.url);
    const configPath = dir.file('config.yml');
    writeFileSync(
      configPath,
      configYaml(
        {
          check_interval: CHECK_INTERVAL_S,
          sample_duration: SAMPLE_DURATION_S,
          max_retries: 1,
          allowed_tags: [...ALLOWED_TAGS],
          log_level: 'info',
        },
        streams,
      ),
    );
    exporter = ExporterProcess.spawn(configPath);
    const url = await exporter.ready();
    const src = source;
    const exp = exporter;
    return {
      source: src,
      exporter: exp,
      url,
      configPath,
      streams,
      byRole: (role) => streams.find((s) => s.role === role)!,
      close: async () => {
        await exp.stop();
        await src.close();
        dir.cleanup();
      },
    };
  } catch (err) {
    await exporter?.stop();
    await source?.close();
    dir.cleanup();
    throw err;
  }
}

/** Polls /api/streams until no stream is "pending" (each was probed at least once). */
export async function allProbed(url: string, timeoutMs = 2 * CHECK_INTERVAL_S * 1000 + 6_000): Promise<ApiStream[]> {
  return until('every stream probed once', timeoutMs, async () => {
    const list = await apiStreams(url);
    return list.length > 0 && list.every((s) => s.state !== 'pending') ? list : undefined;
  });
}
