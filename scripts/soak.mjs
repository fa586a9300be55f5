#!/usr/bin/env node
/**
 * Soak test (issue 8 item 8): the built exporter against many live streams with a fault mix, for a long
 * time, watching for anything that grows: memory, handles, file descriptors, and whether probes keep
 * their cadence.
 *
 *   pnpm soak                                  # 30 min, 500 streams (builds first)
 *   node scripts/soak.mjs --minutes 3 --streams 200 --every 20 --warmup 1
 *
 * Flags: --minutes M (30), --streams N (500), --interval S (10: check_interval), --sample S (3:
 * sample_duration), --poll S (5: seconds between measurements), --every S (60: seconds between printed
 * lines), --warmup M (10, at most a third of the run: minutes left out of the trend fit), --json (print a
 * last line `SOAK_RESULT {...}` for scripts), and the verdict's limits --max-rss-slope MB/min (2),
 * --max-heap-slope MB/min (0.5), --max-handles-slope per min (0.5), --max-fds-slope per min (1).
 *
 * The live source runs in its own process (node packages/live-source/dist/main.js), so its
 * memory and CPU are not the exporter's. Stream mix per 100: 70 healthy on a small fixture (720p,
 * 220 kbit/s, GOP 1 s), 5 healthy on the 2.5 Mbit/s 720p fixture, 25 faulty (404, 503, HTML, half a tag,
 * audio only, no answer, RST after 1 s, 600 ms pauses, redirect loop, closed port, unresolvable host,
 * lost keyframes, 16 kbit/s trickle).
 *
 * Measured every --poll seconds: the exporter's RSS (/proc/<pid>/status VmRSS: main thread and probe
 * workers), and from its /metrics: nodejs_heap_size_used_bytes (main-thread heap), nodejs_active_handles_total
 * (main thread), probe counts, schedule lag, queue; and open file descriptors (/proc/<pid>/fd: every
 * thread, so every probe socket).
 * The trend of each is the least-squares slope over the samples after the warm-up (heap: over the lowest
 * value of each --every period, i.e. after GC, so the collector's sawtooth is not read as growth).
 * Verdict PASS when every slope is under its limit, probes completed are 90–105 % of
 * streams × window / interval, and no unhandled error was counted. Exit code 0 PASS, 1 FAIL, 2 usage.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'packages/aggregator/dist/cli.js');
const SOURCE_MAIN = join(ROOT, 'packages/live-source/dist/main.js');
const SMALL = join(ROOT, 'tests/fixtures/h264/h264_720p25_high_aac.flv');
const HD = join(ROOT, 'tests/fixtures/live/live_720p25.flv');

/** Per 100 streams: [count, kind, query or special]. Healthy first. */
const MIX = [
  [70, 'healthy', 'small'],
  [5, 'healthy-hd', 'hd'],
  [3, 'http-404', '?status=404'],
  [2, 'http-503', '?status=503'],
  [2, 'html', '?html=1'],
  [2, 'half-tag', '?half_tag=1'],
  [2, 'audio-only', '?audio_only=1'],
  [2, 'never-headers', '?never_headers=1'],
  [2, 'rst-after-1s', '?close_after_ms=1000'],
  [2, 'pauses', '?pause_ms=600&pause_every_ms=1000'],
  [2, 'redirect-loop', '?redirect_loop=1'],
  [2, 'refused', 'refused'],
  [1, 'dns', 'dns'],
  [2, 'no-keyframes', '?no_keyframes_after_first_gop=1'],
  [1, 'trickle', '?trickle_bps=16000'],
];

// ---------------------------------------------------------------------------------------------- options

export function parseSoakArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '30' },
      streams: { type: 'string', default: '500' },
      interval: { type: 'string', default: '10' },
      sample: { type: 'string', default: '3' },
      poll: { type: 'string', default: '5' },
      every: { type: 'string', default: '60' },
      warmup: { type: 'string' },
      json: { type: 'boolean', default: false },
      'max-rss-slope': { type: 'string', default: '2' },
      'max-heap-slope': { type: 'string', default: '0.5' },
      'max-handles-slope': { type: 'string', default: '0.5' },
      'max-fds-slope': { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const num = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got ${values[name]}`);
    return n;
  };
  const minutes = num('minutes', 0.5);
  const o = {
    help: values.help,
    minutes,
    streams: Math.round(num('streams', 1)),
    interval: Math.round(num('interval', 2)),
    sample: Math.round(num('sample', 1)),
    pollS: num('poll', 1),
    everyS: num('every', 1),
    warmupMin: values.warmup === undefined ? Math.min(10, minutes / 3) : num('warmup', 0),
    json: values.json,
    limits: {
      rssMbPerMin: num('max-rss-slope', 0),
      heapMbPerMin: num('max-heap-slope', 0),
      handlesPerMin: num('max-handles-slope', 0),
      fdsPerMin: num('max-fds-slope', 0),
    },
  };
  if (o.sample >= o.interval) throw new Error('--sample must be smaller than --interval');
  if (o.warmupMin >= o.minutes) throw new Error('--warmup must be shorter than --minutes');
  return o;
}

// ---------------------------------------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** VmRSS of a process in MB, or undefined when it is gone. */
function rssMb(pid) {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** Open file descriptors of a process (every thread: probe sockets live in the workers). */
function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** Sum of the samples of `name` (all label sets) in Prometheus text, or undefined when absent. */
function metric(text, name, labelFilter) {
  let sum;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labelFilter && !rest.includes(labelFilter)) continue;
    const v = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

/** Least-squares slope of y over x, and its standard error. */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 3) return { slope: NaN, se: NaN, n };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const b = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i] - (my + b * (xs[i] - mx))) ** 2;
  return { slope: b, se: Math.sqrt(sse / (n - 2) / sxx), n };
}

async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Spawns node with args; resolves with the child once `ready(line)` returned a value for a stdout line. */
function spawnNode(args, env, ready, what) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { child, lines: 0, errors: 0, stderr: '', value: undefined };
  return new Promise((resolve, reject) => {
    let pending = '';
    let done = false;
    const timer = setTimeout(
      () => fail(new Error(`${what} not ready within 20 s; stderr: ${state.stderr.slice(-2000)}`)),
      20_000,
    );
    const fail = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      pending += chunk;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        state.lines++;
        if (!done) {
          const v = ready(line);
          if (v !== undefined) {
            done = true;
            clearTimeout(timer);
            state.value = v;
            resolve(state);
          }
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      state.stderr = (state.stderr + chunk).slice(-20_000);
      state.errors += (chunk.match(/\n/g) ?? []).length;
    });
    child.once('exit', (code, signal) =>
      fail(new Error(`${what} exited (${code ?? signal}) before it was ready; stderr: ${state.stderr.slice(-2000)}`)),
    );
  });
}

async function stop(child, graceMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}

function buildStreams(n, sourceUrl, refusedPort) {
  const kinds = [];
  for (const [count, kind, how] of MIX) for (let i = 0; i < count; i++) kinds.push([kind, how]);
  const streams = [];
  for (let i = 0; i < n; i++) {
    // 37 is prime to 100: any run of consecutive streams samples the mix evenly
    const [kind, how] = kinds[(i * 37) % kinds.length];
    const id = `s${String(i).padStart(5, '0')}`;
    let url;
    if (how === 'small' || how === 'hd') url = `${sourceUrl}/live/${how}/${id}.flv`;
    else if (how === 'refused') url = `http://127.0.0.1:${refusedPort}/live/${id}.flv`;
    else if (how === 'dns') url = `http://${id}.soak.invalid/live/${id}.flv`;
    else url = `${sourceUrl}/live/small/${id}.flv${how}`;
    streams.push({ project: `P${i % 10}`, line: i % 3 === 0 ? 'SOURCE' : 'CDN', id, url, tags: { biz: kind } });
  }
  return streams;
}

function configText(o, streams) {
  const tree = {};
  for (const s of streams) {
    tree[s.project] ??= {};
    tree[s.project][s.line] ??= [];
    tree[s.project][s.line].push({ url: s.url, id: s.id, tags: s.tags });
  }
  const exporter = {
    check_interval: o.interval,
    sample_duration: o.sample,
    max_retries: 1,
    log_level: 'info',
    connect_timeout_ms: 2000,
    first_byte_timeout_ms: Math.min(3000, (o.interval - o.sample) * 1000),
    idle_timeout_ms: 2000,
    allowed_tags: ['biz'],
  };
  // JSON is YAML
  return JSON.stringify({ exporter, streams: tree }, null, 1);
}

const fmt = (v, digits = 1) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
const signed = (v, digits = 2) => (Number.isNaN(v) ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);

// ---------------------------------------------------------------------------------------------- the run

/**
 * Runs the soak; resolves with the report (also printed). `log` receives each printed line.
 */
export async function runSoak(o, log = (line) => process.stdout.write(`${line}\n`)) {
  if (!existsSync(CLI) || !existsSync(SOURCE_MAIN))
    throw new Error('packages/aggregator/dist is missing: run `pnpm -s build` first');
  const dir = mkdtempSync(join(tmpdir(), 've-soak-'));
  let source;
  let exporter;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    source = await spawnNode(
      [SOURCE_MAIN, '--fixture', `small=${SMALL}`, '--fixture', `hd=${HD}`, '--port', '0', '--tick-ms', '50'],
      {},
      (line) => {
        try {
          return JSON.parse(line).url;
        } catch {
          return undefined;
        }
      },
      'live source',
    );
    const streams = buildStreams(o.streams, source.value, await closedPort());
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, configText(o, streams));
    exporter = await spawnNode(
      [CLI, 'run', '-c', configPath, '--listen', '127.0.0.1:0'],
      { LOG_FORMAT: 'json' },
      (line) => {
        try {
          const l = JSON.parse(line);
          return l.message === 'exporter started' ? l.listen : undefined;
        } catch {
          return undefined;
        }
      },
      'exporter',
    );
    const url = exporter.value;
    const pid = exporter.child.pid;
    log(
      `soak: ${o.streams} streams (${MIX.map(([n, k]) => `${n}% ${k}`).join(', ')}), check_interval ${o.interval} s, ` +
        `sample ${o.sample} s, ${o.minutes} min (trend after ${fmt(o.warmupMin)} min); exporter pid ${pid} at ${url}`,
    );

    const samples = [];
    const t0 = Date.now();
    const endAt = t0 + o.minutes * 60_000;
    let nextPrint = t0 + o.everyS * 1000;
    let lastPrinted;
    while (Date.now() < endAt && !interrupted) {
      if (exporter.child.exitCode !== null || exporter.child.signalCode !== null)
        throw new Error(`the exporter died: ${exporter.stderr.slice(-2000)}`);
      const at = Date.now();
      let text;
      try {
        const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
        text = await r.text();
      } catch (err) {
        log(`scrape failed: ${err.message}`);
      }
      if (text !== undefined) {
        const s = {
          min: (at - t0) / 60_000,
          rssMb: rssMb(pid),
          heapMb: (metric(text, 'nodejs_heap_size_used_bytes') ?? NaN) / 2 ** 20,
          handles: metric(text, 'nodejs_active_handles_total'),
          fds: openFds(pid),
          probesOk: metric(text, 'video_exporter_probes_total', 'result="success"') ?? 0,
          probesFailed: metric(text, 'video_exporter_probes_total', 'result="failure"') ?? 0,
          lagS: metric(text, 'video_exporter_schedule_lag_seconds'),
          queue: metric(text, 'video_exporter_pool_queue_size'),
          unhandled: metric(text, 'video_exporter_unhandled_errors_total') ?? 0,
          sourceRssMb: rssMb(source.child.pid),
        };
        samples.push(s);
        if (at >= nextPrint || at + o.pollS * 1000 >= endAt) {
          const probes = s.probesOk + s.probesFailed;
          const rate = lastPrinted
            ? (probes - lastPrinted.probesOk - lastPrinted.probesFailed) / (s.min - lastPrinted.min)
            : NaN;
          log(
            `[${fmt(s.min).padStart(5)} min] rss ${fmt(s.rssMb)} MB | heap` +
              ` ${fmt(s.heapMb)} MB | handles ${s.handles} | fds ${s.fds} | ` +
              `probes ${probes} (${fmt(rate, 0)}/min, ${s.probesFailed}` +
              ` failed in all) | lag ${fmt(s.lagS, 3)} s | queue ${s.queue} | ` +
              `unhandled ${s.unhandled} | source rss ${fmt(s.sourceRssMb)} MB`,
          );
          lastPrinted = s;
          nextPrint += o.everyS * 1000;
        }
      }
      await sleep(Math.max(0, Math.min(endAt - Date.now(), o.pollS * 1000 - (Date.now() - at))));
    }
    return report(o, samples, exporter, interrupted, log);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop(exporter?.child);
    await stop(source?.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(o, samples, exporter, interrupted, log) {
  const window = samples.filter((s) => s.min >= o.warmupMin);
  const fitTrend = (key, pts = window) =>
    slope(
      pts.map((s) => s.min),
      pts.map((s) => s[key]),
    );
  // heap: the lowest value of each --every period (after a GC), then the trend of those floors
  const periodMin = o.everyS / 60;
  const floors = [];
  for (const s of window) {
    const k = Math.floor((s.min - o.warmupMin) / periodMin);
    if (!floors[k] || s.heapMb < floors[k].heapMb) floors[k] = s;
  }
  const heapFloors = floors.filter(Boolean);
  const trends = {
    rss: { ...fitTrend('rssMb'), limit: o.limits.rssMbPerMin, unit: 'MB/min' },
    heap: { ...fitTrend('heapMb', heapFloors), limit: o.limits.heapMbPerMin, unit: 'MB/min' },
    handles: { ...fitTrend('handles'), limit: o.limits.handlesPerMin, unit: '/min' },
    fds: { ...fitTrend('fds'), limit: o.limits.fdsPerMin, unit: '/min' },
  };
  const first = window[0];
  const last = window.at(-1);
  const windowMin = first && last ? last.min - first.min : 0;
  const probesInWindow = first && last ? last.probesOk + last.probesFailed - first.probesOk - first.probesFailed : 0;
  const expectedProbes = (o.streams * windowMin * 60) / o.interval;
  const probeRatio = expectedProbes > 0 ? probesInWindow / expectedProbes : NaN;
  const unhandled = last?.unhandled ?? NaN;
  const checks = [
    ...Object.entries(trends).map(([name, t]) => ({
      name: `${name} slope`,
      ok: t.slope < t.limit,
      detail: `${signed(t.slope)} ${t.unit} (±${fmt(t.se, 2)}, n=${t.n}), limit < ${t.limit}`,
    })),
    {
      name: 'probes completed',
      ok: probeRatio >= 0.9 && probeRatio <= 1.05,
      detail:
        `${probesInWindow} of ~${Math.round(expectedProbes)} expected in ${fmt(windowMin, 2)} min` +
        ` (${fmt(probeRatio * 100, 1)} %), want 90–105 %`,
    },
    { name: 'unhandled errors', ok: unhandled === 0, detail: `${unhandled} counted` },
    {
      name: 'run complete',
      ok: !interrupted && window.length >= 3,
      detail: interrupted ? 'interrupted' : `${window.length} samples in the window`,
    },
  ];
  const pass = checks.every((c) => c.ok);
  log(
    `trend after ${fmt(o.warmupMin)} min, least squares over ${window.length} samples (heap: ${heapFloors.length}` +
      ` per-period minima):`,
  );
  for (const c of checks) log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(17)} ${c.detail}`);
  const ranges = ['rssMb', 'heapMb', 'handles', 'fds']
    .map((k) => `${k} ${fmt(Math.min(...window.map((s) => s[k])))}–${fmt(Math.max(...window.map((s) => s[k])))}`)
    .join(', ');
  log(`  ranges in the window: ${ranges}; exporter log lines ${exporter.lines} (stderr lines ${exporter.errors})`);
  log(`verdict: ${pass ? 'PASS' : 'FAIL'}`);
  const result = {
    pass,
    options: { minutes: o.minutes, streams: o.streams, interval: o.interval, sample: o.sample, warmupMin: o.warmupMin },
    trends,
    probes: { inWindow: probesInWindow, expected: expectedProbes, ratio: probeRatio, windowMin },
    unhandled,
    checks,
    samples,
  };
  if (o.json) log(`SOAK_RESULT ${JSON.stringify(result)}`);
  return result;
}

// ---------------------------------------------------------------------------------------------- main

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let o;
  try {
    o = parseSoakArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`soak: ${err.message}\n`);
    process.exit(2);
  }
  if (o.help) {
    const doc = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0];
    process.stdout.write(`${doc.replace(/^#!.*\n\/\*\*\n/, '').replace(/^ \* ?/gm, '')}\n`);
    process.exit(0);
  }
  runSoak(o).then(
    (r) => process.exit(r.pass ? 0 : 1),
    (err) => {
      process.stderr.write(`soak: ${err.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
