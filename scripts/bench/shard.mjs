// pnpm bench:shard — a deterministic simulation of the sharding (SPEC §9): 50,000 streams over 1…50
// pods with the exporter's own rendezvous hashing (the built module, not a copy), the per-pod load
// spread and the share of streams each +1 scale step moves. Writes a section of docs/benchmarks.md.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { hash64, Rendezvous } from '@video-exporter/aggregator';
import { writeSection } from './markdown-section.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const STREAMS = 50_000;
const MAX_PODS = 50;
const GOAL_AT_20 = 1.1;
const SHOWN = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 30, 32, 40, 48, 50];

/** stream keys as the exporter builds them (project/line/id), shaped like a real config */
function streamKeys(n) {
  const lines = ['source', 'cdn', 'cdn-backup'];
  return Array.from(
    { length: n },
    (_, i) => `G${String(i % 40).padStart(2, '0')}/${lines[i % 3]}/room-${String(Math.floor(i / 3)).padStart(5, '0')}`,
  );
}

/** pod IPs as a Kubernetes pod CIDR hands them out (dns mode), in join order */
const podIps = (n) => Array.from({ length: n }, (_, i) => `10.244.${1 + Math.floor(i / 250)}.${2 + (i % 250)}`);

function assign(ring, hashes) {
  const owner = new Int32Array(hashes.length);
  for (let i = 0; i < hashes.length; i++) owner[i] = ring.ownerIndex(hashes[i]);
  return owner;
}

function loadStats(owner, pods) {
  const load = new Array(pods).fill(0);
  for (const o of owner) load[o]++;
  const mean = owner.length / pods;
  const max = Math.max(...load);
  const min = Math.min(...load);
  const sd = Math.sqrt(load.reduce((a, l) => a + (l - mean) ** 2, 0) / pods);
  return { max, min, mean, maxOverMean: max / mean, minOverMean: min / mean, cv: sd / mean };
}

const keys = streamKeys(STREAMS);
const hashes = keys.map(hash64);
const ips = podIps(MAX_PODS);

const rows = [];
let previous; // { ring, owner }
let worstStep = 0;
let betweenOld = 0;
let assignments = 0;
let weights = 0;
const t0 = performance.now();
for (let n = 1; n <= MAX_PODS; n++) {
  const ring = new Rendezvous(ips.slice(0, n));
  const owner = assign(ring, hashes);
  assignments += STREAMS;
  weights += STREAMS * n;
  const row = { n, ...loadStats(owner, n) };
  if (previous) {
    // ring.peers is sorted: compare owners by name, not index
    const joined = ips[n - 1];
    let moved = 0;
    for (let i = 0; i < STREAMS; i++) {
      const was = previous.ring.peers[previous.owner[i]];
      const is = ring.peers[owner[i]];
      if (was !== is) {
        moved++;
        if (is !== joined) betweenOld++;
      }
    }
    row.moved = moved / STREAMS;
    row.ideal = 1 / n;
    worstStep = Math.max(worstStep, Math.abs(row.moved - row.ideal));
  }
  rows.push(row);
  previous = { ring, owner };
}
const elapsedMs = performance.now() - t0;

// static mode names its peers "0".."n-1": short, similar strings must balance just as well
const staticAt20 = loadStats(assign(new Rendezvous(Array.from({ length: 20 }, (_, i) => String(i))), hashes), 20);
// a rolling restart in dns mode gives every pod a new IP: everything moves once
const restarted = new Rendezvous(podIps(2 * 20).slice(20));
const before20 = new Rendezvous(ips.slice(0, 20));
let movedByRestart = 0;
for (const h of hashes)
  if (restarted.peers[restarted.ownerIndex(h)] !== before20.peers[before20.ownerIndex(h)]) movedByRestart++;

const at20 = rows[19];
const pct = (x) => `${(100 * x).toFixed(2)} %`;
const fmt = (x) => x.toFixed(3);
const table = [
  '| pods | streams/pod (mean) | max / mean | min / mean | CV | moved by the step to this size | ideal 1/n |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...rows
    .filter((r) => SHOWN.includes(r.n))
    .map(
      (r) =>
        `| ${r.n} | ${Math.round(r.mean)} | ${fmt(r.maxOverMean)} | ${fmt(r.minOverMean)} | ${fmt(r.cv)} |` +
        ` ${r.moved === undefined ? '—' : pct(r.moved)} | ${r.moved === undefined ? '—' : pct(r.ideal)} |`,
    ),
];
const worstMaxOverMean = Math.max(...rows.filter((r) => r.n <= 20).map((r) => r.maxOverMean));

const body = `## Sharding simulation (\`pnpm bench:shard\`)

Method: ${STREAMS.toLocaleString('en')} stream keys shaped like a real config (\`G07/cdn/room-01234\`) are assigned by
the exporter's rendezvous hashing (\`packages/aggregator/dist/sharding\`, the code the pods run) over 1 … ${MAX_PODS}
pods named by pod IPs (10.244.x.y, dns mode), one pod joining per step. Deterministic: no randomness,
the same figures on every run and machine (only the time line below varies).

| | result | goal |
|---|---|---|
| max / mean load at 20 pods | **${fmt(at20.maxOverMean)}** (${at20.max} vs ${Math.round(at20.mean)} streams) | ≤ ${GOAL_AT_20} |
| worst max / mean over 2 … 20 pods | ${fmt(worstMaxOverMean)} | ≤ ${GOAL_AT_20} |
| max / mean at 20 pods, static mode peers "0" … "19" | ${fmt(staticAt20.maxOverMean)} | ≤ ${GOAL_AT_20} |
| worst \\|moved − 1/n\\| over all ${MAX_PODS - 1} scale steps | ${pct(worstStep)} | small |
| streams moved between pods that were already there | ${betweenOld} | 0 (only the new pod takes streams) |
| dns mode rolling restart of 20 pods (every pod gets a new IP) | ${pct(movedByRestart / STREAMS)} moved | — (each stream moves once; use static mode with a StatefulSet for stable identities) |

${table.join('\n')}

Scaling down by one pod moves exactly the streams of the pod that left (the same steps read backwards).
Time: ${assignments.toLocaleString('en')} owner look-ups (${STREAMS.toLocaleString('en')} streams × 1 … ${MAX_PODS} pods, ${(weights / 1e6).toFixed(1)} M weights) in ${Math.round(elapsedMs)} ms on
${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}; a pod re-ranks its config on every peer change.
Run: ${new Date().toISOString().slice(0, 10)}.`;

writeSection(`${root}docs/benchmarks.md`, 'shard', body);
process.stdout.write(`${body}\n`);
if (at20.maxOverMean > GOAL_AT_20 || betweenOld > 0) {
  process.stderr.write('bench:shard: goal missed\n');
  process.exitCode = 1;
}
