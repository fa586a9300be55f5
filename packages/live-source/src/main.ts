#!/usr/bin/env node
/**
 * Runs the live source in its own process (the benchmark spawns it so its CPU is not the exporter's):
 *   node dist/main.js --port 0 --host 127.0.0.1 --fixture name=path [--fixture ...]
 *        [--tick-ms 20] [--gop-cache] [--max-backlog-ms 10000] [--report-streams] [--rtmp-port 0]
 * Prints one JSON line {"url":"http://127.0.0.1:PORT"} (plus "rtmpUrl":"rtmp://127.0.0.1:PORT" with
 * --rtmp-port) once listening, and with --report-streams one {"stream":"/live/…","burst_ms":N} line per
 * stream body started (the GOP-cache burst it got); exits 0 on SIGTERM/SIGINT,
 * 2 on a usage error, 1 when it cannot start.
 */
import { parseArgs } from 'node:util';
import type { LiveSource, StreamStart } from './server.js';
import { startLiveSource } from './server.js';

function usage(message: string): never {
  const usageLine =
    'usage: main.js --fixture name=path [--fixture ...] [--port 0] [--host 127.0.0.1] [--tick-ms 20] [--gop-cache]' +
    ' [--max-backlog-ms 10000] [--report-streams] [--rtmp-port 0]';
  process.stderr.write(`live-source: ${message}\n${usageLine}\n`);
  process.exit(2);
}

function intArg(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) usage(`--${name} must be an integer >= ${min}, got ${value}`);
  return Number(value);
}

/** --report-streams: one JSON line per stream body started, the truth for start-lag tests */
function reportStream(s: StreamStart): void {
  process.stdout.write(`${JSON.stringify({ stream: s.path, burst_ms: s.burstMs })}\n`);
}

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  fixture: { type: 'string', multiple: true },
  'tick-ms': { type: 'string' },
  'gop-cache': { type: 'boolean' },
  'max-backlog-ms': { type: 'string' },
  'rtmp-port': { type: 'string' },
  'report-streams': { type: 'boolean' },
} as const;

function parseFlags(): ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>
> {
  try {
    return parseArgs({ options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    usage((err as Error).message);
  }
}

async function main(): Promise<void> {
  const parsed = parseFlags();
  const { values } = parsed;
  const fixtures: Record<string, string> = {};
  for (const spec of values.fixture ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) usage(`--fixture expects name=path, got ${spec}`);
    fixtures[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  if (Object.keys(fixtures).length === 0) usage('at least one --fixture name=path is needed');

  let source: LiveSource;
  try {
    source = await startLiveSource({
      host: values.host,
      port: intArg(values.port, 'port', 0),
      fixtures,
      tickMs: intArg(values['tick-ms'], 'tick-ms', 1),
      gopCache: values['gop-cache'],
      maxBacklogMs: intArg(values['max-backlog-ms'], 'max-backlog-ms', 0),
      rtmpPort: intArg(values['rtmp-port'], 'rtmp-port', 0),
      ...(values['report-streams'] ? { onStreamStart: reportStream } : {}),
    });
  } catch (err) {
    process.stderr.write(`live-source: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const urls = { url: source.url, ...(source.rtmpUrl ? { rtmpUrl: source.rtmpUrl } : {}) };
  process.stdout.write(`${JSON.stringify(urls)}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    source.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
