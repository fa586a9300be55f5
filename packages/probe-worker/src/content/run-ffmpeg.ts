import { spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';

/** The most stderr kept from one decoder: the detector lines are few, a garbage printer is cut off. */
const MAX_STDERR_BYTES = 1024 * 1024;

export interface FfmpegRun {
  outcome: 'exited' | 'timeout' | 'spawn_error';
  code: number | null;
  stderr: string;
  message?: string;
}

/**
 * Runs one ffmpeg child with a hard timeout (SIGKILL when it passes) and bounded stderr. Never rejects:
 * a missing binary, a crash or a hang is an outcome, costing the one check that ran it.
 */
export function runFfmpeg(binary: string, args: string[], timeoutMs: number, cwd?: string): Promise<FfmpegRun> {
  return new Promise((resolve) => {
    let stderr = '';
    let kept = 0;
    let timedOut = false;
    let settled = false;
    // a relative path names a file from here, not from the decoder's working directory
    const file = binary.includes('/') ? resolvePath(binary) : binary;
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const done = (r: FfmpegRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (kept >= MAX_STDERR_BYTES) return;
      stderr += s.slice(0, MAX_STDERR_BYTES - kept);
      kept += s.length;
    });
    child.on('error', (e) => done({ outcome: 'spawn_error', code: null, stderr, message: e.message }));
    child.on('close', (code) => done({ outcome: timedOut ? 'timeout' : 'exited', code, stderr }));
  });
}
