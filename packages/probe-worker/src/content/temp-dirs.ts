import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** video-exporter-<pid>-<process start, ms since the epoch> */
const PROCESS_DIR = /^video-exporter-(\d+)-(\d+)$/;
/** a check's or a decoder's own directory right in the temp dir (`probe --content`, and releases before 0.2) */
const LOOSE_DIR = /^video-exporter-(content|decoder)-[A-Za-z0-9]{6}$/;
/** no check runs this long (timeout ≤ 60 s, a few runs of it): a loose directory older than this is left over */
const LOOSE_DIR_STALE_MS = 10 * 60 * 1000;

/**
 * The directory of this process's content checks. A check removes its own files; what it could not (its
 * worker thread ended mid-check at shutdown, or the process was killed) goes with the directory: at
 * shutdown, or at the next start. The start time tells a restarted container's earlier run apart even
 * when it had the same pid.
 */
export function processTempRoot(base = tmpdir()): string {
  return join(base, `video-exporter-${process.pid}-${Math.round(performance.timeOrigin)}`);
}

/** A fresh directory for one check's inputs or one decoder's outputs, under `root` (made if missing). */
export async function makeContentTempDir(root: string | undefined, kind: 'content' | 'decoder'): Promise<string> {
  const parent = root ?? tmpdir();
  await mkdir(parent, { recursive: true });
  return mkdtemp(join(parent, `video-exporter-${kind}-`));
}

/**
 * Removes the directories of earlier processes (a pid that no longer runs, or this pid with another start
 * time) and loose check directories older than any check. Best effort; returns the names removed.
 */
export async function sweepContentTempDirs(base = tmpdir(), alive = processAlive): Promise<string[]> {
  const own = processTempRoot(base);
  const removed: string[] = [];
  const now = Date.now();
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const path = join(base, name);
    const m = PROCESS_DIR.exec(name);
    if (m) {
      if (path === own || (Number(m[1]) !== process.pid && alive(Number(m[1])))) continue;
    } else if (!LOOSE_DIR.test(name) || !(await olderThan(path, now - LOOSE_DIR_STALE_MS))) continue;
    await rm(path, { recursive: true, force: true }).catch(() => {});
    removed.push(name);
  }
  return removed;
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  return st !== undefined && st.mtimeMs < ms;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
