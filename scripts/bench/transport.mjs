// node scripts/bench/transport.mjs [N] [seconds] — the transport choice of the probe worker, measured:
// N live 720p25 streams from the project's live source (its own process) read for a window by
//   (a) http.get, read and discard; (b) net.Socket with onread into one reused buffer, read and discard;
//   (c) the probe worker's own HTTP/1.1 client (httpProbe) feeding the FLV demuxer — what a probe really does.
// CPU is this process's utime+stime over the window, in % of one core. Writes a section of docs/benchmarks.md.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { FlvDemuxer } from '@video-exporter/flv-parser';
import { httpProbe } from '@video-exporter/probe-worker';
import { writeSection } from './markdown-section.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const N = Number(process.argv[2] ?? 300);
const SECONDS = Number(process.argv[3] ?? 8);

const source = spawn(
  process.execPath,
  [
    'packages/live-source/dist/main.js',
    '--port',
    '0',
    '--tick-ms',
    '50',
    '--fixture',
    `live=tests/fixtures/live/live_720p25.flv`,
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
const base = await new Promise((resolve, reject) => {
  source.stdout.once('data', (d) => resolve(JSON.parse(String(d)).url));
  source.once('exit', () => reject(new Error('live source exited')));
});
const u = new URL(base);

async function measure(name, startOne) {
  const stops = [];
  let bytes = 0;
  for (let i = 0; i < N; i++) stops.push(startOne(i, (n) => (bytes += n)));
  await new Promise((r) => setTimeout(r, 1500)); // connect and settle
  const c0 = process.cpuUsage();
  const b0 = bytes;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  const mbitPerStream = ((bytes - b0) * 8) / wall / 1e6 / N;
  for (const stop of stops) stop();
  await new Promise((r) => setTimeout(r, 500));
  const cpu = ((c.user + c.system) / 1e6 / wall) * 100;
  console.log(
    `${name.padEnd(44)} CPU ${cpu.toFixed(1).padStart(5)}% of a core   ${mbitPerStream.toFixed(2)} Mbit/s per stream`,
  );
  return { name, cpu, mbitPerStream };
}

const path = (i) => `/live/live/s${i}.flv`;
const rows = [];
rows.push(
  await measure('http.get, read and discard', (i, count) => {
    const req = http.get({ host: u.hostname, port: u.port, path: path(i), agent: false }, (res) =>
      res.on('data', (d) => count(d.length)),
    );
    req.on('error', () => {});
    return () => req.destroy();
  }),
);
const shared = Buffer.allocUnsafe(64 * 1024);
rows.push(
  await measure('net.Socket + onread (reused buffer), discard', (i, count) => {
    const s = net.connect({
      host: u.hostname,
      port: Number(u.port),
      onread: { buffer: shared, callback: (n) => void count(n) },
    });
    s.on('connect', () => s.write(`GET ${path(i)} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`));
    s.on('error', () => {});
    return () => s.destroy();
  }),
);
rows.push(
  await measure('probe client (httpProbe) + FLV demuxer', (i, count) => {
    const ac = new AbortController();
    const demuxer = new FlvDemuxer(() => {});
    void httpProbe({
      url: `${base}${path(i)}`,
      signal: ac.signal,
      idleTimeoutMs: 60_000,
      onBody: (bytes, start, end) => {
        count(end - start);
        demuxer.push(bytes, start, end);
        return 'continue';
      },
    });
    return () => ac.abort();
  }),
);
source.kill('SIGTERM');

const floor = rows[1].cpu;
const table = [
  '| reader | CPU (% of one core) | Mbit/s per stream | vs raw-socket floor |',
  '|---|---:|---:|---:|',
  ...rows.map(
    (r) => `| ${r.name} | ${r.cpu.toFixed(1)} | ${r.mbitPerStream.toFixed(2)} | ${(r.cpu / floor).toFixed(2)}× |`,
  ),
].join('\n');
writeSection(
  fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)),
  'transport',
  `## Probe transport (\`node scripts/bench/transport.mjs ${N} ${SECONDS}\`)

Why the probe worker has its own small HTTP/1.1 client on \`net\`/\`tls\` with \`onread\` into one reused buffer:
${N} concurrent live 720p25 streams (~2.5 Mbit/s) from the project's live source in its own process, each reader
running ${SECONDS} s after a settle period in one Node process; CPU = utime + stime of the reader process over the
window. The last row is the real thing: the probe client with chunked/Content-Length framing, timers and the FLV
demuxer on every byte. Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}.

${table}`,
);
process.exit(0);
