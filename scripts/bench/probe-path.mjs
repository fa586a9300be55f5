// The probe path alone against the raw-socket floor, in one thread (issue 17): no pool, no main thread,
// no metrics — what parsing and measuring every tag costs over reading the same bytes and throwing them away.
//   node scripts/bench/probe-path.mjs [--n 500] [--seconds 8] [--rounds 3] [--alloc | --in-memory [--evict-kb K]]
// Each round runs N probes (runProbe, all at once, `seconds` of sample) of the live source, then N reads
// by the probe's HTTP client alone (httpProbe, the body discarded: framing and deadlines, no parsing), then N
// floor reads (net.Socket + onread into one shared buffer, a hand-written GET, discard) of the same length;
// CPU is this process's user + system time over the round, in % of one core. The first round warms the JIT and is
// not counted. --alloc: instead, one round of probes under V8's sampling heap profiler (objects collected
// by minor and major GCs included) and the allocation sites by sampled bytes. --in-memory: no sockets: the
// fixture in 16 KB reads (what a 50 ms tick of a 2.5 Mbit/s stream delivers) through demuxer, media summary,
// stall tracker, viewer model and latency tracker, for 1 stream and for N streams read round-robin (each read
// touches another stream's state, as in the worker), time per read and per tag; and the same reads unparsed.
// --evict-kb K (with --in-memory): before each read, walk K KB of other memory, as the kernel's network stack
// and the other streams' reads do between two reads of one stream in the real thread (0 and 256 KB are
// printed when K is not given).

import { Session } from 'node:inspector/promises';
import net from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { httpProbe, runProbe } from '@video-exporter/probe-worker';
import { spawnTracked, stopAll } from './lib-children.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const values = parseFlags({
  n: { type: 'string', default: '500' },
  seconds: { type: 'string', default: '8' },
  rounds: { type: 'string', default: '3' },
  alloc: { type: 'boolean', default: false },
  'in-memory': { type: 'boolean', default: false },
  'evict-kb': { type: 'string' },
});
const N = Number(values.n);
const SAMPLE_MS = Number(values.seconds) * 1000;
const ROUNDS = Number(values.rounds);
if (values['in-memory']) {
  const { inMemory } = await import('./lib-parse-path.mjs');
  const evictKb = values['evict-kb'];
  if (evictKb !== undefined && !/^\d{1,6}$/.test(evictKb)) {
    usageError(`--evict-kb must be a whole number of KB (0 to 999999), got ${JSON.stringify(evictKb)}`);
  }
  const evictions = evictKb === undefined ? [0, 256] : [Number(evictKb)];
  for (const kb of evictions) {
    // alternating; the JIT warms over the first two
    for (const streams of [1, N, 1, N, 1, N]) inMemory(streams, kb);
  }
  process.exit(0);
}

const source = spawnTracked(process.execPath, [
  join(ROOT, 'packages/live-source/dist/main.js'),
  ...['--port', '0', '--host', '127.0.0.1', '--tick-ms', '50'],
  ...['--fixture', `hd=${join(ROOT, 'tests/fixtures/live/live_720p25.flv')}`],
]);
const base = await new Promise((resolve, reject) => {
  source.stdout.on('data', () => {
    const m = /http:\/\/127\.0\.0\.1:\d+/.exec(source.out);
    if (m) resolve(new URL(m[0]));
  });
  source.once('exit', () => reject(new Error(`live source exited: ${source.err}`)));
});

const job = (i) => ({
  url: `${base.origin}/live/hd/p${i}.flv`,
  sampleMs: SAMPLE_MS,
  minKeyframes: 1,
  stallThresholdMs: 200,
  deadlineMs: 3 * SAMPLE_MS,
});
const shared = Buffer.allocUnsafe(64 * 1024);
/** One floor read: connect, GET, read `SAMPLE_MS` from the first byte into the shared buffer, close. */
const floorRead = (i) =>
  new Promise((resolve) => {
    let started = false;
    const s = net.connect({
      host: base.hostname,
      port: Number(base.port),
      noDelay: true,
      onread: {
        buffer: shared,
        callback: () => {
          if (started) return;
          started = true;
          setTimeout(() => {
            s.destroy();
            resolve(true);
          }, SAMPLE_MS);
        },
      },
    });
    s.on('connect', () => s.write(`GET /live/hd/f${i}.flv HTTP/1.1\r\nHost: ${base.host}\r\n\r\n`));
    s.on('error', () => resolve(false));
  });

/** The HTTP client alone: `SAMPLE_MS` of body from the first byte, discarded. */
const clientRead = (i) => {
  const stop = new AbortController();
  let started = false;
  const onBody = () => {
    if (!started) {
      started = true;
      setTimeout(() => stop.abort(), SAMPLE_MS);
    }
    return 'continue';
  };
  const url = `${base.origin}/live/hd/c${i}.flv`;
  return httpProbe({ url, signal: new AbortController().signal, stopSignal: stop.signal, onBody }).then(
    (o) => o.endedBy === 'stopped',
  );
};
const READERS = { probe: (i) => runProbe(job(i)).then((r) => r.ok), client: clientRead, floor: floorRead };

async function round(kind) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: N }, (_, i) => READERS[kind](i)));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const pct = (us) => (us / 10 / wall).toFixed(1);
  const ok = results.filter(Boolean).length;
  console.log(
    `${kind.padEnd(6)} N=${N}: ${ok} ok, CPU ${pct(cpu.user + cpu.system)} % (user ${pct(cpu.user)},` +
      ` sys ${pct(cpu.system)}) over ${(wall / 1000).toFixed(1)} s`,
  );
  return (cpu.user + cpu.system) / wall;
}

if (values.alloc) {
  await round('probe'); // warm-up
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  const flags = { includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
  await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, ...flags });
  await round('probe');
  const { profile } = await session.post('HeapProfiler.stopSampling');
  printAllocationSites(profile);
} else {
  const ratios = { probe: [], client: [] };
  for (let r = 0; r <= ROUNDS; r++) {
    const probe = await round('probe');
    const client = await round('client');
    const floor = await round('floor');
    if (r === 0) continue;
    ratios.probe.push(probe / floor);
    ratios.client.push(client / floor);
  }
  const list = (xs) => xs.map((x) => `${x.toFixed(2)}×`).join(', ');
  console.log(
    `against the floor, per round: probe path ${list(ratios.probe)}; HTTP client alone ${list(ratios.client)}`,
  );
}
await stopAll();

/** Sampled bytes by allocating function (self), largest first. */
function printAllocationSites(profile) {
  const sites = new Map();
  let total = 0;
  const walk = (node) => {
    const f = node.callFrame;
    const where = f.url.replace(/^.*\/(packages|node_modules)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    total += node.selfSize;
    if (node.selfSize > 0) sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  console.log(`sampled ${(total / 2 ** 20).toFixed(1)} MiB allocated by ${N} probes of ${SAMPLE_MS / 1000} s`);
  for (const [key, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`${((bytes / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
}

/** The command line, or one line on stderr and exit 2. */
function parseFlags(options) {
  try {
    return parseArgs({ options }).values;
  } catch (err) {
    usageError(err.message.split('\n')[0]);
  }
}

function usageError(message) {
  console.error(`probe-path: ${message}`);
  process.exit(2);
}
