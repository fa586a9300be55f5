/**
 * The Dockerfile's build stage replayed without Docker (no engine on CI machines): its COPY
 * instructions applied to the build context as .dockerignore leaves it, its RUN commands run in order
 * in a temporary directory (pnpm offline, from the store `pnpm install` filled, with an EMPTY metadata
 * cache so nothing an earlier `pnpm add` left behind can help: the lockfile alone must do; the global
 * pnpm install is skipped, docker.test.ts checks its version), the image's absolute paths mapped into that
 * directory. Then the tree the runtime stage copies to /app is checked: production dependencies only,
 * the demo fixtures present, and the CLI runs from it, worker threads and all.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContext, execForm, parseCopy, parseStages } from './support/dockerfile.js';
import { ROOT, readText, repoPath } from './support/files.js';

const { stages } = parseStages(readText(repoPath('deploy/docker/Dockerfile')));
const build = stages.find((s) => s.name === 'build')!;
const final = stages.at(-1)!;

describe('Dockerfile build stage, replayed', () => {
  let tmp: string;
  let app: string;
  const log: string[] = [];

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 've-image-'));
    const { files } = buildContext();
    // container paths -> host paths under tmp
    const host = (p: string) => join(tmp, p);
    let workdir = '/';
    const coldCache = join(tmp, '.pnpm-cache');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CI: 'true',
      npm_config_offline: 'true',
      npm_config_cache_dir: coldCache,
    };
    for (const ins of build.instructions) {
      if (ins.keyword === 'WORKDIR') {
        workdir = posix.resolve(workdir, ins.args);
        mkdirSync(host(workdir), { recursive: true });
      } else if (ins.keyword === 'ENV') {
        for (const m of ins.args.matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
      } else if (ins.keyword === 'COPY') {
        const c = parseCopy(ins);
        const dest = posix.resolve(workdir, c.dest);
        for (const src of c.sources) {
          const prefix = src.replace(/\/+$/, '');
          for (const f of files.filter((x) => x === prefix || x.startsWith(`${prefix}/`))) {
            // a directory source copies its contents into dest; a file source lands in dest/
            const rel = f === prefix ? posix.basename(f) : f.slice(prefix.length + 1);
            const target = host(posix.join(dest, rel));
            mkdirSync(dirname(target), { recursive: true });
            cpSync(join(ROOT, f), target);
          }
        }
      } else if (ins.keyword === 'RUN') {
        if (/^npm install -g "?pnpm@/.test(ins.args)) continue;
        // absolute image paths (the deploy output) into tmp
        const cmd = ins.args.replace(/(^|\s)\/(?=[a-z])/g, `$1${tmp}/`);
        const started = Date.now();
        const r = spawnSync('sh', ['-c', cmd], { cwd: host(workdir), env, encoding: 'utf8', timeout: 150_000 });
        log.push(`$ ${cmd}  (${Date.now() - started} ms)\n${r.stdout}${r.stderr}`);
        if (r.status !== 0)
          throw new Error(`RUN ${ins.args} (line ${ins.line}) failed with ${r.status ?? r.signal}:\n${log.join('\n')}`);
      }
    }
    // the runtime stage: COPY --from=build <deploy output> <WORKDIR>
    const copy = final.instructions.filter((i) => i.keyword === 'COPY').map(parseCopy)[0]!;
    app = host(copy.sources[0]!);
  }, 240_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('produces the app tree: the CLI, its package.json and the demo fixtures', () => {
    expect(existsSync(join(app, 'dist/cli.js'))).toBe(true);
    expect(existsSync(join(app, 'package.json'))).toBe(true);
    expect(existsSync(join(app, 'assets/demo_360p25.flv'))).toBe(true);
    expect(existsSync(join(app, 'src')), 'no TypeScript sources in the image').toBe(false);
    // the Kubernetes demo source runs the live source from the same image: its command names this file
    const demoSource = readText(repoPath('deploy/k8s/demo-source.yaml'));
    const main = /command: \["node", "\/app\/([^"]+)"\]/.exec(demoSource)?.[1];
    expect(main).toBe('node_modules/@video-exporter/live-source/dist/main.js');
    expect(existsSync(join(app, main!))).toBe(true);
  });

  it('holds the production dependencies and no development ones', () => {
    const pkg = JSON.parse(readFileSync(repoPath('packages/aggregator/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(app, 'node_modules', dep)), dep).toBe(true);
    const root = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const store = readdirSync(join(app, 'node_modules/.pnpm'));
    const dev = [...Object.keys(root.devDependencies), '@types/js-yaml'].filter(
      (d) => !d.startsWith('@video-exporter/'),
    );
    for (const d of dev)
      expect(
        store.filter((s) => s.startsWith(`${d.replace('/', '+')}@`)),
        d,
      ).toEqual([]);
  });

  it('runs: --version, check-config and a probe through the worker pool, from the app tree alone', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(app, 'dist/cli.js'), ...args], {
        cwd: app,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH, DEMO_STREAM_TOKEN: 't' },
      });
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { version: string };
    const version = run('--version');
    expect(version.stdout.trim()).toBe(pkg.version);
    const check = run('check-config', repoPath('deploy/k8s/config.yml'));
    expect(check.status, check.stderr).toBe(0);
    const probe = run('probe', join(app, 'assets/demo_360p25.flv'), '--json');
    expect(probe.status, probe.stderr).toBe(0);
    const result = JSON.parse(probe.stdout) as { ok: boolean; video: { codec: string; width: number; height: number } };
    expect(result.ok).toBe(true);
    expect(result.video).toMatchObject({ codec: 'H.264', width: 640, height: 360 });
    // the entry point the image runs is this file
    expect(execForm(final.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args)).toEqual([
      'node',
      posix.join('/app', 'dist/cli.js'),
    ]);
  }, 90_000);
});
