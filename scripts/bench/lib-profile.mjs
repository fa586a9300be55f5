// Summaries of V8 .cpuprofile files (node --cpu-prof): where the busy samples went, as percentages, so a
// profile taken on a shared, noisy machine still says what costs what.
//   node scripts/bench/lib-profile.mjs <dir-or-file>...   prints one summary per profile
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const IDLE = new Set(['(idle)', '(root)']);
/** JS frames that only block (piscina's idle worker waits in Atomics.wait): not CPU, counted as idle */
const BLOCKING = new Set(['atomicsWaitLoop']);

/** Where a frame's code lives, for the category table. */
export function category(url, functionName) {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url.includes('/flv-parser/')) return 'flv-parser';
  if (url.includes('/probe-worker/')) return 'probe-worker';
  if (url.includes('/aggregator/')) return 'aggregator';
  if (url.includes('node_modules')) {
    const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
    return m ? `dep: ${m[1]}` : 'deps';
  }
  if (url.startsWith('node:') || url === '') return 'node core / native';
  return 'other';
}

function shortUrl(url) {
  const m =
    /(packages\/[^/]+\/(?:dist|src)\/.*)$/.exec(url) ??
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)$/.exec(url);
  return m ? m[1] : url.replace(/^file:\/\//, '');
}

/** { file, busySamples, totalSamples, durationS, self: [...], inclusive: [...], categories: [...] } */
export function summarizeProfile(file, top = 15) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => {
    const f = n.callFrame;
    const name = f.functionName || '(anonymous)';
    return f.url ? `${name} ${shortUrl(f.url)}:${f.lineNumber + 1}` : name;
  };
  const hits = new Map();
  for (const id of prof.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  let busy = 0;
  const self = new Map();
  const incl = new Map();
  const cats = new Map();
  for (const [id, count] of hits) {
    const n = byId.get(id);
    if (IDLE.has(n.callFrame.functionName) || BLOCKING.has(n.callFrame.functionName)) continue;
    busy += count;
    const k = keyOf(n);
    self.set(k, (self.get(k) ?? 0) + count);
    const cat = category(n.callFrame.url, n.callFrame.functionName);
    cats.set(cat, (cats.get(cat) ?? 0) + count);
    // inclusive: every distinct function on the stack gets the sample once
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (IDLE.has(node.callFrame.functionName)) continue;
      const ck = keyOf(node);
      if (seen.has(ck)) continue;
      seen.add(ck);
      incl.set(ck, (incl.get(ck) ?? 0) + count);
    }
  }
  const pct = (m) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, c]) => ({ name, pct: (c / Math.max(1, busy)) * 100 }));
  return {
    file,
    totalSamples: prof.samples.length,
    busySamples: busy,
    busyPct: (busy / Math.max(1, prof.samples.length)) * 100,
    durationS: (prof.endTime - prof.startTime) / 1e6,
    self: pct(self).slice(0, top),
    inclusive: pct(incl).slice(0, top),
    categories: pct(cats),
  };
}

export function profileFiles(paths) {
  return paths
    .flatMap((p) =>
      statSync(p).isDirectory()
        ? readdirSync(p)
            .filter((f) => f.endsWith('.cpuprofile'))
            .map((f) => join(p, f))
        : [p],
    )
    .sort();
}

export function formatSummary(s) {
  const lines = [
    `### ${basename(s.file)} — ${s.durationS.toFixed(0)} s, busy ${s.busyPct.toFixed(1)} % of samples`,
    '',
    '| category | % of busy samples |',
    '|---|---:|',
  ];
  for (const c of s.categories) lines.push(`| ${c.name} | ${c.pct.toFixed(1)} |`);
  lines.push('', '| top self time | % |', '|---|---:|');
  for (const f of s.self) lines.push(`| \`${f.name}\` | ${f.pct.toFixed(1)} |`);
  lines.push('', '| top inclusive time | % |', '|---|---:|');
  for (const f of s.inclusive) lines.push(`| \`${f.name}\` | ${f.pct.toFixed(1)} |`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = profileFiles(process.argv.slice(2));
  if (files.length === 0) {
    process.stderr.write('usage: node scripts/bench/lib-profile.mjs <dir-or-file.cpuprofile>...\n');
    process.exit(2);
  }
  for (const f of files) console.log(`${formatSummary(summarizeProfile(f, Number(process.env.TOP ?? 15)))}\n`);
}
