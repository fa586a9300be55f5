// A probe worker entry for the isolation tests: the real worker, with its test hook (throw / crash / hang,
// see packages/probe-worker/src/worker.ts) switched on by a `test_hook=` query parameter of the stream URL.
// The exporter takes a worker entry override (ExporterOptions.workerFile); the CLI has no way to set
// test hooks, on purpose.
import probeTask from '@video-exporter/probe-worker/worker';

export default function hookedProbeTask(job) {
  const hook = new URL(job.url).searchParams.get('test_hook');
  return probeTask(hook === 'throw' || hook === 'crash' || hook === 'hang' ? { ...job, testHook: hook } : job);
}
