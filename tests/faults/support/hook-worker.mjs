// A probe worker entry for the isolation and pool tests: the real worker, wrapped with the faults a
// worker can suffer, switched on by a `test_hook=` query parameter of the stream URL:
//   throw  the task throws (Piscina reports an error for that task only)
//   crash  the worker thread exits, as a native fault would (every probe on it is lost)
//   hang   the task never settles (the main thread's guard must end it)
// The exporter and the pool take a worker entry override (ExporterOptions.workerFile,
// ProbePoolOptions.workerFile); the production worker and the CLI have no such hooks, on purpose.
import probeTask from '@video-exporter/probe-worker/worker';

const CRASH_EXIT_CODE = 70;

export default function hookedProbeTask(job) {
  switch (new URL(job.url).searchParams.get('test_hook')) {
    case 'throw':
      throw new Error('test hook: worker task threw');
    case 'crash':
      process.exit(CRASH_EXIT_CODE);
      break;
    case 'hang':
      return new Promise(() => {});
    default:
      return probeTask(job);
  }
}
