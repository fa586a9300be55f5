// The probe's per-read media work without sockets (probe-path.mjs --in-memory): what parsing and measuring
// cost per read and per tag, one stream hot in the caches against many read round-robin. With `evictKb`, each
// read first walks that much other memory (a cache line each), standing in for what a real thread's caches
// lose between two reads of one stream: the kernel's socket buffers and TCP state, libuv, the other streams.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlvDemuxer, MediaSummaryBuilder } from '@video-exporter/flv-parser';

const ROOT = join(import.meta.dirname, '..', '..');
const dist = (m) => import(join(ROOT, 'packages/probe-worker/dist', m));
const { PlayerModel } = await dist('player-model.js');
const { LatencyTracker } = await dist('latency.js');
const { StallTracker } = await dist('stalls.js');

const FILE = new Uint8Array(readFileSync(join(ROOT, 'tests/fixtures/live/live_720p25.flv')));
/** one 50 ms tick of the 2.5 Mbit/s fixture */
const READ_BYTES = 16 * 1024;
const READS = 200_000;
const TICK_MS = 50;
/** bytes per cache line: the eviction walk touches one int in each */
const CACHE_LINE = 64;

/** A probe's media state, fed as runProbe feeds it (probe.ts). */
function stream() {
  const s = { now: 0, at: 0, tags: 0 };
  const media = new MediaSummaryBuilder();
  const player = new PlayerModel({ t0Ms: 0 });
  const latency = new LatencyTracker();
  s.stalls = new StallTracker(200);
  s.demuxer = new FlvDemuxer((e) => {
    s.tags++;
    media.add(e);
    if (e.type === 'video-frame') {
      player.onFrame(s.now, e.dts);
      latency.onFrame(s.now, e.dts, e.keyframe);
    }
  });
  return s;
}

/** READS reads of READ_BYTES over `count` streams round-robin, parsed and not; prints µs per read and ns per tag. */
export function inMemory(count, evictKb = 0) {
  const buffer = new Uint8Array(64 * 1024);
  const other = new Int32Array((evictKb * 1024) / 4);
  const stride = CACHE_LINE / 4;
  let touched = 0;
  const run = (parse) => {
    const streams = Array.from({ length: count }, stream);
    let tags = 0;
    const t0 = performance.now();
    for (let r = 0; r < READS; r++) {
      const i = r % count;
      let s = streams[i];
      if (s.at >= FILE.length) {
        tags += s.tags;
        s = streams[i] = stream(); // the file played out: a new probe of the stream
      }
      const n = Math.min(READ_BYTES, FILE.length - s.at);
      buffer.set(FILE.subarray(s.at, s.at + n)); // the socket's read into the thread's buffer
      s.at += n;
      s.now += TICK_MS;
      let sum = 0;
      for (let k = 0; k < other.length; k += stride) sum += other[k]++;
      touched ^= sum;
      if (!parse) continue;
      s.stalls.onRead(s.now);
      s.demuxer.push(buffer, 0, n);
    }
    for (const s of streams) tags += s.tags;
    return { us: ((performance.now() - t0) * 1000) / READS, tags };
  };
  const bare = run(false);
  const parsed = run(true);
  const perTagNs = ((parsed.us - bare.us) * READS * 1000) / parsed.tags;
  console.log(
    `${String(count).padStart(5)} stream(s) round-robin${evictKb ? `, ${evictKb} KB walked per read` : ''}: ${parsed.us.toFixed(2)} µs per read parsed and measured,` +
      ` ${bare.us.toFixed(2)} µs the read alone: ${(parsed.us - bare.us).toFixed(2)} µs per read,` +
      ` ${perTagNs.toFixed(0)} ns per tag (${(parsed.tags / READS).toFixed(1)} tags per read)`,
  );
  return touched; // keeps the walk from being optimised away
}
