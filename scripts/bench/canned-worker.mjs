// A probe worker that does not probe (issue 17: what the exporter costs around its probes). Copied over
// packages/probe-worker/dist/worker.js in a copy of the built tree, it runs one real probe (the first job's,
// shared by every job that arrives meanwhile) and answers every job with that result under the job's URL,
// a sample duration after the job arrived: the same results, messages, schedule and metrics as the real exporter,
// with no sockets or parsing in the worker. Used as:
//   cp -a node_modules packages package.json pnpm-workspace.yaml /tmp/canned/
//   cp scripts/bench/canned-worker.mjs /tmp/canned/packages/probe-worker/dist/worker.js
//   node scripts/bench/run.mjs --n 1000 --no-floor --no-scrape --no-write \
//     --exporter-cli /tmp/canned/packages/aggregator/dist/cli.js
import { runProbe } from './probe.js';

let template;

export default async function cannedProbe(task) {
  const t0 = performance.now();
  const { contentPort, ...job } = task;
  contentPort?.close();
  template ??= runProbe(job);
  const result = await template;
  const left = job.sampleMs - (performance.now() - t0);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return { ...result, url: job.url };
}
