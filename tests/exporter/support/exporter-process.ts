/**
 * Runs `video-exporter run` as a child process (the built CLI, as an operator would) and collects its
 * JSON log lines. Every child started here is also killed when the test process exits, so a failed or
 * interrupted test leaves nothing running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../../packages/aggregator/dist/cli.js', import.meta.url));
export const LIVE_FIXTURE = fileURLToPath(new URL('../../fixtures/live/live_720p25.flv', import.meta.url));

export interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Spawns a child that is SIGKILLed at the latest when this process exits. */
export function spawnTracked(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ExporterProcess {
  readonly logs: LogLine[] = [];
  /** stdout lines that were not JSON (LOG_FORMAT=json promises none) */
  readonly nonJson: string[] = [];
  stderr = '';
  readonly exited: Promise<Exited>;
  private exitInfo?: Exited;
  private waiters: Array<() => void> = [];

  private constructor(readonly child: ChildProcess) {
    onLines(child.stdout!, (line) => this.take(line));
    // winston writes error-level lines to stderr (JSON too); keep the raw text for start-up errors
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.wake();
    });
    onLines(child.stderr!, (line) => {
      if (line.startsWith('{')) this.take(line);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.wake();
        resolve(this.exitInfo);
      });
    });
  }

  /** `run -c configPath [--listen ...]` with LOG_FORMAT=json. */
  static spawn(configPath: string, o: { listen?: string; env?: NodeJS.ProcessEnv } = {}): ExporterProcess {
    const args = [CLI, 'run', '-c', configPath, '--listen', o.listen ?? '127.0.0.1:0'];
    return new ExporterProcess(spawnTracked(process.execPath, args, { LOG_FORMAT: 'json', ...o.env }));
  }

  /** `run <args...>` with LOG_FORMAT=json, for flags spawn() does not know (e.g. `--web.config.file`). */
  static spawnRun(args: readonly string[], env: NodeJS.ProcessEnv = {}): ExporterProcess {
    return new ExporterProcess(spawnTracked(process.execPath, [CLI, 'run', ...args], { LOG_FORMAT: 'json', ...env }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Resolves with the first log line (already seen or future) matching `pred`. */
  async waitForLog(pred: (l: LogLine) => boolean, timeoutMs: number, what = 'log line', from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs.slice(from).find(pred);
      if (hit) return hit;
      if (!this.running)
        throw new Error(`exporter exited (${JSON.stringify(this.exitInfo)}) before ${what}; stderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; last lines:\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for "exporter started", returns its base URL once /readyz answers 200. */
  async ready(timeoutMs = 15_000): Promise<string> {
    const started = await this.waitForLog((l) => l.message === 'exporter started', timeoutMs, '"exporter started"');
    const url = String(started.listen);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await fetch(`${url}/readyz`).catch(() => undefined);
      if (r?.status === 200) return url;
      if (Date.now() > deadline) throw new Error(`/readyz not 200 within ${timeoutMs} ms (last ${r?.status})`);
      await sleep(100);
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Safe to call twice. */
  async stop(graceMs = 10_000): Promise<Exited> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(t);
    }
    return this.exited;
  }

  tail(n = 15): string {
    return this.logs
      .slice(-n)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }

  private take(line: string): void {
    if (line.trim() === '') return;
    try {
      this.logs.push(JSON.parse(line) as LogLine);
    } catch {
      this.nonJson.push(line);
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

function onLines(stream: NodeJS.ReadableStream, take: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      take(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    await sleep(everyMs);
  }
}
