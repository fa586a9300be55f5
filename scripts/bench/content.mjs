// pnpm bench:content — what a content check (SPEC §13, issue 14) costs: per-check CPU (the ffmpeg child plus
// the exporter's own conversion to elementary streams) and the decoder's peak RSS, in `keyframes` and `all`
// mode and batch size, on a 10 s 720p25 H.264 / AAC sample with a 2 s GOP (what a default probe keeps). Extrapolated to
// 1000 streams at the default interval (300 s). Bounded: every ffmpeg has a timeout, a few rounds per mode.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown-section.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { runContentCheck, DEFAULT_CONTENT_CHECK } = await import(join(root, 'packages/probe-worker/dist/index.js'));
// internal: the decoder inputs of one check, for the decode floor
const { prepareCheck } = await import(join(root, 'packages/probe-worker/dist/content/prepare-check.js'));
const ROUNDS = 5;
const STREAMS = 1000;
const INTERVAL_S = 300;
const SAMPLE_S = 10;
const FFMPEG_TIMEOUT_MS = 60_000;
const GOAL_CORE_PERCENT = 25;
/** the default batch_size */
const BATCH = DEFAULT_CONTENT_CHECK.batchSize;
const HALF_BATCH = BATCH / 2;
/** long enough for every check of a round to join its batch */
const BATCH_WAIT_MS = 2_000;

const dir = mkdtempSync(join(os.tmpdir(), 've-bench-content-'));
try {
  const flv = join(dir, 'sample.flv');
  execFileSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-f',
      'lavfi',
      '-t',
      String(SAMPLE_S),
      '-i',
      'testsrc2=s=1280x720:r=25',
      '-f',
      'lavfi',
      '-t',
      String(SAMPLE_S),
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      String(SAMPLE_S),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-b:v',
      '2500k',
      '-g',
      '50',
      '-c:a',
      'aac',
      '-f',
      'flv',
      '-y',
      flv,
    ],
    { timeout: FFMPEG_TIMEOUT_MS, killSignal: 'SIGKILL' },
  );
  const bytes = readFileSync(flv);
  // a wrapper that records the decoder's CPU and peak RSS with GNU time
  const log = join(dir, 'time.log');
  const wrapper = join(dir, 'ffmpeg');
  writeFileSync(wrapper, `#!/bin/sh\nexec /usr/bin/time -f '%U %S %M' -a -o '${log}' ffmpeg "$@"\n`);
  chmodSync(wrapper, 0o755);

  // the floor: a process that decodes one tiny frame
  writeFileSync(log, '');
  execFileSync(
    wrapper,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-t',
      '0.04',
      '-i',
      'color=black',
      '-f',
      'null',
      '-',
    ],
    { timeout: FFMPEG_TIMEOUT_MS, killSignal: 'SIGKILL' },
  );
  const [fu, fs] = readFileSync(log, 'utf8').trim().split(' ').map(Number);
  const floorMs = Math.round((fu + fs) * 1000);
  console.log(`ffmpeg start-up floor: ${floorMs} ms CPU`);

  // the decode floor: BATCH copies of one check's decoder inputs (the IVF of its keyframes, its ADTS sound)
  // in one ffmpeg, only decoded: no filters, no JPEG. What any check of pictures and sound pays.
  const prepared = await prepareCheck(bytes, { ...DEFAULT_CONTENT_CHECK, decode: 'keyframes' });
  writeFileSync(log, '');
  const inputs = [];
  const maps = [];
  for (let i = 0; i < BATCH; i++) {
    inputs.push('-threads', '1', '-f', 'ivf', '-i', prepared.video.path, '-f', 'aac', '-i', prepared.audio.path);
    maps.push('-map', `${2 * i}:v`, '-map', `${2 * i + 1}:a`);
  }
  execFileSync(wrapper, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...inputs, ...maps, '-f', 'null', '-'], {
    timeout: FFMPEG_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  rmSync(prepared.dir, { recursive: true, force: true });
  const [du, ds] = readFileSync(log, 'utf8').trim().split(' ').map(Number);
  const decodeFloorMs = Math.round(((du + ds) * 1000) / BATCH);
  console.log(
    `decode floor (${BATCH} checks per ffmpeg, keyframes + sound, no filters): ${decodeFloorMs} ms CPU per check`,
  );

  // rows: one check per ffmpeg (batch_size 1), the default batch of 8, and `all` (whose samples mostly run
  // alone: a batch takes at most MAX_BATCH_FRAMES pictures)
  const rows = [];
  for (const [decode, batch] of [
    ['keyframes', 1],
    ['keyframes', HALF_BATCH],
    ['keyframes', BATCH],
    ['all', BATCH],
  ]) {
    writeFileSync(log, '');
    const job = { ...DEFAULT_CONTENT_CHECK, ffmpeg: wrapper, decode, timeoutMs: 60_000, batchSize: batch };
    const before = process.cpuUsage();
    for (let i = 0; i < ROUNDS; i++) {
      // a round: `batch` checks due together, as a worker thread gathers them within batch_wait
      const rs = await Promise.all(
        Array.from({ length: batch }, () => runContentCheck(bytes, { ...job, batchWaitMs: BATCH_WAIT_MS })),
      );
      for (const r of rs) if (r.result !== 'ok') throw new Error(`check ${decode} #${i}: ${r.result} ${r.error ?? ''}`);
    }
    const d = process.cpuUsage(before);
    const checks = ROUNDS * batch;
    const runs = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number));
    const childCpuS = runs.reduce((a, [u, s]) => a + u + s, 0);
    const peakRssMiB = Math.max(...runs.map(([, , kb]) => kb)) / 1024;
    const ownMs = (d.user + d.system) / 1000 / checks;
    const perCheckS = childCpuS / checks + ownMs / 1000;
    const corePercent = ((perCheckS * STREAMS) / INTERVAL_S) * 100;
    rows.push({ decode, batch, processes: runs.length / ROUNDS, perCheckS, ownMs, peakRssMiB, corePercent });
    console.log(
      `${decode}, batch_size ${batch}: ${(perCheckS * 1000).toFixed(0)} ms CPU per check` +
        ` (exporter ${ownMs.toFixed(1)} ms), ${runs.length / ROUNDS} ffmpeg per round, decoder peak RSS` +
        ` ${peakRssMiB.toFixed(0)} MiB, 1000 streams / ${INTERVAL_S} s: ${corePercent.toFixed(1)} % of a core`,
    );
  }
  const table = rows
    .map(
      (r) =>
        `| ${r.decode} | ${r.batch} | ${r.processes} | ${(r.perCheckS * 1000).toFixed(0)} ms | ${r.ownMs.toFixed(1)} ms |` +
        ` ${r.peakRssMiB.toFixed(0)} MiB | ${r.corePercent.toFixed(1)} % |`,
    )
    .join('\n');
  const [single, half, kf, all] = rows;
  const met = kf.corePercent <= GOAL_CORE_PERCENT;
  const floorPercent = (((floorMs / 1000) * STREAMS) / INTERVAL_S) * 100;
  writeSection(
    join(root, 'docs/benchmarks.md'),
    'content',
    `
## Content checks

\`pnpm bench:content\` (scripts/bench/content.mjs): content checks over a ${SAMPLE_S} s 720p25 H.264 2.5 Mbit/s + AAC
sample with a 2 s GOP, ${ROUNDS} rounds per row, on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'} (shared machine).
A round is \`batch_size\` checks due together, as a worker thread gathers them within \`batch_wait\`.
CPU = the ffmpeg children (user + system, GNU time) + the exporter's conversion to elementary streams, per check.
The extrapolation is ${STREAMS} streams × one check per ${INTERVAL_S} s (the default interval); the sample itself is
read by the normal probe either way, so this is the extra over a run without checks. Goal for \`keyframes\`:
≤ ${GOAL_CORE_PERCENT} % of a core.

| decode | batch_size | ffmpeg per round | CPU per check | of which exporter | decoder peak RSS | ${STREAMS} streams at ${INTERVAL_S} s |
|---|---|---|---|---|---|---|
${table}

Where the CPU goes: starting Debian's ffmpeg 5.1 costs ${floorMs} ms (user + system: dynamic linking of its many
libraries) before it decodes anything — ${floorPercent.toFixed(0)} % of a core for ${STREAMS} streams at ${INTERVAL_S} s if every check
paid it. A batch pays it once for up to \`batch_size\` checks (${(single.perCheckS * 1000).toFixed(0)} → ${(kf.perCheckS * 1000).toFixed(0)} ms per check here).
What is left per check is decoding its keyframes and its sound, which any check of pictures and sound pays:
${decodeFloorMs} ms per check with nothing else (${BATCH} checks' inputs in one ffmpeg, only decoded: no filters, no JPEG; the
start shared) — ${((decodeFloorMs * STREAMS) / INTERVAL_S / 10).toFixed(0)} % of a core at ${STREAMS} streams / ${INTERVAL_S} s on its own. The detectors, ebur128, the scaled JPEG and the exporter's own
conversion (parsing the sample again, writing the inputs, starting the child) add the rest.
\`all\` decodes every picture: its samples run one per ffmpeg, and it costs ${(all.perCheckS / kf.perCheckS).toFixed(1)}× \`keyframes\`.

Memory: a decoder holds one H.264 decoder and its frame pool per check of its batch, so its peak RSS grows with
\`batch_size\` (${single.peakRssMiB.toFixed(0)} MiB alone, ${kf.peakRssMiB.toFixed(0)} MiB for ${BATCH}); at most \`max_concurrent\` decoders run at once
(${(kf.peakRssMiB * 2).toFixed(0)} MiB with 2). \`batch_size: ${HALF_BATCH}\`: ${half.peakRssMiB.toFixed(0)} MiB per decoder for ${(half.perCheckS * 1000).toFixed(0)} ms per check.

${
  met
    ? `**The ${GOAL_CORE_PERCENT} % goal is met** at the defaults (keyframes, batch_size ${BATCH}): ${kf.corePercent.toFixed(1)} % of a core.`
    : `**The ${GOAL_CORE_PERCENT} % goal is not met** at the defaults (keyframes, batch_size ${BATCH}): ${kf.corePercent.toFixed(1)} % of a core. Within` +
      ` budget: \`interval\` ≥ ${Math.ceil((kf.perCheckS * STREAMS) / (GOAL_CORE_PERCENT / 100) / 60) * 60} s for ${STREAMS} streams.`
}
`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
