/**
 * The project's live source in a child process (packages/live-source/dist/main.js, as the benchmarks run
 * it). Timing tests use it so that the source's pacing timer does not share an event loop with the code
 * under test: on a busy 2-core machine, a probe reading in the same process as the source sees the
 * source's own pauses as read stalls.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spawnTracked, stopChild } from '../exporter/support/exporter-process.js';

const MAIN = fileURLToPath(new URL('../../packages/live-source/dist/main.js', import.meta.url));
const START_TIMEOUT_MS = 15_000;

export interface LiveSourceProcess {
  /** http://127.0.0.1:PORT */
  url: string;
  /** the HTTP port */
  port: number;
  /** rtmp://127.0.0.1:PORT when started with `rtmp` */
  rtmpUrl?: string;
  close(): Promise<void>;
}

export interface LiveSourceProcessOptions {
  /** name → FLV path, served at /live/<name>/<anything>.flv */
  fixtures: Record<string, string>;
  gopCache?: boolean;
  tickMs?: number;
  /** told of every stream body the source starts: its path and the GOP-cache burst it sent (--report-streams) */
  onStreamStart?: (start: { stream: string; burst_ms: number }) => void;
  /** also serve RTMP on an ephemeral port (--rtmp-port 0) */
  rtmp?: boolean;
}

/** Starts the source and resolves once it printed its URL (rejects with its stderr if it did not). */
export async function startLiveSourceProcess(o: LiveSourceProcessOptions): Promise<LiveSourceProcess> {
  const args = [MAIN, '--port', '0', '--host', '127.0.0.1'];
  for (const [name, path] of Object.entries(o.fixtures)) args.push('--fixture', `${name}=${path}`);
  if (o.gopCache) args.push('--gop-cache');
  if (o.tickMs !== undefined) args.push('--tick-ms', String(o.tickMs));
  if (o.onStreamStart) args.push('--report-streams');
  if (o.rtmp) args.push('--rtmp-port', '0');
  const child = spawnTracked(process.execPath, args);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  try {
    const ready = await new Promise<{ url: string; rtmpUrl?: string }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`live source: no URL after ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { url: string; rtmpUrl?: string });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`live source exited ${code}: ${stderr.trim()}`));
      });
    });
    const report = o.onStreamStart;
    if (report) lines.on('line', (line) => report(JSON.parse(line) as { stream: string; burst_ms: number }));
    const port = Number(new URL(ready.url).port);
    return { ...ready, port, close: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}
