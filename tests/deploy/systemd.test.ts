/**
 * deploy/systemd/video-exporter.service (issue 5 item 6): systemd itself verifies the unit and rates
 * its sandbox; the command line is the aggregator's CLI with the config at the documented path; the
 * hardening that matters is there and nothing that would break node (V8's JIT) is.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from './support/files.js';

const UNIT = repoPath('deploy/systemd/video-exporter.service');
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const CONFIG_PATH = '/etc/video-exporter/config.yml';
const text = readFileSync(UNIT, 'utf8');

/** key -> values (a key may repeat), per section */
function parseUnit(t: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of t.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      current = new Map();
      sections.set(sec[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`cannot parse unit line ${JSON.stringify(line)}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const unit = parseUnit(text);
const service = unit.get('Service')!;
const get = (key: string) => service.get(key)?.at(-1);

/**
 * The unit with ExecStart's node swapped for this machine's node when it lives elsewhere (verify checks the binary).
 */
function unitForThisMachine(): string {
  return text.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `);
}

function analyze(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 've-systemd-'));
  try {
    const file = join(dir, 'video-exporter.service');
    writeFileSync(file, unitForThisMachine());
    const r = spawnSync(SYSTEMD_ANALYZE, [...args, file], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' },
    });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('systemd unit', () => {
  it('systemd-analyze verify accepts it without a warning', () => {
    const r = analyze(['verify']);
    expect(r.stderr.trim()).toBe('');
    expect(r.code).toBe(0);
  });

  it('systemd-analyze security rates the sandbox OK (exposure below 2)', () => {
    const r = analyze(['security', '--offline=yes']);
    const m = /Overall exposure level for video-exporter\.service: ([\d.]+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(2);
  });

  it(
    'runs the aggregator CLI with the config at the documented' + ' path, reloads on SIGHUP, stops within the timeout',
    () => {
      const exec = get('ExecStart')!.split(/\s+/);
      expect(exec[0]).toMatch(/\/node$/);
      const pkg = JSON.parse(readFileSync(repoPath('packages/aggregator/package.json'), 'utf8')) as {
        bin: Record<string, string>;
      };
      expect(exec[1]!.endsWith(pkg.bin['video-exporter']!.replace(/^\.\//, '/'))).toBe(true);
      expect(exec.slice(2)).toEqual(['run', '-c', CONFIG_PATH]);
      expect(get('ExecReload')).toMatch(/kill -HUP \$MAINPID/);
      // the exporter exits within 10 s of SIGTERM (SPEC §7); systemd must not SIGKILL it before that
      const stop = /^(\d+)s$/.exec(get('TimeoutStopSec') ?? '')!;
      expect(Number(stop[1])).toBeGreaterThan(10);
      expect(get('Type')).toBe('simple');
    },
  );

  it("is hardened, and leaves out MemoryDenyWriteExecute (node's JIT needs it off)", () => {
    expect(get('DynamicUser') === 'yes' || (get('User') ?? 'root') !== 'root').toBe(true);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['RestrictNamespaces', 'yes'],
      ['LockPersonality', 'yes'],
    ])
      expect(get(key!), key).toBe(value);
    expect(get('CapabilityBoundingSet')).toBe('');
    expect(get('RestrictAddressFamilies')!.split(/\s+/).sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
    expect(get('MemoryDenyWriteExecute') ?? 'no').toBe('no');
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });
});
