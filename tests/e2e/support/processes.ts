import { type ChildProcess, spawn } from 'node:child_process';

export { freePorts } from '../../support/ports.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ChildOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** 'pipe' keeps the child's stdin open for as long as this process lives (nms-server.mjs stops on EOF) */
  stdin?: 'pipe' | 'ignore';
}

/** Keep only the tail of a child's chatter: enough for a failure message, bounded for a looping ffmpeg. */
const OUTPUT_TAIL_CHARS = 8_000;

/**
 * A child process owned by one test file: its stdout and stderr are drained into a bounded tail (shown when
 * something fails), and `stop()` always ends it — SIGTERM first, SIGKILL after the grace period.
 */
export class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<ChildExit>;
  private tail = '';
  private lineWaiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: ChildOptions,
  ) {
    this.proc = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
      // Stay in the test's process group, so an interrupted run takes the child down with it.
      detached: false,
    });
    const collect = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      for (const wake of this.lineWaiters) wake();
    };
    this.proc.stdout!.on('data', collect);
    this.proc.stderr!.on('data', collect);
    this.exited = new Promise<ChildExit>((resolve) => {
      this.proc.once('exit', (code, signal) => resolve({ code, signal }));
      // A spawn failure (ENOENT) emits 'error' and never 'exit'.
      this.proc.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    this.exited.then(() => {
      for (const wake of this.lineWaiters) wake();
    });
  }

  /** true once the process has exited (or failed to start) */
  get done(): boolean {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  /** The last few KB of stdout + stderr, labelled for a failure message. */
  output(): string {
    return `--- ${this.name} output (tail) ---\n${this.tail || '(nothing)'}\n---`;
  }

  /** Resolves when a whole output line equals `line`; rejects when the child exits first or time runs out. */
  waitForLine(line: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let exitedWith: ChildExit | undefined;
      void this.exited.then((e) => (exitedWith = e));
      const timer = setTimeout(
        () => finish(new Error(`${this.name}: no "${line}" line within ${timeoutMs} ms\n${this.output()}`)),
        timeoutMs,
      );
      const check = () => {
        if (this.tail.split(/\r?\n/).includes(line)) return finish();
        if (exitedWith || this.done) {
          const how = exitedWith?.error
            ? exitedWith.error.message
            : `code ${this.proc.exitCode}, signal ${this.proc.signalCode}`;
          finish(new Error(`${this.name} exited (${how}) before printing "${line}"\n${this.output()}`));
        }
      };
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.lineWaiters = this.lineWaiters.filter((w) => w !== check);
        if (err) reject(err);
        else resolve();
      };
      this.lineWaiters.push(check);
      // exitedWith is set in a microtask: look again once it had its chance.
      queueMicrotask(check);
    });
  }

  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 2_000): Promise<ChildExit> {
    if (this.done || this.proc.pid === undefined) return this.exited;
    this.proc.kill('SIGTERM');
    const inTime = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!inTime && !this.done) this.proc.kill('SIGKILL');
    return this.exited;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
