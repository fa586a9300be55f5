import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeContentTempDir, processTempRoot, sweepContentTempDirs } from '../../src/content/temp-dirs.js';

describe('content check temp dirs', () => {
  const bases: string[] = [];
  const base = () => {
    const b = mkdtempSync(join(tmpdir(), 'temp-dirs-test-'));
    bases.push(b);
    return b;
  };
  afterEach(() => {
    for (const b of bases.splice(0)) rmSync(b, { recursive: true, force: true });
  });

  it('sweeps dead processes and this pid of another start; keeps live ones, its own and foreign names', async () => {
    const b = base();
    const own = processTempRoot(b);
    const names = [
      'video-exporter-424242-1700000000000', // dead
      `video-exporter-${process.pid}-1700000000000`, // this pid, an earlier start (restarted container)
      'video-exporter-77-1700000000000', // alive (as told)
      'video-exporter-content-abc', // not a process dir, nor a check's (6 characters)
      'video-exporter-decoder-Ab12Cd', // a loose check dir, fresh: a `probe --content` may be using it
      'other',
    ];
    for (const n of names) mkdirSync(join(b, n, 'exporter-1'), { recursive: true });
    mkdirSync(own);
    // a loose check dir an hour old: left over
    mkdirSync(join(b, 'video-exporter-content-Xy9zW1'));
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(join(b, 'video-exporter-content-Xy9zW1'), hourAgo, hourAgo);
    writeFileSync(join(b, names[0]!, 'exporter-1', 'v0.h264'), 'x');
    const removed = await sweepContentTempDirs(b, (pid) => pid === 77);
    expect(removed.sort()).toEqual([names[0], names[1], 'video-exporter-content-Xy9zW1'].sort());
    expect(readdirSync(b).sort()).toEqual([names[2], names[3], names[4], 'other', own.slice(b.length + 1)].sort());
  });

  it('makes a fresh directory under the given root, creating the root', async () => {
    const root = join(base(), 'video-exporter-1-2', 'exporter-3');
    const a = await makeContentTempDir(root, 'content');
    const d = await makeContentTempDir(root, 'decoder');
    expect(a.startsWith(`${root}/video-exporter-content-`)).toBe(true);
    expect(d.startsWith(`${root}/video-exporter-decoder-`)).toBe(true);
    expect(readdirSync(root)).toHaveLength(2);
  });
});
