/**
 * Several exporters of one sharded deployment, each a real `video-exporter run` process (the built
 * CLI), and what the tests ask of them: which streams each owns (/api/streams), its shard view
 * (/status) and its series (/metrics).
 */

import type { ShardStatus } from '@video-exporter/aggregator';
import { configYaml, type ExporterKeys, type StreamSpec } from '../../exporter/support/config-file.js';
import { ExporterProcess } from '../../exporter/support/exporter-process.js';
import { apiStreams, getJson, scrape } from '../../exporter/support/http.js';
import { select } from '../../exporter/support/prom-text.js';

/** The operator's config with an `exporter.sharding` block (written as a YAML flow mapping). */
export function shardedConfigYaml(
  exporter: ExporterKeys,
  sharding: Record<string, string | number>,
  streams: readonly StreamSpec[],
): string {
  const text = configYaml(exporter, streams);
  return text.replace(/^exporter:\n/, `exporter:\n  sharding: ${JSON.stringify(sharding)}\n`);
}

/** Stream keys as the exporter builds them: project/line(lower-cased)/id. */
export const keyOf = (s: StreamSpec): string => `${s.project}/${s.line.toLowerCase()}/${s.id}`;

export class Pod {
  url = '';

  private constructor(
    readonly name: string,
    readonly process: ExporterProcess,
  ) {}

  static spawn(name: string, configPath: string, env: NodeJS.ProcessEnv): Pod {
    return new Pod(name, ExporterProcess.spawn(configPath, { env }));
  }

  async ready(timeoutMs = 20_000): Promise<this> {
    this.url = await this.process.ready(timeoutMs);
    return this;
  }

  async shard(): Promise<ShardStatus> {
    const r = await getJson<{ shard: ShardStatus }>(`${this.url}/status`);
    if (r.status !== 200) throw new Error(`${this.name}: /status answered ${r.status}`);
    return r.body.shard;
  }

  /** the keys of the streams this pod probes */
  async owned(): Promise<string[]> {
    return (await apiStreams(this.url)).map((s) => s.key);
  }

  /** the keys of the streams with a video_stream_up series on this pod's /metrics */
  async exported(): Promise<string[]> {
    const m = await scrape(this.url);
    return select(m, 'video_stream_up').map((s) => `${s.labels.project}/${s.labels.line}/${s.labels.id}`);
  }

  /** log lines "shard peers changed" so far */
  peerChanges(): Record<string, unknown>[] {
    return this.process.logs.filter((l) => l.message === 'shard peers changed');
  }
}

/** key -> the pods that report it; a correct split has exactly one pod per key */
export async function ownersByKey(
  pods: readonly Pod[],
  what: (p: Pod) => Promise<string[]> = (p) => p.owned(),
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const lists = await Promise.all(pods.map(async (p) => [p.name, await what(p)] as const));
  for (const [name, keys] of lists) for (const k of keys) out.set(k, [...(out.get(k) ?? []), name]);
  return out;
}

/** undefined unless every key has exactly one owner among the pods and no pod has a stray key */
export function exactSplit(owners: Map<string, string[]>, keys: readonly string[]): Map<string, string> | undefined {
  if (owners.size !== keys.length) return undefined;
  const split = new Map<string, string>();
  for (const k of keys) {
    const o = owners.get(k);
    if (o?.length !== 1) return undefined;
    split.set(k, o[0]!);
  }
  return split;
}

/** a readable account of what is wrong with a split, for assertion messages */
export function describeSplit(owners: Map<string, string[]>, keys: readonly string[]): string {
  const missing = keys.filter((k) => !owners.has(k));
  const doubled = [...owners].filter(([, o]) => o.length > 1).map(([k, o]) => `${k}@${o.join('+')}`);
  const stray = [...owners.keys()].filter((k) => !keys.includes(k));
  return (
    `missing ${missing.length} [${missing.slice(0, 5).join(', ')}], doubled ${doubled.length}` +
    ` [${doubled.slice(0, 5).join(', ')}], stray ${stray.length}`
  );
}
