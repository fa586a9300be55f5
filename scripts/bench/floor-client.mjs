#!/usr/bin/env node
// The floor: what any Node program pays to read N live streams and throw the bytes away.
//   node scripts/bench/floor-client.mjs --mode http|socket --url http://127.0.0.1:PORT --n N
//        [--interval-ms 12000] [--sample-ms 10000] [--path-prefix /live/live/s] [--key-prefix bench/source/s]
// mode http:   http.get (no agent, no keep-alive), body read and discarded by a 'data' listener;
// mode socket: net.Socket with `onread` into ONE buffer shared by all sockets, a hand-written GET, discard.
//
// Fairness: each stream follows the exporter's own schedule for that stream — the same phase inside the
// interval (the exporter's phase function on the same stream key), a fresh connection at every slot,
// `sample-ms` of reading from the first byte, then close — so the floor reads the same bytes, holds the
// same number of connections open and makes the same connections per second as the exporter. Only the
// parsing, measuring and publishing differ, which is what the ratio exporter / floor is meant to show.
// With --interval-ms equal to --sample-ms every stream is always connected (reconnects back to back).
//
// Prints {"ready":true} once every stream is scheduled, and one JSON line of counters on SIGTERM/SIGINT.
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
// the module alone, not the package entry: the floor client's RSS must not carry the exporter's modules
import { nextSlot, phaseMs } from '../../packages/aggregator/dist/scheduling/phase.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    url: { type: 'string' },
    n: { type: 'string' },
    'interval-ms': { type: 'string', default: '12000' },
    'sample-ms': { type: 'string', default: '10000' },
    'path-prefix': { type: 'string', default: '/live/live/s' },
    'key-prefix': { type: 'string', default: 'bench/source/s' },
    'first-byte-timeout-ms': { type: 'string', default: '5000' },
  },
  strict: true,
});
const mode = values.mode;
const N = Number(values.n);
const INTERVAL = Number(values['interval-ms']);
const SAMPLE = Number(values['sample-ms']);
const FIRST_BYTE_TIMEOUT = Number(values['first-byte-timeout-ms']);
if (
  (mode !== 'http' && mode !== 'socket') ||
  !values.url ||
  !(N > 0) ||
  !(INTERVAL > 0) ||
  !(SAMPLE > 0) ||
  SAMPLE > INTERVAL
) {
  process.stderr.write(
    'usage: floor-client.mjs --mode http|socket --url http://host:port --n N [--interval-ms 12000] [--sample-ms' +
      ' 10000]\n',
  );
  process.exit(2);
}
const base = new URL(values.url);
const host = base.hostname;
const port = Number(base.port);

const stats = { connects: 0, samples: 0, errors: 0, noFirstByte: 0, bytes: 0 };
const shared = Buffer.allocUnsafe(64 * 1024);
let stopping = false;

/** One read of `sample-ms` from the first byte on a fresh connection; calls done() once it is closed. */
function sampleHttp(path, done) {
  let sampleTimer;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(sampleTimer);
    req.destroy();
    done();
  };
  stats.connects++;
  const req = http.get({ host, port, path, agent: false }, (res) => {
    res.on('data', (d) => {
      if (sampleTimer === undefined) {
        clearTimeout(firstByteTimer);
        sampleTimer = setTimeout(() => {
          stats.samples++;
          finish();
        }, SAMPLE);
      }
      stats.bytes += d.length;
    });
    res.on('end', finish);
  });
  const firstByteTimer = setTimeout(() => {
    stats.noFirstByte++;
    finish();
  }, FIRST_BYTE_TIMEOUT);
  req.on('error', () => {
    stats.errors++;
    clearTimeout(firstByteTimer);
    finish();
  });
}

function sampleSocket(path, done) {
  let sampleTimer;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(sampleTimer);
    clearTimeout(firstByteTimer);
    s.destroy();
    done();
  };
  stats.connects++;
  const s = net.connect({
    host,
    port,
    noDelay: true,
    onread: {
      buffer: shared,
      callback: (n) => {
        if (sampleTimer === undefined) {
          clearTimeout(firstByteTimer);
          sampleTimer = setTimeout(() => {
            stats.samples++;
            finish();
          }, SAMPLE);
        }
        stats.bytes += n;
        return true;
      },
    },
  });
  s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nHost: ${base.host}\r\nConnection: close\r\n\r\n`));
  const firstByteTimer = setTimeout(() => {
    stats.noFirstByte++;
    finish();
  }, FIRST_BYTE_TIMEOUT);
  s.on('error', () => {
    stats.errors++;
    finish();
  });
  s.on('end', finish);
  s.on('close', finish);
}

const sample = mode === 'http' ? sampleHttp : sampleSocket;

function schedule(i) {
  const phase = phaseMs(`${values['key-prefix']}${i}`, INTERVAL);
  const path = `${values['path-prefix']}${i}.flv`;
  let running = false;
  const arm = () => {
    if (stopping) return;
    const now = Date.now();
    let due = nextSlot(now, phase, INTERVAL);
    if (due <= now) due += INTERVAL;
    setTimeout(fire, due - now);
  };
  const fire = () => {
    arm();
    if (running || stopping) return; // a slot while the last sample still runs is skipped, as the exporter does
    running = true;
    sample(path, () => {
      running = false;
    });
  };
  arm();
}

for (let i = 0; i < N; i++) schedule(i);
process.stdout.write(`${JSON.stringify({ ready: true, mode, n: N })}\n`);

const stop = () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${JSON.stringify({ mode, n: N, ...stats })}\n`, () => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
