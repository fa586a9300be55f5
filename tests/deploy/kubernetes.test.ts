/**
 * deploy/k8s (issue 5 item 2): `kubectl kustomize` builds it; every object validates offline against
 * the Kubernetes schemas (kubernetes-models) and has no field the schema lacks; and what the manifests
 * say about the exporter (port, probe paths, config path, env names, shutdown time, sharding) agrees
 * with the built exporter itself, read from packages/aggregator/dist.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRoutes, defaultExporterConfig, parseConfigText } from '@video-exporter/aggregator';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGGREGATOR_DIST, envNamesReadByExporter, parseYamlAll, readYaml, repoPath } from './support/files.js';
import { createFieldChecker, type KindRef, modelModule } from './support/k8s-fields.js';

type Obj = KindRef & {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
};

// minimal shapes of what the assertions read (kubernetes-models validates the full objects)
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  envFrom?: { secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: { name: string; configMap?: { name: string } }[];
}
interface Deployment extends Obj {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
}
interface Service extends Obj {
  spec: {
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: string | number }[];
  };
}

const CONFIG_FILE = 'config.yml';

function kustomize(): Obj[] {
  const r = spawnSync('kubectl', ['kustomize', repoPath('deploy/k8s')], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`kubectl kustomize failed (${r.status}):\n${r.stderr}`);
  return parseYamlAll(r.stdout) as Obj[];
}

/** The Deployment's pods: the one whose containers run the exporter CLI (`run -c ...`). */
const isExporter = (d: Deployment) => d.spec.template.spec.containers.some((c) => c.args?.[0] === 'run');
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/k8s (kustomize)', () => {
  let objects: Obj[];
  let deployment: Deployment;
  let container: Container;
  let podLabels: Record<string, string>;
  const ofKind = <T extends Obj>(kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];

  beforeAll(() => {
    objects = kustomize();
    const exporters = ofKind<Deployment>('Deployment').filter(isExporter);
    expect(exporters, 'exactly one Deployment runs the exporter').toHaveLength(1);
    deployment = exporters[0]!;
    container = deployment.spec.template.spec.containers.find((c) => c.args?.[0] === 'run')!;
    podLabels = deployment.spec.template.metadata.labels;
  });

  it('kubectl kustomize builds every object the issue lists', () => {
    const kinds = objects.map((o) => `${o.apiVersion}/${o.kind}`).sort();
    for (const k of [
      'v1/ConfigMap',
      'v1/Secret',
      'v1/Service',
      'apps/v1/Deployment',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'policy/v1/PodDisruptionBudget',
      'monitoring.coreos.com/v1/PodMonitor',
      'monitoring.coreos.com/v1/PrometheusRule',
    ])
      expect(kinds, k).toContain(k);
    // names are unique per kind, and namespaced objects land in one namespace
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
    expect(namespaces.size).toBe(1);
    expect([...namespaces][0]).toBeTruthy();
  });

  it('every built-in object validates against its kubernetes-models schema', async () => {
    const builtIn = objects.filter((o) => !o.apiVersion.startsWith('monitoring.coreos.com/'));
    expect(builtIn.length).toBeGreaterThanOrEqual(8);
    for (const o of builtIn) {
      const mod = (await import(modelModule(o))) as Record<string, new (data: unknown) => { validate(): void }>;
      const Model = mod[o.kind];
      expect(Model, `model class for ${o.apiVersion} ${o.kind}`).toBeTypeOf('function');
      expect(() => new Model!(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it('no object has a field its schema does not define (kubernetes-models does not check that)', () => {
    const check = createFieldChecker(objects);
    const problems = objects.flatMap((o) => check(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
  }, 60_000);

  it('the unknown-field check catches misspelt and misplaced fields', () => {
    const broken = structuredClone(deployment) as Deployment & { spec: Record<string, unknown> };
    const c = broken.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
    c.readinesProbe = c.readinessProbe; // typo
    (c.securityContext as Record<string, unknown>).readOnlyRootFileSystem = true; // wrong case
    broken.spec.terminationGracePeriodSeconds = 30; // belongs to the pod spec
    const problems = createFieldChecker([broken])(broken);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/containers\[0\]\.readinesProbe: unknown field/);
    expect(problems.join('\n')).toMatch(/securityContext\.readOnlyRootFileSystem: unknown field/);
    expect(problems.join('\n')).toMatch(/^spec\.terminationGracePeriodSeconds: unknown field/m);
  }, 60_000);

  it('PodMonitor and PrometheusRule are well-formed for the Prometheus Operator', () => {
    const [monitor] = ofKind<
      Obj & {
        spec: {
          selector: { matchLabels: Record<string, string> };
          podMetricsEndpoints: { port: string; path: string; interval?: string; scrapeTimeout?: string }[];
        };
      }
    >('PodMonitor');
    expect(monitor).toBeDefined();
    expect(selects(monitor!.spec.selector.matchLabels, podLabels), 'PodMonitor selects the exporter pods').toBe(true);
    const portNames = (container.ports ?? []).map((p) => p.name);
    expect(monitor!.spec.podMetricsEndpoints.length).toBeGreaterThan(0);
    const duration = /^(\d+(ms|s|m|h))+$/;
    for (const e of monitor!.spec.podMetricsEndpoints) {
      expect(portNames).toContain(e.port);
      expect(e.path).toBe('/metrics');
      if (e.interval) expect(e.interval).toMatch(duration);
      if (e.scrapeTimeout) expect(e.scrapeTimeout).toMatch(duration);
    }

    const [rule] = ofKind<
      Obj & {
        spec: { groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string }[] }[] };
      }
    >('PrometheusRule');
    expect(rule).toBeDefined();
    const groups = rule!.spec.groups;
    expect(groups.length).toBeGreaterThan(0);
    expect(new Set(groups.map((g) => g.name)).size).toBe(groups.length);
    for (const g of groups) {
      expect(g.rules.length).toBeGreaterThan(0);
      for (const r of g.rules) {
        expect(Number(r.alert !== undefined) + Number(r.record !== undefined), `${g.name}: alert xor record`).toBe(1);
        expect(typeof r.expr === 'string' && r.expr.trim() !== '').toBe(true);
        if (r.for !== undefined) expect(r.for).toMatch(duration);
      }
    }
  });

  it('the PrometheusRule carries exactly the groups of deploy/prometheus/alerts.yml and sla.yml', () => {
    const [rule] = ofKind<Obj & { spec: { groups: unknown[] } }>('PrometheusRule');
    const alerts = readYaml<{ groups: unknown[] }>(repoPath('deploy/prometheus/alerts.yml'));
    const sla = readYaml<{ groups: unknown[] }>(repoPath('deploy/prometheus/sla.yml'));
    // after an edit of either: node deploy/prometheus/sync-prometheusrule.mjs
    expect(rule!.spec.groups).toEqual([...alerts.groups, ...sla.groups]);
  });

  it('the Deployment: 2 replicas, resources, probes on the exporter routes, locked-down security context', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(selects(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    const res = container.resources;
    for (const r of ['cpu', 'memory']) {
      expect(res?.requests?.[r], `requests.${r}`).toBeTruthy();
      expect(res?.limits?.[r], `limits.${r}`).toBeTruthy();
    }
    // the probe paths are routes of the built exporter's route table
    const routes = createRoutes({ registry: undefined as never, view: undefined as never, now: () => 0 });
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    for (const probe of [container.readinessProbe!, container.livenessProbe!]) {
      expect(routes.match(probe.httpGet!.path), probe.httpGet!.path).toBeDefined();
      const port = probe.httpGet!.port;
      const resolved = typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
      expect(resolved, `probe port ${port}`).toBe(container.ports?.[0]?.containerPort);
    }
    expect(routes.match('/no-such-route')).toBeUndefined(); // the lookup can say no

    const pod = deployment.spec.template.spec;
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    const sc = container.securityContext;
    expect(sc?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
    expect(sc?.readOnlyRootFilesystem).toBe(true);
    expect(sc?.allowPrivilegeEscalation).toBe(false);
    expect(sc?.capabilities?.drop).toEqual(['ALL']);
    expect(sc?.capabilities?.add ?? []).toEqual([]);
  });

  it("terminationGracePeriodSeconds exceeds the exporter's own shutdown deadline", () => {
    // run.ts force-exits after FORCE_EXIT_MS; SPEC §7 promises exit within 10 s
    const run = readFileSync(`${AGGREGATOR_DIST}/commands/run.js`, 'utf8');
    const m = /FORCE_EXIT_MS\s*=\s*([\d_]+)/.exec(run);
    expect(m, 'FORCE_EXIT_MS in dist/commands/run.js').not.toBeNull();
    const shutdownS = Math.max(10, Number(m![1]!.replace(/_/g, '')) / 1000);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(shutdownS);
  });

  it('container port, config mount path and listen address agree with the exporter', () => {
    const cm = ofKind<Obj & { data: Record<string, string> }>('ConfigMap');
    expect(cm).toHaveLength(1);
    expect(Object.keys(cm[0]!.data)).toEqual([CONFIG_FILE]);
    // `run -c <path>`: the file the exporter reads is the ConfigMap key inside the mounted directory
    const args = container.args!;
    const path = args[args.indexOf('-c') + 1]!;
    const volume = deployment.spec.template.spec.volumes?.find((v) => v.configMap?.name === cm[0]!.metadata.name);
    expect(volume, 'a volume of the ConfigMap').toBeDefined();
    const mount = container.volumeMounts?.find((m) => m.name === volume!.name);
    expect(mount, 'the ConfigMap volume is mounted').toBeDefined();
    // a subPath mount would never see ConfigMap updates, and the exporter reloads on change
    expect(mount!.subPath).toBeUndefined();
    expect(path).toBe(`${mount!.mountPath}/${CONFIG_FILE}`);
    // the image's documented config path (Dockerfile CMD) is the same
    expect(readFileSync(repoPath('deploy/docker/Dockerfile'), 'utf8')).toContain(`"-c", "${path}"`);

    // the config's listen port is the container port (the exporter's default port too)
    const secret = ofKind<Obj & { stringData?: Record<string, string> }>('Secret')[0]!;
    const config = parseConfigText(cm[0]!.data[CONFIG_FILE]!, { source: CONFIG_FILE, env: { ...secret.stringData } });
    const port = container.ports?.find((p) => p.name === 'http')?.containerPort;
    expect(config.exporter.listen_addr.port).toBe(port);
    expect(defaultExporterConfig().listen_addr.port).toBe(port);
    // the pod annotations for annotation-based scraping name the same port and the metrics route
    const ann = deployment.spec.template.metadata.annotations ?? {};
    expect(ann['prometheus.io/scrape']).toBe('true');
    expect(ann['prometheus.io/port']).toBe(String(port));
    expect(ann['prometheus.io/path']).toBe('/metrics');
  });

  it('the ConfigMap shards by DNS over the headless Service, which publishes not-ready pods', () => {
    const cm = ofKind<Obj & { data: Record<string, string> }>('ConfigMap')[0]!;
    const secret = ofKind<Obj & { stringData?: Record<string, string> }>('Secret')[0]!;
    const config = parseConfigText(cm.data[CONFIG_FILE]!, { source: CONFIG_FILE, env: { ...secret.stringData } });
    expect(config.exporter.sharding.mode).toBe('dns');
    const service = config.exporter.sharding.service!;
    const headless = ofKind<Service>('Service').filter((s) => s.spec.clusterIP === 'None');
    expect(headless).toHaveLength(1);
    const peers = headless[0]!;
    // the bare name (resolved through the pod's DNS search list) or the FQDN in this namespace
    const short = service.split('.')[0];
    expect(short).toBe(peers.metadata.name);
    if (service.includes('.'))
      expect(service.startsWith(`${peers.metadata.name}.${peers.metadata.namespace}.svc`)).toBe(true);
    expect(peers.spec.publishNotReadyAddresses).toBe(true);
    expect(selects(peers.spec.selector, podLabels)).toBe(true);
    // a metrics Service (not headless) in front of the same pods
    const metrics = ofKind<Service>('Service').filter(
      (s) => s.spec.clusterIP !== 'None' && selects(s.spec.selector, podLabels),
    );
    expect(metrics).toHaveLength(1);
    expect(metrics[0]!.spec.ports.map((p) => p.targetPort)).toContain('http');
  });

  it('env: POD_IP from the downward API, every name is read by the exporter or used as ${VAR} in the config', () => {
    const env = container.env ?? [];
    const podIp = env.find((e) => e.name === 'POD_IP');
    expect(podIp?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    const read = envNamesReadByExporter();
    // names the built exporter reads: the sharding runtime reads POD_IP for this pod's identity
    for (const e of env) expect(read, `env ${e.name} is read by packages/*/dist`).toContain(e.name);

    // every ${VAR} of the config comes from the Secret the pod loads with envFrom
    const cm = ofKind<Obj & { data: Record<string, string> }>('ConfigMap')[0]!;
    const text = cm.data[CONFIG_FILE]!;
    // commented-out examples are not config
    const live = text
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n');
    const vars = new Set([...live.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((m) => m[1]!));
    expect(vars.size).toBeGreaterThan(0);
    const secretNames = (container.envFrom ?? [])
      .map((e) => e.secretRef?.name)
      .filter((n): n is string => n !== undefined);
    const secrets = ofKind<Obj & { stringData?: Record<string, string>; data?: Record<string, string> }>(
      'Secret',
    ).filter((s) => secretNames.includes(s.metadata.name));
    expect(secrets.length).toBeGreaterThan(0);
    const keys = new Set(secrets.flatMap((s) => [...Object.keys(s.stringData ?? {}), ...Object.keys(s.data ?? {})]));
    for (const v of vars) expect(keys, `\${${v}} provided by the Secret`).toContain(v);
    // and the substitution really lands in the stream URLs
    const env2 = Object.fromEntries(secrets.flatMap((s) => Object.entries(s.stringData ?? {})));
    const config = parseConfigText(text, { source: CONFIG_FILE, env: env2 });
    const urls = config.streams.map((s) => s.url);
    for (const [k, v] of Object.entries(env2))
      if (vars.has(k))
        expect(
          urls.some((u) => u.includes(v)),
          k,
        ).toBe(true);
    // without the Secret the config is rejected, naming the variable
    expect(() => parseConfigText(text, { source: CONFIG_FILE, env: {} })).toThrow(/environment variable/);
  });

  it('check-config of the built CLI accepts deploy/k8s/config.yml with the Secret in the environment', () => {
    const secret = kustomize().find((o) => o.kind === 'Secret') as Obj & { stringData: Record<string, string> };
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [`${AGGREGATOR_DIST}/cli.js`, 'check-config', repoPath('deploy/k8s', CONFIG_FILE)], {
        encoding: 'utf8',
        timeout: 20_000,
        env: { PATH: process.env.PATH, ...env },
      });
    const ok = run(secret.stringData);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/sharding: dns/);
    expect(run({}).status).toBe(2);
  });

  it('HPA autoscaling/v2: CPU 70 %, 2..20 replicas, scale-down stabilisation; PDB covers the pods', () => {
    const [hpa] = ofKind<
      Obj & {
        spec: {
          scaleTargetRef: { apiVersion: string; kind: string; name: string };
          minReplicas: number;
          maxReplicas: number;
          metrics: {
            type: string;
            resource?: { name: string; target: { type: string; averageUtilization?: number } };
          }[];
          behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } };
        };
      }
    >('HorizontalPodAutoscaler');
    expect(hpa!.apiVersion).toBe('autoscaling/v2');
    expect(hpa!.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa!.spec.minReplicas).toBe(2);
    expect(hpa!.spec.maxReplicas).toBe(20);
    const cpu = hpa!.spec.metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    expect(cpu?.resource?.target).toEqual({ type: 'Utilization', averageUtilization: 70 });
    expect(hpa!.spec.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThan(0);

    const [pdb] = ofKind<
      Obj & {
        spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number; maxUnavailable?: number };
      }
    >('PodDisruptionBudget');
    expect(selects(pdb!.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb!.spec.minAvailable ?? pdb!.spec.maxUnavailable).toBeDefined();
  });
});
