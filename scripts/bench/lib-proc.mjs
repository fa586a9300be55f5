// Process cost from /proc, the same way for every process the bench measures (exporter, floors, source):
// CPU = utime + stime of the whole thread group (worker threads included), RSS from /proc/<pid>/status,
// bytes read by read(2) from /proc/<pid>/io (sockets included: what a reader really pulled off the wire).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime (USER_HZ); 100 on every Linux we know, asked anyway. */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime and stime in seconds, or undefined when the process is gone. */
export function cpuTimes(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime field 15
  const utime = Number(rest[11]) / CLK_TCK;
  const stime = Number(rest[12]) / CLK_TCK;
  return { utime, stime };
}

/** VmRSS and VmHWM (peak RSS over the process's life) in MB, or undefined when the process is gone. */
export function memory(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** Bytes passed to read(2) by the whole process (rchar), or undefined. */
export function bytesRead(pid) {
  try {
    return Number(/^rchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (all cores), for "how loaded was the box". */
export function machineTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * Samples processes every `everyMs` over a window: CPU % of one core (utime + stime delta over wall
 * time, also per second for the spread), RSS per sample, VmHWM at the end, bytes read.
 */
export class Sampler {
  constructor(pids, everyMs = 1000) {
    this.pids = pids; // { name: pid }
    this.everyMs = everyMs;
    this.samples = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
  }

  take() {
    const t = performance.now();
    for (const [name, pid] of Object.entries(this.pids)) {
      const c = cpuTimes(pid);
      const m = memory(pid);
      if (c && m)
        this.samples[name].push({
          t,
          cpu: c.utime + c.stime,
          utime: c.utime,
          stime: c.stime,
          rssMb: m.rssMb,
          hwmMb: m.hwmMb,
          rchar: bytesRead(pid),
        });
    }
    const mt = machineTicks();
    this.machine ??= [];
    this.machine.push({ t, ...mt });
  }

  start() {
    this.take();
    this.timer = setInterval(() => this.take(), this.everyMs);
  }

  stop() {
    clearInterval(this.timer);
    this.take();
    return Object.fromEntries(Object.keys(this.pids).map((name) => [name, summarize(this.samples[name])]));
  }

  /** Busy % of the whole machine over the window (100 % = every core busy). */
  machineBusyPct() {
    const m = this.machine ?? [];
    if (m.length < 2) return NaN;
    const a = m[0];
    const b = m[m.length - 1];
    return ((b.busy - a.busy) / (b.total - a.total)) * 100;
  }
}

function summarize(s) {
  if (s.length < 2) return undefined;
  const a = s[0];
  const b = s[s.length - 1];
  const wall = (b.t - a.t) / 1000;
  const perSecond = [];
  for (let i = 1; i < s.length; i++) perSecond.push(((s[i].cpu - s[i - 1].cpu) / ((s[i].t - s[i - 1].t) / 1000)) * 100);
  const rss = s.map((x) => x.rssMb).sort((x, y) => x - y);
  return {
    wallS: wall,
    cpuPct: ((b.cpu - a.cpu) / wall) * 100,
    userPct: ((b.utime - a.utime) / wall) * 100,
    sysPct: ((b.stime - a.stime) / wall) * 100,
    cpuPctP95: quantile(
      perSecond.sort((x, y) => x - y),
      0.95,
    ),
    rssMedianMb: quantile(rss, 0.5),
    rssMaxMb: rss[rss.length - 1],
    hwmMb: b.hwmMb,
    mbitReadPerS: Number.isFinite(b.rchar - a.rchar) ? ((b.rchar - a.rchar) * 8) / wall / 1e6 : NaN,
  };
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** utime + stime in seconds of every thread of `pid` (tid -> s); threads that ended are absent. */
export function threadTimes(pid) {
  const out = new Map();
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const c = cpuTimes(`${pid}/task/${tid}`);
    if (c) out.set(tid, c.utime + c.stime);
  }
  return out;
}

/**
 * CPU % of one core per thread group between two threadTimes() snapshots: the main thread (tid = pid),
 * the `k` busiest other threads (the probe worker threads: Node 20 does not name its threads, but the
 * workers do the network and parsing work and are far busier than V8's GC/compiler helpers), and the rest.
 */
export function threadSplit(pid, a, b, wallS, k) {
  const pct = (tid) => (((b.get(tid) ?? 0) - (a.get(tid) ?? 0)) / wallS) * 100;
  const main = pct(String(pid));
  const others = [...b.keys()]
    .filter((t) => t !== String(pid))
    .map(pct)
    .sort((x, y) => y - x);
  const workers = others.slice(0, k);
  return {
    mainPct: main,
    workersPct: workers.reduce((s, x) => s + x, 0),
    workerEachPct: workers,
    restPct: others.slice(k).reduce((s, x) => s + x, 0),
  };
}
