// Child processes of the bench: every one is tracked and SIGKILLed when the bench exits for any reason
// (normal end, error, Ctrl-C, SIGTERM, a per-N timeout), so a failed run leaves nothing behind.
import { spawn } from 'node:child_process';
import net from 'node:net';

const children = new Set();

function killAllNow() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

process.once('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    process.stderr.write(`\nbench: ${sig}, killing ${children.size} child process(es)\n`);
    killAllNow();
    process.exit(130);
  });
}

/**
 * Spawns a tracked child; keeps the last `keepBytes` of its stdout/stderr for error messages.
 * `onLine` receives stdout lines.
 */
export function spawnTracked(command, args, { cwd, env, onLine, keepBytes = 8192 } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.out = '';
  child.err = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    child.out = (child.out + d).slice(-keepBytes);
    if (!onLine) return;
    pending += d;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    child.err = (child.err + d).slice(-keepBytes);
  });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

export function running(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, SIGKILL after `graceMs`; resolves with how it ended. Safe on a dead child. */
export async function stopChild(child, graceMs = 10_000) {
  if (!running(child)) return child.exited;
  child.kill('SIGTERM');
  const t = setTimeout(() => running(child) && child.kill('SIGKILL'), graceMs);
  const how = await child.exited;
  clearTimeout(t);
  return how;
}

/** Stops every tracked child except those in `keep`. */
export async function stopAll(graceMs = 5000, keep = []) {
  await Promise.all([...children].filter((c) => !keep.includes(c)).map((c) => stopChild(c, graceMs)));
}

export function liveChildren() {
  return children.size;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (the exporter needs a fixed --listen). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects with `what` after `ms` unless `promise` settles first. */
export function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: timed out after ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}
