// Where a probe worker's memory is (issue 17): N probes of the live source at once on one pool thread, a
// heap snapshot of that thread in the middle of the sample, summed by what V8 calls each object.
//   node scripts/bench/worker-heap.mjs [N=800] [sample_s=10]
// Prints the snapshot's total and the largest groups (self size), and per probe in flight.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbePool } from '@video-exporter/aggregator';
import { sleep, spawnTracked, stopAll } from './lib-children.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const N = Number(process.argv[2] ?? 800);
const SAMPLE_S = Number(process.argv[3] ?? 10);
const SNAPSHOT = '/tmp/video-exporter-worker.heapsnapshot';

const source = spawnTracked(process.execPath, [
  join(ROOT, 'packages/live-source/dist/main.js'),
  ...['--port', '0', '--host', '127.0.0.1', '--fixture', `hd=${join(ROOT, 'tests/fixtures/live/live_720p25.flv')}`],
]);
const url = await new Promise((resolve, reject) => {
  source.stdout.on('data', () => {
    const m = /http:\/\/127\.0\.0\.1:\d+/.exec(source.out);
    if (m) resolve(m[0]);
  });
  source.once('exit', () => reject(new Error(`live source exited: ${source.err}`)));
});

const pool = new ProbePool({ threads: 1, maxConcurrent: N });
const job = (i) => ({
  url: `${url}/live/hd/s${i}.flv`,
  sampleMs: SAMPLE_S * 1000,
  minKeyframes: 2,
  stallThresholdMs: 200,
  deadlineMs: 3 * SAMPLE_S * 1000,
});
// piscina's Worker objects: the pool keeps them private, a measuring script may look
const thread = () => pool.piscina.threads[0];
const probes = Array.from({ length: N }, (_, i) => pool.run(job(i)));
await sleep((SAMPLE_S * 1000) / 2 + 1000);
const chunks = [];
for await (const c of await thread().getHeapSnapshot()) chunks.push(c);
writeFileSync(SNAPSHOT, Buffer.concat(chunks));
const results = await Promise.all(probes);
await pool.destroy();
await stopAll();

const ok = results.filter((r) => r.ok).length;
console.log(`worker-heap: ${N} probes in flight, ${ok} ok; snapshot ${SNAPSHOT}`);
summarize(JSON.parse(readFileSync(SNAPSHOT, 'utf8')), N);

/** Self sizes summed by node type and name (constructor for objects), largest first. */
function summarize(snap, n) {
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((k) => f.indexOf(k));
  const groups = new Map();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const type = types[snap.nodes[i + iType]];
    const name = type === 'object' || type === 'closure' ? snap.strings[snap.nodes[i + iName]] : '';
    const key = `${type} ${name}`.slice(0, 60);
    const size = snap.nodes[i + iSize];
    total += size;
    const g = groups.get(key) ?? { size: 0, count: 0 };
    g.size += size;
    g.count++;
    groups.set(key, g);
  }
  console.log(`snapshot total self size ${(total / 2 ** 20).toFixed(1)} MB`);
  const top = [...groups].sort((a, b) => b[1].size - a[1].size).slice(0, 25);
  for (const [key, g] of top)
    console.log(
      `${(g.size / 2 ** 20).toFixed(2).padStart(7)} MB ${String(g.count).padStart(8)} ×` +
        ` ${(g.size / n / 1024).toFixed(1).padStart(6)} KiB/probe  ${key}`,
    );
}
