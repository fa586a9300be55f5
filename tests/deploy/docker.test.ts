/**
 * deploy/docker (issue 5 item 1) without a Docker engine: every file, path and port the Dockerfile and
 * docker-compose.yml refer to exists and agrees with the built exporter (its default port, routes, CLI
 * entry point), the build context keeps what the build needs and drops what it must not copy, and the
 * Grafana / Prometheus files compose mounts fit together.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { createRoutes, defaultExporterConfig } from '@video-exporter/aggregator';
import { describe, expect, it } from 'vitest';
import { buildContext, execForm, parseCopy, parseStages, type Stage } from './support/dockerfile.js';
import { exists, ROOT, readText, readYaml, repoPath } from './support/files.js';

const DOCKERFILE = repoPath('deploy/docker/Dockerfile');
const COMPOSE = repoPath('deploy/docker/docker-compose.yml');
const CONFIG_PATH = '/etc/video-exporter/config.yml';

const { globalArgs, stages } = parseStages(readText(DOCKERFILE));
const final = stages.at(-1)!;
const build = stages.find((s) => s.name === 'build')!;
const routes = createRoutes({ registry: undefined as never, view: undefined as never, now: () => 0 });
const PORT = defaultExporterConfig().listen_addr.port;

const all = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword);
const one = (s: Stage, keyword: string) => {
  const found = all(s, keyword);
  expect(found, `${keyword} in stage ${s.name ?? s.image}`).toHaveLength(1);
  return found[0]!;
};

describe('Dockerfile', () => {
  it('is multi-stage: a pnpm build stage, and a node:20-slim runtime with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build, 'a stage named build').toBeDefined();
    expect(final.image).toBe('node:20-slim');
    const runs = all(build, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /\bpnpm install --frozen-lockfile\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bpnpm\b.*\bbuild\b/.test(r))).toBe(true);
    const deploy = runs.find((r) => /\bpnpm\b.*\bdeploy\b/.test(r));
    expect(deploy, 'pnpm deploy').toBeDefined();
    expect(deploy).toMatch(/--prod\b/);
    expect(deploy).toMatch(/--filter @video-exporter\/aggregator\b/);
    // the runtime stage takes nothing from the build context: only the deployed tree of the build stage
    const copies = all(final, 'COPY').map(parseCopy);
    expect(copies.length).toBeGreaterThan(0);
    const out = deploy!.split(/\s+/).at(-1)!;
    for (const c of copies) {
      expect(c.from, `COPY line ${c.line}`).toBe('build');
      for (const s of c.sources)
        expect(s === out || s.startsWith(`${out}/`), `COPY ${s} comes from the pnpm deploy output ${out}`).toBe(true);
    }
    expect(
      all(final, 'RUN')
        .map((r) => r.args)
        .join('\n'),
    ).not.toMatch(/\b(pnpm|npm) (install|i)\b/);
  });

  it('pins the pnpm of package.json and a Node version package.json accepts', () => {
    const pkg = JSON.parse(readText(repoPath('package.json'))) as { packageManager: string; engines: { node: string } };
    const arg = all(build, 'ARG')
      .map((a) => a.args.split('='))
      .find(([k]) => k === 'PNPM_VERSION');
    expect(arg?.[1]).toBe(pkg.packageManager.split('@')[1]);
    const major = Number(/^node:(\d+)/.exec(globalArgs.NODE_IMAGE ?? final.image)![1]);
    const min = /^>=\s*(\d+)/.exec(pkg.engines.node)!;
    expect(major).toBeGreaterThanOrEqual(Number(min[1]));
  });

  it('every COPY source exists in the build context and survives .dockerignore', () => {
    const { files: context, ignored } = buildContext();
    const inContext = (src: string) => {
      const p = src.replace(/\/+$/, '');
      return context.some((f) => f === p || f.startsWith(`${p}/`));
    };
    const fromContext = stages.flatMap((s) => all(s, 'COPY').map(parseCopy)).filter((c) => c.from === undefined);
    expect(fromContext.length).toBeGreaterThan(0);
    for (const c of fromContext) {
      for (const src of c.sources) {
        expect(exists(repoPath(src)), `COPY ${src} (line ${c.line}) exists`).toBe(true);
        expect(inContext(src), `COPY ${src} (line ${c.line}) is not excluded by .dockerignore`).toBe(true);
      }
    }
    // what the build compiles is in the context; host build output and dependencies are not
    for (const pkg of ['flv-parser', 'probe-worker', 'aggregator']) {
      expect(context).toContain(`packages/${pkg}/tsconfig.json`);
      expect(context.some((f) => f.startsWith(`packages/${pkg}/src/`) && f.endsWith('.ts'))).toBe(true);
    }
    expect(context.some((f) => /(^|\/)(dist|node_modules)\//.test(f) || f.endsWith('.tsbuildinfo'))).toBe(false);
    expect(ignored('node_modules/vitest/package.json')).toBe(true);
    expect(ignored('packages/aggregator/node_modules/piscina/package.json')).toBe(true);
    expect(ignored('packages/aggregator/dist/cli.js')).toBe(true);
    // the build stage copies the demo fixtures with cp: they are in the context too
    for (const r of all(build, 'RUN')) {
      const m = /\bcp -r (\S+) /.exec(r.args);
      if (m) expect(inContext(m[1]!), `${m[1]} in the context`).toBe(true);
    }
    expect(context).toContain('packages/aggregator/assets/demo_360p25.flv');
  });

  it('runs the CLI of the aggregator package as a numeric non-root user', () => {
    const user = one(final, 'USER').args;
    expect(user).toMatch(/^\d+(:\d+)?$/); // numeric: Kubernetes runAsNonRoot can verify it
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    const entry = execForm(one(final, 'ENTRYPOINT').args)!;
    expect(entry[0]).toBe('node');
    const workdir = one(final, 'WORKDIR').args;
    const pkg = JSON.parse(readText(repoPath('packages/aggregator/package.json'))) as { bin: Record<string, string> };
    expect(entry[1]).toBe(posix.join(workdir, pkg.bin['video-exporter']!));
    // the deployed tree lands in WORKDIR
    expect(
      all(final, 'COPY')
        .map(parseCopy)
        .some((c) => c.dest.replace(/\/$/, '') === workdir),
    ).toBe(true);
  });

  it('the runtime NODE_OPTIONS are flags Node takes from the environment (some V8 flags it refuses there)', () => {
    const env = one(final, 'ENV').args;
    const value = /NODE_OPTIONS="([^"]+)"/.exec(env)?.[1];
    expect(value).toContain('--max-semi-space-size=1');
    expect(value).toContain('--v8-pool-size=1');
    const run = spawnSync(process.execPath, ['-e', '0'], { env: { PATH: process.env.PATH, NODE_OPTIONS: value } });
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(0);
  });

  it('CMD reads the config from the documented path and listens on all interfaces at the default port', () => {
    const cmd = execForm(one(final, 'CMD').args)!;
    expect(cmd[0]).toBe('run');
    expect(cmd[cmd.indexOf('-c') + 1]).toBe(CONFIG_PATH);
    expect(cmd[cmd.indexOf('--listen') + 1]).toBe(`0.0.0.0:${PORT}`);
    expect(one(final, 'EXPOSE').args).toBe(String(PORT));
    expect(readText(repoPath('README.md'))).toContain(CONFIG_PATH);
  });

  it('HEALTHCHECK runs node against a real route on the exporter port', () => {
    const hc = one(final, 'HEALTHCHECK').args;
    const cmd = execForm(hc.slice(hc.indexOf('CMD') + 3).trim())!;
    expect(cmd[0]).toBe('node');
    const url = new URL(/https?:\/\/[^'"\s)]+/.exec(cmd.join(' '))![0]);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBe(PORT);
    expect(url.pathname).toBe('/healthz');
    expect(routes.match(url.pathname)).toBeDefined();
  });
});

interface ComposeService {
  build?: { context: string; dockerfile: string };
  image?: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
}

describe('docker-compose.yml', () => {
  const compose = readYaml<{ services: Record<string, ComposeService>; volumes?: Record<string, unknown> }>(COMPOSE);
  const here = dirname(COMPOSE);
  const svc = compose.services;
  /** bind mounts: [host path (absolute), container path] */
  const binds = (s: ComposeService) =>
    (s.volumes ?? [])
      .map((v) => v.split(':'))
      .filter(([src]) => src!.startsWith('.') || src!.startsWith('/'))
      .map(([src, dst]) => [resolve(here, src!), dst!] as const);

  it('has the exporter, Prometheus and Grafana', () => {
    expect(Object.keys(svc).sort()).toEqual(['exporter', 'grafana', 'prometheus']);
  });

  it(
    'builds the exporter from the repository root with' +
      ' deploy/docker/Dockerfile and runs the demo on the default port',
    () => {
      const e = svc.exporter!;
      const context = resolve(here, e.build!.context);
      expect(context).toBe(resolve(ROOT));
      expect(resolve(context, e.build!.dockerfile)).toBe(DOCKERFILE);
      const cmd = e.command!;
      expect(cmd[0]).toBe('run');
      expect(cmd).not.toContain('-c'); // no config: the embedded demo
      expect(cmd[cmd.indexOf('--listen') + 1]).toBe(`0.0.0.0:${PORT}`);
      expect(e.ports).toContain(`${PORT}:${PORT}`);
    },
  );

  it('every bind-mounted host path exists, and named volumes are declared', () => {
    for (const [name, s] of Object.entries(svc)) {
      for (const [src] of binds(s)) expect(exists(src), `${name}: ${relative(ROOT, src)}`).toBe(true);
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (!src.startsWith('.') && !src.startsWith('/'))
          expect(compose.volumes ?? {}, `${name}: volume ${src}`).toHaveProperty(src);
      }
    }
  });

  it(
    'Prometheus loads deploy/prometheus/prometheus.yml, scrapes' +
      ' the exporter service at its port and finds its rule files',
    () => {
      const p = svc.prometheus!;
      const configFlag = p.command!.find((c) => c.startsWith('--config.file='))!.split('=')[1]!;
      const mounts = binds(p);
      const configSrc = mounts.find(([, dst]) => dst === configFlag)?.[0];
      expect(configSrc).toBe(repoPath('deploy/prometheus/prometheus.yml'));
      const cfg = readYaml<{
        rule_files: string[];
        scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
      }>(configSrc!);
      const targets = cfg.scrape_configs.flatMap((s) => (s.static_configs ?? []).flatMap((c) => c.targets));
      expect(targets).toContain(`exporter:${PORT}`);
      // rule files are resolved next to the config inside the container: each must be mounted there
      for (const rf of cfg.rule_files) {
        const inContainer = posix.resolve(posix.dirname(configFlag), rf);
        const src = mounts.find(([, dst]) => dst === inContainer)?.[0];
        expect(src, `${rf} mounted at ${inContainer}`).toBeDefined();
        expect(src).toBe(resolve(dirname(configSrc!), rf));
      }
    },
  );

  it('Grafana gets the datasource and the dashboard through provisioning', () => {
    const g = svc.grafana!;
    const mounts = binds(g);
    const dsDir = mounts.find(([, dst]) => dst === '/etc/grafana/provisioning/datasources')?.[0];
    const dbDir = mounts.find(([, dst]) => dst === '/etc/grafana/provisioning/dashboards')?.[0];
    expect(dsDir).toBe(repoPath('deploy/grafana/provisioning/datasources'));
    expect(dbDir).toBe(repoPath('deploy/grafana/provisioning/dashboards'));

    const datasources = readdirSync(dsDir!).flatMap(
      (f) => readYaml<{ datasources: { type: string; url: string }[] }>(join(dsDir!, f)).datasources,
    );
    const prom = datasources.find((d) => d.type === 'prometheus');
    // the compose service name, Prometheus' default port
    expect(prom?.url).toBe('http://prometheus:9090');
    expect(svc.prometheus!.ports).toContain('9090:9090');

    const providers = readdirSync(dbDir!).flatMap(
      (f) => readYaml<{ providers: { type: string; options: { path: string } }[] }>(join(dbDir!, f)).providers,
    );
    expect(providers.length).toBeGreaterThan(0);
    const dashboard = mounts.find(([src]) => src === repoPath('deploy/grafana/video-exporter.json'));
    expect(dashboard, 'the dashboard JSON is mounted').toBeDefined();
    expect(providers.map((p) => p.options.path)).toContain(posix.dirname(dashboard![1]));
    expect(g.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(dashboard![1]);
  });
});
