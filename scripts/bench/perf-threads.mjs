// Where a process's CPU goes, by thread and by kind of code, from `perf` samples (issue 17's part-by-part view).
//   perf record -e cpu-clock -F 999 -g -p PID -o perf.data -- sleep 20      (node started with --perf-basic-prof)
//   perf script -i perf.data -F tid,ip,sym,dso | node scripts/bench/perf-threads.mjs [--hz 999] [--seconds 20]
// Only each sample's innermost frame counts (its self time). Kinds: the kernel; JavaScript by where it lives
// (lib-profile.mjs's categories: the project's packages, each dependency, Node's core); V8's garbage collector,
// compiler, inline-cache handlers and other builtins; Node/libuv C++; libc. Prints, per thread with at least 1 %
// of the samples, each kind's share of the thread and, with --hz and --seconds, of one core.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { category } from './lib-profile.mjs';

const { values } = parseArgs({ options: { hz: { type: 'string' }, seconds: { type: 'string' } } });
const coreSamples = values.hz && values.seconds ? Number(values.hz) * Number(values.seconds) : undefined;

const GC =
  /Scaveng|Marking|MarkCompact|Sweep|Evacuat|Compactor|RememberedSet|FreeList|SlotSet|MemoryChunk|RecordWrite|Heap::/;
const COMPILER = /compiler::|Maglev|Compile|Parser::|Bytecode|Zone::/;
const IC = /IC_Megamorphic|LoadIC|StoreIC|KeyedLoad|KeyedStore|StubCache/;

/** The kind of code a frame belongs to; JavaScript by where it lives, as the .cpuprofile summaries say it. */
function kindOf(sym, dso) {
  if (dso.includes('kernel')) return 'kernel';
  if (sym.startsWith('JS:')) {
    const url = /((?:file:\/\/)?\/\S+?|node:\S+?):\d+/.exec(sym)?.[1] ?? '';
    return `JS ${category(url, '')}`;
  }
  if (GC.test(sym)) return 'V8 GC';
  if (COMPILER.test(sym)) return 'V8 compiler';
  if (IC.test(sym)) return 'V8 inline caches';
  if (sym.startsWith('Builtins_') || sym.includes('v8::')) return 'V8 builtins, runtime';
  if (/^(node::|uv_|uv__)/.test(sym)) return 'Node/libuv C++';
  if (dso.includes('libc')) return 'libc';
  if (/^0x|unknown/.test(sym)) return 'unresolved (JIT code without a perf map)';
  return `other (${dso.replace(/^.*\//, '')})`;
}

const counts = new Map(); // tid -> Map(kind -> samples)
let tid;
let expectTop = false;
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  // a sample: a header line ([comm] tid), then its frames, each indented by a tab, innermost first
  if (!line.startsWith('\t')) {
    const header = /(\d+)\s*$/.exec(line);
    if (header) {
      tid = header[1];
      expectTop = true;
    }
    return;
  }
  if (!expectTop) return;
  const frame = /^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$/.exec(line);
  if (!frame) return;
  expectTop = false;
  const kind = kindOf(frame[1].replace(/\+0x[0-9a-f]+$/, ''), frame[2]);
  const perThread = counts.get(tid) ?? new Map();
  perThread.set(kind, (perThread.get(kind) ?? 0) + 1);
  counts.set(tid, perThread);
});
rl.on('close', () => {
  const threads = [...counts].map(([t, kinds]) => ({ t, kinds, n: sum(kinds.values()) })).sort((a, b) => b.n - a.n);
  const total = sum(threads.map((x) => x.n));
  for (const { t, kinds, n } of threads) {
    if (n < total / 100) continue;
    console.log(`thread ${t}: ${n} samples${coreSamples ? `, ${pct(n, coreSamples)} % of a core` : ''}`);
    for (const [k, c] of [...kinds].sort((a, b) => b[1] - a[1])) {
      if (c < n / 200) continue;
      const core = coreSamples ? `  ${pct(c, coreSamples).padStart(5)} % of a core` : '';
      console.log(`  ${k.padEnd(42)} ${pct(c, n).padStart(5)} %${core}`);
    }
  }
});

function sum(xs) {
  let total = 0;
  for (const x of xs) total += x;
  return total;
}
function pct(a, b) {
  return ((100 * a) / b).toFixed(1);
}
