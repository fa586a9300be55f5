// pnpm bench:discovery — what one discovery refresh costs with 10,000 discovered streams (SPEC §11, issue 12):
// an SRS-shaped API (5,000 publishing streams + inactive ones, paged) and an http_sd list (5,000 targets),
// served by a child process so their CPU is not counted. The exporter side runs the built modules: the
// discovery manager (fetch, parse, templates, merge) and the same stream diff the exporter applies to its
// probed set. Reports CPU per refresh, unchanged and with 1 % churn, and what the diff touched.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown-section.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PER_SOURCE = 5_000;
const INACTIVE = 250;
const ROUNDS = 10;
const CHURN = Math.round((2 * PER_SOURCE) / 100); // 1 % of all discovered streams, split over both sources
const GOAL_CPU_MS = 200;

if (process.argv[2] === '--serve') serve();
else await main();

/** child: the two APIs, and /control?churn=N to replace N streams in each list */
function serve() {
  let generation = 0;
  let srs = Array.from({ length: PER_SOURCE + INACTIVE }, (_, i) => ({ name: `room${i}`, active: i < PER_SOURCE }));
  let sd = Array.from({ length: PER_SOURCE }, (_, i) => `http://edge.example/live/cam${i}.flv`);
  const streamJson = (s, i) => ({
    id: `vid-s${i}`,
    name: s.name,
    vhost: 'vid-d3f4u1t',
    app: 'live',
    tcUrl: 'rtmp://127.0.0.1/live',
    url: `/live/${s.name}`,
    live_ms: 1_733_366_400_000,
    clients: 1,
    frames: 4500,
    send_bytes: 0,
    recv_bytes: 1048576,
    kbps: { recv_30s: 2100, send_30s: 0 },
    publish: s.active ? { active: true, cid: `c${i}` } : { active: false },
    video: { codec: 'H264', profile: 'High', level: '3.1', width: 1280, height: 720 },
    audio: { codec: 'AAC', sample_rate: 44100, channel: 2, profile: 'LC' },
  });
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    res.setHeader('content-type', 'application/json');
    if (u.pathname === '/control') {
      const n = Number(u.searchParams.get('churn'));
      generation++;
      srs = [
        ...srs.slice(n),
        ...Array.from({ length: n }, (_, i) => ({ name: `new${generation}-${i}`, active: true })),
      ];
      sd = [
        ...sd.slice(n),
        ...Array.from({ length: n }, (_, i) => `http://edge.example/live/new${generation}-${i}.flv`),
      ];
      return res.end('{}');
    }
    if (u.pathname === '/api/v1/vhosts')
      return res.end(
        JSON.stringify({ code: 0, server: 'vid-1', vhosts: [{ id: 'vid-d3f4u1t', name: '__defaultVhost__' }] }),
      );
    if (u.pathname === '/api/v1/streams') {
      const start = Number(u.searchParams.get('start'));
      const count = Number(u.searchParams.get('count'));
      return res.end(
        JSON.stringify({
          code: 0,
          server: 'vid-1',
          streams: srs.slice(start, start + count).map((s, k) => streamJson(s, start + k)),
        }),
      );
    }
    if (u.pathname === '/targets.json')
      return res.end(JSON.stringify([{ targets: sd, labels: { line: 'cdn', isp: 'ct' } }]));
    res.statusCode = 404;
    res.end('{}');
  });
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  process.on('disconnect', () => process.exit(0));
}

async function main() {
  const { DiscoveryManager } = await import('../../packages/aggregator/dist/discovery/manager.js');
  const { diffStreams } = await import('../../packages/aggregator/dist/config/index.js');
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise((resolve) => child.once('message', (m) => resolve(m.url)));
  const silent = {
    debug() {},
    info() {},
    warn() {},
    error() {},
    log() {},
    isLevelEnabled: () => false,
    isDebugEnabled: () => false,
  };
  let latest = [];
  const manager = new DiscoveryManager({
    logger: silent,
    allowedTags: ['isp', 'role'],
    watch: false,
    onChange: (s) => (latest = s),
  });
  const base = {
    refresh_interval_s: 3600,
    tags: {},
    match: {},
    headers: {},
    max_streams: 10_000,
    gone_grace_s: 0,
    events: false,
  };
  manager.update(
    [
      {
        ...base,
        name: 'srs',
        type: 'srs',
        url,
        play_url: 'http://srs.example:8080/{app}/{stream}.flv',
        project: '{vhost}',
        line: 'source',
        id: '{app}/{stream}',
        tags: { role: 'origin' },
      },
      {
        ...base,
        name: 'sd',
        type: 'http_sd',
        url: `${url}/targets.json`,
        project: 'sd',
        line: 'discovered',
        id: '{app}/{stream}',
      },
    ],
    [],
  );
  await manager.refreshAll();
  let tracked = latest;
  if (tracked.length !== 2 * PER_SOURCE) throw new Error(`expected ${2 * PER_SOURCE} streams, got ${tracked.length}`);

  /** one refresh of both sources + the exporter's diff of its probed set; CPU of this process */
  const round = async () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await manager.refreshAll();
    const diff = diffStreams(tracked, latest);
    const cpu = process.cpuUsage(cpu0);
    tracked = latest;
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - t0,
      added: diff.added.length,
      removed: diff.removed.length,
      changed: diff.changed.length,
      unchanged: diff.unchanged.length,
    };
  };
  for (let i = 0; i < 3; i++) await round(); // warm-up (JIT)
  const unchanged = [];
  for (let i = 0; i < ROUNDS; i++) unchanged.push(await round());
  const churned = [];
  for (let i = 0; i < ROUNDS; i++) {
    await fetch(`${url}/control?churn=${CHURN / 2}`);
    churned.push(await round());
  }
  manager.stop();
  child.disconnect();

  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const row = (what, rs) => {
    const r = rs.at(-1);
    const cpu = rs.map((x) => x.cpuMs);
    const figures = [med(cpu), Math.max(...cpu), med(rs.map((x) => x.wallMs))].map((v) => v.toFixed(0));
    const diff = `+${r.added} −${r.removed} ~${r.changed} =${r.unchanged}`;
    return `| ${what} | ${figures.join(' | ')} | ${diff} |`;
  };
  const worst = Math.max(...unchanged.map((x) => x.cpuMs), ...churned.map((x) => x.cpuMs));
  const touchedOk =
    unchanged.every((r) => r.added + r.removed + r.changed === 0) &&
    churned.every((r) => r.added === CHURN && r.removed === CHURN && r.changed === 0);
  const n = (v) => v.toLocaleString('en');
  const verdict = worst < GOAL_CPU_MS ? 'met' : 'NOT met';
  const touched = touchedOk
    ? 'yes (an unchanged refresh adds, removes and restarts nothing; a churned one exactly the replaced streams)'
    : 'NO';
  const machine = `${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`;
  const body = `## Discovery refresh at 10,000 streams (\`pnpm bench:discovery\`)

Method: an SRS-shaped API (${n(PER_SOURCE)} publishing streams + ${INACTIVE} inactive ones, read in pages of 1000
with \`/api/v1/vhosts\`) and an http_sd list (${n(PER_SOURCE)} targets) are served by a child process; this process
runs the built discovery manager (HTTP fetch, JSON parse, templates, allow-list, merge) and the stream diff the
exporter applies to its probed set. CPU = user + system of this process per refresh of both sources, after 3 warm-up
refreshes; ${ROUNDS} refreshes each. "Churn": before each refresh ${CHURN / 2} streams of each source are replaced by
new ones (1 % of all).

| refresh | CPU median ms | CPU max ms | wall median ms | diff (+added −removed ~changed =unchanged) |
|---|---:|---:|---:|---|
${row('unchanged lists', unchanged)}
${row('1 % churn', churned)}

Goal: under ${GOAL_CPU_MS} ms of CPU per refresh — worst ${worst.toFixed(0)} ms: ${verdict}.
The diff touches only what changed: ${touched}.
Machine: ${machine}. Run: ${new Date().toISOString().slice(0, 10)}.`;
  writeSection(`${root}docs/benchmarks.md`, 'discovery', body);
  process.stdout.write(`${body}\n`);
  if (worst >= GOAL_CPU_MS || !touchedOk) {
    process.stderr.write('bench:discovery: goal missed\n');
    process.exitCode = 1;
  }
}
